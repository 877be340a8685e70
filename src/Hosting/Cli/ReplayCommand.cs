using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Recorded;

namespace Cloudwall.Rx.Hosting.Cli;

/// <summary><c>cloudwall-rx replay --venue V FILE</c>: a recorded feed through its venue decoder, one JSON line per event.</summary>
internal static class ReplayCommand
{
    public static int Run(ParsedArgs args, TextWriter stdout, TextWriter stderr)
    {
        var venue = args.Require("venue");
        args.RejectUnknown();
        if (args.Positional.Count != 1)
        {
            throw new UsageException("replay needs exactly one FILE");
        }

        var path = args.Positional[0];
        if (!File.Exists(path))
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
