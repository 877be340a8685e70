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
    [JsonPropertyName("providers")] public required IReadOnlyList<ProviderSummary> Providers { get; init; }
    [JsonPropertyName("instruments")] public required IReadOnlyList<InstrumentSummary> Instruments { get; init; }
}

public sealed record ProviderSummary(
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("events")] long Events,
    [property: JsonPropertyName("frames")] long Frames,
    [property: JsonPropertyName("ignored_frames")] long IgnoredFrames,
    [property: JsonPropertyName("rejected_frames")] long RejectedFrames,
    [property: JsonPropertyName("reconnects")] long Reconnects,
    [property: JsonPropertyName("duplicates_dropped")] long Duplicates,
    [property: JsonPropertyName("sequence_gaps")] long SequenceGaps,
    [property: JsonPropertyName("active_subscriptions")] int ActiveSubscriptions);

public sealed record InstrumentSummary(
    [property: JsonPropertyName("instrument")] string Instrument,
    [property: JsonPropertyName("fair_price")] string? FairPrice,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("sources_used")] int SourcesUsed,
    [property: JsonPropertyName("sources_known")] int SourcesKnown,
    [property: JsonPropertyName("confidence")] string? Confidence);

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(RunSummary))]
[JsonSerializable(typeof(HealthReport))]
internal sealed partial class HostingJsonContext : JsonSerializerContext;

/// <summary>The /healthz body. Names endpoints and counts; never credentials.</summary>
public sealed record HealthReport(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("ready")] bool Ready,
    [property: JsonPropertyName("uptime_seconds")] double UptimeSeconds,
    [property: JsonPropertyName("kafka_bootstrap")] string? KafkaBootstrap,
    [property: JsonPropertyName("providers")] IReadOnlyList<ProviderHealth> Providers,
    [property: JsonPropertyName("kafka_delivered")] long KafkaDelivered,
    [property: JsonPropertyName("kafka_delivery_failures")] long KafkaDeliveryFailures);

public sealed record ProviderHealth(
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("connections")] int Connections,
    [property: JsonPropertyName("connected")] int Connected,
    [property: JsonPropertyName("events")] long Events);
