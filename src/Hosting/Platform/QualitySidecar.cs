using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality;
using Cloudwall.Rx.Quality.Alerts;
using Cloudwall.Rx.Quality.Detectors;
using Cloudwall.Rx.Quality.Scorecard;
using Cloudwall.Rx.Quality.Stats;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>
/// The quality sidecar, in process (role <c>all</c>, or role <c>ingest</c> with <c>Quality:Detectors:InProcess</c>; role
/// <c>quality</c> drives it from md.quality.v1): it consumes the per-series statistics windows, the ingestion gap
/// events and the fair prices — never raw trades — runs the detectors, and sends alerts to Kafka (md.quality.v1), Slack
/// and the signed webhook, each through its own bounded delivery queue. <see cref="PlatformService"/> starts it once the
/// producer exists and stops it after Kafka is flushed, so undeliverable alerts never hold up the flush.
/// </summary>
public sealed class QualitySidecar : ISeriesWindowSink, IAsyncDisposable
{
    private readonly QualityOptions _options;
    private readonly KafkaConnection _kafka;
    private readonly IProviderStatus _providers;
    private readonly ReferenceData _refData;
    private readonly FairPriceDetails _details;
    private readonly SequenceGapLog _gaps;
    private readonly BackfillLog? _backfills;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private AlertDispatcher? _dispatcher;

    public QualitySidecar(IOptions<QualityOptions> options, KafkaConnection kafka, IProviderStatus providers, ReferenceData refData,
        FairPriceDetails details, SequenceGapLog gaps, TimeProvider time, ILoggerFactory loggers, BackfillLog? backfills = null)
    {
        _backfills = backfills;
        _options = options.Value;
        _kafka = kafka;
        _providers = providers;
        _refData = refData;
        _details = details;
        _gaps = gaps;
        _time = time;
        _loggers = loggers;
    }

    public QualityMonitor? Monitor { get; private set; }

    public AlertManager? Alerts { get; private set; }

    public ScorecardAggregator? Scorecard { get; private set; }

    public IReadOnlyList<SinkStats> DeliveryStats => _dispatcher?.Stats ?? [];

    /// <summary>Starts the detectors on the platform's producer and listens to fair prices and sequence gaps.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Start();
        _details.Detail += OnDetail;
        _gaps.Observed += OnGap;
        if (_backfills is not null)
        {
            _backfills.Observed += OnBackfill;
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Evaluates once more, then drains the alert queues for at most <see cref="AlertDispatcher.DrainLimit"/> or until
    /// <paramref name="cancellationToken"/> is cancelled; what is left is abandoned and counted.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _details.Detail -= OnDetail;
        _gaps.Observed -= OnGap;
        if (_backfills is not null)
        {
            _backfills.Observed -= OnBackfill;
        }

        Monitor?.Evaluate();
        if (_dispatcher is not null)
        {
            await _dispatcher.StopAsync(AlertDispatcher.DrainLimit, cancellationToken).ConfigureAwait(false);
        }

        await DisposeAsync().ConfigureAwait(false);
    }

    private void OnDetail(in FairPrice price, ReadOnlySpan<Pricing.SourceDetail> sources) => OnFairPrice(price);

    private void OnGap(SequenceGap gap) => OnSequenceGap(gap);

    private void OnBackfill(Ingestion.Backfill.BackfillOutcome outcome)
    {
        if (BackfillLog.Shortfall(outcome) is { } shortfall)
        {
            Monitor?.OnBackfillShortfall(shortfall);
        }
    }

    /// <summary>Builds the detectors and sinks and starts evaluating. Call once the publisher exists.</summary>
    /// <param name="publisher">The producer for alerts; the platform's by default (role quality brings its own).</param>
    public void Start(Kafka.KafkaPublisher? publisher = null)
    {
        if (Monitor is not null)
        {
            return;
        }

        var sinks = new List<IAlertSink>();
        if ((publisher ?? _kafka.Publisher) is { } producer)
        {
            sinks.Add(new KafkaAlertSink(new QualityRecordProducer(producer)));
        }

        if (_options.Alerts.Slack.Enabled)
        {
            sinks.Add(new SlackSink(_http, _options.Alerts.Slack));
        }

        if (_options.Alerts.Webhook.Enabled)
        {
            sinks.Add(new WebhookSink(_http, _options.Alerts.Webhook, _time));
        }

        _dispatcher = new AlertDispatcher(sinks, _options.Alerts.Delivery, _time, _loggers.CreateLogger<AlertDispatcher>());
        Alerts = new AlertManager(_options.Alerts, _dispatcher, _refData.KeyOf);
        Scorecard = new ScorecardAggregator(_time, Alerts) { Ingress = ReadIngress, Backfill = ReadBackfill };
        Monitor = new QualityMonitor(_options, Alerts, _time, id => _refData.KeyOf(id), _loggers.CreateLogger<QualityMonitor>())
        {
            Scorecard = Scorecard,
        };
        Monitor.Evaluating += PollIngestion;
        Monitor.Start();
    }

    /// <summary>Refused updates and duplicates of every provider in this process, as running totals per reason.</summary>
    private void PollIngestion(long nowNs)
    {
        var totals = new List<InvalidCount>(8);
        foreach (var p in _providers.Providers)
        {
            var c = p.Counters;
            totals.Clear();
            foreach (var reason in InvalidReasons)
            {
                totals.Add(new InvalidCount(reason.ToText(), c.RejectedEventsByReason(reason)));
            }

            totals.Add(new InvalidCount("duplicate", c.Duplicates));
            Monitor?.OnIngestionTotals(p.Id, p.Venue, c.Events, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(totals), nowNs);
        }
    }

    /// <summary>What each provider in this process received (none in role quality): the scorecard's <c>ingress</c>.</summary>
    private Dictionary<string, ProviderIngress> ReadIngress(TimeSpan elapsed)
    {
        var ingress = new Dictionary<string, ProviderIngress>(StringComparer.Ordinal);
        foreach (var p in _providers.Providers)
        {
            ingress[p.Name] = p.Counters.Ingress(elapsed);
        }

        return ingress;
    }

    /// <summary>Each provider's gap-fill in this process (none in role quality): the scorecard's <c>backfill</c>.</summary>
    private Dictionary<string, ProviderBackfill> ReadBackfill()
    {
        var recent = _backfills?.Recent.ToArray() ?? [];
        var result = new Dictionary<string, ProviderBackfill>(StringComparer.Ordinal);
        foreach (var p in _providers.Providers)
        {
            var b = p.Counters.Backfill;
            var breaks = Enum.GetValues<Ingestion.Backfill.BackfillResult>()
                .ToDictionary(Ingestion.Backfill.BackfillOutcome.ResultText, r => b.Breaks(r), StringComparer.Ordinal);
            var mine = recent.Where(o => o.Request.Provider == p.Id).TakeLast(20).Select(o => new BackfillBreak(
                o.Request.Venue.Name, _refData.KeyOf(o.Request.Instrument), o.Request.Reason == Ingestion.Backfill.BackfillReason.Reconnect ? "reconnect" : "sequence_gap",
                Ingestion.Backfill.BackfillOutcome.ResultText(o.Result), o.Filled, o.Missing, Math.Round(o.Seconds, 3),
                UnixTime.ToIso(o.Request.FromTimeNs), UnixTime.ToIso(o.Request.ToTimeNs), o.Error)).ToList();
            result[p.Name] = new ProviderBackfill(b.Filled, b.Missing, breaks, b.Cells.Sum(c => c.BreaksWithUnknownMissing), mine);
        }

        return result;
    }

    /// <summary>The reasons <see cref="Ingestion.EventValidator"/> refuses single updates for.</summary>
    private static readonly FrameReason[] InvalidReasons =
        [FrameReason.CrossedQuote, FrameReason.InvalidSize, FrameReason.InvalidPrice, FrameReason.TimestampFuture, FrameReason.TimestampPast];

    public void OnWindows(IReadOnlyList<SeriesWindow> windows)
    {
        if (Monitor is not { } monitor)
        {
            return;
        }

        foreach (var w in windows)
        {
            monitor.OnWindow(w);
        }
    }

    public void OnSequenceGap(in SequenceGap gap) => Monitor?.OnSequenceGap(gap);

    public void OnFairPrice(in FairPrice price) => Monitor?.OnFairPrice(price);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Monitor?.Dispose();
        if (_dispatcher is not null)
        {
            await _dispatcher.DisposeAsync().ConfigureAwait(false);
        }

        _http.Dispose();
    }

    private int _disposed;

    /// <summary>Alerts onto md.quality.v1 through the process's one producer.</summary>
    private sealed class QualityRecordProducer(Kafka.KafkaPublisher publisher) : IAlertRecordProducer
    {
        public void Produce(string topic, byte[] key, byte[] value) => publisher.PublishQuality(SchemaIds.QualityAlertV1, key, value);
    }
}
