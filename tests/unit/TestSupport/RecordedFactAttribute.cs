namespace Cloudwall.Rx.Tests.Unit.TestSupport;

/// <summary>
/// A fact over the recorded venue feeds. When the recorded-data folder (or the named file inside it) is missing, the test
/// reports as skipped with the reason, instead of failing or silently passing. xunit v2 has no runtime skip, so the
/// decision is made here, when the test is discovered.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RecordedFactAttribute : FactAttribute
{
    /// <param name="relativeFile">A file the test needs, relative to the recorded-data folder (e.g. <c>coinbase/COINBASE.ws.28.0</c>).</param>
    public RecordedFactAttribute(string? relativeFile = null)
    {
        RelativeFile = relativeFile;
        Skip = RecordedFeedsSkip.Reason(relativeFile);
    }

    public string? RelativeFile { get; }
}
