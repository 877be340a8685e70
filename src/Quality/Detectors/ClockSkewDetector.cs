using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality.Alerts;

namespace Cloudwall.Rx.Quality.Detectors;

/// <summary>
/// A venue clock that runs ahead of ours, or a steady offset behind it, per provider × venue, from the clock offset the
/// windows carry (<see cref="Stats.ClockOffsetEstimator"/>: minus the 5th percentile of receive − exchange time, so network
/// delay does not count as skew). Ahead beyond <see cref="ClockSkewOptions.AheadThreshold"/> or behind beyond
/// <see cref="ClockSkewOptions.BehindThreshold"/>, held for <see cref="ClockSkewOptions.For"/>: one warning with the offset
/// in it ("kraken clock 2.1 s ahead"). Latencies are clamped at zero elsewhere; this is where the skew is reported.
/// </summary>
public sealed class ClockSkewDetector(ClockSkewOptions options, IAlertReporter reporter)
{
    private const string What = "venue clock offset from ours";
    private readonly Dictionary<(ProviderId, VenueId), Venue> _venues = new();
    private readonly long _forNs = SeriesSettings.Ns(options.For);
    private readonly long _clearNs = SeriesSettings.Ns(options.ClearAfter);
    private readonly double _ahead = options.AheadThreshold.TotalSeconds;
    private readonly double _behind = options.BehindThreshold.TotalSeconds;

    public void Observe(SeriesWindow w)
    {
        if (!options.Enabled || w.ClockOffset is not { } offset || offset.Samples < options.MinSamples || !double.IsFinite(offset.Seconds)) return;
        var id = (w.Key.Provider, w.Key.Venue);
        if (!_venues.TryGetValue(id, out var v))
        {
            v = new Venue(new AlertKey(DetectorNames.ClockSkew, AlertScope.ForVenue(w.Key.Provider, w.Key.Venue)));
            _venues.Add(id, v);
        }

        if (w.WindowEndNs <= v.LastEndNs) return; // one judgement per window end: every series of the venue carries the same estimate
        v.LastEndNs = w.WindowEndNs;
        var skewed = offset.Seconds > _ahead || offset.Seconds < -_behind;
        var wasActive = v.Condition.Active;
        if (v.Condition.Observe(skewed, w.WindowEndNs, _forNs, _clearNs))
        {
            reporter.Fire(v.Key, new AlertReading(AlertSeverity.Warning, What, offset.Seconds, 0, "s", v.Condition.SinceNs), w.WindowEndNs);
        }
        else if (wasActive)
        {
            reporter.Clear(v.Key, w.WindowEndNs);
        }
    }

    private sealed class Venue(AlertKey key)
    {
        public readonly AlertKey Key = key;
        public SustainedCondition Condition;
        public long LastEndNs;
    }
}
