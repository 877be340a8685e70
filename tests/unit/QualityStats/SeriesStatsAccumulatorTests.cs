using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality;
using Cloudwall.Rx.Quality.Stats;

namespace Cloudwall.Rx.Tests.Unit.QualityStats;

public sealed class SeriesStatsAccumulatorTests
{
    private const long Second = 1_000_000_000L;
    private const long Ms = 1_000_000L;
    // A whole second since the epoch, so 1 s windows start here.
    private const long T0 = 1_767_225_600L * Second;
    private static readonly InstrumentId Btc = new(1);
    private static readonly InstrumentId Eth = new(2);

    private static SeriesStatsAccumulator New(FairPriceLookup? fair = null, ActiveSubscriptionsLookup? subs = null, int maxSeries = 8192) =>
        new(new SeriesStatsOptions { MaxSeriesPerPartition = maxSeries }, id => id == Eth ? MarketType.Perp : MarketType.Spot, subs, fair);

    private static MarketEvent Trade(InstrumentId id, decimal price, decimal size, long exchangeNs, long receiveNs, EventKind kind = EventKind.Trade) => new()
    {
        Kind = kind,
        Instrument = id,
        Provider = ProviderId.Coinbase,
        Venue = VenueId.Coinbase,
        Price = price,
        Size = size,
        ExchangeTimeNs = exchangeNs,
        ReceiveTimeNs = receiveNs,
    };

    [Fact]
    public void A_window_closes_on_the_aligned_boundary_and_carries_count_price_vwap_and_latencies()
    {
        var acc = New();
        var output = new List<SeriesWindow>();
        acc.OnEvent(Trade(Btc, 100.10m, 0.3m, T0 + (100 * Ms), T0 + (102 * Ms)), T0 + (103 * Ms));
        acc.OnEvent(Trade(Btc, 100.20m, 0.7m, T0 + (500 * Ms), T0 + (504 * Ms)), T0 + (505 * Ms));

        Assert.Equal(0, acc.AdvanceTo(T0 + (999 * Ms), output));
        Assert.Equal(1, acc.AdvanceTo(T0 + Second, output));

        var w = Assert.Single(output);
        Assert.Equal(new SeriesKey(ProviderId.Coinbase, VenueId.Coinbase, Btc, DataClass.Trade, MarketType.Spot), w.Key);
        Assert.Equal(T0, w.WindowStartNs);
        Assert.Equal(T0 + Second, w.WindowEndNs);
        Assert.Equal(2, w.Count);
        Assert.Equal(100.20m, w.LastPrice);
        Assert.Equal(((100.10m * 0.3m) + (100.20m * 0.7m)) / 1.0m, w.Vwap);
        Assert.Equal(0.002, w.ExchangeToReceive.MinSeconds, 9);
        Assert.Equal(0.004, w.ExchangeToReceive.MaxSeconds, 9);
        Assert.Equal(0.003, w.ExchangeToReceive.MeanSeconds, 9);
        Assert.Equal(2, w.ExchangeToReceive.Samples);
        Assert.Equal(0.001, w.ReceiveToPublish.MeanSeconds, 9);
        Assert.Equal(T0 + (500 * Ms), w.LastExchangeTimeNs);
        Assert.Null(w.FairPrice);
    }

    [Fact]
    public void A_known_series_without_events_gets_an_empty_window_so_no_data_is_visible()
    {
        var acc = New();
        var output = new List<SeriesWindow>();
        acc.OnEvent(Trade(Btc, 100m, 1m, T0 + Ms, T0 + (2 * Ms)), T0 + (2 * Ms));
        acc.AdvanceTo(T0 + Second, output);
        output.Clear();

        Assert.Equal(1, acc.AdvanceTo(T0 + (2 * Second) + (10 * Ms), output));

        var w = Assert.Single(output);
        Assert.Equal(T0 + Second, w.WindowStartNs);
        Assert.Equal(0, w.Count);
        Assert.Null(w.Vwap);
        Assert.Equal(100m, w.LastPrice); // the last known price is carried
        Assert.Equal(0, w.ExchangeToReceive.Samples);
        Assert.Equal(T0 + Ms, w.LastExchangeTimeNs);
    }

    [Fact]
    public void Series_are_split_by_provider_venue_instrument_data_class_and_market()
    {
        var acc = New();
        var output = new List<SeriesWindow>();
        acc.OnEvent(Trade(Btc, 100m, 1m, T0, T0), T0);
        acc.OnEvent(Trade(Btc, 100m, 1m, T0, T0, EventKind.Quote) with { Aux = 102m }, T0);
        acc.OnEvent(Trade(Eth, 10m, 1m, T0, T0), T0);
        acc.OnEvent(Trade(Btc, 100m, 1m, T0, T0) with { Provider = ProviderId.Kraken, Venue = VenueId.Kraken }, T0);
        acc.OnEvent(Trade(Btc, 0m, 0m, 0, 0, EventKind.Unknown), T0); // a tick is no series

        acc.AdvanceTo(T0 + Second, output);

        Assert.Equal(4, output.Count);
        Assert.Contains(output, w => w.Key.DataClass == DataClass.Quote && w.LastPrice == 101m && w.Vwap is null);
        Assert.Contains(output, w => w.Key.Instrument == Eth && w.Key.Market == MarketType.Perp);
        Assert.Contains(output, w => w.Key.Provider == ProviderId.Kraken);
    }

    [Fact]
    public void Vwap_is_exact_in_decimal()
    {
        var acc = New();
        var output = new List<SeriesWindow>();
        var prices = new[] { 0.1m, 0.2m, 0.3m, 97_123.45678901m, 1e-8m };
        var sizes = new[] { 3m, 1e-8m, 0.33333333m, 7m, 12345.6789m };
        decimal pq = 0, q = 0;
        for (var i = 0; i < prices.Length; i++)
        {
            acc.OnEvent(Trade(Btc, prices[i], sizes[i], T0, T0), T0);
            pq += prices[i] * sizes[i];
            q += sizes[i];
        }

        acc.AdvanceTo(T0 + Second, output);

        Assert.Equal(pq / q, Assert.Single(output).Vwap);
    }

    [Fact]
    public void P99_is_within_the_histogram_bucket_error()
    {
        var acc = New();
        var output = new List<SeriesWindow>();
        var rng = new Random(7);
        var latencies = new List<long>();
        for (var i = 0; i < 5000; i++)
        {
            // Mostly ~1 ms with a tail up to 200 ms.
            var ns = i % 50 == 0 ? rng.NextInt64(20 * Ms, 200 * Ms) : rng.NextInt64(500_000, 2 * Ms);
            latencies.Add(ns);
            acc.OnEvent(Trade(Btc, 1m, 1m, T0, T0 + ns), T0 + ns);
        }

        acc.AdvanceTo(T0 + Second, output);

        latencies.Sort();
        var exact = latencies[(int)Math.Ceiling(0.99 * latencies.Count) - 1];
        var (lower, upper) = LatencyHistogram.BoundsOf(LatencyHistogram.BucketOf(exact));
        var p99Ns = Assert.Single(output).ExchangeToReceive.P99Seconds * 1e9;
        Assert.InRange(Math.Abs(p99Ns - exact), 0, upper - lower);
        Assert.InRange(Math.Abs(p99Ns - exact) / exact, 0, 0.125);
    }

    [Theory]
    [InlineData(1, 5)]          // one bucket
    [InlineData(8, 40)]         // as many buckets as a series keeps pairs for
    [InlineData(9, 40)]         // one more: the series takes a full histogram
    [InlineData(60, 5_000)]     // spread wide
    public void P99_of_the_few_pairs_a_series_keeps_is_the_full_histograms(int buckets, int samples)
    {
        Assert.True(LatencyHistogram.BucketCount <= 256, "a pair keeps the bucket in 8 bits");
        var acc = New();
        var output = new List<SeriesWindow>();
        var rng = new Random(buckets);
        // Two windows of each series: a full histogram taken in the first goes back to the pool clean for the second.
        for (var window = 0; window < 2; window++)
        {
            var start = T0 + (window * Second);
            var reference = new Dictionary<InstrumentId, (int[] Counts, long Min, long Max, long N)>();
            foreach (var id in new[] { Btc, Eth, new InstrumentId(3) })
            {
                var counts = new int[LatencyHistogram.BucketCount];
                long min = long.MaxValue, max = long.MinValue;
                // Latencies from `buckets` buckets 8 apart (an octave), every one of them in the first `buckets` samples.
                for (var i = 0; i < samples; i++)
                {
                    var b = 1 + (8 * (i % buckets) % (LatencyHistogram.BucketCount - 2));
                    var (lower, upper) = LatencyHistogram.BoundsOf(b);
                    var ns = rng.NextInt64(lower, upper);
                    counts[LatencyHistogram.BucketOf(ns)]++;
                    min = Math.Min(min, ns);
                    max = Math.Max(max, ns);
                    acc.OnEvent(Trade(id, 100m, 1m, start - ns, start), start);
                }

                reference[id] = (counts, min, max, samples);
            }

            output.Clear();
            acc.AdvanceTo(start + Second, output);

            Assert.Equal(3, output.Count);
            foreach (var w in output)
            {
                var (counts, min, max, n) = reference[w.Key.Instrument];
                var expected = LatencyHistogram.Quantile(counts, n, 0.99, min, max) / 1e9;
                Assert.Equal(expected, w.ExchangeToReceive.P99Seconds);
                Assert.Equal(n, w.ExchangeToReceive.Samples);
            }
        }
    }

    [Fact]
    public void Histogram_buckets_cover_the_range_contiguously()
    {
        for (var b = 1; b < LatencyHistogram.BucketCount - 1; b++)
        {
            var (lower, upper) = LatencyHistogram.BoundsOf(b);
            Assert.Equal(b, LatencyHistogram.BucketOf(lower));
            Assert.Equal(b, LatencyHistogram.BucketOf(upper - 1));
            Assert.Equal(b + 1, LatencyHistogram.BucketOf(upper));
            Assert.InRange((upper - lower) / (double)lower, 0, 0.125);
        }

        Assert.Equal(0, LatencyHistogram.BucketOf(-5));
        Assert.Equal(LatencyHistogram.BucketCount - 1, LatencyHistogram.BucketOf(long.MaxValue));
    }

    [Fact]
    public void Sequence_gaps_fair_price_and_subscriptions_are_carried_by_the_window()
    {
        var acc = New(fair: (InstrumentId id, out decimal p) => { p = 99.5m; return id == Btc; }, subs: (in SeriesKey k) => k.Instrument == Btc ? 1 : 0);
        var output = new List<SeriesWindow>();
        acc.OnEvent(Trade(Btc, 100m, 1m, T0, T0), T0);
        acc.OnSequenceGap(new SequenceGap(ProviderId.Coinbase, VenueId.Coinbase, Btc, EventKind.Trade, 10, 15, T0 + Ms));
        acc.OnSequenceGap(new SequenceGap(ProviderId.Coinbase, VenueId.Coinbase, Btc, EventKind.Trade, 20, 22, T0 + Ms));
        // A gap on a series without events makes it known.
        acc.OnSequenceGap(new SequenceGap(ProviderId.Coinbase, VenueId.Coinbase, Eth, EventKind.Trade, 1, 3, T0 + Ms));

        acc.AdvanceTo(T0 + Second, output);

        var btc = output.Single(w => w.Key.Instrument == Btc);
        Assert.Equal(2, btc.SequenceGaps);
        Assert.Equal(5, btc.MissingSequences);
        Assert.Equal(99.5m, btc.FairPrice);
        Assert.Equal(1, btc.ActiveSubscriptions);
        var eth = output.Single(w => w.Key.Instrument == Eth);
        Assert.Equal(0, eth.Count);
        Assert.Equal(1, eth.SequenceGaps);
        Assert.Null(eth.FairPrice);

        output.Clear();
        acc.AdvanceTo(T0 + (2 * Second), output);
        Assert.All(output, w => Assert.Equal(0, w.SequenceGaps));
    }

    [Fact]
    public void Series_beyond_the_cap_are_counted_not_tracked()
    {
        var acc = New(maxSeries: 1);
        acc.OnEvent(Trade(Btc, 1m, 1m, T0, T0), T0);
        acc.OnEvent(Trade(Eth, 1m, 1m, T0, T0), T0);
        acc.OnEvent(Trade(Eth, 1m, 1m, T0, T0), T0);

        Assert.Equal(1, acc.SeriesCount);
        Assert.Equal(2, acc.DroppedEvents);
    }

    [Fact]
    public void OnEvent_allocates_nothing_after_warm_up()
    {
        var acc = New();
        var output = new List<SeriesWindow>(64);
        var events = new MarketEvent[64];
        for (var i = 0; i < events.Length; i++)
        {
            events[i] = Trade(new InstrumentId(1 + (i % 16)), 100m + i, 0.5m, T0 + i, T0 + (i * 1000), i % 2 == 0 ? EventKind.Trade : EventKind.Quote)
                with { Aux = 101m + i, Provider = new ProviderId((byte)(1 + (i % 3))) };
        }

        for (var round = 0; round < 3; round++)
        {
            foreach (var e in events)
            {
                acc.OnEvent(e, T0 + 5_000_000);
            }
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < 10_000; round++)
        {
            foreach (var e in events)
            {
                acc.OnEvent(e, T0 + 5_000_000);
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
