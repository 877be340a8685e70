namespace Cloudwall.Rx.Ingestion.Backfill;

/// <summary>How one break ended.</summary>
public enum BackfillResult : byte
{
    /// <summary>Every lost trade was fetched back (or the venue's history covered the whole break).</summary>
    Complete = 0,

    /// <summary>Some were fetched, some the venue no longer serves: <see cref="BackfillOutcome.Missing"/> says how many.</summary>
    Partial = 1,

    /// <summary>Longer than <see cref="BackfillOptions.MaxGap"/> or <see cref="BackfillOptions.MaxTrades"/>: counted, not fetched.</summary>
    Skipped = 2,

    /// <summary>The request queue was full (<see cref="BackfillOptions.Overflow"/>).</summary>
    Dropped = 3,

    /// <summary>The venue answered with an error or garbage, or did not answer in time, after the retries.</summary>
    Failed = 4,
}

/// <summary>
/// The account of one break: what was asked, what came back, what is still missing and how long it took. Reported to the
/// <see cref="IBackfillSink"/> port (the quality sidecar raises an alert for anything but <see cref="BackfillResult.Complete"/>)
/// and counted in <see cref="BackfillCounters"/>.
/// </summary>
/// <param name="Filled">Trades published flagged as back-fill.</param>
/// <param name="Missing">Trades lost for good: known exactly for a venue with consecutive ids, else null when not known.</param>
/// <param name="Seconds">From the break being closed to the last filled trade handed on.</param>
/// <param name="Error">Why a fill failed or was skipped; null otherwise.</param>
public sealed record BackfillOutcome(BackfillRequest Request, BackfillResult Result, long Filled, long? Missing, double Seconds, string? Error = null)
{
    public static string ResultText(BackfillResult r) => r switch
    {
        BackfillResult.Complete => "complete",
        BackfillResult.Partial => "partial",
        BackfillResult.Skipped => "skipped",
        BackfillResult.Dropped => "dropped",
        _ => "failed",
    };
}

/// <summary>Where a provider's coordinator reports each break's outcome (the port; Hosting registers the one implementation).</summary>
public interface IBackfillSink
{
    /// <summary>Called from the coordinator's worker (or, for a dropped request, the connection's thread); must not block.</summary>
    void OnBackfill(BackfillOutcome outcome);
}
