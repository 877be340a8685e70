using Cloudwall.Rx.Core;
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
        options.ThrowIfInvalid();
        _options = options;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        var settings = _settings = new SeriesSettingsCache(options, instrumentKey);
        NoData = new NoDataDetector(options.NoData, settings, alerts);
        SequenceGaps = new SequenceGapDetector(options.SequenceGaps, alerts);
        Latency = new LatencyDetector(options.Latency, alerts);
        UpdateRate = new UpdateRateDetector(options.UpdateRate, settings, alerts);
        Divergence = new DivergenceDetector(options.Divergence, settings, alerts);
        Spikes = new SpikeDetector(options.Spikes, settings, alerts);
    }

    private readonly SeriesSettingsCache _settings;

    /// <summary>Swaps in run-time thresholds (the control plane's set-detector); every detector reads them on its next window.</summary>
    public void SetLiveThresholds(DetectorOverrides? live)
    {
        if (live is not null && live.Validate("live").ToList() is { Count: > 0 } errors)
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
    public LatencyDetector Latency { get; }
    public UpdateRateDetector UpdateRate { get; }
    public DivergenceDetector Divergence { get; }
    public SpikeDetector Spikes { get; }

    /// <summary>Optional: also feeds every window to a scorecard.</summary>
    public Scorecard.ScorecardAggregator? Scorecard { get; init; }

    public long WindowsSeen => Interlocked.Read(ref _windows);

    public long GapsSeen => Interlocked.Read(ref _gaps);

    /// <summary>Runs <see cref="Evaluate()"/> every <see cref="QualityOptions.EvaluationInterval"/> on the time provider.</summary>
    public void Start()
    {
        _timer ??= _time.CreateTimer(static state => ((QualityMonitor)state!).EvaluateSafely(), this, _options.EvaluationInterval, _options.EvaluationInterval);
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
            Latency.Evaluate(nowNs);
            Spikes.Evaluate(nowNs);
        }
    }

    public void Dispose() => _timer?.Dispose();

    private void EvaluateSafely()
    {
        try
        {
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
