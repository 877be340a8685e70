using Cloudwall.Rx.Ingestion.Recorded;

namespace Cloudwall.Rx.Tests.Unit.TestSupport;

/// <summary>A theory over the recorded venue feeds; skipped with the reason when they are missing (see <see cref="RecordedFactAttribute"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RecordedTheoryAttribute : TheoryAttribute
{
    public RecordedTheoryAttribute(string? relativeFile = null)
    {
        RelativeFile = relativeFile;
        Skip = RecordedFeedsSkip.Reason(relativeFile);
    }

    public string? RelativeFile { get; }
}

internal static class RecordedFeedsSkip
{
    /// <summary>Null when the recorded feeds (and the named file) are present, else why the test cannot run.</summary>
    public static string? Reason(string? relativeFile)
    {
        var folder = RecordedFeeds.Locate();
        if (folder is null)
        {
            return RecordedFeeds.MissingReason;
        }

        return relativeFile is not null && !File.Exists(Path.Combine(folder, relativeFile))
            ? $"recorded feed file {relativeFile} not found under {folder}"
            : null;
    }
}
