using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality.Alerts;

namespace Cloudwall.Rx.Quality.Detectors;

/// <summary>
/// No data / gap. Each series learns its normal inter-arrival time as an EWMA (one sample per window with data:
/// time since the previous data window ÷ count) and is silent once its silence exceeds Multiplier × that interval,
/// clamped to [Floor, Ceiling]. Silence runs from the series' newest event (its processing time, our clock, so a venue
/// clock running behind is never mistaken for silence) to the newest window end seen for the series: what is known,
/// whichever partition or pod delivers the windows, never a guess about windows still in flight; windows that stop
/// arriving altogether count too, after <see cref="DeliveryAllowanceNs"/>.
/// Silence is grouped top-down: provider, venue, data class on a venue, instrument on a venue. A group alerts as one
/// when at least <see cref="NoDataOptions.GroupSilentFraction"/> of its series are silent, or when nothing at all arrived
/// from it for its own threshold: twice the largest silence it normally shows, at least <see cref="NoDataOptions.GroupFloor"/>
/// (a group of several streams is much faster than each, so it can be judged sooner without false alarms, and a group that
/// publishes in bursts learns a longer one). A group within <see cref="NoDataOptions.GroupingMargin"/> of its threshold
/// holds its narrower groups and series back for one evaluation, so an outage is reported once, at its widest level, and
/// its members raise nothing of their own.
/// </summary>
public sealed class NoDataDetector
{
    private const string What = "no data";
    private static readonly AlertLevel[] GroupLevels = [AlertLevel.Provider, AlertLevel.Venue, AlertLevel.DataClass, AlertLevel.Instrument];

    private readonly NoDataOptions _options;
    private readonly SeriesSettingsCache _settings;
    private readonly IAlertReporter _reporter;
    private readonly long _marginNs;
    private readonly long _groupFloorNs;
    private readonly long _platformHoldNs;

    /// <summary>Evaluations a group learns its normal silence over before it may alert as one stream.</summary>
    private const int GroupWarmUp = 10;

    /// <summary>Windows that stop arriving for a series count as silence this long after the newest one was due.</summary>
    public static readonly long DeliveryAllowanceNs = 3 * UnixTime.NanosPerSecond;
    private readonly Dictionary<SeriesKey, Series> _byKey = new();
    private readonly List<Series> _series = new();
    private readonly Dictionary<AlertScope, Group> _groupsByScope = new();
    private readonly List<Group>[] _groups = [new(), new(), new(), new()];

    public NoDataDetector(NoDataOptions options, SeriesSettingsCache settings, IAlertReporter reporter)
    {
        _options = options;
        _settings = settings;
        _reporter = reporter;
        _marginNs = SeriesSettings.Ns(options.GroupingMargin);
        _groupFloorNs = SeriesSettings.Ns(options.GroupFloor);
        _platformHoldNs = SeriesSettings.Ns(options.PlatformHold);
    }

    public int SeriesCount => _series.Count;

    /// <summary>Registers the series (first time) and learns from a window with data.</summary>
    public void Observe(SeriesWindow w)
    {
        // Funding rates are republished on the venue's schedule or when they change: their silence says nothing of the
        // feed (its trades, quotes and marks do).
        if (w.Key.DataClass == DataClass.Funding) return;
        var s = GetOrAdd(w.Key, w.WindowEndNs);
        s.KnownThroughNs = Math.Max(s.KnownThroughNs, w.WindowEndNs);
        if (w.Count <= 0) return;
        var from = s.PrevDataEndNs > 0 ? s.PrevDataEndNs : w.WindowStartNs;
        if (w.WindowEndNs > from)
        {
            // Cap a sample at the current threshold so the silence that ends an outage is not learned as normal.
            var sample = Math.Min(w.WindowEndNs - from, Threshold(s)) / 1e9 / w.Count;
            s.Interval.Update(sample, _options.Alpha);
        }

        s.PrevDataEndNs = Math.Max(s.PrevDataEndNs, w.WindowEndNs);
        // The newest event's own time when the producer carries it, else the window's end (at most 1 s late).
        s.LastDataNs = Math.Max(s.LastDataNs, w.LastEventNs > 0 && w.LastEventNs <= w.WindowEndNs ? w.LastEventNs : w.WindowEndNs);
    }

    /// <summary>The current threshold of a series (the ceiling for an unknown one).</summary>
    public TimeSpan ThresholdOf(in SeriesKey key) =>
        TimeSpan.FromTicks((_byKey.TryGetValue(key, out var s) ? Threshold(s) : SeriesSettings.Ns(_options.Ceiling)) / UnixTime.NanosPerTick);

    public bool IsSilent(in SeriesKey key, long nowNs) => _byKey.TryGetValue(key, out var s) && Silence(s, nowNs) >= Threshold(s);

    /// <summary>How long a series has been silent as far as its windows tell (see the class remarks).</summary>
    private static long Silence(Series s, long nowNs) =>
        Math.Max(s.KnownThroughNs - s.LastDataNs, nowNs - s.LastDataNs - DeliveryAllowanceNs);

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
            s.SilenceNs = Silence(s, nowNs);
            s.ThresholdNs = Threshold(s);
            s.Silent = s.Settings.Enabled && s.SilenceNs >= s.ThresholdNs;
        }

        if (PlatformStall(nowNs))
        {
            return; // nothing new is raised (nor anything cleared) while the whole platform may just be stalled
        }

        for (var level = 0; level < GroupLevels.Length; level++)
        {
            var wide = GroupLevels[level] is AlertLevel.Provider or AlertLevel.Venue;
            foreach (var g in _groups[level]) EvaluateGroup(g, level, wide, nowNs);
        }

        foreach (var s in _series)
        {
            if (s.Silent && !s.Open && AncestorPending(s, s.Groups.Count))
            {
                continue; // a wider group is about to report this outage: wait one evaluation
            }

            if (s.Silent && (!s.Suppressed || s.Open))
            {
                s.Open = true;
                var reading = new AlertReading(AlertSeverity.Warning, What, s.SilenceNs / 1e9, Normal(s), "s", s.LastDataNs);
                _reporter.Fire(s.AlertKey, reading, nowNs);
            }
            else if (!s.Silent && s.Open)
            {
                s.Open = false;
                _reporter.Clear(s.AlertKey, nowNs);
            }
        }
    }

    /// <summary>
    /// Our own stall, not the venues': two or more providers silent for less than <see cref="NoDataOptions.PlatformHold"/>,
    /// and either most of them (more than half of those not already silent for the hold) or their silences began within
    /// <see cref="NoDataOptions.GroupingMargin"/> of each other. Several venues failing in the same second, let alone the
    /// same 0.3 s, is far less likely than our process, its network or its pipeline pausing (a collection, CPU starvation,
    /// a partition back-pressuring the sockets that feed it). A stall does not end for every provider at the same instant
    /// (the first to be read again is no longer silent while the rest still are), so a majority, not all, holds; and a
    /// stall need not reach every provider (a clean CI run once alerted three providers of ten at 0.8 s, silent from the
    /// same instant), so providers that stopped together hold too. Once a silence lasts the hold, each provider's alert is
    /// raised as usual: a real outage is reported at most the hold later.
    /// </summary>
    private bool PlatformStall(long nowNs)
    {
        var providers = _groups[0];
        if (providers.Count < 2) return false;
        int known = 0, silent = 0;
        long shortest = long.MaxValue, longest = long.MinValue;
        foreach (var g in providers)
        {
            var newest = long.MaxValue;
            foreach (var s in g.Members)
            {
                if (s.Settings.Enabled) newest = Math.Min(newest, s.SilenceNs);
            }

            if (newest == long.MaxValue || newest >= _platformHoldNs) continue; // a silence this long is its own outage, not a stall of ours
            known++;
            if (newest < _groupFloorNs) continue;
            silent++;
            shortest = Math.Min(shortest, newest);
            longest = Math.Max(longest, newest);
        }

        // Judged at one instant, silences that began together are equally long.
        return known >= 2 && silent >= 2 && (silent * 2 > known || longest - shortest <= _marginNs);
    }

    /// <summary>Whether any of the series' groups wider than <paramref name="level"/> is about to cross its own threshold.</summary>
    private static bool AncestorPending(Series s, int level)
    {
        for (var i = 0; i < level && i < s.Groups.Count; i++)
        {
            if (s.Groups[i].Pending) return true;
        }

        return false;
    }

    private void EvaluateGroup(Group g, int level, bool wide, long nowNs)
    {
        g.Pending = false;
        var members = g.Members;
        var silent = 0;
        var anySuppressed = false;
        var anyEnabled = false;
        var memberOpen = false;
        var minSilence = long.MaxValue;
        var maxThreshold = 0L;
        var normal = double.MaxValue;
        foreach (var s in members)
        {
            anySuppressed |= s.Suppressed;
            if (!s.Settings.Enabled) continue;
            anyEnabled = true;
            memberOpen |= s.Open;
            minSilence = Math.Min(minSilence, s.SilenceNs);
            maxThreshold = Math.Max(maxThreshold, s.ThresholdNs);
            normal = Math.Min(normal, Normal(s));
            if (s.Silent) silent++;
        }

        if (!anyEnabled || members.Count < _options.MinGroupSize)
        {
            return;
        }

        // The group as one stream: silent when nothing at all arrived for its own threshold, learned from the silences it
        // normally shows between evaluations (so a group whose members publish in bursts gets a longer one). Not while a
        // narrower alert already explains the silence (one member stopped, the others merely paused).
        var groupThreshold = g.Observations >= GroupWarmUp
            ? Math.Min(Math.Max(_groupFloorNs, (long)(2 * g.NormalMaxNs)), SeriesSettings.Ns(_options.Ceiling))
            : long.MaxValue;
        var combined = !memberOpen && !(anySuppressed && !g.Open) && minSilence >= groupThreshold;
        var condition = silent >= Math.Ceiling(_options.GroupSilentFraction * members.Count) || combined;
        if (!condition && !g.Open && !anySuppressed && !memberOpen && groupThreshold != long.MaxValue && minSilence >= groupThreshold - _marginNs)
        {
            // Nearly silent as a whole: its narrower groups and series wait one evaluation, so an outage is reported
            // once, at its widest level, even when the members stopped a few milliseconds apart.
            g.Pending = true;
            return;
        }

        if (condition && !g.Open && AncestorPending(members[0], level))
        {
            return; // a wider group is about to report it
        }
        if (!condition && !g.Open)
        {
            // Learn only from normal times, each observation capped at the threshold, forgetting slowly (half-life ~140 evaluations).
            g.NormalMaxNs = Math.Max(g.NormalMaxNs * 0.995, Math.Min(minSilence, groupThreshold));
            g.Observations++;
        }

        if (condition)
        {
            foreach (var s in members) s.Suppressed = true;
            if (anySuppressed && !g.Open) return; // a wider alert already covers it
            g.Open = true;
            var severity = wide ? AlertSeverity.Critical : AlertSeverity.Warning;
            _reporter.Fire(g.Key, new AlertReading(severity, What, minSilence / 1e9, normal == double.MaxValue ? 0 : normal, "s", nowNs - minSilence), nowNs);
        }
        else if (g.Open)
        {
            g.Open = false;
            _reporter.Clear(g.Key, nowNs);
        }
    }

    /// <summary>The learned normal interval between updates, in seconds (0 until learned): an alert's expected value.</summary>
    private static double Normal(Series s) => s.Interval.HasValue && double.IsFinite(s.Interval.Value) ? s.Interval.Value : 0;

    private long Threshold(Series s) =>
        AdaptiveThreshold.Compute(s.Interval, (s.Settings = _settings.Get(s.Key)).NoDataMultiplier, s.Settings.NoDataFloorNs, s.Settings.NoDataCeilingNs);

    private Series GetOrAdd(in SeriesKey key, long nowNs)
    {
        if (_byKey.TryGetValue(key, out var s)) return s;
        s = new Series(key, _settings.Get(key)) { LastDataNs = nowNs, KnownThroughNs = nowNs };
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
        /// <summary>End of the newest window seen for this series (with or without data).</summary>
        public long KnownThroughNs;
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
        /// <summary>The largest silence the group normally shows between evaluations (decaying max), in ns.</summary>
        public double NormalMaxNs;
        public int Observations;
        /// <summary>Set during an evaluation: within the margin of its threshold, not yet crossed.</summary>
        public bool Pending;
    }
}
