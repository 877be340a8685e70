namespace Cloudwall.Rx.Kafka;

/// <summary>Counters for one topic at one moment.</summary>
/// <param name="Produced">Records handed to the producer (enqueued locally).</param>
/// <param name="Delivered">Records the cluster acknowledged.</param>
/// <param name="DeliveryFailed">Records the producer gave up on after enqueueing (timeout, fatal error, ...).</param>
/// <param name="Dropped">Records never enqueued: queue still full after the retries (DropWrite), producer stopped, or no key.</param>
/// <param name="BytesProduced">Key plus value bytes of the produced records.</param>
/// <param name="ValueBytesDelivered">Value bytes of the acknowledged records (what a record costs on the topic, without the key).</param>
public sealed record KafkaTopicStats(string Topic, long Produced, long Delivered, long DeliveryFailed, long Dropped, long BytesProduced, long ValueBytesDelivered = 0)
{
    /// <summary>Enqueued and not yet acknowledged or failed.</summary>
    public long InFlight => Produced - Delivered - DeliveryFailed;
}

/// <summary>A snapshot of a <see cref="KafkaPublisher"/>'s counters.</summary>
/// <param name="QueueFullWaits">Times a caller waited for room in the full local queue (local retries).</param>
/// <param name="RequestRetries">Produce requests librdkafka retried (statistics <c>txretries</c>; transport errors, retriable broker errors).</param>
/// <param name="QueueDepth">Records enqueued and not yet acknowledged or failed, all topics.</param>
/// <param name="DeliveryLatency">Enqueue to acknowledgement.</param>
/// <param name="InputLatency">Receive timestamp of the input event to acknowledgement (events, fair prices, bars).</param>
public sealed record KafkaStats(
    long Produced,
    long Delivered,
    long DeliveryFailed,
    long Dropped,
    long BytesProduced,
    long QueueFullWaits,
    bool Stopped,
    IReadOnlyList<KafkaTopicStats> Topics,
    long RequestRetries = 0,
    long QueueDepth = 0,
    long QueueDepthBytes = 0,
    LatencySnapshot? DeliveryLatency = null,
    LatencySnapshot? InputLatency = null,
    string QueueFullPolicy = "Wait")
{
    public KafkaTopicStats? For(string topic) => Topics.FirstOrDefault(t => t.Topic == topic);
}

/// <summary>Thread-safe counters for one topic; the delivery handler bound to this topic updates them.</summary>
internal sealed class TopicCounters(string topic)
{
    private long _produced;
    private long _delivered;
    private long _failed;
    private long _dropped;
    private long _bytes;
    private long _valueBytesDelivered;

    public string Topic { get; } = topic;

    /// <summary>Where records go (any partition: the partitioner picks), made once: <c>Produce(string, ...)</c> would make one per record.</summary>
    public Confluent.Kafka.TopicPartition Destination { get; } = new(topic, Confluent.Kafka.Partition.Any);
    public long Produced => Interlocked.Read(ref _produced);
    public long Delivered => Interlocked.Read(ref _delivered);
    public long DeliveryFailed => Interlocked.Read(ref _failed);
    public long Dropped => Interlocked.Read(ref _dropped);
    public long Bytes => Interlocked.Read(ref _bytes);

    public void OnProduced(int bytes)
    {
        Interlocked.Increment(ref _produced);
        Interlocked.Add(ref _bytes, bytes);
    }

    /// <summary>Reverts <see cref="OnProduced"/> for a record the producer refused.</summary>
    public void OnNotProduced(int bytes)
    {
        Interlocked.Decrement(ref _produced);
        Interlocked.Add(ref _bytes, -bytes);
    }

    public void OnDelivered(int valueBytes)
    {
        Interlocked.Add(ref _valueBytesDelivered, valueBytes);
        Interlocked.Increment(ref _delivered);
    }

    public void OnFailed() => Interlocked.Increment(ref _failed);

    public void OnDropped() => Interlocked.Increment(ref _dropped);

    public KafkaTopicStats Snapshot() => new(Topic, Produced, Delivered, DeliveryFailed, Dropped, Bytes, Interlocked.Read(ref _valueBytesDelivered));
}
