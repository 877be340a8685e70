using System.Collections.Concurrent;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Backfill;

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

/// <summary>
/// The outcome of every break gap-fill handled, from every provider: counted by result, kept (bounded, newest last) for
/// /quality, and passed on to whoever observes them (the quality sidecar alerts on the incomplete ones). docs/backfill.md.
/// </summary>
public sealed class BackfillLog : IBackfillSink
{
    private const int Keep = 1_000;
    private readonly long[] _byResult = new long[5];

    /// <summary>The newest outcomes, oldest first out once past 1,000.</summary>
    public ConcurrentQueue<BackfillOutcome> Recent { get; } = new();

    /// <summary>Raised for every outcome, on the coordinator's thread. Handlers must not block.</summary>
    public event Action<BackfillOutcome>? Observed;

    public long Count(BackfillResult result) => Interlocked.Read(ref _byResult[(int)result]);

    public void OnBackfill(BackfillOutcome outcome)
    {
        Interlocked.Increment(ref _byResult[(int)outcome.Result]);
        Observed?.Invoke(outcome);
        Recent.Enqueue(outcome);
        while (Recent.Count > Keep && Recent.TryDequeue(out _))
        {
            // Oldest first out.
        }
    }

    /// <summary>What the quality sidecar alerts on: a break not mended completely, or null for a complete one.</summary>
    public static BackfillShortfall? Shortfall(BackfillOutcome o) => o.Result == BackfillResult.Complete ? null
        : new BackfillShortfall(o.Request.Provider, o.Request.Venue, o.Request.Instrument, BackfillOutcome.ResultText(o.Result), o.Filled,
            o.Missing, o.Error, o.Request.DetectedNs);
}
