using Confluent.Kafka;

namespace Cloudwall.Rx.Kafka;

/// <summary>
/// What a producing thread reuses from one record to the next: the <see cref="Message{TKey, TValue}"/> handed to
/// <c>Produce</c> and the value arrays, one per exact length (the typed producer takes a whole <c>byte[]</c>, no slice).
/// </summary>
/// <remarks>
/// <para>Reuse is safe because <c>Produce</c> is done with both when it returns. Confluent.Kafka's
/// <c>Producer&lt;TKey,TValue&gt;.Produce</c> (src/Confluent.Kafka/Producer.cs) serializes a <c>byte[]</c> as itself, keeps
/// only the key and value references for the delivery report, and calls <c>SafeKafkaHandle.Produce</c>
/// (src/Confluent.Kafka/Impl/SafeKafkaHandle.cs), which pins the arrays for the duration of one
/// <c>rd_kafka_produceva</c> call with <c>RD_KAFKA_MSG_F_COPY</c> and unpins them in its <c>finally</c>: librdkafka owns a copy of
/// the payload from then on. The delivery report may still hold the value array, but only its length is read there
/// (<see cref="KafkaPublisher"/>'s handler), and the length of an array taken by exact length never changes.</para>
/// <para>Per thread, because the pipeline's partitions publish concurrently; <see cref="Enter"/> hands a fresh set to a
/// re-entrant call on the same thread (a handler run by <c>Poll</c> while waiting for queue room that publishes again),
/// so a set is never reused before its record was enqueued.</para>
/// </remarks>
internal static class ProduceBuffers
{
    /// <summary>Values up to this length come from the per-thread arrays (every binary codec's maximum is below it).</summary>
    public const int MaxReusedLength = 256;

    /// <summary>
    /// No headers. Confluent.Kafka replaces a null <c>Message.Headers</c> with a new empty <c>Headers</c> per record; this
    /// one is shared and never added to (records carry no header: the topic names the schema, docs/wire-format.md).
    /// </summary>
    public static readonly Headers NoHeaders = [];

    [ThreadStatic]
    private static Set? t_set;

    /// <summary>This thread's set, or a fresh one when it is already in use further up the stack. Pair with <see cref="Set.Exit"/>.</summary>
    public static Set Enter()
    {
        var set = t_set ??= new Set();
        if (set.InUse)
        {
            set = new Set();
        }

        set.InUse = true;
        return set;
    }

    internal sealed class Set
    {
        private readonly byte[]?[] _values = new byte[]?[MaxReusedLength + 1];

        public Message<byte[], byte[]> Message { get; } = new() { Headers = NoHeaders };

        public bool InUse { get; set; }

        /// <summary>An array of exactly <paramref name="encoded"/>'s length holding its bytes (reused per length up to <see cref="MaxReusedLength"/>).</summary>
        public byte[] Value(ReadOnlySpan<byte> encoded)
        {
            if (encoded.Length > MaxReusedLength)
            {
                return encoded.ToArray();
            }

            var value = _values[encoded.Length] ??= new byte[encoded.Length];
            encoded.CopyTo(value);
            return value;
        }

        public void Exit()
        {
            // Drop references to arrays the caller owns (quality records, dead letters) so they are not kept alive.
            Message.Key = null!;
            Message.Value = null!;
            InUse = false;
        }
    }
}
