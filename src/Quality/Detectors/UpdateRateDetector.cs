using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality.Alerts;

namespace Cloudwall.Rx.Quality.Detectors;

/// <summary>
/// Update-rate drop against the series' own baseline, judged as a count test: over a trailing span (at least
/// <see cref="UpdateRateOptions.For"/>, and long enough to expect <see cref="UpdateRateOptions.MinExpected"/> updates at the
/// baseline rate) the series is low when it delivered fewer than DropFraction × the expected count AND so few that a
/// Poisson process at the baseline rate would do so with probability below <see cref="UpdateRateOptions.Significance"/>.
/// Windows without data count (as zeros), so a feed that slows to a trickle is seen within seconds, not at its next update;
/// a span with no update in its newest half is silence (the no-data detector's business) and changes nothing here;
/// the baseline (an EWMA of updates per second, learned from windows with data) does not learn while the rate is low, so a
/// drop cannot become the new normal while it is being judged.
/// </summary>
public sealed class UpdateRateDetector(UpdateRateOptions options, SeriesSettingsCache settings, IAlertReporter reporter)
{
    private const string What = "update rate dropped below its baseline";
    private const int MaxSpanWindows = 120;
    private readonly Dictionary<SeriesKey, Series> _series = new();
    private readonly long _forNs = SeriesSettings.Ns(options.For);
    private readonly long _clearNs = SeriesSettings.Ns(options.ClearAfter);

    public void Observe(SeriesWindow w)
    {
        // Funding rates are republished on the venue's schedule or on change: their update rate says nothing of the feed's health.
        if (!options.Enabled || w.Key.DataClass == DataClass.Funding) return;
        if (!_series.TryGetValue(w.Key, out var s))
        {
            if (w.Count <= 0) return; // a series is learned from its first update
            s = new Series(new AlertKey(DetectorNames.UpdateRate, AlertScope.ForSeries(w.Key)), settings.Get(w.Key));
            _series.Add(w.Key, s);
        }

        s.Settings = settings.Get(w.Key);
        var seconds = (w.WindowEndNs - w.WindowStartNs) / 1e9;
        if (!s.Settings.Enabled || seconds <= 0) return;
        if (w.Count > 0 && s.PrevDataEndNs > 0 && s.Baseline.Value > 0 &&
            w.WindowEndNs - s.PrevDataEndNs > 2e9 * Math.Max(options.For.TotalSeconds, options.MinExpected / s.Baseline.Value))
        {
            // Data is back after an outage longer than two spans (the no-data detector reported it): the rate is judged
            // afresh from here, not on a span that is mostly the outage.
            s.Reset();
        }

        s.Add(Math.Max(0, w.Count), seconds);

        if (w.Count > 0)
        {
            var from = s.PrevDataEndNs > 0 ? s.PrevDataEndNs : w.WindowStartNs;
            s.PrevDataEndNs = w.WindowEndNs;
            if (w.WindowEndNs > from && (!s.Low || s.Baseline.Samples < options.WarmUpWindows))
            {
                // Bias-corrected while warming up: the plain mean of the first samples, then the slow EWMA.
                var rate = w.Count / ((w.WindowEndNs - from) / 1e9);
                s.Baseline.Update(rate, Math.Max(options.BaselineAlpha, 1.0 / (s.Baseline.Samples + 1)));
            }
        }

        if (s.Baseline.Samples < options.WarmUpWindows || s.Baseline.Value < options.MinBaselinePerSecond) return;

        // The span: at least For, long enough to expect MinExpected updates, within what is kept.
        var baseline = s.Baseline.Value;
        var wanted = Math.Max(options.For.TotalSeconds, options.MinExpected / baseline);
        var (count, span) = s.Trailing(wanted);
        if (span < Math.Min(wanted, s.CapacitySeconds)) return; // not enough history yet
        // Nothing in the newest half of the span is silence (a feed that stopped), the no-data detector's business: no
        // judgement either way. A trickle still lands updates there now and then, and each such window is judged.
        if (count == 0 || w.WindowEndNs - s.PrevDataEndNs > span * 1e9 / 2) return;
        var expected = baseline * span;
        var (recentCount, recentSpan) = s.Trailing(span / 2);
        var current = recentCount / recentSpan; // what the feed delivers now: the newest half of the span
        s.Low = count < s.Settings.UpdateRateDropFraction * expected && PoissonCdf(count, expected) < options.Significance;
        var wasActive = s.Condition.Active;
        if (s.Condition.Observe(s.Low, w.WindowEndNs, 0, _clearNs))
        {
            // Since: when the span began looking low, about when the drop started.
            var since = w.WindowEndNs - (long)(Math.Min(span, _forNs / 1e9) * 1e9);
            reporter.Fire(s.Key, new AlertReading(AlertSeverity.Warning, What, current, baseline, "updates/s", Math.Min(since, s.Condition.SinceNs)), w.WindowEndNs);
        }
        else if (wasActive)
        {
            reporter.Clear(s.Key, w.WindowEndNs);
        }
    }

    /// <summary>P(X ≤ k) for X ~ Poisson(λ), summed in log space (k is small whenever it matters).</summary>
    public static double PoissonCdf(long k, double lambda)
    {
        if (lambda <= 0) return 1;
        if (k < 0) return 0;
        if (k > lambda) return 1; // only the lower tail is ever asked for; above the mean the answer is "not low"
        var term = Math.Exp(-lambda);
        var logTerm = -lambda;
        var sum = 0.0;
        for (long i = 0; i <= k; i++)
        {
            if (i > 0) logTerm += Math.Log(lambda / i);
            term = Math.Exp(logTerm);
            sum += term;
        }

        return Math.Min(1, sum);
    }

    /// <remarks>
    /// Kept per series for every series (5,311 at 2,000 subscriptions): counts as ints, 480 B per series. Window lengths are
    /// one float while every window has the same length (the accumulator's windows do); the first window of another length
    /// gives the series a float per window from then on (the 960 B it always took before). The capacity is kept as a
    /// running sum (recomputed once per turn of the ring, so rounding never accumulates) instead of re-adding 120 windows
    /// per window (bench/README.md, "Scaling in instruments").
    /// </remarks>
    internal sealed class Series(AlertKey key, SeriesSettings settings)
    {
        private readonly int[] _counts = new int[MaxSpanWindows];
        private float[]? _seconds;
        private float _length;
        private int _next;
        private int _filled;

        public readonly AlertKey Key = key;
        public SeriesSettings Settings = settings; // refreshed per window: thresholds may change at run time
        public Ewma Baseline;
        public SustainedCondition Condition;
        public long PrevDataEndNs;
        public bool Low;

        public double CapacitySeconds { get; private set; }

        /// <summary>Whether the series has needed a length per window (its windows were not all one length).</summary>
        internal bool KeepsLengths => _seconds is not null;

        public void Reset()
        {
            _filled = 0;
            _next = 0;
            _seconds = null;
            _length = 0;
            CapacitySeconds = 0;
        }

        public void Add(long count, double seconds)
        {
            var length = (float)seconds;
            if (_filled == 0 && _seconds is null)
            {
                _length = length;
            }
            else if (_seconds is null && length != _length)
            {
                _seconds = new float[MaxSpanWindows];
                Array.Fill(_seconds, _length);
            }

            var evicted = _filled == MaxSpanWindows ? SecondsAt(_next) : 0f;
            _counts[_next] = (int)Math.Min(count, int.MaxValue);
            if (_seconds is not null) _seconds[_next] = length;
            CapacitySeconds += length - evicted;
            _next = (_next + 1) % MaxSpanWindows;
            if (_filled < MaxSpanWindows) _filled++;
            if (_next == 0)
            {
                CapacitySeconds = 0;
                for (var i = 0; i < _filled; i++) CapacitySeconds += SecondsAt(i);
            }
        }

        /// <summary>Updates and seconds over the newest windows covering at least <paramref name="seconds"/> (or all kept).</summary>
        public (long Count, double Seconds) Trailing(double seconds)
        {
            long count = 0;
            var span = 0.0;
            for (var i = 1; i <= _filled && span < seconds; i++)
            {
                var j = (_next - i + MaxSpanWindows) % MaxSpanWindows;
                count += _counts[j];
                span += SecondsAt(j);
            }

            return (count, span);
        }

        private float SecondsAt(int slot) => _seconds?[slot] ?? _length;
    }
}
