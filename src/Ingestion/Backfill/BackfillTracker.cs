namespace Cloudwall.Rx.Ingestion.Backfill;

/// <summary>
/// One connection's memory of where each instrument's live trades stand, so that a break becomes a fill request with exact
/// bounds: the last live trade before it and the first live trade after it. The connection's receive loop calls
/// <see cref="OnTrade"/> for every trade it delivers, <see cref="OnGap"/> for every sequence gap and <see cref="OnReconnect"/>
/// after a reconnect; the coordinator asks <see cref="IsKnown"/> to drop what the stream delivered after all.
/// </summary>
/// <remarks>
/// What the stream delivered is remembered two ways: the last <see cref="RecentIds"/> trade ids of each instrument (copied
/// into the request when a break opens, for the trades that share the break's first timestamp), and, while a fill of the
/// instrument is pending, every id delivered since (bounded by <see cref="MaxSeenWhilePending"/>). A snapshot trade (history
/// on resubscribe) is remembered, but never closes a break: it may be older than the break's end. One lock, taken only for
/// trades and only when back-fill is on.
/// </remarks>
public sealed class BackfillTracker
{
    /// <summary>Trade ids remembered per instrument before a break.</summary>
    public const int RecentIds = 64;

    /// <summary>Trade ids remembered per instrument while its fill is pending.</summary>
    public const int MaxSeenWhilePending = 65_536;

    private readonly BackfillCoordinator _coordinator;
    private readonly ReferenceData _refData;
    private readonly SequenceScope _scope;
    private readonly Lock _gate = new();
    private readonly Dictionary<long, Series> _series = new();

    internal BackfillTracker(BackfillCoordinator coordinator, ReferenceData refData, SequenceScope scope, int connection)
    {
        _coordinator = coordinator;
        _refData = refData;
        _scope = scope;
        Connection = connection;
    }

    public int Connection { get; }

    /// <summary>Instruments with a break still open (waiting for their first live trade after it).</summary>
    public int OpenBreaks
    {
        get
        {
            lock (_gate)
            {
                return _series.Values.Count(s => s.Break is not null);
            }
        }
    }

    /// <summary>
    /// The stream lost updates it cannot attribute (a stream-wide sequence gap): every instrument with a live trade opens a
    /// break, as after a reconnect but counted as a gap.
    /// </summary>
    public void OnStreamGap()
    {
        lock (_gate)
        {
            foreach (var s in _series.Values)
            {
                OpenBreak(s, BackfillReason.SequenceGap);
            }
        }
    }

    /// <summary>A trade the connection delivered (live or snapshot). Closes the instrument's open break with a live trade.</summary>
    public void OnTrade(in MarketEvent e)
    {
        if (e.Kind != EventKind.Trade)
        {
            return;
        }

        BackfillTicket? ticket = null;
        lock (_gate)
        {
            if (!_series.TryGetValue(Key(e.Venue, e.Instrument), out var s))
            {
                s = new Series();
                _series.Add(Key(e.Venue, e.Instrument), s);
            }

            s.Remember(e.TradeId);
            if (e.IsSnapshot)
            {
                return;
            }

            if (s.Break is { } b && e.ExchangeTimeNs >= b.FromTimeNs)
            {
                s.Break = null;
                ticket = Open(in e, s, b);
                s.Settle();
            }

            s.LastTimeNs = e.ExchangeTimeNs;
            s.LastId = e.TradeId;
            s.HasLast = true;
        }

        if (ticket is not null)
        {
            _coordinator.Submit(ticket);
        }
    }

    /// <summary>
    /// A sequence gap on the connection: trades of the instrument may be lost when the gap is in its trades' numbering, or in a
    /// numbering shared by all its channels (Coinbase's per-product sequence). Opens a break from its last live trade.
    /// </summary>
    public void OnGap(in SequenceGap gap)
    {
        if (gap.Kind != EventKind.Trade && _scope != SequenceScope.PerInstrument)
        {
            return;
        }

        // A gap of a stream-wide numbering (no instrument) is OnStreamGap's: it opens every instrument's break.
        lock (_gate)
        {
            if (_series.TryGetValue(Key(gap.Venue, gap.Instrument), out var s))
            {
                OpenBreak(s, BackfillReason.SequenceGap);
            }
        }
    }

    /// <summary>The connection came back: every instrument with a live trade before opens a break from it.</summary>
    public void OnReconnect()
    {
        lock (_gate)
        {
            foreach (var s in _series.Values)
            {
                OpenBreak(s, BackfillReason.Reconnect);
            }
        }
    }

    /// <summary>True when the stream delivered this trade: before the ticket's break opened, or since (while pending).</summary>
    internal bool IsKnown(BackfillTicket ticket, TradeId id)
    {
        if (ticket.KnownBefore.Contains(id))
        {
            return true;
        }

        lock (_gate)
        {
            return _series.TryGetValue(Key(ticket.Request.Venue, ticket.Request.Instrument), out var s) && s.SeenWhilePending.Contains(id);
        }
    }

    /// <summary>The ticket's fill ended (whatever its outcome): the instrument stops remembering for it.</summary>
    internal void Done(BackfillTicket ticket)
    {
        lock (_gate)
        {
            if (_series.TryGetValue(Key(ticket.Request.Venue, ticket.Request.Instrument), out var s))
            {
                s.Pending = Math.Max(0, s.Pending - 1);
                s.Settle();
            }
        }
    }

    /// <summary>One series per venue and instrument: a source of many venues (the aggregator) carries one instrument on several.</summary>
    private static long Key(VenueId venue, InstrumentId instrument) => ((long)venue.Code << 32) | (uint)instrument.Value;

    private static void OpenBreak(Series s, BackfillReason reason)
    {
        // The earliest open break wins: a gap after a reconnect (or a second gap) before any live trade is the same break.
        if (s.HasLast && s.Break is null)
        {
            s.Break = new OpenedBreak(reason, s.LastTimeNs, s.LastId, s.RecentSnapshot());
            s.Recording = true;
        }
    }

    /// <summary>Gate held.</summary>
    private BackfillTicket? Open(in MarketEvent first, Series s, OpenedBreak b)
    {
        var symbol = _coordinator.SymbolOf(_refData, first.Instrument, first.Venue);
        if (symbol is null)
        {
            return null; // not an instrument the venue's REST API can be asked for (no venue symbol known)
        }

        s.Pending++;
        var request = new BackfillRequest(first.Provider, first.Venue, first.Instrument, symbol, Connection, b.Reason,
            b.FromTimeNs, b.FromId, first.ExchangeTimeNs, first.TradeId, _coordinator.NowNs);
        return new BackfillTicket(request, this, b.KnownBefore);
    }

    private sealed record OpenedBreak(BackfillReason Reason, long FromTimeNs, TradeId FromId, HashSet<TradeId> KnownBefore);

    /// <summary>One instrument on this connection. Guarded by the tracker's gate.</summary>
    private sealed class Series
    {
        private readonly TradeId[] _recent = new TradeId[RecentIds];
        private int _next;

        public bool HasLast;
        public long LastTimeNs;
        public TradeId LastId;
        public OpenedBreak? Break;
        public int Pending;

        /// <summary>True from a break's opening until its last fill is done: every id delivered meanwhile is kept.</summary>
        public bool Recording;
        public readonly HashSet<TradeId> SeenWhilePending = [];

        /// <summary>Stops recording (and forgets) once no break is open and no fill pending.</summary>
        public void Settle()
        {
            if (Break is null && Pending == 0)
            {
                Recording = false;
                SeenWhilePending.Clear();
            }
        }

        public void Remember(TradeId id)
        {
            if (id.IsNone)
            {
                return;
            }

            _recent[_next] = id;
            _next = (_next + 1) % _recent.Length;
            if (Recording && SeenWhilePending.Count < MaxSeenWhilePending)
            {
                SeenWhilePending.Add(id);
            }
        }

        public HashSet<TradeId> RecentSnapshot()
        {
            var set = new HashSet<TradeId>(RecentIds);
            foreach (var id in _recent)
            {
                if (!id.IsNone) set.Add(id);
            }

            return set;
        }
    }
}

/// <summary>A fill request with what its tracker knew when the break opened.</summary>
internal sealed record BackfillTicket(BackfillRequest Request, BackfillTracker Tracker, HashSet<TradeId> KnownBefore);
