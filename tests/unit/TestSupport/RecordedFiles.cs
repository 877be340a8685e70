using Cloudwall.Rx.Ingestion.Recorded;

namespace Cloudwall.Rx.Tests.Unit.TestSupport;

/// <summary>Paths of the recorded feeds the tests read (where they are; they are never copied into the repository).</summary>
internal static class RecordedFiles
{
    public const string Coinbase = "coinbase/COINBASE.ws.28.0";

    /// <summary>The full path of a recorded file. Only call from a <see cref="RecordedFactAttribute"/> test naming that file.</summary>
    public static string PathOf(string relativeFile) =>
        RecordedFeeds.LocateFile(relativeFile) ?? throw new InvalidOperationException($"{relativeFile}: {RecordedFeeds.MissingReason}");
}
