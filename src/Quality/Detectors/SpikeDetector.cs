using Cloudwall.Rx.Quality.Alerts;

namespace Cloudwall.Rx.Quality.Detectors;

/// <summary>The verdict on the newest point of a series.</summary>
public readonly record struct SpikeScore(bool IsSpike, double SrScore, double RobustZ, double Median);

/// <summary>
/// Scores the newest point of a window of history: a spike needs all three of a spectral-residual score at or above
/// its threshold, a robust z-score (0.6745 (x − median) / MAD of the earlier points) at or above its threshold, and a
/// minimum move from the median (absolute for price ratios, relative for rates) so that a near-constant series
/// (MAD ≈ 0) does not flag noise. One instance reuses its buffers: not thread-safe.
/// </summary>
public sealed class SpikeScorer
{
    private readonly SpectralResidual _sr = new();
    private double[] _scores = [];
    private double[] _scratch = [];

    public SpikeScore Score(ReadOnlySpan<double> history, double srThreshold, double madThreshold, double minDeviation, bool relative)
    {
        var n = history.Length;
        if (_scores.Length < n)
        {
            _scores = new double[n];
            _scratch = new double[n];
        }

        var x = history[n - 1];
        var earlier = _scratch.AsSpan(0, n - 1);
        history[..(n - 1)].CopyTo(earlier);
        var (median, mad) = RobustStats.MedianMad(earlier);
        var move = Math.Abs(x - median);
        var z = mad > 0 ? 0.6745 * (x - median) / mad : (move > 0 ? double.PositiveInfinity * Math.Sign(x - median) : 0);
        var bigEnough = move >= (relative ? minDeviation * Math.Abs(median) : minDeviation);
        if (!bigEnough || Math.Abs(z) < madThreshold) return new SpikeScore(false, double.NaN, z, median);

        // The FFT only runs for points that already pass the cheap robust checks.
        var scores = _scores.AsSpan(0, n);
        _sr.Score(history, scores);
        var sr = scores[n - 1];
        return new SpikeScore(sr >= srThreshold, sr, z, median);
    }
}

/// <summary>
/// Spikes on each series' price ratio (price / fair) and update rate (updates per second over the window and the one
/// before it, so a stall of our own process that shifts updates between windows is no spike), scored
/// on arrival with <see cref="SpikeScorer"/>. A spike raises an Info alert per (series, signal) that resolves after
/// <see cref="SpikeOptions.ResolveAfter"/> without another spike.
/// </summary>
public sealed class SpikeDetector(SpikeOptions options, SeriesSettingsCache settings, IAlertReporter reporter)
{
    private const string RatioWhat = "price ratio spike";
    private const string RateWhat = "update rate spike";
    private readonly Dictionary<SeriesKey, Series> _series = new();
    private readonly SpikeScorer _scorer = new();
    private readonly double[] _history = new double[options.Window];
    private readonly long _resolveNs = SeriesSettings.Ns(options.ResolveAfter);

    public void Observe(SeriesWindow w, double? ratio)
    {
        if (!options.Enabled) return;
        if (!_series.TryGetValue(w.Key, out var s))
        {
            var scope = AlertScope.ForSeries(w.Key);
            s = new Series(settings.Get(w.Key), new Signal(new AlertKey(DetectorNames.SpikeRatio, scope), options.Window),
                new Signal(new AlertKey(DetectorNames.SpikeRate, scope), options.Window));
            _series.Add(w.Key, s);
        }

        s.Settings = settings.Get(w.Key);
        if (!s.Settings.Enabled) return;
        if (ratio is { } r) Push(s.Ratio, r, s.Settings, options.RatioMinDeviation, relative: false, RatioWhat, w.WindowEndNs);
        var seconds = (w.WindowEndNs - w.WindowStartNs) / 1e9;
        if (w.Count > 0 && seconds > 0 && s.PrevCount > 0) // both windows with data: silence is not a rate
        {
            // Windows are cut on the processing clock: a stall of the process moves updates from one window into the next,
            // on every series at once. The rate is taken over two windows, so such a shift cancels and a real burst does not.
            Push(s.Rate, (w.Count + s.PrevCount) / (seconds + s.PrevSeconds), s.Settings, options.RateMinDeviation, relative: true, RateWhat, w.WindowEndNs,
                seconds + s.PrevSeconds);
        }

        s.PrevCount = Math.Max(0, w.Count);
        s.PrevSeconds = seconds;
    }

    public void Evaluate(long nowNs)
    {
        foreach (var s in _series.Values)
        {
            Expire(s.Ratio, nowNs);
            Expire(s.Rate, nowNs);
        }
    }

    private void Push(Signal g, double value, SeriesSettings st, double minDeviation, bool relative, string what, long nowNs, double countSeconds = 0)
    {
        g.Add(value);
        if (g.Count < options.MinPoints) return;
        var history = _history.AsSpan(0, g.Count);
        g.CopyTo(history);
        var score = _scorer.Score(history, st.SpikeSrThreshold, st.SpikeMadThreshold, minDeviation, relative);
        if (!score.IsSpike) return;
        if (countSeconds > 0)
        {
            // A rate is a count: one update more or less on a series of one a second is Poisson noise, not a spike. The
            // count must be at least three standard deviations (plus one update) away from the normal count.
            // Only bursts: a dip is judged by the update-rate detector over a span, where a short one is no alert.
            var expected = score.Median * countSeconds;
            if (value < score.Median || (value - score.Median) * countSeconds < 3 * Math.Sqrt(Math.Max(0, expected)) + 1) return;
        }

        g.LastSpikeNs = nowNs;
        if (!g.Open) g.SinceNs = nowNs;
        g.Open = true;
        reporter.Fire(g.Key, new AlertReading(AlertSeverity.Info, what, value, score.Median, relative ? "updates/s" : "price/fair", g.SinceNs), nowNs);
    }

    private void Expire(Signal g, long nowNs)
    {
        if (!g.Open || nowNs - g.LastSpikeNs < _resolveNs) return;
        g.Open = false;
        reporter.Clear(g.Key, nowNs);
    }

    private sealed class Series(SeriesSettings settings, Signal ratio, Signal rate)
    {
        public SeriesSettings Settings = settings; // refreshed per window: thresholds may change at run time
        public readonly Signal Ratio = ratio;
        public readonly Signal Rate = rate;
        public long PrevCount = -1;
        public double PrevSeconds;
    }

    /// <summary>A ring buffer of one signal plus its alert state.</summary>
    private sealed class Signal(AlertKey key, int capacity)
    {
        private readonly double[] _ring = new double[capacity];
        private int _next;

        public readonly AlertKey Key = key;
        public int Count;
        public bool Open;
        public long SinceNs;
        public long LastSpikeNs;

        public void Add(double v)
        {
            _ring[_next] = v;
            _next = (_next + 1) % _ring.Length;
            if (Count < _ring.Length) Count++;
        }

        /// <summary>Oldest first.</summary>
        public void CopyTo(Span<double> dest)
        {
            var start = (_next - Count + _ring.Length) % _ring.Length;
            for (var i = 0; i < Count; i++) dest[i] = _ring[(start + i) % _ring.Length];
        }
    }
}
