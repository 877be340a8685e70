using System.Runtime.InteropServices;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Configuration;

namespace Cloudwall.Rx.Pricing.Aggregation;

/// <summary>
/// A partition tap that folds every event into per-interval <see cref="Bar"/>s per series (instrument × venue × provider ×
/// kind) and publishes each bar once its interval has passed. Live events are bucketed on the partition's processing clock
/// (<c>nowNs</c>), so a bar is never reopened by a late live event. Back-filled trades (<see cref="OnBackfill"/>) are
/// bucketed by their exchange time and revise the published bar of their interval (<see cref="Bar.Revision"/>).
/// </summary>
/// <remarks>
/// Each partition's state is touched only by that partition's thread (no locks). After warm-up (a series seen once),
/// <see cref="OnEvent"/> allocates nothing: a dictionary lookup by a packed 64-bit key and decimal arithmetic on a struct slot.
/// Published trade bars stay in a bounded per-partition ring (<see cref="AggregationOptions.MaxRetainedBarsPerPartition"/>)
/// for <see cref="AggregationOptions.RevisionWindow"/> after their interval, so back-fill can correct them; a revised bar
/// goes out again on the next tick, once however many trades changed it.
/// Call <see cref="FlushAll"/> once the pipeline has completed to publish the open bars (clean shutdown).
/// </remarks>
public sealed class BarAggregator : IPartitionTap
{
    private readonly PartitionBars[] _partitions;
    private readonly IBarPublisher _publisher;
    private readonly Action<int, long>? _ringShort;
    private readonly long _intervalNs;
    private readonly long _revisionWindowNs;
    private readonly int _maxSeries;
    private long _barsPublished;
    private long _barsRevised;
    private long _eventsAggregated;
    private long _seriesCapped;
    private long _backfillTooLate;

    /// <param name="ringShort">
    /// Called (on the partition's thread) the first time a partition's ring of kept bars drops one still inside the revision
    /// window, with the partition and the start from which bars can still be revised: the ring is shorter than the window.
    /// </param>
    public BarAggregator(int partitions, AggregationOptions options, IBarPublisher publisher, Action<int, long>? ringShort = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(publisher);
        OptionsCheck.ThrowIfInvalid(options);
        _publisher = publisher;
        _ringShort = ringShort;
        _intervalNs = options.Interval.Ticks * 100;
        _revisionWindowNs = options.RevisionWindow.Ticks * 100;
        _maxSeries = options.MaxSeriesPerPartition;
        _partitions = new PartitionBars[partitions];
        for (var i = 0; i < partitions; i++)
        {
            _partitions[i] = new PartitionBars(i, options.MaxRetainedBarsPerPartition);
        }
    }

    /// <summary>Bars published, corrected versions (<see cref="BarsRevised"/>) included.</summary>
    public long BarsPublished => Interlocked.Read(ref _barsPublished);

    /// <summary>Corrected versions published (revision 1 and up): bars that back-filled trades changed after their first emission.</summary>
    public long BarsRevised => Interlocked.Read(ref _barsRevised);

    public long EventsAggregated => Interlocked.Read(ref _eventsAggregated);

    /// <summary>Events not aggregated because their partition already held <see cref="AggregationOptions.MaxSeriesPerPartition"/> series.</summary>
    public long SeriesCapped => Interlocked.Read(ref _seriesCapped);

    /// <summary>
    /// Back-filled trades not aggregated: their interval ended more than <see cref="AggregationOptions.RevisionWindow"/> ago,
    /// its bar left the full ring, it lies before this aggregator started, or the trade has no exchange time.
    /// </summary>
    public long BackfillTooLate => Interlocked.Read(ref _backfillTooLate);

    public long IntervalNs => _intervalNs;

    public void OnEvent(int partition, in MarketEvent e, long nowNs)
    {
        var state = _partitions[partition];
        if (!TrySlot(state, e, out var slot))
        {
            return;
        }

        var start = Align(nowNs);
        state.Begin(start);
        ref var acc = ref state.Slots[slot];
        if (acc.Count > 0 && acc.StartNs != start)
        {
            Publish(state, slot, ref acc, nowNs);
        }

        acc.Add(e, start);
        Aggregated(state);
    }

    /// <summary>
    /// A trade fetched back over REST after a gap (<see cref="EventFlags.Backfill"/>), bucketed by its exchange time: in the
    /// open interval it is simply aggregated; in a published bar within the revision window it updates that bar, which goes
    /// out again with the next revision on the next tick; older, it is counted (<see cref="BackfillTooLate"/>).
    /// </summary>
    public void OnBackfill(int partition, in MarketEvent e, long nowNs)
    {
        var state = _partitions[partition];
        var open = Align(nowNs);
        state.Begin(open);
        if (e.ExchangeTimeNs <= 0)
        {
            Interlocked.Increment(ref _backfillTooLate);
            return;
        }

        if (!TrySlot(state, e, out var slot))
        {
            return;
        }

        var bucket = Align(e.ExchangeTimeNs);
        ref var acc = ref state.Slots[slot];
        if (acc.Count > 0 && acc.StartNs == bucket)
        {
            acc.Merge(Accumulator.Of(e, bucket)); // not published yet: no revision
        }
        else if (bucket >= open)
        {
            // The open interval (or ahead of this clock): joins the open bar, as a live trade would.
            if (acc.Count > 0 && acc.StartNs != open)
            {
                Publish(state, slot, ref acc, nowNs);
            }

            acc.Merge(Accumulator.Of(e, open));
        }
        else if (bucket + _intervalNs <= nowNs - _revisionWindowNs || bucket < state.CompleteFromNs || _revisionWindowNs == 0)
        {
            Interlocked.Increment(ref _backfillTooLate);
            return;
        }
        else
        {
            ref var bar = ref state.Retained(slot, bucket, acc, this, nowNs);
            bar.Acc.Merge(Accumulator.Of(e, bucket));
            state.MarkDirty(ref bar, e.ReceiveTimeNs);
        }

        Aggregated(state);
    }

    public void OnTick(int partition, long nowNs)
    {
        var state = _partitions[partition];
        state.Begin(Align(nowNs));
        for (var i = 0; i < state.Count; i++)
        {
            ref var acc = ref state.Slots[i];
            if (acc.Count > 0 && acc.StartNs + _intervalNs <= nowNs)
            {
                Publish(state, i, ref acc, nowNs);
            }
        }

        PublishRevisions(state);
        state.Expire(nowNs - _revisionWindowNs - _intervalNs);
        PublishAggregatedCount(state);
    }

    /// <summary>Publishes every open bar and every pending revision. Only when no partition thread runs (after the pipeline completed).</summary>
    public void FlushAll()
    {
        foreach (var state in _partitions)
        {
            for (var i = 0; i < state.Count; i++)
            {
                ref var acc = ref state.Slots[i];
                if (acc.Count > 0)
                {
                    Publish(state, i, ref acc, long.MaxValue); // no clock: nothing kept is reckoned out of the window
                }
            }

            PublishRevisions(state);
            PublishAggregatedCount(state);
        }
    }

    private long Align(long ns) => ns - ((ns % _intervalNs) + _intervalNs) % _intervalNs;

    private bool TrySlot(PartitionBars state, in MarketEvent e, out int slot)
    {
        var key = ((long)e.Instrument.Value << 24) | ((long)e.Venue.Code << 16) | ((long)e.Provider.Code << 8) | (byte)e.Kind;
        if (state.Index.TryGetValue(key, out slot))
        {
            return true;
        }

        if (state.Count >= _maxSeries)
        {
            Interlocked.Increment(ref _seriesCapped);
            return false;
        }

        slot = state.Add(key, e);
        return true;
    }

    private void Aggregated(PartitionBars state)
    {
        state.Aggregated++;
        if ((state.Aggregated & 1023) == 0)
        {
            Interlocked.Add(ref _eventsAggregated, 1024);
        }
    }

    private void PublishAggregatedCount(PartitionBars state)
    {
        var pending = state.Aggregated & 1023;
        if (pending != 0)
        {
            Interlocked.Add(ref _eventsAggregated, pending);
            state.Aggregated -= pending;
        }
    }

    /// <summary>
    /// Publishes a series' closed bar and keeps it for revision (trade bars, while revisions are on). If its interval is kept
    /// already (the clock stepped back into an interval published or back-filled before), it joins that bar as a revision
    /// instead: one bar per series and start, revisions only increasing.
    /// </summary>
    private void Publish(PartitionBars state, int slot, ref Accumulator acc, long nowNs)
    {
        if (_revisionWindowNs > 0 && acc.Kind == EventKind.Trade)
        {
            if (state.TryFind(slot, acc.StartNs, out var kept))
            {
                ref var bar = ref state.Entries[kept];
                bar.Acc.Merge(acc);
                state.MarkDirty(ref bar, acc.FirstReceiveNs);
                acc.Count = 0;
                return;
            }

            state.Keep(slot, acc, emitted: true, this, nowNs);
        }

        _publisher.PublishBar(acc.ToBar(_intervalNs));
        acc.Count = 0;
        Interlocked.Increment(ref _barsPublished);
    }

    /// <summary>Publishes the kept bars back-fill changed since the last tick, each once, with its next revision.</summary>
    private void PublishRevisions(PartitionBars state)
    {
        for (var k = 0; state.DirtyCount > 0 && k < state.Kept; k++)
        {
            ref var bar = ref state.Entries[state.Position(k)];
            if (bar.Dirty)
            {
                PublishRevision(state, ref bar);
            }
        }
    }

    private void PublishRevision(PartitionBars state, ref KeptBar bar)
    {
        var revision = bar.Emitted ? bar.Revision + 1 : 0;
        // Input latency of a correction counts from the back-filled input that made it, not from the bar's first live one.
        _publisher.PublishBar(bar.Acc.ToBar(_intervalNs) with { Revision = revision, FirstReceiveTimeNs = bar.DirtySinceNs });
        bar.Revision = revision;
        bar.Emitted = true;
        bar.Dirty = false;
        state.DirtyCount--;
        Interlocked.Increment(ref _barsPublished);
        if (revision > 0)
        {
            Interlocked.Increment(ref _barsRevised);
        }
    }

    private sealed class PartitionBars(int partition, int maxKept)
    {
        public readonly Dictionary<long, int> Index = [];
        public Accumulator[] Slots = new Accumulator[64];
        public int Count;
        public long Aggregated;

        // The ring of kept bars, in the order they were kept; _keptIndex maps (series slot, start) to a position.
        private readonly Dictionary<(int Slot, long Start), int> _keptIndex = [];
        public KeptBar[] Entries = [];
        private int _head;
        public int Kept;
        public int DirtyCount;
        private bool _warnedShort;

        /// <summary>Every bar published from this start on is still kept (or was never published): back-fill before it is too late.</summary>
        public long CompleteFromNs = long.MaxValue;

        /// <summary>The first time the partition runs, bars before its first interval are not this aggregator's to revise.</summary>
        public void Begin(long openStart)
        {
            if (CompleteFromNs == long.MaxValue)
            {
                CompleteFromNs = openStart;
            }
        }

        public int Add(long key, in MarketEvent e)
        {
            if (Count == Slots.Length)
            {
                Array.Resize(ref Slots, Slots.Length * 2);
            }

            Slots[Count] = new Accumulator { Instrument = e.Instrument, Venue = e.Venue, Provider = e.Provider, Kind = e.Kind };
            Index.Add(key, Count);
            return Count++;
        }

        public int Position(int k) => (_head + k) % Entries.Length;

        public bool TryFind(int slot, long start, out int position) => _keptIndex.TryGetValue((slot, start), out position);

        /// <summary>The kept bar of a series and interval; a new one (never published) if the interval had no bar.</summary>
        public ref KeptBar Retained(int slot, long start, in Accumulator series, BarAggregator owner, long nowNs)
        {
            if (!TryFind(slot, start, out var position))
            {
                var empty = new Accumulator { Instrument = series.Instrument, Venue = series.Venue, Provider = series.Provider, Kind = series.Kind, StartNs = start };
                position = Keep(slot, empty, emitted: false, owner, nowNs);
            }

            return ref Entries[position];
        }

        public int Keep(int slot, in Accumulator acc, bool emitted, BarAggregator owner, long nowNs)
        {
            if (Kept == Entries.Length)
            {
                if (Entries.Length < maxKept)
                {
                    Grow(Math.Min(maxKept, Math.Max(64, Entries.Length * 2)));
                }
                else
                {
                    Evict(owner, nowNs);
                }
            }

            var position = (_head + Kept) % Entries.Length;
            Entries[position] = new KeptBar { Slot = slot, Acc = acc, Emitted = emitted };
            _keptIndex.Add((slot, acc.StartNs), position);
            Kept++;
            return position;
        }

        public void MarkDirty(ref KeptBar bar, long receiveNs)
        {
            if (!bar.Dirty)
            {
                bar.Dirty = true;
                bar.DirtySinceNs = receiveNs;
                DirtyCount++;
            }
        }

        /// <summary>Drops kept bars from the oldest while they started before <paramref name="startedBeforeNs"/> (none is dirty: revisions went out first).</summary>
        public void Expire(long startedBeforeNs)
        {
            while (Kept > 0 && Entries[_head].Acc.StartNs < startedBeforeNs)
            {
                RemoveHead();
            }
        }

        /// <summary>The ring is full: the oldest kept bar goes (its pending revision first), and back-fill before its end is now too late.</summary>
        private void Evict(BarAggregator owner, long nowNs)
        {
            ref var oldest = ref Entries[_head];
            if (oldest.Dirty)
            {
                owner.PublishRevision(this, ref oldest);
            }

            var end = oldest.Acc.StartNs + owner._intervalNs;
            if (end > nowNs - owner._revisionWindowNs && end > CompleteFromNs)
            {
                // Still inside the window: the ring is shorter than the window, which the operator should know (once).
                CompleteFromNs = end;
                if (!_warnedShort)
                {
                    _warnedShort = true;
                    owner._ringShort?.Invoke(partition, end);
                }
            }

            RemoveHead();
        }

        private void RemoveHead()
        {
            ref var oldest = ref Entries[_head];
            _keptIndex.Remove((oldest.Slot, oldest.Acc.StartNs));
            oldest = default;
            _head = (_head + 1) % Entries.Length;
            Kept--;
        }

        private void Grow(int capacity)
        {
            var entries = new KeptBar[capacity];
            for (var k = 0; k < Kept; k++)
            {
                entries[k] = Entries[Position(k)];
                _keptIndex[(entries[k].Slot, entries[k].Acc.StartNs)] = k;
            }

            Entries = entries;
            _head = 0;
        }
    }

    /// <summary>A published (or back-fill-only, not yet published) trade bar kept for revision.</summary>
    [StructLayout(LayoutKind.Auto)]
    private struct KeptBar
    {
        public Accumulator Acc;
        public int Slot;
        public int Revision;
        public long DirtySinceNs;
        public bool Emitted;
        public bool Dirty;
    }

    [StructLayout(LayoutKind.Auto)]
    private struct Accumulator
    {
        public InstrumentId Instrument;
        public VenueId Venue;
        public ProviderId Provider;
        public EventKind Kind;
        public long StartNs;
        public long Count;
        public decimal Open, High, Low, Close, Notional, Volume;
        public long FirstExchangeNs, LastExchangeNs, FirstReceiveNs;
        public byte MaxScale;

        /// <summary>One event as a bar of its own (the unit <see cref="Merge"/> folds in).</summary>
        public static Accumulator Of(in MarketEvent e, long start)
        {
            var acc = new Accumulator { Instrument = e.Instrument, Venue = e.Venue, Provider = e.Provider, Kind = e.Kind };
            acc.Add(e, start);
            return acc;
        }

        /// <summary>A live event, in arrival order: it is the close.</summary>
        public void Add(in MarketEvent e, long start)
        {
            var price = e.MidOrPrice;
            var scale = price.Scale;
            if (Count == 0)
            {
                StartNs = start;
                Open = High = Low = price;
                Notional = 0m;
                Volume = 0m;
                FirstExchangeNs = e.ExchangeTimeNs;
                FirstReceiveNs = e.ReceiveTimeNs;
                MaxScale = scale;
            }
            else
            {
                if (price > High) High = price;
                if (price < Low) Low = price;
                if (scale > MaxScale) MaxScale = scale;
            }

            Close = price;
            LastExchangeNs = e.ExchangeTimeNs;
            if (e.Kind == EventKind.Trade && e.Size > 0)
            {
                Volume += e.Size;
                Notional += price * e.Size;
            }

            Count++;
        }

        /// <summary>
        /// Folds in events that arrived out of order (back-fill): open and close go by exchange time, not arrival (on a tie
        /// the one already here stays), and the rest are sums and extremes.
        /// </summary>
        public void Merge(in Accumulator other)
        {
            if (other.Count == 0)
            {
                return;
            }

            if (Count == 0)
            {
                this = other; // the same series and interval
                return;
            }

            if (other.High > High) High = other.High;
            if (other.Low < Low) Low = other.Low;
            if (other.MaxScale > MaxScale) MaxScale = other.MaxScale;
            if (other.FirstExchangeNs < FirstExchangeNs)
            {
                Open = other.Open;
                FirstExchangeNs = other.FirstExchangeNs;
            }

            if (other.LastExchangeNs > LastExchangeNs)
            {
                Close = other.Close;
                LastExchangeNs = other.LastExchangeNs;
            }

            Volume += other.Volume;
            Notional += other.Notional;
            Count += other.Count;
        }

        public readonly Bar ToBar(long intervalNs) => new()
        {
            Instrument = Instrument,
            Venue = Venue,
            Provider = Provider,
            Kind = Kind,
            StartTimeNs = StartNs,
            IntervalNs = intervalNs,
            Open = Open,
            High = High,
            Low = Low,
            Close = Close,
            Vwap = Volume > 0 ? Math.Round(Notional / Volume, Math.Min(28, MaxScale + 4), MidpointRounding.ToEven) : Close,
            Volume = Volume,
            Count = Count,
            FirstExchangeTimeNs = FirstExchangeNs,
            LastExchangeTimeNs = LastExchangeNs,
            FirstReceiveTimeNs = FirstReceiveNs,
        };
    }
}
