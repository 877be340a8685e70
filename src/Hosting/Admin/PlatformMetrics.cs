using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Quality.Metrics;
using Prometheus;

namespace Cloudwall.Rx.Hosting.Admin;

/// <summary>
/// Prometheus metrics of the platform. The hot path only bumps plain counters; this class copies them into the
/// registry right before each scrape, so a scrape costs the pipeline nothing. Labelled children are created once and cached.
/// </summary>
public sealed class PlatformMetrics
{
    private readonly PlatformService _platform;
    private readonly Counter _messages;
    private readonly Counter _frames;
    private readonly Counter _deadLetters;
    private readonly Counter _reconnects;
    private readonly Gauge _subscriptions;
    private readonly Counter _kafkaProduced;
    private readonly Counter _kafkaBytes;
    private readonly Counter _pipelineDropped;
    private readonly Gauge _queueDepth;
    private readonly Counter _fairPrices;
    private readonly Gauge _fairPrice;

    public PlatformMetrics(PlatformService platform, QualitySidecar quality, IConfiguration configuration, TimeProvider time)
    {
        _platform = platform;
        Registry = Metrics.NewCustomRegistry();
        var f = Metrics.WithCustomRegistry(Registry);
        _messages = f.CreateCounter("cloudwall_md_provider_events_total", "Normalized events decoded, by provider (per-series counts are cloudwall_md_messages_total).", "provider", "venue");
        _frames = f.CreateCounter("cloudwall_md_frames_total", "Frames received, by outcome and reason.", "provider", "venue", "status", "reason");
        _deadLetters = f.CreateCounter("cloudwall_md_dead_letters_total", "Frames dead-lettered, by provider.", "provider");
        _reconnects = f.CreateCounter("cloudwall_md_reconnects_total", "Connection reconnects, by provider.", "provider");
        _subscriptions = f.CreateGauge("cloudwall_md_provider_subscriptions", "Subscribed symbols, by provider (per-series: cloudwall_md_active_subscriptions).", "provider", "venue");
        _kafkaProduced = f.CreateCounter("cloudwall_kafka_produced_total", "Kafka records by topic and result (delivered, failed, dropped).", "topic", "result");
        _kafkaBytes = f.CreateCounter("cloudwall_kafka_produced_bytes_total", "Key plus value bytes produced, by topic.", "topic");
        _pipelineDropped = f.CreateCounter("cloudwall_pipeline_dropped_total", "Events dropped by a full partition under the DropNewest policy.");
        _queueDepth = f.CreateGauge("cloudwall_pipeline_queue_depth", "Events queued per pricing partition.", "partition");
        _fairPrices = f.CreateCounter("cloudwall_fairprice_computed_total", "Fair prices computed.");
        _fairPrice = f.CreateGauge("cloudwall_fair_price", "Latest fair price by instrument (a view; the exact value is on Kafka).", "instrument", "status");
        Registry.AddBeforeCollectCallback(Refresh);

        // Per-series metrics (provider × venue × instrument × data class × market) from the pipeline's 1 s windows, in this registry.
        var seriesOptions = configuration.GetSection(QualityMetricsOptions.Section).Get<QualityMetricsOptions>() ?? new QualityMetricsOptions();
        Series = new SeriesMetricsExporter(Registry, seriesOptions, platform.RefData.KeyOf, time);
        // Every statistics window goes to the exporter and to the detectors.
        platform.SeriesWindowSink ??= new Quality.Stats.SeriesWindowFanOut(Series, quality);
    }

    /// <summary>The per-series exporter sharing <see cref="Registry"/>.</summary>
    public SeriesMetricsExporter Series { get; }

    public CollectorRegistry Registry { get; }

    private void Refresh()
    {
        for (var i = 0; i < _platform.Providers.Count; i++)
        {
            // The configured provider name: two providers of one venue (Bybit spot and linear) stay apart.
            var p = _platform.Providers[i];
            var provider = _platform.ProviderNames[i];
            var venue = p is Ingestion.WebSocketProvider w ? w.Venue.Name : provider;
            var c = p.Counters;
            _messages.WithLabels(provider, venue).IncTo(c.Events);
            _frames.WithLabels(provider, venue, "decoded", "none").IncTo(c.DecodedFrames);
            foreach (var reason in Enum.GetValues<FrameReason>())
            {
                var n = c.ByReason(reason);
                if (n > 0)
                {
                    var status = reason >= FrameReason.Malformed ? "rejected" : "ignored";
                    _frames.WithLabels(provider, venue, status, reason.ToText()).IncTo(n);
                }
            }

            _deadLetters.WithLabels(provider).IncTo(c.RejectedFrames);
            _reconnects.WithLabels(provider).IncTo(c.Reconnects);
            _subscriptions.WithLabels(provider, venue).Set(p.ActiveSubscriptions);
        }

        if (_platform.Publisher?.Snapshot() is { } stats)
        {
            foreach (var t in stats.Topics)
            {
                _kafkaProduced.WithLabels(t.Topic, "delivered").IncTo(t.Delivered);
                _kafkaProduced.WithLabels(t.Topic, "failed").IncTo(t.DeliveryFailed);
                _kafkaProduced.WithLabels(t.Topic, "dropped").IncTo(t.Dropped);
                _kafkaBytes.WithLabels(t.Topic).IncTo(t.BytesProduced);
            }
        }

        if (_platform.Pipeline is { } pipeline)
        {
            _pipelineDropped.IncTo(pipeline.Stats.Dropped);
            _fairPrices.IncTo(pipeline.Stats.FairPricesPublished);
            var depths = pipeline.QueueDepths();
            for (var i = 0; i < depths.Length; i++)
            {
                _queueDepth.WithLabels(i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Set(depths[i]);
            }

            foreach (var (id, fp) in pipeline.LatestFairPrices)
            {
                _fairPrice.WithLabels(_platform.RefData.KeyOf(id), fp.Status.ToText()).Set((double)fp.Price);
            }
        }
    }
}
