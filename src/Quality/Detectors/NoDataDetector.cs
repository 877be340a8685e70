using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality.Alerts;

namespace Cloudwall.Rx.Quality.Detectors;

/// <summary>
/// No data / gap. Each series learns its normal inter-arrival time as an EWMA (one sample per window with data:
/// time since the previous data window ÷ count) and is silent once the time since its last data exceeds
/// Multiplier × that interval, clamped to [Floor, Ceiling]. Silence is grouped top-down: when at least
/// <see cref="NoDataOptions.GroupSilentFraction"/> of a provider's (then a venue's, a data class's on a venue, an
/// instrument's on a venue) series are silent, one alert is raised at that level and its members raise none.
/// Narrow levels wait <see cref="NoDataOptions.GroupingGrace"/> longer, so a wide outage is seen first.
/// </summary>
public sealed class NoDataDetector
{
    private const string What = "no data";
    private static readonly AlertLevel[] GroupLevels = [AlertLevel.Provider, AlertLevel.Venue, AlertLevel.DataClass, AlertLevel.Instrument];

    private readonly NoDataOptions _options;
    private readonly SeriesSettingsCache _settings;
    private readonly IAlertReporter _reporter;
    private readonly long _graceNs;
    private readonly Dictionary<SeriesKey, Series> _byKey = new();
    private readonly List<Series> _series = new();
    private readonly Dictionary<AlertScope, Group> _groupsByScope = new();
    private readonly List<Group>[] _groups = [new(), new(), new(), new()];

    public NoDataDetector(NoDataOptions options, SeriesSettingsCache settings, IAlertReporter reporter)
    {
        _options = options;
        _settings = settings;
        _reporter = reporter;
        _graceNs = SeriesSettings.Ns(options.GroupingGrace);
    }

    public int SeriesCount => _series.Count;

    /// <summary>Registers the series (first time) and learns from a window with data.</summary>
    public void Observe(SeriesWindow w)
    {
        var s = GetOrAdd(w.Key, w.WindowEndNs);
        if (w.Count <= 0) return;
        var from = s.PrevDataEndNs > 0 ? s.PrevDataEndNs : w.WindowStartNs;
        if (w.WindowEndNs > from)
        {
            // Cap a sample at the current threshold so the silence that ends an outage is not learned as normal.
            var sample = Math.Min(w.WindowEndNs - from, Threshold(s)) / 1e9 / w.Count;
            s.Interval.Update(sample, _options.Alpha);
        }

        s.PrevDataEndNs = Math.Max(s.PrevDataEndNs, w.WindowEndNs);
        s.LastDataNs = Math.Max(s.LastDataNs, w.WindowEndNs);
    }

    /// <summary>The current threshold of a series (the ceiling for an unknown one).</summary>
    public TimeSpan ThresholdOf(in SeriesKey key) =>
        TimeSpan.FromTicks((_byKey.TryGetValue(key, out var s) ? Threshold(s) : SeriesSettings.Ns(_options.Ceiling)) / UnixTime.NanosPerTick);

    public bool IsSilent(in SeriesKey key, long nowNs) => _byKey.TryGetValue(key, out var s) && nowNs - s.LastDataNs >= Threshold(s);

    /// <summary>Forgets a series (unsubscribed) and clears its alert.</summary>
    public void Remove(in SeriesKey key, long nowNs)
    {
        if (!_byKey.Remove(key, out var s)) return;
        _series.Remove(s);
        if (s.Open) _reporter.Clear(s.AlertKey, nowNs);
        foreach (var g in s.Groups) g.Members.Remove(s);
    }

    public void Evaluate(long nowNs)
    {
        if (!_options.Enabled) return;
        foreach (var s in _series)
        {
            s.Suppressed = false;
            s.SilenceNs = nowNs - s.LastDataNs;
            s.ThresholdNs = Threshold(s);
            s.Silent = s.Settings.Enabled && s.SilenceNs >= s.ThresholdNs;
        }

        for (var level = 0; level < GroupLevels.Length; level++)
        {
            var grace = GroupLevels[level] is AlertLevel.Provider or AlertLevel.Venue ? 0 : _graceNs;
            foreach (var g in _groups[level]) EvaluateGroup(g, grace, nowNs);
        }

        foreach (var s in _series)
        {
            if (s.Silent && s.SilenceNs >= s.ThresholdNs + _graceNs && (!s.Suppressed || s.Open))
            {
                s.Open = true;
                var reading = new AlertReading(AlertSeverity.Warning, What, s.SilenceNs / 1e9, s.ThresholdNs / 1e9, "s", s.LastDataNs);
                _reporter.Fire(s.AlertKey, reading, nowNs);
            }
            else if (!s.Silent && s.Open)
            {
                s.Open = false;
                _reporter.Clear(s.AlertKey, nowNs);
            }
        }
    }

    private void EvaluateGroup(Group g, long graceNs, long nowNs)
    {
        var members = g.Members;
        var silent = 0;
        var anySuppressed = false;
        var minSilence = long.MaxValue;
        var maxThreshold = 0L;
        foreach (var s in members)
        {
            anySuppressed |= s.Suppressed;
            if (s.Silent && s.SilenceNs >= s.ThresholdNs + graceNs)
            {
                silent++;
                minSilence = Math.Min(minSilence, s.SilenceNs);
                maxThreshold = Math.Max(maxThreshold, s.ThresholdNs);
            }
        }

        var condition = members.Count >= _options.MinGroupSize && silent >= Math.Ceiling(_options.GroupSilentFraction * members.Count);
        if (condition)
        {
            foreach (var s in members) s.Suppressed = true;
            if (anySuppressed && !g.Open) return; // a wider alert already covers it
            g.Open = true;
            var severity = g.Key.Scope.Level is AlertLevel.Provider or AlertLevel.Venue ? AlertSeverity.Critical : AlertSeverity.Warning;
            _reporter.Fire(g.Key, new AlertReading(severity, What, minSilence / 1e9, maxThreshold / 1e9, "s", nowNs - minSilence), nowNs);
        }
        else if (g.Open)
        {
            g.Open = false;
            _reporter.Clear(g.Key, nowNs);
        }
    }

    private long Threshold(Series s) =>
        AdaptiveThreshold.Compute(s.Interval, (s.Settings = _settings.Get(s.Key)).NoDataMultiplier, s.Settings.NoDataFloorNs, s.Settings.NoDataCeilingNs);

    private Series GetOrAdd(in SeriesKey key, long nowNs)
    {
        if (_byKey.TryGetValue(key, out var s)) return s;
        s = new Series(key, _settings.Get(key)) { LastDataNs = nowNs };
        _byKey.Add(key, s);
        _series.Add(s);
        Join(s, AlertScope.ForProvider(key.Provider), 0);
        Join(s, AlertScope.ForVenue(key.Provider, key.Venue), 1);
        Join(s, AlertScope.ForDataClass(key.Provider, key.Venue, key.DataClass), 2);
        Join(s, AlertScope.ForInstrument(key.Provider, key.Venue, key.Instrument, key.Market), 3);
        return s;
    }

    private void Join(Series s, AlertScope scope, int level)
    {
        if (!_groupsByScope.TryGetValue(scope, out var g))
        {
            g = new Group(new AlertKey(DetectorNames.NoData, scope));
            _groupsByScope.Add(scope, g);
            _groups[level].Add(g);
        }

        g.Members.Add(s);
        s.Groups.Add(g);
    }

    private sealed class Series(SeriesKey key, SeriesSettings settings)
    {
        public readonly SeriesKey Key = key;
        public readonly AlertKey AlertKey = new(DetectorNames.NoData, AlertScope.ForSeries(key));
        public SeriesSettings Settings = settings; // refreshed on evaluation: thresholds may change at run time
        public readonly List<Group> Groups = new(4);
        public Ewma Interval;
        public long LastDataNs;
        public long PrevDataEndNs;
        public long SilenceNs;
        public long ThresholdNs;
        public bool Silent;
        public bool Suppressed;
        public bool Open;
    }

    private sealed class Group(AlertKey key)
    {
        public readonly AlertKey Key = key;
        public readonly List<Series> Members = new();
        public bool Open;
    }
}
