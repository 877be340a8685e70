using Cloudwall.Rx.Core;
using Cloudwall.Rx.Pricing.Aggregation;

namespace Cloudwall.Rx.Tests.Unit.Aggregation;

public sealed class BarAggregatorTests
{
    private const long T0 = 1_767_225_600_000_000_000; // aligned to every interval we use
    private const long Ms = 1_000_000;

    private sealed class Bars : IBarPublisher
    {
        public List<Bar> Published { get; } = [];

        public void PublishBar(in Bar bar) => Published.Add(bar);
    }

    private static MarketEvent Trade(decimal price, decimal size, long atNs, int instrument = 1) => new()
    {
        Kind = EventKind.Trade, Instrument = new InstrumentId(instrument), Venue = VenueId.Coinbase, Provider = ProviderId.Coinbase,
        Price = price, Size = size, ExchangeTimeNs = atNs - 2 * Ms, ReceiveTimeNs = atNs,
    };

    [Fact]
    public void One_interval_of_trades_becomes_one_bar_with_ohlc_vwap_volume_count_and_exchange_times()
    {
        var sink = new Bars();
        var agg = new BarAggregator(1, new AggregationOptions { Enabled = true, Interval = TimeSpan.FromMilliseconds(250) }, sink);

        agg.OnEvent(0, Trade(100.0m, 1m, T0 + 10 * Ms), T0 + 10 * Ms);
        agg.OnEvent(0, Trade(102.5m, 3m, T0 + 20 * Ms), T0 + 20 * Ms);
        agg.OnEvent(0, Trade(99.25m, 1m, T0 + 30 * Ms), T0 + 30 * Ms);
        agg.OnTick(0, T0 + 249 * Ms);
        Assert.Empty(sink.Published); // the interval is still open

        agg.OnTick(0, T0 + 250 * Ms);
        var bar = Assert.Single(sink.Published);
        Assert.Equal((100.0m, 102.5m, 99.25m, 99.25m), (bar.Open, bar.High, bar.Low, bar.Close));
        Assert.Equal(5m, bar.Volume);
        Assert.Equal(3, bar.Count);
        Assert.Equal(Math.Round((100.0m + 307.5m + 99.25m) / 5m, 6), bar.Vwap); // finest price scale 2, plus 4 digits
        Assert.Equal(T0, bar.StartTimeNs);
        Assert.Equal(250 * Ms, bar.IntervalNs);
        Assert.Equal(T0 + 8 * Ms, bar.FirstExchangeTimeNs);
        Assert.Equal(T0 + 28 * Ms, bar.LastExchangeTimeNs);
        Assert.Equal(T0 + 10 * Ms, bar.FirstReceiveTimeNs);
        Assert.Equal(1, agg.BarsPublished);
        Assert.Equal(3, agg.EventsAggregated);
    }

    [Fact]
    public void An_event_in_a_new_interval_closes_the_old_bar_and_series_stay_apart()
    {
        var sink = new Bars();
        var agg = new BarAggregator(2, new AggregationOptions { Interval = TimeSpan.FromSeconds(1) }, sink);
        agg.OnEvent(0, Trade(10m, 1m, T0), T0);
        agg.OnEvent(1, Trade(20m, 1m, T0, instrument: 2), T0);
        agg.OnEvent(0, Trade(11m, 1m, T0 + 1000 * Ms), T0 + 1000 * Ms);

        var first = Assert.Single(sink.Published);
        Assert.Equal((10m, 1L), (first.Close, first.Count));

        agg.FlushAll();
        Assert.Equal(3, sink.Published.Count);
        Assert.Equal(3, sink.Published.Sum(b => b.Count));
        Assert.Contains(sink.Published, b => b.Instrument == new InstrumentId(2) && b.Close == 20m);
        Assert.Contains(sink.Published, b => b.StartTimeNs == T0 + 1000 * Ms && b.Close == 11m);
    }

    [Fact]
    public void Aggregating_an_event_allocates_nothing_after_warm_up()
    {
        var agg = new BarAggregator(1, new AggregationOptions { Interval = TimeSpan.FromSeconds(1) }, new Bars());
        var e = Trade(63000.10m, 0.5m, T0);
        for (var i = 0; i < 1000; i++)
        {
            agg.OnEvent(0, e, T0 + i);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100_000; i++)
        {
            agg.OnEvent(0, e with { Price = 63000.10m + (i % 7) }, T0 + 1000 + i);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Series_beyond_the_cap_are_counted_not_aggregated()
    {
        var sink = new Bars();
        var agg = new BarAggregator(1, new AggregationOptions { MaxSeriesPerPartition = 1 }, sink);
        agg.OnEvent(0, Trade(1m, 1m, T0, instrument: 1), T0);
        agg.OnEvent(0, Trade(1m, 1m, T0, instrument: 2), T0);
        Assert.Equal(1, agg.SeriesCapped);
    }

    [Fact]
    public void A_bad_interval_is_named()
    {
        var errors = new AggregationOptions { Interval = TimeSpan.FromTicks(15_000) }.Errors().ToList();
        Assert.Contains(errors, e => e.StartsWith("Pipeline:Aggregation:Interval", StringComparison.Ordinal));
    }
}
