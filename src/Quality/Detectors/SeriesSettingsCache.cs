using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Quality.Detectors;

/// <summary>Resolves and caches each series' settings (defaults ← class ← instrument) once. Single-threaded.</summary>
public sealed class SeriesSettingsCache(QualityOptions options, Func<InstrumentId, string?>? instrumentKey = null)
{
    private readonly Dictionary<(InstrumentId, MarketType), SeriesSettings> _cache = new();

    public QualityOptions Options { get; } = options;

    private DetectorOverrides? _live;

    /// <summary>Thresholds set at run time for every series (under per-instrument configuration); the next window reads them.</summary>
    public void SetLive(DetectorOverrides? live)
    {
        _live = live;
        _cache.Clear();
    }

    public SeriesSettings Get(in SeriesKey key)
    {
        if (_cache.TryGetValue((key.Instrument, key.Market), out var s)) return s;
        s = SeriesSettings.Resolve(Options, key.Market, instrumentKey?.Invoke(key.Instrument), _live);
        _cache.Add((key.Instrument, key.Market), s);
        return s;
    }
}
