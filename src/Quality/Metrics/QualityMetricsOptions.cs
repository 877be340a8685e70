using Cloudwall.Rx.Core.Configuration;

namespace Cloudwall.Rx.Quality.Metrics;

/// <summary>Cardinality limits of the series metrics (configuration section <c>Quality:Metrics</c>).</summary>
public sealed class QualityMetricsOptions : ICheckedOptions
{
    public const string Section = "Quality:Metrics";

    /// <summary>
    /// Series (provider × venue × instrument × data class × market) exported at most. Series beyond the cap are not
    /// exported; each of their windows is counted in <c>cloudwall_md_series_capped_total{reason="max_series"}</c>.
    /// </summary>
    public int MaxSeries { get; set; } = 2000;

    /// <summary>Canonical instrument keys to export (e.g. <c>BTC-USD.SPOT</c>); empty exports every instrument.</summary>
    public List<string> Instruments { get; set; } = [];

    /// <summary>
    /// How long a series that had subscriptions stays exported once it has none and no data: then its children are
    /// removed from the registry (and its instrument's fair price with its last series). Default 5 min, long enough for a
    /// resubscribe or a shard move to come back as the same series.
    /// </summary>
    public TimeSpan SeriesGracePeriod { get; set; } = TimeSpan.FromMinutes(5);

    public IEnumerable<string> Errors()
    {
        if (SeriesGracePeriod < TimeSpan.FromSeconds(1) || SeriesGracePeriod > TimeSpan.FromDays(1))
            yield return $"{Section}:{nameof(SeriesGracePeriod)} must be 00:00:01..1.00:00:00 (was {SeriesGracePeriod})";
        if (MaxSeries is < 1 or > 1_000_000)
            yield return $"{Section}:{nameof(MaxSeries)} must be 1..1000000 (was {MaxSeries})";
        for (var i = 0; i < Instruments.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(Instruments[i]))
                yield return $"{Section}:{nameof(Instruments)}:{i} must be a canonical instrument key (was empty)";
        }
    }
}
