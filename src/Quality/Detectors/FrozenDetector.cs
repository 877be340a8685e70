using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality.Alerts;

namespace Cloudwall.Rx.Quality.Detectors;

/// <summary>
/// A frozen feed: updates keep arriving (fresh timestamps, rising ids) but the price — for quotes, bid and ask — stops
/// changing. Each series learns its normal time between changes (an EWMA over windows, from <see cref="SeriesWindow.PriceChanges"/>)
/// and is a candidate once unchanged for max(Floor, Multiplier × that interval) while its windows still carry updates.
/// It is confirmed against the other sources: another provider × venue of the same instrument, or of the same base asset
/// on another quote currency (same market type), must have moved by at least <see cref="FrozenOptions.MinMove"/> since the
/// candidate last changed — a quiet market is not a frozen feed. An instrument with no other source at all is alerted
/// only after <see cref="FrozenOptions.UnconfirmedAfter"/>. The alert clears at the series' next change.
/// </summary>
public sealed class FrozenDetector
{
    private const string What = "price unchanged while updates keep arriving";
    private const int History = 600;

    private readonly FrozenOptions _options;
    private readonly SeriesSettingsCache _settings;
    private readonly IAlertReporter _reporter;
    private readonly Func<InstrumentId, string?>? _instrumentKey;
    private readonly Dictionary<SeriesKey, Series> _series = new();
    private readonly Dictionary<string, List<Series>> _groups = new(StringComparer.Ordinal);
    private readonly long _floorNs;
    private readonly long _unconfirmedNs;
    private readonly List<double> _moves = new();

    public FrozenDetector(FrozenOptions options, SeriesSettingsCache settings, IAlertReporter reporter, Func<InstrumentId, string?>? instrumentKey)
    {
        _options = options;
        _settings = settings;
        _reporter = reporter;
        _instrumentKey = instrumentKey;
        _floorNs = SeriesSettings.Ns(options.Floor);
        _unconfirmedNs = SeriesSettings.Ns(options.UnconfirmedAfter);
    }

    /// <summary>Whether the series is currently alerted as frozen.</summary>
    public bool IsFrozen(in SeriesKey key) => _series.TryGetValue(key, out var s) && s.Open;

    public void Observe(SeriesWindow w)
    {
        if (!_options.Enabled || w.Key.DataClass == DataClass.Funding) return;
        var s = GetOrAdd(w.Key);
        if (w.LastPrice is { } lp && lp > 0) s.Push(w.WindowStartNs, w.WindowEndNs, (double)lp);
        if (w.PriceChanges < 0 || !_settings.Get(w.Key).Enabled) return; // a producer older than the field: nothing to judge
        if (w.PriceChanges > 0)
        {
            if (s.LastChangeNs > 0)
            {
                var sample = Math.Min(w.WindowEndNs - s.LastChangeNs, Threshold(s)) / 1e9 / w.PriceChanges;
                s.Interval.Update(sample, _options.Alpha);
            }

            s.LastChangeNs = w.WindowEndNs;
            if (s.Open)
            {
                s.Open = false;
                _reporter.Clear(s.AlertKey, w.WindowEndNs);
            }

            return;
        }

        if (w.Count <= 0 || s.LastChangeNs == 0 || !s.Interval.HasValue) return; // silence is the no-data detector's business
        var unchanged = w.WindowEndNs - s.LastChangeNs;
        if (unchanged < Threshold(s)) return;
        var (peers, moved, median) = PeersMoved(s, s.LastChangeNs);
        if (moved > 0 || (peers == 0 && unchanged >= _unconfirmedNs))
        {
            s.Open = true;
            _reporter.Fire(s.AlertKey, new AlertReading(AlertSeverity.Warning, What, unchanged / 1e9, s.Interval.Value, "s", s.LastChangeNs,
                new AlertContext(moved, median)), w.WindowEndNs);
        }
    }

    private long Threshold(Series s) => AdaptiveThreshold.Compute(s.Interval, _options.Multiplier, _floorNs, long.MaxValue / 2);

    /// <summary>Other sources of the instrument (or its base asset): how many have data, how many moved MinMove since, their median move.</summary>
    private (int Peers, int Moved, double Median) PeersMoved(Series s, long sinceNs)
    {
        if (s.Group is null) return (0, 0, 0);
        var peers = 0;
        _moves.Clear();
        foreach (var p in s.Group)
        {
            if (p == s || (p.Key.Provider == s.Key.Provider && p.Key.Venue == s.Key.Venue)) continue;
            var move = p.MaxMoveSince(sinceNs);
            if (move is not { } m) continue;
            peers++;
            if (m >= _options.MinMove) _moves.Add(m);
        }

        if (_moves.Count == 0) return (peers, 0, 0);
        _moves.Sort();
        return (peers, _moves.Count, _moves[_moves.Count / 2]);
    }

    private Series GetOrAdd(in SeriesKey key)
    {
        if (_series.TryGetValue(key, out var s)) return s;
        s = new Series(key, new AlertKey(DetectorNames.Frozen, AlertScope.ForSeries(key)));
        _series.Add(key, s);
        var group = GroupOf(key);
        if (group is not null)
        {
            if (!_groups.TryGetValue(group, out var members))
            {
                members = new List<Series>();
                _groups.Add(group, members);
            }

            members.Add(s);
            s.Group = members;
        }

        return s;
    }

    /// <summary>Base asset and market type ("SOL|spot"): the instrument itself and its other quote currencies.</summary>
    private string? GroupOf(in SeriesKey key)
    {
        var k = _instrumentKey?.Invoke(key.Instrument);
        return k is not null && InstrumentSpec.TryParseKey(k, out var spec) && spec is not null
            ? spec.Base + "|" + spec.Market.ToText() + (spec.Expiry is { } e ? "|" + e.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture) : "")
            : "#" + key.Instrument.Value;
    }

    /// <remarks>
    /// The history is the largest per-series state of the platform (600 windows of every series, for the peers' moves).
    /// It holds one float price per window (7 significant digits, against a MinMove of basis points) and no times: a
    /// window's end follows from its place in the ring, the newest window's end and the window length, which the
    /// accumulator keeps fixed and epoch-aligned. A window that never came (the producer was not driven) is a NaN, and a
    /// change of window length starts the history afresh. 2.4 KB per series, where millisecond offsets beside the prices
    /// took 4.8 KB and two 64-bit arrays 9.6 KB (bench/README.md, "Scaling in instruments"). Allocated at the first price.
    /// </remarks>
    internal sealed class Series(SeriesKey key, AlertKey alertKey)
    {
        private float[]? _prices;
        private long _newestEndNs;
        private long _windowNs;
        private int _next;
        private int _count;

        public readonly SeriesKey Key = key;
        public readonly AlertKey AlertKey = alertKey;
        public List<Series>? Group;
        public Ewma Interval;
        public long LastChangeNs;
        public bool Open;

        /// <summary>Records the last price of the window [<paramref name="startNs"/>, <paramref name="endNs"/>).</summary>
        public void Push(long startNs, long endNs, double price)
        {
            var length = endNs - startNs;
            if (length <= 0) return;
            _prices ??= new float[History];
            if (length != _windowNs || _count == 0)
            {
                Restart(length);
            }
            else if (endNs <= _newestEndNs)
            {
                // The newest window again (a repeat) replaces its price; an older one cannot be placed and is ignored.
                if (endNs == _newestEndNs) _prices[(_next - 1 + History) % History] = (float)price;
                return;
            }
            else
            {
                // Windows that never came between the newest and this one are NaN; a gap longer than the ring starts afresh.
                var missing = (endNs - _newestEndNs) / length - 1;
                if (missing >= History)
                {
                    Restart(length);
                }
                else
                {
                    for (var i = 0; i < missing; i++) Append(float.NaN);
                }
            }

            Append((float)price);
            _newestEndNs = endNs;
        }

        /// <summary>The largest |p / p0 − 1| since <paramref name="sinceNs"/>, p0 the price at (or first after) it; null without data since.</summary>
        public double? MaxMoveSince(long sinceNs)
        {
            if (_prices is null || _count == 0) return null;
            double? p0 = null;
            var max = 0.0;
            for (var i = _count; i >= 1; i--)
            {
                // The i-th newest entry is the window ending (i − 1) window lengths before the newest.
                if (_newestEndNs - ((i - 1) * _windowNs) < sinceNs) continue;
                var price = _prices[(_next - i + History) % History];
                if (float.IsNaN(price)) continue;
                if (p0 is null)
                {
                    p0 = price;
                    continue;
                }

                max = Math.Max(max, Math.Abs(price / p0.Value - 1));
            }

            return p0 is null ? null : max;
        }

        private void Restart(long windowNs)
        {
            _windowNs = windowNs;
            _next = 0;
            _count = 0;
        }

        private void Append(float price)
        {
            _prices![_next] = price;
            _next = (_next + 1) % History;
            if (_count < History) _count++;
        }
    }
}
