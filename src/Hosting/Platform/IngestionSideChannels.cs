using System.Collections.Concurrent;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;

namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>Dead letters of every provider: counted, and published to md.deadletter when the producer runs.</summary>
public sealed class DeadLetterLog(KafkaConnection kafka) : IDeadLetterSink
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void OnDeadLetter(DeadLetter letter)
    {
        Interlocked.Increment(ref _count);
        kafka.Publisher?.PublishDeadLetter(letter);
    }
}

/// <summary>
/// Sequence gaps of every provider: counted, kept (bounded, newest last) and passed on to whoever observes them (series
/// statistics, the quality sidecar).
/// </summary>
public sealed class SequenceGapLog : ISequenceGapSink
{
    private const int Keep = 10_000;
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    /// <summary>The newest gaps, oldest first out once past 10 000 (the total stays in <see cref="Count"/>).</summary>
    public ConcurrentQueue<SequenceGap> Recent { get; } = new();

    /// <summary>Raised for every gap, on the connection's thread. Handlers must not block.</summary>
    public event Action<SequenceGap>? Observed;

    public void OnSequenceGap(SequenceGap gap)
    {
        Interlocked.Increment(ref _count);
        Observed?.Invoke(gap);
        Recent.Enqueue(gap);
        while (Recent.Count > Keep && Recent.TryDequeue(out _))
        {
            // Oldest first out.
        }
    }
}
