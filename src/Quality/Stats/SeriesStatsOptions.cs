using Cloudwall.Rx.Core.Configuration;

namespace Cloudwall.Rx.Quality.Stats;

/// <summary>Settings of the per-partition series statistics (configuration section <c>Quality:Stats</c>).</summary>
public sealed class SeriesStatsOptions : ICheckedOptions
{
    public const string Section = "Quality:Stats";

    /// <summary>Length of one statistics window; windows are aligned to the Unix epoch (1 s windows start on whole seconds).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Series one accumulator (one partition) tracks at most; events of further series are counted in
    /// <see cref="SeriesStatsAccumulator.DroppedEvents"/> and not windowed. Each series costs about 2 KB.
    /// </summary>
    public int MaxSeriesPerPartition { get; set; } = 8192;

    /// <summary>
    /// Recent events per provider × venue (per partition) from which the clock offset is estimated
    /// (<see cref="ClockOffsetEstimator"/>); 8 bytes twice each.
    /// </summary>
    public int ClockOffsetSamples { get; set; } = 1024;

    public IEnumerable<string> Errors()
    {
        if (Window < TimeSpan.FromMilliseconds(10) || Window > TimeSpan.FromMinutes(10))
            yield return $"{Section}:{nameof(Window)} must be 00:00:00.010..00:10:00 (was {Window})";
        if (MaxSeriesPerPartition is < 1 or > 1_000_000)
            yield return $"{Section}:{nameof(MaxSeriesPerPartition)} must be 1..1000000 (was {MaxSeriesPerPartition})";
        if (ClockOffsetSamples is < 16 or > 1_000_000)
            yield return $"{Section}:{nameof(ClockOffsetSamples)} must be 16..1000000 (was {ClockOffsetSamples})";
    }
}
