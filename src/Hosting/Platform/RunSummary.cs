using System.Text.Json.Serialization;

namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>What a run did, written by <c>run --summary-json FILE</c>. Carries no secrets.</summary>
public sealed record RunSummary
{
    [JsonPropertyName("role")] public required string Role { get; init; }
    [JsonPropertyName("duration_seconds")] public double DurationSeconds { get; init; }
    [JsonPropertyName("events_received")] public long EventsReceived { get; init; }
    [JsonPropertyName("events_processed")] public long EventsProcessed { get; init; }
    [JsonPropertyName("events_dropped")] public long EventsDropped { get; init; }
    /// <summary>Events acknowledged by Kafka on md.events.v1.</summary>
    [JsonPropertyName("events_published")] public long EventsPublished { get; init; }
    [JsonPropertyName("fair_prices_computed")] public long FairPricesComputed { get; init; }
    /// <summary>Fair prices acknowledged by Kafka on md.fairprice.v1.</summary>
    [JsonPropertyName("fair_prices_published")] public long FairPricesPublished { get; init; }
    [JsonPropertyName("dead_letters")] public long DeadLetters { get; init; }
    [JsonPropertyName("sequence_gaps")] public long SequenceGaps { get; init; }
    [JsonPropertyName("kafka_delivered")] public long KafkaDelivered { get; init; }
    [JsonPropertyName("kafka_delivery_failures")] public long KafkaDeliveryFailures { get; init; }
    [JsonPropertyName("kafka_dropped")] public long KafkaDropped { get; init; }
    [JsonPropertyName("kafka_bytes")] public long KafkaBytes { get; init; }
    [JsonPropertyName("kafka_bootstrap")] public string? KafkaBootstrap { get; init; }
    [JsonPropertyName("alerts_fired")] public long AlertsFired { get; init; }
    [JsonPropertyName("alerts_open")] public IReadOnlyList<string> AlertsOpen { get; init; } = [];
    /// <summary>The provider scorecard: completeness, latency, divergence, gaps and open alerts per provider and venue.</summary>
    [JsonPropertyName("quality")] public Quality.Scorecard.QualityScorecard? Quality { get; init; }
    /// <summary>Security settings without secrets: the password only as "set".</summary>
    [JsonPropertyName("kafka_security")] public Kafka.KafkaSecurityInfo? KafkaSecurity { get; init; }
    [JsonPropertyName("kafka_retries")] public long KafkaRetries { get; init; }
    [JsonPropertyName("kafka_queue_full_waits")] public long KafkaQueueFullWaits { get; init; }
    [JsonPropertyName("kafka_queue_full_policy")] public string? KafkaQueueFullPolicy { get; init; }
    [JsonPropertyName("bars_published")] public long BarsPublished { get; init; }
    /// <summary>Throughput, bytes, CPU and latency of the run: what docs/cost.md tabulates.</summary>
    [JsonPropertyName("cost")] public CostSummary? Cost { get; init; }
    [JsonPropertyName("price")] public PriceRoleSummary? Price { get; init; }
    [JsonPropertyName("providers")] public required IReadOnlyList<ProviderSummary> Providers { get; init; }
    [JsonPropertyName("instruments")] public required IReadOnlyList<InstrumentSummary> Instruments { get; init; }
}

/// <summary>What a run cost. Rates are over the whole run (start to summary), CPU is the whole process (simulators included when in-process).</summary>
public sealed record CostSummary
{
    [JsonPropertyName("input_events")] public long InputEvents { get; init; }
    [JsonPropertyName("input_events_per_second")] public double InputEventsPerSecond { get; init; }
    [JsonPropertyName("topics")] public required IReadOnlyList<TopicCost> Topics { get; init; }
    /// <summary>Key plus value bytes acknowledged on every topic, per input event.</summary>
    [JsonPropertyName("bytes_per_input_event")] public double BytesPerInputEvent { get; init; }
    [JsonPropertyName("value_bytes_per_input_event")] public double ValueBytesPerInputEvent { get; init; }
    [JsonPropertyName("cpu_seconds")] public double CpuSeconds { get; init; }
    [JsonPropertyName("cpu_seconds_per_million_input_events")] public double CpuSecondsPerMillionInputEvents { get; init; }
    /// <summary>Receive timestamp of the input event to the Kafka acknowledgement (bars: of the bar's first input; a corrected version: of its first back-filled input).</summary>
    [JsonPropertyName("input_to_ack_mean_ms")] public double InputToAckMeanMs { get; init; }
    [JsonPropertyName("input_to_ack_p50_ms")] public double InputToAckP50Ms { get; init; }
    [JsonPropertyName("input_to_ack_p99_ms")] public double InputToAckP99Ms { get; init; }
    [JsonPropertyName("input_to_ack_p999_ms")] public double InputToAckP999Ms { get; init; }
    /// <summary>Enqueue in the producer to the acknowledgement.</summary>
    [JsonPropertyName("delivery_mean_ms")] public double DeliveryMeanMs { get; init; }
    [JsonPropertyName("delivery_p99_ms")] public double DeliveryP99Ms { get; init; }
    [JsonPropertyName("peak_working_set_bytes")] public long PeakWorkingSetBytes { get; init; }
    [JsonPropertyName("gc_heap_bytes")] public long GcHeapBytes { get; init; }
    /// <summary>Garbage collections of the process so far, per generation (<see cref="GC.CollectionCount"/>; a gen1 collection also counts as gen0).</summary>
    [JsonPropertyName("gc_gen0_collections")] public int GcGen0Collections { get; init; }
    [JsonPropertyName("gc_gen1_collections")] public int GcGen1Collections { get; init; }
    [JsonPropertyName("gc_gen2_collections")] public int GcGen2Collections { get; init; }

    public static CostSummary Measure(TimeSpan elapsed, long inputEvents, IReadOnlyList<Kafka.KafkaTopicStats> topics, Kafka.LatencySnapshot? inputLatency, Kafka.LatencySnapshot? delivery)
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        var cpu = process.TotalProcessorTime.TotalSeconds;
        var totalBytes = topics.Sum(t => t.BytesProduced);
        var valueBytes = topics.Sum(t => t.ValueBytesDelivered);
        return new CostSummary
        {
            InputEvents = inputEvents,
            InputEventsPerSecond = Math.Round(inputEvents / seconds, 1),
            Topics = topics.Where(t => t.Produced + t.Dropped > 0).Select(t => new TopicCost(t.Topic, t.Delivered, Math.Round(t.Delivered / seconds, 1),
                t.BytesProduced, Math.Round(t.BytesProduced / seconds, 1), t.ValueBytesDelivered, t.Delivered == 0 ? 0 : Math.Round((double)t.ValueBytesDelivered / t.Delivered, 2))).ToList(),
            BytesPerInputEvent = inputEvents == 0 ? 0 : Math.Round((double)totalBytes / inputEvents, 2),
            ValueBytesPerInputEvent = inputEvents == 0 ? 0 : Math.Round((double)valueBytes / inputEvents, 2),
            CpuSeconds = Math.Round(cpu, 3),
            CpuSecondsPerMillionInputEvents = inputEvents == 0 ? 0 : Math.Round(cpu / inputEvents * 1e6, 2),
            InputToAckMeanMs = Math.Round((inputLatency?.MeanSeconds ?? 0) * 1e3, 3),
            InputToAckP50Ms = Math.Round((inputLatency?.P50Seconds ?? 0) * 1e3, 3),
            InputToAckP99Ms = Math.Round((inputLatency?.P99Seconds ?? 0) * 1e3, 3),
            InputToAckP999Ms = Math.Round((inputLatency?.QuantileSeconds(0.999) ?? 0) * 1e3, 3),
            DeliveryMeanMs = Math.Round((delivery?.MeanSeconds ?? 0) * 1e3, 3),
            DeliveryP99Ms = Math.Round((delivery?.P99Seconds ?? 0) * 1e3, 3),
            PeakWorkingSetBytes = process.PeakWorkingSet64,
            GcHeapBytes = GC.GetTotalMemory(false),
            GcGen0Collections = GC.CollectionCount(0),
            GcGen1Collections = GC.CollectionCount(1),
            GcGen2Collections = GC.CollectionCount(2),
        };
    }
}

/// <summary>One topic's share of a run: acknowledged messages, key plus value bytes produced, value bytes acknowledged.</summary>
public sealed record TopicCost(
    [property: JsonPropertyName("topic")] string Topic,
    [property: JsonPropertyName("messages")] long Messages,
    [property: JsonPropertyName("messages_per_second")] double MessagesPerSecond,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("bytes_per_second")] double BytesPerSecond,
    [property: JsonPropertyName("value_bytes")] long ValueBytes,
    [property: JsonPropertyName("value_bytes_per_message")] double ValueBytesPerMessage);

/// <summary>The price role's group membership and batches.</summary>
public sealed record PriceRoleSummary(
    [property: JsonPropertyName("group_id")] string GroupId,
    [property: JsonPropertyName("transactional")] bool Transactional,
    [property: JsonPropertyName("assigned_partitions")] IReadOnlyList<int> AssignedPartitions,
    [property: JsonPropertyName("rebalances")] long Rebalances,
    [property: JsonPropertyName("batches_committed")] long BatchesCommitted,
    [property: JsonPropertyName("batches_abandoned")] long BatchesAbandoned,
    [property: JsonPropertyName("undecodable_records")] long Undecodable);

/// <summary>One configured provider over the run; <c>ingress</c> is what it received, with rates over the whole run (docs/cost.md, "Ingress").</summary>
public sealed record ProviderSummary(
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("events")] long Events,
    [property: JsonPropertyName("frames")] long Frames,
    [property: JsonPropertyName("ignored_frames")] long IgnoredFrames,
    [property: JsonPropertyName("rejected_frames")] long RejectedFrames,
    [property: JsonPropertyName("reconnects")] long Reconnects,
    [property: JsonPropertyName("duplicates_dropped")] long Duplicates,
    [property: JsonPropertyName("sequence_gaps")] long SequenceGaps,
    [property: JsonPropertyName("active_subscriptions")] int ActiveSubscriptions,
    [property: JsonPropertyName("ingress")] Quality.Scorecard.ProviderIngress Ingress,
    [property: JsonPropertyName("backfill")] BackfillSummary? Backfill = null);

/// <summary>
/// A provider's gap-fill over the run (docs/backfill.md): trades fetched back and published flagged <c>backfill</c> (they
/// enter the pipeline as the live events do, so they count in <c>events_received</c> and <c>events_published</c> alike),
/// trades lost for good, and breaks by how they ended.
/// </summary>
public sealed record BackfillSummary(
    [property: JsonPropertyName("filled")] long Filled,
    [property: JsonPropertyName("missing")] long Missing,
    [property: JsonPropertyName("breaks")] IReadOnlyDictionary<string, long> Breaks)
{
    public static BackfillSummary Of(Ingestion.Backfill.BackfillCounters c) => new(c.Filled, c.Missing,
        Enum.GetValues<Ingestion.Backfill.BackfillResult>().ToDictionary(Ingestion.Backfill.BackfillOutcome.ResultText, c.Breaks, StringComparer.Ordinal));
}

public sealed record InstrumentSummary(
    [property: JsonPropertyName("instrument")] string Instrument,
    [property: JsonPropertyName("fair_price")] string? FairPrice,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("sources_used")] int SourcesUsed,
    [property: JsonPropertyName("sources_known")] int SourcesKnown,
    [property: JsonPropertyName("confidence")] string? Confidence);

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(RunSummary))]
[JsonSerializable(typeof(HealthDetails))]
internal sealed partial class HostingJsonContext : JsonSerializerContext;

/// <summary>The /healthz/details body (loopback callers only). Names endpoints and counts; never credentials.</summary>
public sealed record HealthDetails(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("ready")] bool Ready,
    [property: JsonPropertyName("uptime_seconds")] double UptimeSeconds,
    [property: JsonPropertyName("kafka_bootstrap")] string? KafkaBootstrap,
    [property: JsonPropertyName("providers")] IReadOnlyList<ProviderHealth> Providers,
    [property: JsonPropertyName("kafka_delivered")] long KafkaDelivered,
    [property: JsonPropertyName("kafka_delivery_failures")] long KafkaDeliveryFailures,
    [property: JsonPropertyName("kafka_security")] Kafka.KafkaSecurityInfo? KafkaSecurity = null,
    [property: JsonPropertyName("role")] string Role = "all",
    [property: JsonPropertyName("checks")] IReadOnlyList<CheckDetail>? Checks = null);

/// <summary>One health check: live or ready (its tags), its status and why.</summary>
public sealed record CheckDetail(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags);

public sealed record ProviderHealth(
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("connections")] int Connections,
    [property: JsonPropertyName("connected")] int Connected,
    [property: JsonPropertyName("events")] long Events);
