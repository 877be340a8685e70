using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Quality.Alerts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Quality.Detectors;

/// <summary>
/// Drives every detector. Data-driven detectors (latency, update rate, divergence, spikes) judge each window at its own
/// end time; clock-driven ones (no data, sequence-gap quiet periods, latency flushes, spike expiry) run on
/// <see cref="Evaluate()"/>, which <see cref="Start"/> schedules on the <see cref="TimeProvider"/> (virtual in tests).
/// Inputs arrive from several threads; one lock serialises them (windows are per second per series, not per event).
/// </summary>
public sealed partial class QualityMonitor : IDisposable
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly QualityOptions _options;
    private readonly Dictionary<InstrumentId, decimal> _fair = new();
    private readonly Dictionary<(ProviderId, VenueId, InstrumentId, DataClass), MarketType> _markets = new();
    private ITimer? _timer;
    private long _windows;
    private long _gaps;

    public QualityMonitor(QualityOptions options, IAlertReporter alerts, TimeProvider time, Func<InstrumentId, string?>? instrumentKey = null,
        ILogger<QualityMonitor>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = OptionsCheck.ThrowIfInvalid(options);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        var settings = _settings = new SeriesSettingsCache(options, instrumentKey);
        NoData = new NoDataDetector(options.NoData, settings, alerts);
        SequenceGaps = new SequenceGapDetector(options.SequenceGaps, alerts);
        Backfill = new BackfillDetector(options.Backfill, alerts);
        Latency = new LatencyDetector(options.Latency, alerts);
        UpdateRate = new UpdateRateDetector(options.UpdateRate, settings, alerts);
        Divergence = new DivergenceDetector(options.Divergence, settings, alerts);
        Spikes = new SpikeDetector(options.Spikes, settings, alerts);
        ClockSkew = new ClockSkewDetector(options.ClockSkew, alerts);
        Frozen = new FrozenDetector(options.Frozen, settings, alerts, instrumentKey);
        InvalidData = new InvalidDataDetector(options.InvalidData, alerts);
    }

    private readonly SeriesSettingsCache _settings;

    /// <summary>Swaps in run-time thresholds (the control plane's set-detector); every detector reads them on its next window.</summary>
    public void SetLiveThresholds(DetectorOverrides? live)
    {
        if (live is not null && live.Errors("live").ToList() is { Count: > 0 } errors)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(live));
        }

        lock (_gate)
        {
            _settings.SetLive(live);
        }
    }

    public NoDataDetector NoData { get; }
    public SequenceGapDetector SequenceGaps { get; }

    public BackfillDetector Backfill { get; }
    public LatencyDetector Latency { get; }
    public UpdateRateDetector UpdateRate { get; }
    public DivergenceDetector Divergence { get; }
    public SpikeDetector Spikes { get; }
    public ClockSkewDetector ClockSkew { get; }
    public FrozenDetector Frozen { get; }
    public InvalidDataDetector InvalidData { get; }

    /// <summary>Optional: also feeds every window to a scorecard.</summary>
    public Scorecard.ScorecardAggregator? Scorecard { get; init; }

    public long WindowsSeen => Interlocked.Read(ref _windows);

    public long GapsSeen => Interlocked.Read(ref _gaps);

    /// <summary>
    /// Runs <see cref="Evaluate()"/> every <see cref="QualityOptions.EvaluationInterval"/> on the time provider, at
    /// <see cref="QualityOptions.EvaluationDelay"/> past each multiple of the interval (windows close on the epoch-aligned
    /// second, so each evaluation sees the windows that just closed, from every partition).
    /// </summary>
    public void Start()
    {
        lock (_gate)
        {
            _timer ??= _time.CreateTimer(static state => ((QualityMonitor)state!).OnTimer(), this, DueIn(), Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Time until the next aligned evaluation instant (never zero: at least a millisecond).</summary>
    private TimeSpan DueIn()
    {
        var interval = _options.EvaluationInterval.Ticks;
        var now = _time.GetUtcNow().UtcTicks;
        var next = (now - _options.EvaluationDelay.Ticks) / interval * interval + interval + _options.EvaluationDelay.Ticks;
        return TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, next - now));
    }

    private void OnTimer()
    {
        EvaluateSafely();
        lock (_gate)
        {
            _timer?.Change(DueIn(), Timeout.InfiniteTimeSpan);
        }
    }

    public void OnWindow(SeriesWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        lock (_gate)
        {
            _windows++;
            var k = window.Key;
            _markets[(k.Provider, k.Venue, k.Instrument, k.DataClass)] = k.Market;
            if (window.FairPrice is { } fp) _fair[k.Instrument] = fp;
            var ratio = DivergenceDetector.Ratio(window, _fair.TryGetValue(k.Instrument, out var f) ? f : null);
            NoData.Observe(window);
            if (window.MissingSequences > 0 || window.SequenceGaps > 0)
                SequenceGaps.OnGap(k, Math.Max(window.MissingSequences, window.SequenceGaps), window.WindowEndNs, fromWindow: true);
            Latency.Observe(window);
            UpdateRate.Observe(window);
            Divergence.Observe(window, ratio);
            Spikes.Observe(window, ratio);
            ClockSkew.Observe(window);
            Frozen.Observe(window);
            Scorecard?.OnWindow(window, ratio);
        }
    }

    public void OnSequenceGap(in SequenceGap gap)
    {
        lock (_gate)
        {
            _gaps++;
            var dc = gap.Kind.ToDataClass();
            var market = _markets.TryGetValue((gap.Provider, gap.Venue, gap.Instrument, dc), out var m) ? m : MarketType.Spot;
            var key = new SeriesKey(gap.Provider, gap.Venue, gap.Instrument, dc, market);
            var now = gap.DetectedTimeNs > 0 ? gap.DetectedTimeNs : UnixTime.FromTimeProvider(_time);
            SequenceGaps.OnGap(key, gap.Missing, now, fromWindow: false);
            Scorecard?.OnSequenceGap(key, gap.Missing);
        }
    }

    /// <summary>A break gap-fill could not mend: alerts with the trades still missing (docs/backfill.md).</summary>
    public void OnBackfillShortfall(in BackfillShortfall shortfall)
    {
        lock (_gate)
        {
            var market = _markets.TryGetValue((shortfall.Provider, shortfall.Venue, shortfall.Instrument, DataClass.Trade), out var m) ? m : MarketType.Spot;
            var key = new SeriesKey(shortfall.Provider, shortfall.Venue, shortfall.Instrument, DataClass.Trade, market);
            var now = shortfall.DetectedTimeNs > 0 ? shortfall.DetectedTimeNs : UnixTime.FromTimeProvider(_time);
            Backfill.OnShortfall(key, shortfall, now);
        }
    }

    /// <summary>
    /// Running totals of a provider × venue's refused updates by reason and of its good updates (from ingestion's counters,
    /// polled where ingestion runs in this process).
    /// </summary>
    public void OnIngestionTotals(ProviderId provider, VenueId venue, long events, ReadOnlySpan<InvalidCount> invalid, long nowNs)
    {
        lock (_gate) InvalidData.Observe(provider, venue, events, invalid, nowNs);
    }

    /// <summary>The latest fair price of an instrument, used when a window carries none.</summary>
    public void OnFairPrice(in FairPrice price)
    {
        if (price.Status == FairPriceStatus.Stale || price.Price <= 0) return;
        lock (_gate) _fair[price.Instrument] = price.Price;
    }

    /// <summary>Runs the clock-driven detectors at the time provider's now.</summary>
    public void Evaluate() => Evaluate(UnixTime.FromTimeProvider(_time));

    public void Evaluate(long nowNs)
    {
        lock (_gate)
        {
            NoData.Evaluate(nowNs);
            SequenceGaps.Evaluate(nowNs);
            Backfill.Evaluate(nowNs);
            Latency.Evaluate(nowNs);
            Spikes.Evaluate(nowNs);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    /// <summary>Raised on the timer before each evaluation (outside the lock), with the time: pollers feed their totals here.</summary>
    public event Action<long>? Evaluating;

    private void EvaluateSafely()
    {
        try
        {
            Evaluating?.Invoke(UnixTime.FromTimeProvider(_time));
            Evaluate();
        }
        catch (Exception ex)
        {
            // A timer callback that throws would end the process; a failed evaluation is logged and retried next tick.
            LogEvaluationFailed(_logger, ex);
        }
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Error, Message = "Quality evaluation failed")]
    private static partial void LogEvaluationFailed(ILogger logger, Exception ex);
}
