namespace Cloudwall.Rx.Ingestion;

/// <summary>
/// Lock-free counters for one provider's ingestion, readable at any time by metrics and the console view.
/// </summary>
public sealed class IngestionCounters
{
    // One ingress cell per venue code (a byte): a connection takes its venue's cell once; the aggregator indexes by the
    // venue of each update. Cells are made on first use, so the array holds only venues that sent something.
    private readonly IngressCell?[] _ingress = new IngressCell?[byte.MaxValue + 1];
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

    /// <summary>Gap-fill: trades fetched back and breaks by outcome, per venue (docs/backfill.md).</summary>
    public Backfill.BackfillCounters Backfill { get; } = new();

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

    /// <summary>
    /// The counter of what this provider receives from <paramref name="venue"/> (<see cref="VenueId.None"/>: what a source of
    /// many venues receives for none in particular, such as its heartbeats). Made once per venue; hold on to it.
    /// </summary>
    public IngressCell Ingress(VenueId venue)
    {
        ref var slot = ref _ingress[venue.Code];
        if (Volatile.Read(ref slot) is { } cell)
        {
            return cell;
        }

        var made = new IngressCell(venue);
        return Interlocked.CompareExchange(ref slot, made, null) ?? made;
    }

    /// <summary>Payload bytes received, over every venue (<see cref="Ingress"/>).</summary>
    public long ReceivedBytes => IngressTotal(static c => c.Bytes);

    /// <summary>Messages received (WebSocket messages, gRPC stream messages), over every venue.</summary>
    public long ReceivedFrames => IngressTotal(static c => c.Frames);

    private long IngressTotal(Func<IngressCell, long> of)
    {
        var sum = 0L;
        foreach (var cell in _ingress)
        {
            if (cell is not null)
            {
                sum += of(cell);
            }
        }

        return sum;
    }

    /// <summary>What was received per venue, for the venues that sent anything, in venue-code order.</summary>
    public IReadOnlyList<VenueIngress> IngressByVenue()
    {
        var list = new List<VenueIngress>(2);
        foreach (var cell in _ingress)
        {
            if (cell is not null)
            {
                list.Add(new VenueIngress(cell.Venue, cell.Bytes, cell.Frames));
            }
        }

        return list;
    }

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

/// <summary>
/// What one provider received from one venue: payload bytes (a WebSocket message's payload, a gRPC message's serialized
/// size; not the framing, HTTP/2 or TLS around them) and messages, including control, acknowledgement and heartbeat
/// messages, which are paid ingress too. Lock-free; <see cref="Record"/> allocates nothing.
/// </summary>
public sealed class IngressCell
{
    private long _bytes;
    private long _frames;

    internal IngressCell(VenueId venue) => Venue = venue;

    public VenueId Venue { get; }

    public long Bytes => Volatile.Read(ref _bytes);

    public long Frames => Volatile.Read(ref _frames);

    /// <summary>One message of <paramref name="bytes"/> payload bytes.</summary>
    public void Record(long bytes)
    {
        Interlocked.Add(ref _bytes, bytes);
        Interlocked.Increment(ref _frames);
    }
}

/// <summary>A reading of one <see cref="IngressCell"/>.</summary>
public readonly record struct VenueIngress(VenueId Venue, long Bytes, long Frames);
