namespace Cloudwall.Rx.Kafka;

/// <summary>Counters for one topic at one moment.</summary>
/// <param name="Produced">Records handed to the producer (enqueued locally).</param>
/// <param name="Delivered">Records the cluster acknowledged.</param>
/// <param name="DeliveryFailed">Records the producer gave up on after enqueueing (timeout, fatal error, ...).</param>
/// <param name="Dropped">Records never enqueued: queue still full after the retries, producer stopped, or no key.</param>
/// <param name="BytesProduced">Key plus value bytes of the produced records.</param>
public sealed record KafkaTopicStats(string Topic, long Produced, long Delivered, long DeliveryFailed, long Dropped, long BytesProduced)
{
    /// <summary>Enqueued and not yet acknowledged or failed.</summary>
    public long InFlight => Produced - Delivered - DeliveryFailed;
}

/// <summary>A snapshot of a <see cref="KafkaPublisher"/>'s counters.</summary>
public sealed record KafkaStats(
    long Produced,
    long Delivered,
    long DeliveryFailed,
    long Dropped,
    long BytesProduced,
    long QueueFullWaits,
    bool Stopped,
    IReadOnlyList<KafkaTopicStats> Topics)
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

    public string Topic { get; } = topic;
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

    public void OnDelivered() => Interlocked.Increment(ref _delivered);

    public void OnFailed() => Interlocked.Increment(ref _failed);

    public void OnDropped() => Interlocked.Increment(ref _dropped);

    public KafkaTopicStats Snapshot() => new(Topic, Produced, Delivered, DeliveryFailed, Dropped, Bytes);
}
