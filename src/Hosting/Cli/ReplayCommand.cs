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
        if (!ReplayVenues.TryCreate(venue, refData, out var decoder))
        {
            return CommandLine.Fail(stderr, $"unknown venue '{venue}'; known: {string.Join(", ", ReplayVenues.Names)}");
        }

        return Replay.Run(decoder, refData, path, stdout, stderr);
    }
}
