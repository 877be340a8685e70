using System.Diagnostics;
using System.Runtime.InteropServices;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Configuration;

namespace Cloudwall.Rx.Quality.Stats;

/// <summary>
/// Per-series statistics of one pricing partition, in fixed windows. Single-threaded: one partition owns one
/// accumulator, so there are no locks. <see cref="OnEvent"/> allocates nothing once a series is known (state lives in
/// flat arrays indexed through a dictionary keyed by a packed <see cref="long"/>); allocation happens when a series is
/// first seen and once per window boundary (the emitted <see cref="SeriesWindow"/> records).
/// </summary>
/// <remarks>
/// Latencies go into <see cref="LatencyHistogram"/>'s buckets, but a series keeps only <see cref="SparseEntries"/>
/// (bucket, count) pairs of its own, 32 B per latency: most series land in a few buckets per window (at 2,000
/// instruments a series sees a few events a second). The ninth distinct bucket in a window moves the series to a full
/// 226-bucket array from a pool shared by the partition's series, which goes back to the pool when the window closes.
/// The quantiles are those of the full histogram either way (a test holds them equal); memory is the pairs for every
/// series plus a full array per series busy in the same window, where it used to be two full arrays (1.8 KB) for every
/// series (bench/README.md, "Scaling in instruments").
/// </remarks>
/// <remarks>
/// Time is explicit: callers pass "now" in UTC ns (from their <see cref="TimeProvider"/>), so tests drive virtual time.
/// Windows are aligned to the epoch. Every known series gets a window at every boundary, with <c>Count = 0</c> when it
/// had no events, so no-data is visible. When the accumulator is not driven at all for longer than a window (no event
/// and no tick), the skipped windows are not emitted one by one: the next window starts at the aligned current time.
/// </remarks>
public sealed class SeriesStatsAccumulator
{
    private const int Buckets = LatencyHistogram.BucketCount;
    /// <summary>(bucket, count) pairs a series keeps per latency before it takes a full array from the pool.</summary>
    public const int SparseEntries = 8;
    private const int MaxSparseCount = 0xFF_FFFF;
    private readonly long _windowNs;
    private readonly int _maxSeries;
    private readonly Func<InstrumentId, MarketType> _marketOf;
    private readonly ActiveSubscriptionsLookup? _subscriptions;
    private readonly FairPriceLookup? _fairPrice;
    private readonly Dictionary<long, int> _index = [];
    private readonly int _clockSamples;
    // One clock offset estimator per provider × venue, shared by that source's series.
    private readonly Dictionary<int, int> _clockIndex = [];
    private ClockOffsetEstimator[] _clocks = new ClockOffsetEstimator[4];
    private ClockOffset?[] _clockEstimates = new ClockOffset?[4];
    private int _clockCount;
    private Series[] _series = new Series[16];
    // Per series and latency: SparseEntries packed pairs (bucket in the top 8 bits, count in the low 24; 0 is free).
    private int[] _exchangeBuckets = new int[16 * SparseEntries];
    private int[] _publishBuckets = new int[16 * SparseEntries];
    // Full histograms of the series busy in the open window (Latency.Dense is an index + 1), and the free ones.
    private readonly List<int[]> _dense = [];
    private readonly Stack<int> _freeDense = new();
    private int _count;
    private long _windowStart;
    private long _windowEnd;

    public SeriesStatsAccumulator(SeriesStatsOptions options, Func<InstrumentId, MarketType> marketOf,
        ActiveSubscriptionsLookup? activeSubscriptions = null, FairPriceLookup? fairPrice = null)
    {
        OptionsCheck.ThrowIfInvalid(options);
        _windowNs = options.Window.Ticks * 100;
        _maxSeries = options.MaxSeriesPerPartition;
        _clockSamples = options.ClockOffsetSamples;
        _marketOf = marketOf;
        _subscriptions = activeSubscriptions;
        _fairPrice = fairPrice;
    }

    /// <summary>Series known to this accumulator.</summary>
    public int SeriesCount => _count;

    /// <summary>Events not windowed because <see cref="SeriesStatsOptions.MaxSeriesPerPartition"/> was reached.</summary>
    public long DroppedEvents { get; private set; }

    /// <summary>Start of the open window (0 before the first call).</summary>
    public long WindowStartNs => _windowStart;

    /// <summary>End of the open window (0 before the first call).</summary>
    public long WindowEndNs => _windowEnd;

    /// <summary>Adds one event to the open window. <paramref name="nowNs"/> is when the partition processes (publishes) it.</summary>
    public void OnEvent(in MarketEvent e, long nowNs) => OnEvent(e, nowNs, nowNs);

    /// <summary>
    /// Adds one event to the open window; <paramref name="arrivedNs"/> (when it entered the platform) is what the series'
    /// newest-event time records, so the silence measured from it is the feed's, not our processing delay.
    /// </summary>
    public void OnEvent(in MarketEvent e, long nowNs, long arrivedNs)
    {
        if (!DataClassText.TryFromKind(e.Kind, out var dataClass))
        {
            return;
        }

        if (_windowEnd == 0)
        {
            Open(nowNs);
        }

        var slot = SlotOf(e.Provider, e.Venue, e.Instrument, dataClass);
        if (slot < 0)
        {
            DroppedEvents++;
            return;
        }

        ref var s = ref _series[slot];
        s.Count++;
        s.LastEventNs = Math.Max(s.LastEventNs, arrivedNs);
        var aux = dataClass == DataClass.Quote ? e.Aux : 0m;
        if (e.Price != s.PrevPrice || aux != s.PrevAux)
        {
            // The first event of a series counts as a change: it is news.
            s.Changes++;
            s.PrevPrice = e.Price;
            s.PrevAux = aux;
        }

        var price = e.MidOrPrice;
        if (price != 0m || dataClass == DataClass.Funding)
        {
            s.LastPrice = price;
            s.HasPrice = true;
        }

        if (dataClass == DataClass.Trade && e.Size > 0m)
        {
            s.PriceSize += e.Price * e.Size;
            s.Size += e.Size;
        }

        if (e.ExchangeTimeNs != 0)
        {
            // A venue clock ahead of ours makes this negative: that counts as no latency, the clock offset shows the skew.
            Add(ref s.Exchange, _exchangeBuckets.AsSpan(slot * SparseEntries, SparseEntries), EventTime.LatencyNs(e.ExchangeTimeNs, e.ReceiveTimeNs));
        }

        if (ClockOffsetEstimator.IsSample(e))
        {
            _clocks[s.Clock].Add(e.ReceiveTimeNs - e.ExchangeTimeNs);
        }

        // Without an exchange time the receive time is the best evidence of when data last arrived; with one ahead of
        // our clock, the receive time bounds it, so the message age never goes negative.
        s.LastExchangeTimeNs = Math.Max(s.LastExchangeTimeNs, EventTime.Effective(e, nowNs));

        if (e.ReceiveTimeNs != 0)
        {
            Add(ref s.Publish, _publishBuckets.AsSpan(slot * SparseEntries, SparseEntries), nowNs - e.ReceiveTimeNs);
        }
    }

    /// <summary>Counts a sequence gap in its series' open window (the series becomes known if it was not).</summary>
    public void OnSequenceGap(in SequenceGap gap)
    {
        if (!DataClassText.TryFromKind(gap.Kind, out var dataClass))
        {
            return;
        }

        if (_windowEnd == 0)
        {
            Open(gap.DetectedTimeNs);
        }

        var slot = SlotOf(gap.Provider, gap.Venue, gap.Instrument, dataClass);
        if (slot < 0)
        {
            DroppedEvents++;
            return;
        }

        _series[slot].Gaps++;
        _series[slot].Missing += Math.Max(0, gap.Missing);
    }

    /// <summary>
    /// Closes the open window when <paramref name="nowNs"/> has reached its end, appending one window per known series to
    /// <paramref name="output"/>. Returns how many were appended (0 when the window is still open).
    /// </summary>
    public int AdvanceTo(long nowNs, List<SeriesWindow> output)
    {
        if (_windowEnd == 0)
        {
            Open(nowNs);
            return 0;
        }

        if (nowNs < _windowEnd)
        {
            return 0;
        }

        for (var c = 0; c < _clockCount; c++)
        {
            _clockEstimates[c] = _clocks[c].Estimate();
        }

        for (var i = 0; i < _count; i++)
        {
            output.Add(Close(i));
        }

        Open(nowNs);
        AssertInvariants();
        return _count;
    }

    private void Open(long nowNs)
    {
        _windowStart = nowNs - (((nowNs % _windowNs) + _windowNs) % _windowNs);
        _windowEnd = _windowStart + _windowNs;
    }

    private SeriesWindow Close(int slot)
    {
        ref var s = ref _series[slot];
        var exchange = Stats(ref s.Exchange, _exchangeBuckets.AsSpan(slot * SparseEntries, SparseEntries));
        var publish = Stats(ref s.Publish, _publishBuckets.AsSpan(slot * SparseEntries, SparseEntries));
        decimal? fair = _fairPrice is not null && _fairPrice(s.Key.Instrument, out var fp) ? fp : null;
        var subscriptions = _subscriptions?.Invoke(s.Key) ?? 0;
        var window = new SeriesWindow(s.Key, _windowStart, _windowEnd, s.Count, s.HasPrice ? s.LastPrice : null,
            s.Size > 0m ? s.PriceSize / s.Size : null, exchange, publish, s.Gaps, s.Missing, s.LastExchangeTimeNs, subscriptions, fair,
            _clockEstimates[s.Clock], s.LastEventNs, s.Changes);
        s.Count = 0;
        s.Changes = 0;
        s.PriceSize = 0m;
        s.Size = 0m;
        s.Gaps = 0;
        s.Missing = 0;
        return window;
    }

    private LatencyStats Stats(ref Latency l, Span<int> sparse)
    {
        if (l.Samples == 0)
        {
            return default;
        }

        long p99;
        if (l.Dense > 0)
        {
            var dense = _dense[l.Dense - 1];
            p99 = LatencyHistogram.Quantile(dense, l.Samples, 0.99, l.MinNs, l.MaxNs);
            dense.AsSpan().Clear();
            _freeDense.Push(l.Dense - 1);
        }
        else
        {
            Span<int> counts = stackalloc int[Buckets]; // zeroed: the project does not skip locals' initialisation
            foreach (var entry in sparse)
            {
                if (entry != 0)
                {
                    counts[BucketOfEntry(entry)] += entry & MaxSparseCount;
                }
            }

            p99 = LatencyHistogram.Quantile(counts, l.Samples, 0.99, l.MinNs, l.MaxNs);
        }

        var stats = new LatencyStats(l.MinNs / 1e9, l.SumNs / 1e9 / l.Samples, l.MaxNs / 1e9, p99 / 1e9, l.Samples);
        sparse.Clear();
        l = default;
        return stats;
    }

    private void Add(ref Latency l, Span<int> sparse, long ns)
    {
        if (l.Samples == 0)
        {
            l.MinNs = ns;
            l.MaxNs = ns;
        }
        else
        {
            l.MinNs = Math.Min(l.MinNs, ns);
            l.MaxNs = Math.Max(l.MaxNs, ns);
        }

        l.SumNs += ns;
        l.Samples++;
        var bucket = LatencyHistogram.BucketOf(ns);
        if (l.Dense > 0)
        {
            _dense[l.Dense - 1][bucket]++;
            return;
        }

        for (var i = 0; i < sparse.Length; i++)
        {
            var entry = sparse[i];
            if (entry == 0)
            {
                sparse[i] = PackEntry(bucket, 1);
                return;
            }

            if (BucketOfEntry(entry) == bucket && (entry & MaxSparseCount) < MaxSparseCount)
            {
                sparse[i] = entry + 1;
                return;
            }
        }

        // A ninth bucket (or a full count): the series takes a full histogram until the window closes.
        var index = RentDense();
        var dense = _dense[index];
        foreach (var entry in sparse)
        {
            dense[BucketOfEntry(entry)] += entry & MaxSparseCount;
        }

        dense[bucket]++;
        sparse.Clear();
        l.Dense = index + 1;
    }

    private int RentDense()
    {
        if (_freeDense.TryPop(out var index))
        {
            return index;
        }

        _dense.Add(new int[Buckets]);
        return _dense.Count - 1;
    }

    private static int PackEntry(int bucket, int count) => (int)(((uint)bucket << 24) | (uint)count);

    private static int BucketOfEntry(int entry) => (int)((uint)entry >> 24);

    private int SlotOf(ProviderId provider, VenueId venue, InstrumentId instrument, DataClass dataClass)
    {
        // Packed key: 8 bits provider, 8 venue, 8 data class, 32 instrument. The market follows from the instrument.
        var packed = ((long)provider.Code << 48) | ((long)venue.Code << 40) | ((long)dataClass << 32) | (uint)instrument.Value;
        if (_index.TryGetValue(packed, out var slot))
        {
            return slot;
        }

        return _count >= _maxSeries ? -1 : AddSeries(packed, new SeriesKey(provider, venue, instrument, dataClass, _marketOf(instrument)));
    }

    private int AddSeries(long packed, SeriesKey key)
    {
        if (_count == _series.Length)
        {
            var n = Math.Min(_series.Length * 2, Math.Max(_maxSeries, 16));
            Array.Resize(ref _series, n);
            Array.Resize(ref _exchangeBuckets, n * SparseEntries);
            Array.Resize(ref _publishBuckets, n * SparseEntries);
        }

        var slot = _count++;
        _series[slot] = new Series { Key = key, Clock = ClockOf(key.Provider, key.Venue) };
        _index.Add(packed, slot);
        return slot;
    }

    private int ClockOf(ProviderId provider, VenueId venue)
    {
        var packed = (provider.Code << 8) | venue.Code;
        if (_clockIndex.TryGetValue(packed, out var clock))
        {
            return clock;
        }

        if (_clockCount == _clocks.Length)
        {
            Array.Resize(ref _clocks, _clockCount * 2);
            Array.Resize(ref _clockEstimates, _clockCount * 2);
        }

        clock = _clockCount++;
        _clocks[clock] = new ClockOffsetEstimator(_clockSamples);
        _clockIndex.Add(packed, clock);
        return clock;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_index.Count == _count, "every slot is indexed once");
        Debug.Assert(_windowEnd - _windowStart == _windowNs, "windows have the configured length");
        Debug.Assert(_freeDense.Count == _dense.Count, "every full histogram is back in the pool when a window closes");
    }

    [StructLayout(LayoutKind.Auto)]
    private struct Latency
    {
        public long MinNs;
        public long MaxNs;
        public long SumNs;
        public long Samples;
        /// <summary>1 + the index of the full histogram this latency took in the open window; 0 while its pairs suffice.</summary>
        public int Dense;
    }

    [StructLayout(LayoutKind.Auto)]
    private struct Series
    {
        public SeriesKey Key;
        /// <summary>Index of the provider × venue clock offset estimator.</summary>
        public int Clock;
        public long Count;
        public decimal LastPrice;
        public bool HasPrice;
        public decimal PriceSize;
        public decimal Size;
        public Latency Exchange;
        public Latency Publish;
        public long Gaps;
        public long Missing;
        public long LastExchangeTimeNs;
        /// <summary>Processing time of the newest event (our clock).</summary>
        public long LastEventNs;
        /// <summary>Events in the open window whose price (quotes: bid or ask) differed from the previous event's.</summary>
        public long Changes;
        public decimal PrevPrice;
        /// <summary>The previous quote's ask (0 for other kinds, whose Aux is not a price).</summary>
        public decimal PrevAux;
    }
}
