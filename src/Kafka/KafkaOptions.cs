using Confluent.Kafka;

namespace Cloudwall.Rx.Kafka;

/// <summary>Producer settings (configuration section <see cref="SectionName"/>). Defaults suit the embedded cluster.</summary>
public sealed class KafkaOptions
{
    public const string SectionName = "Kafka";

    /// <summary>Comma-separated <c>host:port</c> list. Empty means "use the embedded cluster" to the host.</summary>
    public string BootstrapServers { get; set; } = "";

    public string ClientId { get; set; } = "cloudwall-rx";

    /// <summary>linger.ms: how long the producer waits to fill a batch.</summary>
    public double LingerMs { get; set; } = 5;

    /// <summary>batch.size in bytes per partition batch.</summary>
    public int BatchSize { get; set; } = 256 * 1024;

    public CompressionType CompressionType { get; set; } = CompressionType.Lz4;

    /// <summary>queue.buffering.max.messages: the bound on messages held while Kafka is slow or down.</summary>
    public int QueueBufferingMaxMessages { get; set; } = 200_000;

    /// <summary>queue.buffering.max.kbytes: the bound on bytes held while Kafka is slow or down.</summary>
    public int QueueBufferingMaxKbytes { get; set; } = 256 * 1024;

    /// <summary>message.timeout.ms: how long a message may wait for delivery before it fails (counted as DeliveryFailed).</summary>
    public int MessageTimeoutMs { get; set; } = 120_000;

    /// <summary>How many times one record waits <see cref="QueueFullPollMs"/> for room when the local queue is full before it is dropped.</summary>
    public int QueueFullRetries { get; set; } = 50;

    public int QueueFullPollMs { get; set; } = 100;

    /// <summary>How long Dispose waits for outstanding deliveries.</summary>
    public TimeSpan DisposeFlushTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public SecurityProtocol? SecurityProtocol { get; set; }

    public SaslMechanism? SaslMechanism { get; set; }

    public string? SaslUsername { get; set; }

    /// <summary>Never logged.</summary>
    public string? SaslPassword { get; set; }

    /// <summary>Problems with the settings, each naming its key; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(BootstrapServers)) errors.Add($"{SectionName}:{nameof(BootstrapServers)} is required");
        if (string.IsNullOrWhiteSpace(ClientId)) errors.Add($"{SectionName}:{nameof(ClientId)} is required");
        if (LingerMs is < 0 or > 900_000) errors.Add($"{SectionName}:{nameof(LingerMs)} must be within 0..900000, was {LingerMs}");
        if (BatchSize < 1) errors.Add($"{SectionName}:{nameof(BatchSize)} must be positive, was {BatchSize}");
        if (QueueBufferingMaxMessages < 1) errors.Add($"{SectionName}:{nameof(QueueBufferingMaxMessages)} must be positive, was {QueueBufferingMaxMessages}");
        if (QueueBufferingMaxKbytes < 1) errors.Add($"{SectionName}:{nameof(QueueBufferingMaxKbytes)} must be positive, was {QueueBufferingMaxKbytes}");
        if (MessageTimeoutMs < 1) errors.Add($"{SectionName}:{nameof(MessageTimeoutMs)} must be positive, was {MessageTimeoutMs}");
        if (QueueFullRetries < 0) errors.Add($"{SectionName}:{nameof(QueueFullRetries)} must not be negative, was {QueueFullRetries}");
        if (QueueFullPollMs < 1) errors.Add($"{SectionName}:{nameof(QueueFullPollMs)} must be positive, was {QueueFullPollMs}");
        if (SaslMechanism is not null && string.IsNullOrEmpty(SaslUsername)) errors.Add($"{SectionName}:{nameof(SaslUsername)} is required when {nameof(SaslMechanism)} is set");
        return errors;
    }

    /// <summary>The librdkafka producer configuration: idempotent, acks=all, bounded local queue.</summary>
    public ProducerConfig ToProducerConfig()
    {
        var config = new ProducerConfig
        {
            BootstrapServers = BootstrapServers,
            ClientId = ClientId,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = LingerMs,
            BatchSize = BatchSize,
            CompressionType = CompressionType,
            QueueBufferingMaxMessages = QueueBufferingMaxMessages,
            QueueBufferingMaxKbytes = QueueBufferingMaxKbytes,
            MessageTimeoutMs = MessageTimeoutMs,
            // Delivery reports carry only topic, partition, offset and error: we never read back keys, values or headers.
            EnableDeliveryReports = true,
            DeliveryReportFields = "none",
            // We poll on our own thread, so the produce path may poll too while it waits for queue room.
            EnableBackgroundPoll = false,
        };
        if (SecurityProtocol is { } protocol) config.SecurityProtocol = protocol;
        if (SaslMechanism is { } mechanism) config.SaslMechanism = mechanism;
        if (SaslUsername is not null) config.SaslUsername = SaslUsername;
        if (SaslPassword is not null) config.SaslPassword = SaslPassword;
        return config;
    }
}
