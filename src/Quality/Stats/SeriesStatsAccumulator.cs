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
/// Time is explicit: callers pass "now" in UTC ns (from their <see cref="TimeProvider"/>), so tests drive virtual time.
/// Windows are aligned to the epoch. Every known series gets a window at every boundary, with <c>Count = 0</c> when it
/// had no events, so no-data is visible. When the accumulator is not driven at all for longer than a window (no event
/// and no tick), the skipped windows are not emitted one by one: the next window starts at the aligned current time.
/// </remarks>
public sealed class SeriesStatsAccumulator
{
    private const int Buckets = LatencyHistogram.BucketCount;
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
    private int[] _exchangeBuckets = new int[16 * Buckets];
    private int[] _publishBuckets = new int[16 * Buckets];
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
            Add(ref s.Exchange, _exchangeBuckets.AsSpan(slot * Buckets, Buckets), EventTime.LatencyNs(e.ExchangeTimeNs, e.ReceiveTimeNs));
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
            Add(ref s.Publish, _publishBuckets.AsSpan(slot * Buckets, Buckets), nowNs - e.ReceiveTimeNs);
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
        var exchange = Stats(ref s.Exchange, _exchangeBuckets.AsSpan(slot * Buckets, Buckets));
        var publish = Stats(ref s.Publish, _publishBuckets.AsSpan(slot * Buckets, Buckets));
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

    private static LatencyStats Stats(ref Latency l, Span<int> buckets)
    {
        if (l.Samples == 0)
        {
            return default;
        }

        var p99 = LatencyHistogram.Quantile(buckets, l.Samples, 0.99, l.MinNs, l.MaxNs);
        var stats = new LatencyStats(l.MinNs / 1e9, l.SumNs / 1e9 / l.Samples, l.MaxNs / 1e9, p99 / 1e9, l.Samples);
        buckets.Clear();
        l = default;
        return stats;
    }

    private static void Add(ref Latency l, Span<int> buckets, long ns)
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
        buckets[LatencyHistogram.BucketOf(ns)]++;
    }

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
            Array.Resize(ref _exchangeBuckets, n * Buckets);
            Array.Resize(ref _publishBuckets, n * Buckets);
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
    }

    [StructLayout(LayoutKind.Auto)]
    private struct Latency
    {
        public long MinNs;
        public long MaxNs;
        public long SumNs;
        public long Samples;
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
