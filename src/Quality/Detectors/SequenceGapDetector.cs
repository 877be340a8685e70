using Cloudwall.Rx.Quality.Alerts;

namespace Cloudwall.Rx.Quality.Detectors;

/// <summary>
/// Sequence gaps from ingestion's <c>SequenceGap</c> events and from windows' <see cref="SeriesWindow.MissingSequences"/>.
/// Fires at once; resolves after <see cref="SequenceGapOptions.QuietPeriod"/> without a new gap. When both sources
/// report, the larger total wins (they describe the same gaps), so nothing is counted twice.
/// </summary>
public sealed class SequenceGapDetector(SequenceGapOptions options, IAlertReporter reporter)
{
    private const string What = "sequence numbers missing";
    private readonly Dictionary<AlertScope, Episode> _episodes = new();
    private readonly List<AlertScope> _expired = new();
    private readonly long _quietNs = SeriesSettings.Ns(options.QuietPeriod);

    public int OpenEpisodes => _episodes.Count;

    /// <param name="fromWindow">True for a window's count, false for an ingestion gap event.</param>
    public void OnGap(in SeriesKey key, long missing, long nowNs, bool fromWindow)
    {
        if (!options.Enabled || missing <= 0) return;
        var scope = options.GroupByVenue ? AlertScope.ForVenue(key.Provider, key.Venue) : AlertScope.ForSeries(key);
        if (!_episodes.TryGetValue(scope, out var e))
        {
            e = new Episode(new AlertKey(DetectorNames.SequenceGap, scope), nowNs);
            _episodes.Add(scope, e);
        }

        if (fromWindow) e.WindowMissing += missing;
        else e.EventMissing += missing;
        e.LastGapNs = Math.Max(e.LastGapNs, nowNs);
        var total = Math.Max(e.WindowMissing, e.EventMissing);
        if (total >= options.MinMissing)
        {
            var severity = total >= options.CriticalMissing ? AlertSeverity.Critical : AlertSeverity.Warning;
            reporter.Fire(e.Key, new AlertReading(severity, What, total, 0, "sequence numbers", e.SinceNs), nowNs);
        }
    }

    public void Evaluate(long nowNs)
    {
        foreach (var (scope, e) in _episodes)
        {
            if (nowNs - e.LastGapNs >= _quietNs) _expired.Add(scope);
        }

        foreach (var scope in _expired)
        {
            _episodes.Remove(scope, out var e);
            reporter.Clear(e!.Key, nowNs);
        }

        _expired.Clear();
    }

    private sealed class Episode(AlertKey key, long sinceNs)
    {
        public readonly AlertKey Key = key;
        public readonly long SinceNs = sinceNs;
        public long LastGapNs = sinceNs;
        public long WindowMissing;
        public long EventMissing;
    }
}
