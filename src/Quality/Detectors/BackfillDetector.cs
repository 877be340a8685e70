using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality.Alerts;

namespace Cloudwall.Rx.Quality.Detectors;

/// <summary>
/// Breaks in a trade stream that gap-fill could not mend (docs/backfill.md): one alert per series, firing at once with the
/// trades still missing (summed over the episode), critical from <see cref="BackfillAlertOptions.CriticalMissing"/> or when the
/// count is unknown after a skipped, dropped or failed fill; resolves after <see cref="BackfillAlertOptions.QuietPeriod"/>
/// without another shortfall.
/// </summary>
public sealed class BackfillDetector(BackfillAlertOptions options, IAlertReporter reporter)
{
    private const string What = "trades missing after back-fill";
    private readonly Dictionary<SeriesKey, Episode> _episodes = new();
    private readonly List<SeriesKey> _expired = new();
    private readonly long _quietNs = SeriesSettings.Ns(options.QuietPeriod);

    public int OpenEpisodes => _episodes.Count;

    public void OnShortfall(in SeriesKey key, in BackfillShortfall s, long nowNs)
    {
        if (!options.Enabled) return;
        if (!_episodes.TryGetValue(key, out var e))
        {
            e = new Episode(new AlertKey(DetectorNames.Backfill, AlertScope.ForSeries(key)), nowNs);
            _episodes.Add(key, e);
        }

        e.Missing += s.Missing ?? 0;
        e.Unknown |= s.Missing is null;
        e.LastNs = Math.Max(e.LastNs, nowNs);
        var severity = e.Missing >= options.CriticalMissing || (e.Unknown && s.Result != "partial") ? AlertSeverity.Critical : AlertSeverity.Warning;
        reporter.Fire(e.Key, new AlertReading(severity, What, e.Missing, 0, "trades", e.SinceNs,
            new AlertContext(Reason: e.Unknown ? s.Result + ", count unknown" : s.Result)), nowNs);
    }

    public void Evaluate(long nowNs)
    {
        foreach (var (key, e) in _episodes)
        {
            if (nowNs - e.LastNs >= _quietNs) _expired.Add(key);
        }

        foreach (var key in _expired)
        {
            _episodes.Remove(key, out var e);
            reporter.Clear(e!.Key, nowNs);
        }

        _expired.Clear();
    }

    private sealed class Episode(AlertKey key, long sinceNs)
    {
        public readonly AlertKey Key = key;
        public readonly long SinceNs = sinceNs;
        public long LastNs = sinceNs;
        public long Missing;
        public bool Unknown;
    }
}
