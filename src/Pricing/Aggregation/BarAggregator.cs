using System.Runtime.InteropServices;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Configuration;

namespace Cloudwall.Rx.Pricing.Aggregation;

/// <summary>
/// A partition tap that folds every event into per-interval <see cref="Bar"/>s per series (instrument × venue × provider ×
/// kind) and publishes each bar once its interval has passed. Intervals are aligned to multiples of the interval on the
/// partition's processing clock (<c>nowNs</c>), so a bar is never reopened by a late event.
/// </summary>
/// <remarks>
/// Each partition's state is touched only by that partition's thread (no locks). After warm-up (a series seen once),
/// <see cref="OnEvent"/> allocates nothing: a dictionary lookup by a packed 64-bit key and decimal arithmetic on a struct slot.
/// Call <see cref="FlushAll"/> once the pipeline has completed to publish the open bars (clean shutdown).
/// </remarks>
public sealed class BarAggregator : IPartitionTap
{
    private readonly PartitionBars[] _partitions;
    private readonly IBarPublisher _publisher;
    private readonly long _intervalNs;
    private readonly int _maxSeries;
    private long _barsPublished;
    private long _eventsAggregated;
    private long _seriesCapped;

    public BarAggregator(int partitions, AggregationOptions options, IBarPublisher publisher)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(publisher);
        OptionsCheck.ThrowIfInvalid(options);
        _publisher = publisher;
        _intervalNs = options.Interval.Ticks * 100;
        _maxSeries = options.MaxSeriesPerPartition;
        _partitions = new PartitionBars[partitions];
        for (var i = 0; i < partitions; i++)
        {
            _partitions[i] = new PartitionBars();
        }
    }

    public long BarsPublished => Interlocked.Read(ref _barsPublished);

    public long EventsAggregated => Interlocked.Read(ref _eventsAggregated);

    /// <summary>Events not aggregated because their partition already held <see cref="AggregationOptions.MaxSeriesPerPartition"/> series.</summary>
    public long SeriesCapped => Interlocked.Read(ref _seriesCapped);

    public long IntervalNs => _intervalNs;

    public void OnEvent(int partition, in MarketEvent e, long nowNs)
    {
        var state = _partitions[partition];
        var key = ((long)e.Instrument.Value << 24) | ((long)e.Venue.Code << 16) | ((long)e.Provider.Code << 8) | (byte)e.Kind;
        if (!state.Index.TryGetValue(key, out var slot))
        {
            if (state.Count >= _maxSeries)
            {
                Interlocked.Increment(ref _seriesCapped);
                return;
            }

            slot = state.Add(key, e);
        }

        var start = nowNs - ((nowNs % _intervalNs) + _intervalNs) % _intervalNs;
        ref var acc = ref state.Slots[slot];
        if (acc.Count > 0 && acc.StartNs != start)
        {
            Publish(ref acc);
        }

        acc.Add(e, start);
        state.Aggregated++;
        if ((state.Aggregated & 1023) == 0)
        {
            Interlocked.Add(ref _eventsAggregated, 1024);
        }
    }

    public void OnTick(int partition, long nowNs)
    {
        var state = _partitions[partition];
        for (var i = 0; i < state.Count; i++)
        {
            ref var acc = ref state.Slots[i];
            if (acc.Count > 0 && acc.StartNs + _intervalNs <= nowNs)
            {
                Publish(ref acc);
            }
        }

        PublishAggregatedCount(state);
    }

    /// <summary>Publishes every open bar. Only when no partition thread runs (after the pipeline completed).</summary>
    public void FlushAll()
    {
        foreach (var state in _partitions)
        {
            for (var i = 0; i < state.Count; i++)
            {
                ref var acc = ref state.Slots[i];
                if (acc.Count > 0)
                {
                    Publish(ref acc);
                }
            }

            PublishAggregatedCount(state);
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

    private void Publish(ref Accumulator acc)
    {
        _publisher.PublishBar(acc.ToBar(_intervalNs));
        acc.Count = 0;
        Interlocked.Increment(ref _barsPublished);
    }

    private sealed class PartitionBars
    {
        public readonly Dictionary<long, int> Index = [];
        public Accumulator[] Slots = new Accumulator[64];
        public int Count;
        public long Aggregated;

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
