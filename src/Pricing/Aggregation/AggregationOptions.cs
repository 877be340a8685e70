using Cloudwall.Rx.Core.Configuration;

namespace Cloudwall.Rx.Pricing.Aggregation;

/// <summary>
/// Pre-aggregation (configuration section <c>Pipeline:Aggregation</c>): when enabled, each partition publishes one
/// <see cref="Core.Bar"/> per interval per series to md.bars.v1 instead of every raw event to md.events.v1.
/// </summary>
public sealed class AggregationOptions : ICheckedOptions
{
    public const string Section = "Pipeline:Aggregation";

    public bool Enabled { get; set; }

    /// <summary>Bar length, a whole number of milliseconds (e.g. 250 ms, 1 s).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Series one partition may hold open at once; events of further series are counted and not aggregated.</summary>
    public int MaxSeriesPerPartition { get; set; } = 65_536;

    /// <summary>
    /// How long after its interval ended a trade bar can still be revised by back-filled trades (docs/wire-format.md,
    /// "Revisions"); zero turns revisions off (back-filled trades then only join the open bar). At most 24 hours.
    /// </summary>
    public TimeSpan RevisionWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Published trade bars one partition keeps for revision, whatever their age (the memory bound: about 215 bytes each,
    /// 176 for the bar and ~36 for its index entry, measured; at most ~14 MB per partition at the default); when full the oldest goes first, and back-fill for its interval
    /// is then counted as too late.
    /// </summary>
    public int MaxRetainedBarsPerPartition { get; set; } = 65_536;

    public IEnumerable<string> Errors()
    {
        if (Interval < TimeSpan.FromMilliseconds(1) || Interval > TimeSpan.FromHours(1) || Interval.Ticks % TimeSpan.TicksPerMillisecond != 0)
            yield return $"{Section}:{nameof(Interval)} must be a whole number of milliseconds within 00:00:00.001..01:00:00 (was {Interval})";
        if (MaxSeriesPerPartition is < 1 or > 10_000_000)
            yield return $"{Section}:{nameof(MaxSeriesPerPartition)} must be 1..10000000 (was {MaxSeriesPerPartition})";
        if (RevisionWindow < TimeSpan.Zero || RevisionWindow > TimeSpan.FromHours(24))
            yield return $"{Section}:{nameof(RevisionWindow)} must be within 00:00:00..1.00:00:00 (was {RevisionWindow})";
        if (MaxRetainedBarsPerPartition is < 1 or > 10_000_000)
            yield return $"{Section}:{nameof(MaxRetainedBarsPerPartition)} must be 1..10000000 (was {MaxRetainedBarsPerPartition})";
    }
}
