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

    public IEnumerable<string> Errors()
    {
        if (MaxSeries is < 1 or > 1_000_000)
            yield return $"{Section}:{nameof(MaxSeries)} must be 1..1000000 (was {MaxSeries})";
        for (var i = 0; i < Instruments.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(Instruments[i]))
                yield return $"{Section}:{nameof(Instruments)}:{i} must be a canonical instrument key (was empty)";
        }
    }
}
