namespace Cloudwall.Rx.Ingestion;

/// <summary>
/// Lock-free counters for one provider's ingestion, readable at any time by metrics and the console view.
/// </summary>
public sealed class IngestionCounters
{
    private long _frames;
    private long _events;
    private long _decodedFrames;
    private long _ignoredFrames;
    private long _rejectedFrames;
    private long _decoderExceptions;
    private long _reconnects;
    private long _subscriptionsSent;
    private readonly long[] _byReason = new long[32];
    private readonly long[] _eventsByReason = new long[32];
    private long _rejectedEvents;
    private long _duplicates;
    private long _gaps;
    private long _missing;
    private long _outOfOrder;
    private long _staleReconnects;
    private long _repliesSent;
    private long _backPressured;

    public long Frames => Volatile.Read(ref _frames);
    public long Events => Volatile.Read(ref _events);
    public long DecodedFrames => Volatile.Read(ref _decodedFrames);
    public long IgnoredFrames => Volatile.Read(ref _ignoredFrames);
    public long RejectedFrames => Volatile.Read(ref _rejectedFrames);
    public long DecoderExceptions => Volatile.Read(ref _decoderExceptions);
    public long Reconnects => Volatile.Read(ref _reconnects);
    public long SubscriptionFramesSent => Volatile.Read(ref _subscriptionsSent);

    /// <summary>
    /// Events removed by <see cref="EventValidator"/> and dead-lettered one by one (the frame's good events passed; a frame
    /// with none left also counts once in <see cref="RejectedFrames"/> and <see cref="ByReason"/>).
    /// </summary>
    public long RejectedEvents => Volatile.Read(ref _rejectedEvents);

    /// <summary>Trades dropped as repeats (reconnect overlap) by trade id.</summary>
    public long Duplicates => Volatile.Read(ref _duplicates);
    /// <summary>Sequence breaks seen.</summary>
    public long SequenceGaps => Volatile.Read(ref _gaps);
    /// <summary>Sequence numbers missing across all gaps.</summary>
    public long MissingSequences => Volatile.Read(ref _missing);
    public long OutOfOrder => Volatile.Read(ref _outOfOrder);
    /// <summary>Reconnects forced by the stale-connection watchdog (no market data for the configured time).</summary>
    public long StaleReconnects => Volatile.Read(ref _staleReconnects);
    public long RepliesSent => Volatile.Read(ref _repliesSent);

    /// <summary>Frames whose events found the pipeline full: the connection paused its reads until there was room.</summary>
    public long BackPressured => Volatile.Read(ref _backPressured);

    public void RecordDuplicate() => Interlocked.Increment(ref _duplicates);
    public void RecordGap(long missing)
    {
        Interlocked.Increment(ref _gaps);
        Interlocked.Add(ref _missing, missing);
    }

    public void RecordOutOfOrder() => Interlocked.Increment(ref _outOfOrder);
    public void RecordStale() => Interlocked.Increment(ref _staleReconnects);
    public void RecordReply() => Interlocked.Increment(ref _repliesSent);
    public void RecordBackPressure() => Interlocked.Increment(ref _backPressured);

    /// <summary>Frames by the reason of their outcome.</summary>
    public long ByReason(FrameReason reason) => Volatile.Read(ref _byReason[(int)reason]);

    /// <summary>Events removed by validation, by reason (see <see cref="RejectedEvents"/>).</summary>
    public long RejectedEventsByReason(FrameReason reason) => Volatile.Read(ref _eventsByReason[(int)reason]);

    public void RecordRejectedEvent(FrameReason reason)
    {
        Interlocked.Increment(ref _rejectedEvents);
        Interlocked.Increment(ref _eventsByReason[(int)reason]);
    }

    public void Record(FrameOutcome outcome)
    {
        Interlocked.Increment(ref _frames);
        switch (outcome.Status)
        {
            case FrameStatus.Decoded:
                Interlocked.Increment(ref _decodedFrames);
                Interlocked.Add(ref _events, outcome.Events);
                break;
            case FrameStatus.Ignored:
                Interlocked.Increment(ref _ignoredFrames);
                break;
            default:
                Interlocked.Increment(ref _rejectedFrames);
                break;
        }

        if (outcome.Reason != FrameReason.None)
        {
            Interlocked.Increment(ref _byReason[(int)outcome.Reason]);
        }
    }

    public void RecordDecoderException() => Interlocked.Increment(ref _decoderExceptions);

    public void RecordReconnect() => Interlocked.Increment(ref _reconnects);

    public void RecordSubscriptionFrames(int count) => Interlocked.Add(ref _subscriptionsSent, count);
}
