using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Configuration;
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
    private readonly IProviderStatus _providers;
    private readonly IKafkaStatus _kafka;
    private readonly IPipelineStatus _pipeline;
    private readonly Counter _messages;
    private readonly Counter _frames;
    private readonly Counter _receivedBytes;
    private readonly Counter _receivedFrames;
    private readonly Counter _deadLetters;
    private readonly Counter _rejectedEvents;
    private readonly Counter _duplicates;
    private readonly Counter _backfillTrades;
    private readonly Counter _backfillGaps;
    private readonly Histogram _backfillSeconds;
    private readonly Dictionary<(string Feed, string Venue), long[]> _backfillSecondsSeen = [];
    private readonly Counter _reconnects;
    private readonly Gauge _subscriptions;
    private readonly Gauge _instruments;
    private readonly Counter _allocated;
    private readonly Counter _instrumentsRefused;
    private readonly Counter _kafkaProduced;
    private readonly Counter _kafkaBytes;
    private readonly Counter _pipelineDropped;
    private readonly Gauge _queueDepth;
    private readonly Counter _snapshotTrades;
    private readonly Counter _fairPrices;
    private readonly Counter _kafkaRetries;
    private readonly Gauge _kafkaQueueDepth;
    private readonly Gauge _kafkaQueueBytes;
    private readonly Histogram _kafkaDeliveryLatency;
    private readonly Histogram _kafkaInputLatency;
    private readonly long[] _deliveryLatencySeen = new long[Kafka.KafkaLatencyHistogram.Bounds.Count + 1];
    private readonly long[] _inputLatencySeen = new long[Kafka.KafkaLatencyHistogram.Bounds.Count + 1];
    private readonly Lock _latencyGate = new();
    private readonly Counter _barsAggregated;
    private readonly Gauge _priceAssigned;
    private readonly Counter _priceBatches;
    private readonly Counter _controlRejected;
    private readonly Counter _commandsRefused;
    private readonly IServiceProvider? _services;

    /// <summary>
    /// The registry /metrics serves: a custom one (the process-wide default would also collect whatever libraries put
    /// there), with prometheus-net's runtime collectors on it — <c>process_cpu_seconds_total</c>,
    /// <c>process_working_set_bytes</c>, <c>process_virtual_memory_bytes</c>, <c>process_private_memory_bytes</c>,
    /// <c>process_open_handles</c>, <c>process_num_threads</c>, <c>process_start_time_seconds</c>,
    /// <c>dotnet_collection_count_total</c> (per GC generation) and <c>dotnet_total_memory_bytes</c>.
    /// </summary>
    public static CollectorRegistry CreateRegistry()
    {
        var registry = Metrics.NewCustomRegistry();
        DotNetStats.Register(registry);
        return registry;
    }

    /// <param name="registry">Shared with the per-series exporter (<paramref name="series"/>), which the pipeline's windows feed.</param>
    public PlatformMetrics(CollectorRegistry registry, SeriesMetricsExporter series, IProviderStatus providers, IKafkaStatus kafka, IPipelineStatus pipeline,
        IServiceProvider? services = null)
    {
        _services = services;
        _providers = providers;
        _kafka = kafka;
        _pipeline = pipeline;
        Registry = registry;
        var f = Metrics.WithCustomRegistry(Registry);
        // Per configured provider: provider and venue as the series metrics carry them (joinable on both), feed = its name.
        string[] feed = MetricNames.FeedLabels;
        _messages = f.CreateCounter("cloudwall_md_provider_events_total", "Normalized events decoded, by configured provider (per-series counts are cloudwall_md_messages_total).", feed);
        _frames = f.CreateCounter("cloudwall_md_frames_total", "Frames received, by outcome and reason.", [.. feed, "status", "reason"]);
        // Ingress per venue: a source of many venues (the aggregator) counts each update for its venue, the rest for none ("").
        _receivedBytes = f.CreateCounter("cloudwall_md_received_bytes_total",
            "Payload bytes received (WebSocket message payloads, gRPC message sizes; control, ack and heartbeat messages included), by configured provider and venue.",
            feed);
        _receivedFrames = f.CreateCounter("cloudwall_md_received_frames_total",
            "Messages received (WebSocket messages, gRPC stream messages; control, ack and heartbeat messages included), by configured provider and venue.", feed);
        _deadLetters = f.CreateCounter("cloudwall_md_dead_letters_total", "Frames dead-lettered, by configured provider.", feed);
        _rejectedEvents = f.CreateCounter("cloudwall_md_invalid_total",
            "Invalid updates removed by validation after decoding and dead-lettered one by one (crossed quote, bad size or price, absurd timestamp), by reason.",
            [.. feed, "reason"]);
        _duplicates = f.CreateCounter("cloudwall_md_duplicates_total", "Trades dropped as repeats of a trade id already seen (a venue resending, a reconnect overlap).",
            feed);
        // Gap-fill (docs/backfill.md): per configured provider and the venue of the break (the aggregator fills many).
        _backfillTrades = f.CreateCounter("cloudwall_md_backfill_trades_total",
            "Trades lost by the live stream: fetched back over the venue's REST API (result=filled) or lost for good (result=missing).", [.. feed, "result"]);
        _backfillGaps = f.CreateCounter("cloudwall_md_backfill_gaps_total",
            "Breaks in the live trade stream (sequence gaps, reconnects) by how gap-fill ended: complete, partial, skipped, dropped or failed.", [.. feed, "result"]);
        _backfillSeconds = f.CreateHistogram("cloudwall_md_backfill_seconds", "Time to fill one break, from its fetch starting to its trades handed on.",
            new HistogramConfiguration { LabelNames = feed, Buckets = [.. Ingestion.Backfill.BackfillCounters.SecondsBounds] });
        _reconnects = f.CreateCounter("cloudwall_md_reconnects_total", "Connection reconnects, by configured provider.", feed);
        _subscriptions = f.CreateGauge("cloudwall_md_provider_subscriptions", "Subscribed symbols, by configured provider (per-series: cloudwall_md_active_subscriptions).", feed);
        _instruments = f.CreateGauge("cloudwall_md_instruments", "Instruments interned in reference data (at most Ingestion:MaxInstruments).");
        _allocated = f.CreateCounter("cloudwall_process_allocated_bytes_total",
            "Bytes the process has allocated on the managed heap (GC.GetTotalAllocatedBytes): its rate over the input rate is the bytes allocated per event.");
        _instrumentsRefused = f.CreateCounter("cloudwall_md_instruments_refused_total",
            "New instruments refused because reference data held Ingestion:MaxInstruments (their symbols are dead-lettered as unknown).");
        _kafkaProduced = f.CreateCounter("cloudwall_kafka_produced_total", "Kafka records by topic and result (delivered, failed, dropped).", "topic", "result");
        _kafkaBytes = f.CreateCounter("cloudwall_kafka_produced_bytes_total", "Key plus value bytes produced, by topic.", "topic");
        _kafkaRetries = f.CreateCounter("cloudwall_kafka_retries_total",
            "Producer retries: 'request' = produce requests librdkafka retried (transport, retriable broker errors); 'queue_full' = waits for room in the full local queue.", "kind");
        _kafkaQueueDepth = f.CreateGauge("cloudwall_kafka_queue_depth", "Records enqueued in the producer and not yet acknowledged or failed.");
        _kafkaQueueBytes = f.CreateGauge("cloudwall_kafka_queue_bytes", "Bytes held in librdkafka's local queue (statistics msg_size).");
        double[] latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
        _kafkaDeliveryLatency = f.CreateHistogram("cloudwall_kafka_delivery_latency_seconds", "Producer enqueue to Kafka acknowledgement.",
            new HistogramConfiguration { Buckets = latencyBuckets });
        _kafkaInputLatency = f.CreateHistogram("cloudwall_kafka_input_to_ack_latency_seconds", "Receive timestamp of the input event to Kafka acknowledgement (events and bars; fair prices wait for their conflation tick and are left out).",
            new HistogramConfiguration { Buckets = latencyBuckets });
        _barsAggregated = f.CreateCounter("cloudwall_pipeline_bars_total", "Pre-aggregation: events folded into bars (events_in), bars published (bars_out, revisions included), corrected versions published (bars_revised), back-filled trades too late to revise their bar (backfill_too_late).", "result");
        _priceAssigned = f.CreateGauge("cloudwall_price_assigned_partitions", "md.events.v1 partitions this price instance owns.");
        _priceBatches = f.CreateCounter("cloudwall_price_batches_total", "Price-role batches (transactions, or flush-then-commit), by result.", "result");
        _snapshotTrades = f.CreateCounter("cloudwall_md_snapshot_trades_total",
            "Snapshot events (history sent on (re)subscribe): published to Kafka, never priced or counted as live updates.", "provider", "venue");
        _pipelineDropped = f.CreateCounter("cloudwall_pipeline_dropped_total", "Events dropped by a full partition under Pipeline:Overflow DropWrite.");
        _queueDepth = f.CreateGauge("cloudwall_pipeline_queue_depth", "Events queued per pricing partition.", "partition");
        _fairPrices = f.CreateCounter("cloudwall_fairprice_computed_total", "Fair prices computed.");
        _controlRejected = f.CreateCounter("cloudwall_control_rejected_total",
            "Control commands rejected at submit or apply, by reason code; those refused before the signature verified are counted here only, never audited.", "reason");
        _commandsRefused = f.CreateCounter("cloudwall_admin_commands_refused_total",
            "POST /commands requests refused before the command bus saw them, by HTTP status: 413 too large, 415 not JSON, 429 over the per-address rate.",
            "status");
        Registry.AddBeforeCollectCallback(Refresh);

        Series = series;
    }

    /// <summary>The per-series exporter sharing <see cref="Registry"/>.</summary>
    public SeriesMetricsExporter Series { get; }

    public CollectorRegistry Registry { get; }

    /// <summary>
    /// Moves what the publisher's histogram gained since the last scrape into the Prometheus histogram, one bucket at a
    /// time at the bucket's upper bound (so counts land in the right Prometheus bucket; the sum is approximate, at most 20 % high).
    /// </summary>
    private static void CopyHistogram(Kafka.LatencySnapshot? snapshot, Histogram target, long[] seen)
    {
        if (snapshot is null)
        {
            return;
        }

        var bounds = Kafka.KafkaLatencyHistogram.Bounds;
        for (var i = 0; i < snapshot.Counts.Length; i++)
        {
            var delta = snapshot.Counts[i] - seen[i];
            if (delta > 0)
            {
                target.Observe(i < bounds.Count ? bounds[i] : bounds[^1] * 2, delta);
                seen[i] = snapshot.Counts[i];
            }
        }
    }

    private void RefreshBackfill(string provider, string feed, Ingestion.Backfill.BackfillCounters counters)
    {
        foreach (var cell in counters.Cells)
        {
            var venue = cell.Venue == VenueId.None ? "" : cell.Venue.Name;
            _backfillTrades.WithLabels(provider, venue, feed, "filled").IncTo(cell.Filled);
            _backfillTrades.WithLabels(provider, venue, feed, "missing").IncTo(cell.Missing);
            foreach (var result in Enum.GetValues<Ingestion.Backfill.BackfillResult>())
            {
                _backfillGaps.WithLabels(provider, venue, feed, Ingestion.Backfill.BackfillOutcome.ResultText(result)).IncTo(cell.Breaks(result));
            }

            // The cell keeps counts per bucket; each new count is observed at its bucket's bound (the last bucket above the top bound).
            var (buckets, _) = cell.Seconds();
            lock (_latencyGate)
            {
                if (!_backfillSecondsSeen.TryGetValue((feed, venue), out var seen))
                {
                    seen = new long[buckets.Length];
                    _backfillSecondsSeen[(feed, venue)] = seen;
                }

                var bounds = Ingestion.Backfill.BackfillCounters.SecondsBounds;
                var child = _backfillSeconds.WithLabels(provider, venue, feed);
                for (var i = 0; i < buckets.Length; i++)
                {
                    if (buckets[i] > seen[i])
                    {
                        child.Observe(i < bounds.Count ? bounds[i] : bounds[^1] * 2, buckets[i] - seen[i]);
                        seen[i] = buckets[i];
                    }
                }
            }
        }
    }

    private void Refresh()
    {
        foreach (var p in _providers.Providers)
        {
            // provider and venue as the series metrics carry them (docs/quality.md, label vocabulary); the configured name
            // (feed) keeps two providers of one venue (Bybit spot and linear) apart. A source of many venues counts for
            // all of them at once: its venue is empty, as in its provider-level alerts.
            var provider = p.Id.Name;
            var venue = p.Venue == VenueId.None ? "" : p.Venue.Name;
            var feed = p.Name;
            var c = p.Counters;
            _messages.WithLabels(provider, venue, feed).IncTo(c.Events);
            _frames.WithLabels(provider, venue, feed, "decoded", "none").IncTo(c.DecodedFrames);
            foreach (var reason in Enum.GetValues<FrameReason>())
            {
                var n = c.ByReason(reason);
                if (n > 0)
                {
                    var status = reason >= FrameReason.Malformed ? "rejected" : "ignored";
                    _frames.WithLabels(provider, venue, feed, status, reason.ToText()).IncTo(n);
                }

                var invalid = c.RejectedEventsByReason(reason);
                if (invalid > 0)
                {
                    _rejectedEvents.WithLabels(provider, venue, feed, reason.ToText()).IncTo(invalid);
                }
            }

            foreach (var ingress in c.IngressByVenue())
            {
                var from = ingress.Venue == VenueId.None ? "" : ingress.Venue.Name;
                _receivedBytes.WithLabels(provider, from, feed).IncTo(ingress.Bytes);
                _receivedFrames.WithLabels(provider, from, feed).IncTo(ingress.Frames);
            }

            _duplicates.WithLabels(provider, venue, feed).IncTo(c.Duplicates);
            _deadLetters.WithLabels(provider, venue, feed).IncTo(c.RejectedFrames);
            _reconnects.WithLabels(provider, venue, feed).IncTo(c.Reconnects);
            RefreshBackfill(provider, feed, c.Backfill);
            _subscriptions.WithLabels(provider, venue, feed).Set(p.ActiveSubscriptions);
        }

        _allocated.IncTo(GC.GetTotalAllocatedBytes(precise: false));

        if (_services?.GetService(typeof(ReferenceData)) is ReferenceData refData)
        {
            _instruments.Set(refData.Count);
            _instrumentsRefused.IncTo(refData.RefusedInstruments);
        }

        if (_kafka.Snapshot() is { } stats)
        {
            foreach (var t in stats.Topics)
            {
                _kafkaProduced.WithLabels(t.Topic, "delivered").IncTo(t.Delivered);
                _kafkaProduced.WithLabels(t.Topic, "failed").IncTo(t.DeliveryFailed);
                _kafkaProduced.WithLabels(t.Topic, "dropped").IncTo(t.Dropped);
                _kafkaBytes.WithLabels(t.Topic).IncTo(t.BytesProduced);
            }

            _kafkaRetries.WithLabels("request").IncTo(stats.RequestRetries);
            _kafkaRetries.WithLabels("queue_full").IncTo(stats.QueueFullWaits);
            _kafkaQueueDepth.Set(stats.QueueDepth);
            _kafkaQueueBytes.Set(stats.QueueDepthBytes);
            lock (_latencyGate)
            {
                CopyHistogram(stats.DeliveryLatency, _kafkaDeliveryLatency, _deliveryLatencySeen);
                CopyHistogram(stats.InputLatency, _kafkaInputLatency, _inputLatencySeen);
            }
        }

        if (_pipeline.Bars is { } bars)
        {
            _barsAggregated.WithLabels("events_in").IncTo(bars.EventsIn);
            _barsAggregated.WithLabels("bars_out").IncTo(bars.BarsOut);
            _barsAggregated.WithLabels("bars_revised").IncTo(bars.BarsRevised);
            _barsAggregated.WithLabels("backfill_too_late").IncTo(bars.BackfillTooLate);
        }

        if (_services?.GetService(typeof(PriceRoleService)) is PriceRoleService { Worker: { } worker })
        {
            var w = worker.Snapshot();
            _priceAssigned.Set(w.Assigned.Count);
            _priceBatches.WithLabels("committed").IncTo(w.BatchesCommitted);
            _priceBatches.WithLabels("abandoned").IncTo(w.BatchesAbandoned);
            _kafkaProduced.WithLabels(Topics.FairPrices, "delivered").IncTo(w.Delivered);
            _kafkaProduced.WithLabels(Topics.FairPrices, "failed").IncTo(w.DeliveryFailed);
            lock (_latencyGate)
            {
                CopyHistogram(w.InputLatency, _kafkaInputLatency, _inputLatencySeen);
            }
        }

        if (_services?.GetService(typeof(CommandEndpointCounters)) is CommandEndpointCounters refused)
        {
            foreach (var (status, count) in refused.Counts())
            {
                _commandsRefused.WithLabels(status).IncTo(count);
            }
        }

        if (_services?.GetService(typeof(ControlPlaneService)) is ControlPlaneService { Bus: { } bus })
        {
            foreach (var (reason, count) in bus.Counters.RejectedByReason)
            {
                _controlRejected.WithLabels(reason).IncTo(count);
            }
        }

        if (_pipeline.Stats is { } pipelineStats)
        {
            _pipelineDropped.IncTo(pipelineStats.Dropped);
            foreach (var (provider, venue, count) in pipelineStats.SnapshotEvents)
            {
                _snapshotTrades.WithLabels(provider.Name, venue.Name).IncTo(count);
            }

            _fairPrices.IncTo(pipelineStats.FairPricesPublished);
            var depths = _pipeline.QueueDepths();
            for (var i = 0; i < depths.Length; i++)
            {
                _queueDepth.WithLabels(i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Set(depths[i]);
            }
        }
    }
}
