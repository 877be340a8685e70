using Cloudwall.Rx.Core.Configuration;

namespace Cloudwall.Rx.Kafka.Groups;

/// <summary>The price role's consumer group (configuration section <see cref="Section"/>).</summary>
public sealed class GroupWorkerOptions : ICheckedOptions
{
    public const string Section = "PriceRole";

    /// <summary>group.id shared by every price instance; instances split md.events.v1's partitions between them.</summary>
    public string GroupId { get; set; } = "cloudwall-price";

    /// <summary>
    /// Consume-transform-produce in Kafka transactions with the consumed offsets sent to the transaction
    /// (exactly-once output). False: at-least-once, offsets committed after every output of the batch is acknowledged.
    /// </summary>
    public bool Transactional { get; set; } = true;

    /// <summary>transactional.id prefix; each instance appends a unique suffix (fencing is by the group generation, KIP-447).</summary>
    public string TransactionalIdPrefix { get; set; } = "cloudwall-price";

    /// <summary>How often a batch (transaction, or flush-then-commit) is closed: bounds the output latency the commit adds.</summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often the processor is ticked (conflated fair prices are emitted on ticks).</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>session.timeout.ms: how long a crashed instance keeps its partitions before the group moves them.</summary>
    public int SessionTimeoutMs { get; set; } = 10_000;

    /// <summary>fetch.wait.max.ms (the mock cluster answers fetches only when it expires: keep it small).</summary>
    public int FetchWaitMaxMs { get; set; } = 10;

    /// <summary>How long a transaction or flush may take before the batch is abandoned and replayed.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<string> Errors()
    {
        if (string.IsNullOrWhiteSpace(GroupId)) yield return $"{Section}:{nameof(GroupId)} is required";
        if (Transactional && string.IsNullOrWhiteSpace(TransactionalIdPrefix)) yield return $"{Section}:{nameof(TransactionalIdPrefix)} is required when {nameof(Transactional)} is true";
        if (CommitInterval < TimeSpan.FromMilliseconds(1) || CommitInterval > TimeSpan.FromMinutes(1)) yield return $"{Section}:{nameof(CommitInterval)} must be 00:00:00.001..00:01:00 (was {CommitInterval})";
        if (TickInterval < TimeSpan.FromMilliseconds(1) || TickInterval > TimeSpan.FromMinutes(1)) yield return $"{Section}:{nameof(TickInterval)} must be 00:00:00.001..00:01:00 (was {TickInterval})";
        if (SessionTimeoutMs is < 1000 or > 3_600_000) yield return $"{Section}:{nameof(SessionTimeoutMs)} must be 1000..3600000 (was {SessionTimeoutMs})";
        if (FetchWaitMaxMs is < 0 or > 60_000) yield return $"{Section}:{nameof(FetchWaitMaxMs)} must be 0..60000 (was {FetchWaitMaxMs})";
        if (OperationTimeout < TimeSpan.FromSeconds(1)) yield return $"{Section}:{nameof(OperationTimeout)} must be at least 00:00:01 (was {OperationTimeout})";
    }
}

/// <summary>One output record of a processor: topic, UTF-8 key and encoded value (the topic names the schema: <see cref="RecordSchema"/>).</summary>
public interface IRecordOutput
{
    /// <summary>Enqueues one output record in the current batch. <paramref name="inputReceiveNs"/> feeds the input-latency histogram (0: none).</summary>
    void Emit(string topic, byte[] key, byte[] value, long inputReceiveNs);
}

/// <summary>
/// The transform of a consume-transform-produce worker. Every call happens on the worker's one thread, so state needs no
/// locks. State is per input partition: built on <see cref="OnAssigned"/>, dropped on <see cref="OnRevoked"/>.
/// </summary>
public interface IGroupProcessor
{
    void OnAssigned(int partition);

    void OnRevoked(int partition);

    /// <param name="schemaId">The record's schema (<see cref="RecordSchema.Of"/>): by the input topic, or a legacy header.</param>
    void OnRecord(int partition, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, byte? schemaId, long nowNs, IRecordOutput output);

    void OnTick(long nowNs, IRecordOutput output);
}
