using Cloudwall.Rx.Core;
using Cloudwall.Rx.Pricing.Aggregation;

namespace Cloudwall.Rx.Tests.Unit.Aggregation;

/// <summary>
/// Back-filled trades (<see cref="EventFlags.Backfill"/>) revise the bars of pre-aggregation mode: virtual time, 1 s bars,
/// the partition clock passed in by hand.
/// </summary>
public sealed class BarRevisionTests
{
    private const long T0 = 1_767_225_600_000_000_000; // aligned to a second
    private const long Ms = 1_000_000;
    private const long S = 1000 * Ms;

    private sealed class Bars : IBarPublisher
    {
        public List<Bar> Published { get; } = [];

        public void PublishBar(in Bar bar) => Published.Add(bar);
    }

    private static MarketEvent Live(decimal price, decimal size, long exchangeNs) => new()
    {
        Kind = EventKind.Trade, Instrument = new InstrumentId(1), Venue = VenueId.Coinbase, Provider = ProviderId.Coinbase,
        Price = price, Size = size, ExchangeTimeNs = exchangeNs, ReceiveTimeNs = exchangeNs + 2 * Ms,
    };

    private static MarketEvent Backfill(decimal price, decimal size, long exchangeNs, long receiveNs) =>
        Live(price, size, exchangeNs) with { ReceiveTimeNs = receiveNs, Flags = EventFlags.Backfill };

    /// <summary>Two live trades in [T0, T0 + 1 s), published as revision 0 by the tick at T0 + 1 s.</summary>
    private static (BarAggregator Agg, Bars Sink) PublishedBar(AggregationOptions? options = null)
    {
        var sink = new Bars();
        var agg = new BarAggregator(1, options ?? new AggregationOptions { Interval = TimeSpan.FromSeconds(1) }, sink);
        agg.OnEvent(0, Live(100m, 1m, T0 + 100 * Ms), T0 + 102 * Ms);
        agg.OnEvent(0, Live(101m, 1m, T0 + 500 * Ms), T0 + 502 * Ms);
        agg.OnTick(0, T0 + S);
        var first = Assert.Single(sink.Published);
        Assert.Equal((0, 2L, 100m, 101m), (first.Revision, first.Count, first.Open, first.Close));
        return (agg, sink);
    }

    [Fact]
    public void A_backfilled_trade_in_a_published_bar_re_emits_the_whole_bar_as_revision_1_on_the_next_tick()
    {
        var (agg, sink) = PublishedBar();

        agg.OnBackfill(0, Backfill(105m, 2m, T0 + 300 * Ms, T0 + 3 * S), T0 + 3 * S);
        Assert.Single(sink.Published); // once per tick, not per trade
        agg.OnTick(0, T0 + 3 * S + 100 * Ms);

        var revised = sink.Published[1];
        Assert.Equal((T0, S, 1), (revised.StartTimeNs, revised.IntervalNs, revised.Revision));
        Assert.Equal((100m, 105m, 100m, 101m), (revised.Open, revised.High, revised.Low, revised.Close)); // 300 ms lies between the live ones
        Assert.Equal((4m, 3L), (revised.Volume, revised.Count));
        Assert.Equal(Math.Round((100m + 101m + 210m) / 4m, 4), revised.Vwap);
        Assert.Equal((T0 + 100 * Ms, T0 + 500 * Ms), (revised.FirstExchangeTimeNs, revised.LastExchangeTimeNs));
        Assert.Equal(T0 + 3 * S, revised.FirstReceiveTimeNs); // latency of a correction counts from its back-filled input
        Assert.Equal((2L, 1L, 0L), (agg.BarsPublished, agg.BarsRevised, agg.BackfillTooLate));

        agg.OnTick(0, T0 + 4 * S);
        Assert.Equal(2, sink.Published.Count); // nothing changed since: no further version
    }

    [Fact]
    public void A_second_batch_gives_revision_2_with_both_batches_in_it()
    {
        var (agg, sink) = PublishedBar();
        agg.OnBackfill(0, Backfill(99m, 1m, T0 + 200 * Ms, T0 + 3 * S), T0 + 3 * S);
        agg.OnTick(0, T0 + 3 * S + 100 * Ms);
        agg.OnBackfill(0, Backfill(98m, 1m, T0 + 700 * Ms, T0 + 60 * S), T0 + 60 * S);
        agg.OnTick(0, T0 + 60 * S + 100 * Ms);

        Assert.Equal([0, 1, 2], sink.Published.Select(b => b.Revision));
        Assert.All(sink.Published, b => Assert.Equal(T0, b.StartTimeNs));
        var second = sink.Published[2];
        Assert.Equal((4L, 98m, 98m), (second.Count, second.Low, second.Close)); // 700 ms is now the latest trade
        Assert.Equal(2, agg.BarsRevised);
    }

    [Fact]
    public void A_thousand_backfilled_trades_in_one_bar_between_two_ticks_give_one_revision()
    {
        var (agg, sink) = PublishedBar();
        for (var i = 0; i < 1000; i++)
        {
            agg.OnBackfill(0, Backfill(100m + (i % 10) / 10m, 0.01m, T0 + 600 * Ms + i * 100_000, T0 + 5 * S + i), T0 + 5 * S + i);
        }

        agg.OnTick(0, T0 + 5 * S + 100 * Ms);

        Assert.Equal(2, sink.Published.Count);
        var revised = sink.Published[1];
        Assert.Equal((1, 1002L), (revised.Revision, revised.Count));
        Assert.Equal(2m + 10m, revised.Volume);
        Assert.Equal(100.9m, revised.Close); // the last by exchange time: i = 999
        Assert.Equal(T0 + 600 * Ms + 999 * 100_000, revised.LastExchangeTimeNs);
        Assert.Equal(1, agg.BarsRevised);
    }

    [Fact]
    public void Open_and_close_follow_exchange_time_not_arrival()
    {
        var (agg, sink) = PublishedBar();
        // Arrive latest first: the close is the one at 900 ms, the open the one at 10 ms, whatever the order they came in.
        agg.OnBackfill(0, Backfill(110m, 1m, T0 + 900 * Ms, T0 + 3 * S), T0 + 3 * S);
        agg.OnBackfill(0, Backfill(90m, 1m, T0 + 10 * Ms, T0 + 3 * S + 1), T0 + 3 * S + 1);
        agg.OnBackfill(0, Backfill(95m, 1m, T0 + 50 * Ms, T0 + 3 * S + 2), T0 + 3 * S + 2);
        agg.OnBackfill(0, Backfill(108m, 1m, T0 + 800 * Ms, T0 + 3 * S + 3), T0 + 3 * S + 3);
        agg.OnTick(0, T0 + 4 * S);

        var revised = sink.Published[1];
        Assert.Equal((90m, 110m, 90m, 110m), (revised.Open, revised.High, revised.Low, revised.Close));
        Assert.Equal((T0 + 10 * Ms, T0 + 900 * Ms), (revised.FirstExchangeTimeNs, revised.LastExchangeTimeNs));
    }

    [Fact]
    public void Backfill_older_than_the_window_is_counted_and_not_emitted()
    {
        var (agg, sink) = PublishedBar(new AggregationOptions { Interval = TimeSpan.FromSeconds(1), RevisionWindow = TimeSpan.FromMinutes(1) });
        var now = T0 + S + 60 * S; // the bar ended exactly one window ago
        agg.OnBackfill(0, Backfill(105m, 1m, T0 + 300 * Ms, now), now);
        agg.OnTick(0, now + 100 * Ms);

        Assert.Single(sink.Published);
        Assert.Equal((1L, 0L), (agg.BackfillTooLate, agg.BarsRevised));

        // One nanosecond inside the window still revises.
        var (inWindow, inSink) = PublishedBar(new AggregationOptions { Interval = TimeSpan.FromSeconds(1), RevisionWindow = TimeSpan.FromMinutes(1) });
        inWindow.OnBackfill(0, Backfill(105m, 1m, T0 + 300 * Ms, now - 1), now - 1);
        inWindow.OnTick(0, now);
        Assert.Equal(1, inSink.Published[^1].Revision);
    }

    [Fact]
    public void Backfill_before_the_aggregator_started_or_without_an_exchange_time_is_counted_and_not_emitted()
    {
        var (agg, sink) = PublishedBar();
        agg.OnBackfill(0, Backfill(105m, 1m, T0 - 500 * Ms, T0 + 3 * S), T0 + 3 * S); // a bar another process may have published
        agg.OnBackfill(0, Backfill(105m, 1m, 0, T0 + 3 * S), T0 + 3 * S);
        agg.OnTick(0, T0 + 4 * S);

        Assert.Single(sink.Published);
        Assert.Equal(2, agg.BackfillTooLate);
    }

    [Fact]
    public void Backfill_in_the_open_interval_joins_the_open_bar_without_a_revision()
    {
        var (agg, sink) = PublishedBar();
        agg.OnEvent(0, Live(102m, 1m, T0 + S + 500 * Ms), T0 + S + 502 * Ms);
        agg.OnBackfill(0, Backfill(103m, 1m, T0 + S + 100 * Ms, T0 + S + 600 * Ms), T0 + S + 600 * Ms);
        agg.OnTick(0, T0 + S + 700 * Ms);
        Assert.Single(sink.Published); // still open

        agg.OnTick(0, T0 + 2 * S);
        var bar = sink.Published[1];
        Assert.Equal((T0 + S, 0, 2L), (bar.StartTimeNs, bar.Revision, bar.Count));
        Assert.Equal((103m, 102m), (bar.Open, bar.Close)); // by exchange time
        Assert.Equal(0, agg.BarsRevised);
    }

    [Fact]
    public void Backfill_in_an_interval_that_had_no_bar_publishes_its_first_version()
    {
        var (agg, sink) = PublishedBar();
        // The live stream was down over [T0 + 1 s, T0 + 3 s): no bars there.
        agg.OnBackfill(0, Backfill(104m, 1m, T0 + 2 * S + 400 * Ms, T0 + 5 * S), T0 + 5 * S);
        agg.OnBackfill(0, Backfill(103m, 1m, T0 + 2 * S + 300 * Ms, T0 + 5 * S + 1), T0 + 5 * S + 1);
        agg.OnTick(0, T0 + 5 * S + 100 * Ms);
        agg.OnBackfill(0, Backfill(106m, 1m, T0 + 2 * S + 900 * Ms, T0 + 6 * S), T0 + 6 * S);
        agg.OnTick(0, T0 + 6 * S + 100 * Ms);

        Assert.Equal(3, sink.Published.Count);
        var (first, second) = (sink.Published[1], sink.Published[2]);
        Assert.Equal((T0 + 2 * S, 0, 2L, 103m, 104m), (first.StartTimeNs, first.Revision, first.Count, first.Open, first.Close));
        Assert.Equal((T0 + 2 * S, 1, 3L, 106m), (second.StartTimeNs, second.Revision, second.Count, second.Close));
        Assert.Equal(1, agg.BarsRevised);
    }

    [Fact]
    public void A_full_ring_drops_its_oldest_bar_and_backfill_for_it_is_then_too_late()
    {
        var sink = new Bars();
        var ringShort = new List<(int Partition, long From)>();
        var agg = new BarAggregator(1, new AggregationOptions { Interval = TimeSpan.FromSeconds(1), MaxRetainedBarsPerPartition = 2 }, sink,
            (partition, from) => ringShort.Add((partition, from)));
        for (var i = 0; i < 4; i++)
        {
            agg.OnEvent(0, Live(100m + i, 1m, T0 + i * S + 100 * Ms), T0 + i * S + 100 * Ms);
        }

        agg.OnTick(0, T0 + 4 * S); // bars at 0 s ... 3 s: those at 0 s and 1 s left the ring of 2
        agg.OnBackfill(0, Backfill(90m, 1m, T0 + S + 500 * Ms, T0 + 5 * S), T0 + 5 * S);
        agg.OnBackfill(0, Backfill(90m, 1m, T0 + 2 * S + 500 * Ms, T0 + 5 * S), T0 + 5 * S);
        agg.OnTick(0, T0 + 5 * S + 100 * Ms);

        Assert.Equal(5, sink.Published.Count);
        Assert.Equal((T0 + 2 * S, 1), (sink.Published[4].StartTimeNs, sink.Published[4].Revision));
        Assert.Equal(1, agg.BackfillTooLate);
        Assert.Equal((0, T0 + S), Assert.Single(ringShort)); // once, not once per bar dropped
    }

    [Fact]
    public void With_revisions_off_backfill_only_joins_the_open_bar()
    {
        var (agg, sink) = PublishedBar(new AggregationOptions { Interval = TimeSpan.FromSeconds(1), RevisionWindow = TimeSpan.Zero });
        agg.OnBackfill(0, Backfill(105m, 1m, T0 + 300 * Ms, T0 + 2 * S), T0 + 2 * S);
        agg.OnBackfill(0, Backfill(106m, 1m, T0 + 2 * S + 100 * Ms, T0 + 2 * S + 200 * Ms), T0 + 2 * S + 200 * Ms);
        agg.FlushAll();

        Assert.Equal([0, 0], sink.Published.Select(b => b.Revision));
        Assert.Equal((T0 + 2 * S, 106m), (sink.Published[1].StartTimeNs, sink.Published[1].Close));
        Assert.Equal(1, agg.BackfillTooLate);
    }

    [Fact]
    public void Flush_publishes_pending_revisions()
    {
        var (agg, sink) = PublishedBar();
        agg.OnBackfill(0, Backfill(105m, 1m, T0 + 300 * Ms, T0 + 2 * S), T0 + 2 * S);
        agg.FlushAll();
        Assert.Equal(1, sink.Published[^1].Revision);
    }

    [Fact]
    public void Publishing_and_keeping_bars_allocates_nothing_once_the_ring_is_warm()
    {
        var agg = new BarAggregator(1, new AggregationOptions { Interval = TimeSpan.FromSeconds(1), RevisionWindow = TimeSpan.FromSeconds(30) }, new NoBars());
        var e = Live(63000.10m, 0.5m, T0);
        for (var i = 0; i < 200; i++) // well past the window: the ring stops growing and turns over
        {
            agg.OnEvent(0, e, T0 + i * S);
            agg.OnTick(0, T0 + i * S + 500 * Ms);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 200; i < 2200; i++)
        {
            agg.OnEvent(0, e, T0 + i * S);
            agg.OnTick(0, T0 + i * S + 500 * Ms);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(2199, agg.BarsPublished);
    }

    [Fact]
    public void A_bad_revision_window_or_ring_size_is_named()
    {
        var errors = new AggregationOptions { RevisionWindow = TimeSpan.FromSeconds(-1), MaxRetainedBarsPerPartition = 0 }.Errors().ToList();
        Assert.Contains(errors, e => e.StartsWith("Pipeline:Aggregation:RevisionWindow", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Pipeline:Aggregation:MaxRetainedBarsPerPartition", StringComparison.Ordinal));
        Assert.Empty(new AggregationOptions().Errors());
    }

    private sealed class NoBars : IBarPublisher
    {
        public void PublishBar(in Bar bar)
        {
        }
    }
}
