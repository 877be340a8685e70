using System.CommandLine;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Recorded;

namespace Cloudwall.Rx.Hosting.Cli;

/// <summary><c>cloudwall-rx replay --venue V FILE</c>: a recorded feed through its venue decoder, one JSON line per event.</summary>
internal static class ReplayCommand
{
    private static readonly Option<string?> Venue = VenueOption();
    private static readonly Argument<string> File = new("FILE") { Description = "a recorded feed file (cryptofeed's format)" };

    public static Command Create()
    {
        var command = new Verb("replay", "Decodes a recorded feed file, one JSON line per event",
            """
            Decodes a recorded feed file through its venue's decoder and prints one JSON line per normalized event
            (history sent on subscribe carries "snapshot": true); frame counts on stderr. The endpoint on a recording's
            connect line decides the market, as it does live.
            """.ReplaceLineEndings(" "),
            """
            cloudwall-rx replay --venue coinbase ../shared/data/recorded/coinbase/COINBASE.0
            cloudwall-rx replay --venue bybit bybit-linear.rec > events.jsonl
            """)
        {
            Venue, File,
        };
        command.SetAction(r => Run(r.GetValue(Venue)!, r.GetValue(File)!, r.InvocationConfiguration.Output, r.InvocationConfiguration.Error));
        return command;
    }

    private static Option<string?> VenueOption()
    {
        var venue = CliOptions.Text("--venue", $"the venue's decoder: {string.Join(", ", ReplayVenues.Names)}", "VENUE", required: true);
        venue.CompletionSources.Add(ReplayVenues.Names.ToArray());
        return venue;
    }

    public static int Run(string venue, string path, TextWriter stdout, TextWriter stderr)
    {
        if (!System.IO.File.Exists(path))
        {
            return CommandLine.Fail(stderr, $"file not found: {path}");
        }

        var refData = new ReferenceData();
        // A factory, not one decoder: each connect line's endpoint can decide the market (Bybit v5 categories, Binance hosts).
        if (!ReplayVenues.TryGetFactory(venue, refData, out var decoderFor))
        {
            return CommandLine.Fail(stderr, $"unknown venue '{venue}'; known: {string.Join(", ", ReplayVenues.Names)}");
        }

        return Replay.Run(decoderFor, refData, path, stdout, stderr);
    }
}
