using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality.Alerts;

namespace Cloudwall.Rx.Quality.Detectors;

/// <summary>
/// Exchange→receive p99 per venue (provider × venue) above a threshold for a duration. A venue's p99 for one window
/// is the sample-weighted mean of its series' p99s (an estimate; the exact distribution is the Prometheus histogram).
/// A venue's window is judged when a newer window arrives or, on the clock, half a window after it ended. A p99 beyond
/// <see cref="LatencyOptions.SevereFactor"/> × the threshold (a feed that lags by seconds) is critical after only
/// <see cref="LatencyOptions.SevereFor"/>. The alert's expected value is the venue's learned normal p99 (an EWMA of the
/// windows judged normal), never the threshold.
/// </summary>
public sealed class LatencyDetector(LatencyOptions options, IAlertReporter reporter)
{
    private const string What = "exchange-to-receive p99 latency above threshold (a lagging feed or a venue clock behind ours)";
    private readonly Dictionary<(ProviderId, VenueId), Venue> _venues = new();
    private readonly long _forNs = SeriesSettings.Ns(options.For);
    private readonly long _clearNs = SeriesSettings.Ns(options.ClearAfter);
    private readonly long _severeForNs = SeriesSettings.Ns(options.SevereFor);

    public void Observe(SeriesWindow w)
    {
        if (!options.Enabled) return;
        var l = w.ExchangeToReceive;
        if (l.Samples <= 0 || double.IsNaN(l.P99Seconds)) return;
        var id = (w.Key.Provider, w.Key.Venue);
        if (!_venues.TryGetValue(id, out var v))
        {
            var threshold = options.Venues.TryGetValue(w.Key.Venue.Name, out var t) ? t : options.P99Threshold;
            v = new Venue(new AlertKey(DetectorNames.Latency, AlertScope.ForVenue(w.Key.Provider, w.Key.Venue)), threshold.TotalSeconds);
            _venues.Add(id, v);
        }

        if (v.Samples > 0 && v.EndNs != w.WindowEndNs)
        {
            if (w.WindowEndNs < v.EndNs) return; // late window of a judged period
            Judge(v, v.EndNs);
        }

        v.EndNs = w.WindowEndNs;
        v.HalfWindowNs = (w.WindowEndNs - w.WindowStartNs) / 2;
        v.WeightedP99 += l.P99Seconds * l.Samples;
        v.Samples += l.Samples;
    }

    public void Evaluate(long nowNs)
    {
        foreach (var v in _venues.Values)
        {
            if (v.Samples > 0 && nowNs >= v.EndNs + v.HalfWindowNs) Judge(v, nowNs);
        }
    }

    private void Judge(Venue v, long nowNs)
    {
        var p99 = v.WeightedP99 / v.Samples;
        v.WeightedP99 = 0;
        v.Samples = 0;
        var wasActive = v.Condition.Active || v.Severe.Active;
        var high = v.Condition.Observe(p99 > v.ThresholdSeconds, v.EndNs, _forNs, _clearNs);
        var severe = v.Severe.Observe(p99 > v.ThresholdSeconds * options.SevereFactor, v.EndNs, _severeForNs, _clearNs);
        if (!v.Condition.IsTrue) v.Normal.Update(p99, 0.05);
        if (high || severe)
        {
            var since = severe && !high ? v.Severe.SinceNs : v.Condition.SinceNs;
            reporter.Fire(v.Key, new AlertReading(severe ? AlertSeverity.Critical : AlertSeverity.Warning, What, p99,
                v.Normal.HasValue ? v.Normal.Value : 0, "s", since), nowNs);
        }
        else if (wasActive)
        {
            reporter.Clear(v.Key, nowNs);
        }
    }

    private sealed class Venue(AlertKey key, double thresholdSeconds)
    {
        public readonly AlertKey Key = key;
        public readonly double ThresholdSeconds = thresholdSeconds;
        public SustainedCondition Condition;
        public SustainedCondition Severe;
        public Ewma Normal;
        public long EndNs;
        public long HalfWindowNs;
        public double WeightedP99;
        public long Samples;
    }
}
