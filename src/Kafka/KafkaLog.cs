using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Kafka;

/// <summary>Source-generated log messages of the Kafka layer. Fields carry no secrets (never SASL credentials).</summary>
internal static partial class KafkaLog
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Kafka producer {ClientId} started for {BootstrapServers} (preset {Preset}: linger {LingerMs} ms, batch {BatchSize} B, {Compression}; queue full: {QueueFullPolicy})")]
    public static partial void ProducerStarted(ILogger logger, string clientId, string bootstrapServers, string preset, double lingerMs, int batchSize, string compression, string queueFullPolicy);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Kafka local queue full on {Topic}: record dropped after {Retries} waits (policy {Policy}) ({Suppressed} more since the last line)")]
    public static partial void QueueFullDropped(ILogger logger, string topic, int retries, string policy, long suppressed);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Kafka produce to {Topic} failed: {Code} {Reason} ({Suppressed} more since the last line)")]
    public static partial void ProduceFailed(ILogger logger, string topic, string code, string reason, long suppressed);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Kafka delivery to {Topic} failed: {Code} {Reason} ({Suppressed} more since the last line)")]
    public static partial void DeliveryFailed(ILogger logger, string topic, string code, string reason, long suppressed);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Kafka client error: {Code} {Reason}")]
    public static partial void ClientError(ILogger logger, string code, string reason);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Critical, Message = "Kafka producer fatal error, publishing stops: {Code} {Reason}")]
    public static partial void FatalError(ILogger logger, string code, string reason);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "Kafka record for {Topic} dropped: {Why} ({Suppressed} more since the last line)")]
    public static partial void RecordDropped(ILogger logger, string topic, string why, long suppressed);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Information, Message = "Kafka producer closing: {Outstanding} records still outstanding after flush")]
    public static partial void Closing(ILogger logger, int outstanding);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Debug, Message = "librdkafka {Facility}: {Text}")]
    public static partial void Librdkafka(ILogger logger, string facility, string text);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Error, Message = "OnFatalError handler threw")]
    public static partial void FatalHandlerThrew(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Group worker joining {GroupId} on {Topic} (transactional: {Transactional})")]
    public static partial void WorkerStarted(ILogger logger, string groupId, string topic, bool transactional);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Information, Message = "Group {GroupId}: now owning partitions [{Partitions}]")]
    public static partial void PartitionsAssigned(ILogger logger, string groupId, string partitions);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Information, Message = "Group {GroupId}: partitions [{Partitions}] revoked (lost: {Lost})")]
    public static partial void PartitionsRevoked(ILogger logger, string groupId, string partitions, bool lost);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Warning, Message = "Batch of {Partitions} partition(s) and {Outputs} output(s) abandoned and replayed: {Why}")]
    public static partial void BatchAbandoned(ILogger logger, int partitions, int outputs, string why);
}
