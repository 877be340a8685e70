using Cloudwall.Rx.Core;
using Cloudwall.Rx.Tests.Integration.Levels;

namespace Cloudwall.Rx.Tests.Integration.Aggregator;

/// <summary>
/// The aggregator's data levels (docs/venues.md, "Data levels", Aggregator), built by the catalog with
/// <c>Providers:aggregator:Level</c>, against the catalog's simulator through the real connector.
/// </summary>
public sealed class AggregatorLevelTests
{
    private const string Btc = "BTC-USD.SPOT";

    [Fact]
    public async Task Trades_the_default_delivers_every_trade_with_its_id_and_side()
    {
        await using var run = await LevelRun.StartAsync("aggregator", level: null);
        await run.WaitUntilAsync(() => run.Count(Btc, EventKind.Trade) >= 20, "trades");

        Assert.All(run.Events, e => Assert.Equal(EventKind.Trade, e.Kind));
        Assert.All(run.Events, e => Assert.Equal(TradeIdKind.Numeric, e.TradeId.Kind));
        Assert.Contains(run.Events, e => e.Side == Side.Buy);
        Assert.Empty(run.DeadLetters);
    }

    [Fact]
    public async Task Bars_deliver_one_vwap_trade_per_series_and_second_whose_volume_and_notional_are_the_seconds_trades()
    {
        // The same simulator serves both levels: the bars are of the very trades the trades level sees.
        await using var trades = await LevelRun.StartAsync("aggregator", level: null);
        await using var bars = await LevelRun.StartAsync("aggregator", "bars", simulator: trades.Simulator);
        await bars.WaitUntilAsync(() => bars.Count(Btc, EventKind.Trade) >= 8, "eight BTC-USD bars (two exchanges, a few seconds)");

        Assert.All(bars.Events, e => Assert.Equal(EventKind.Trade, e.Kind));
        Assert.All(bars.Events, e => Assert.Equal(UnixTime.NanosPerSecond - 1, e.ExchangeTimeNs % UnixTime.NanosPerSecond)); // the last nanosecond of a second
        Assert.All(bars.Events, e => Assert.Equal((TradeIdKind.None, Side.Unknown), (e.TradeId.Kind, e.Side)));
        var perSecond = bars.Events.GroupBy(e => (e.Instrument, e.Venue, e.ExchangeTimeNs)).ToList();
        Assert.All(perSecond, g => Assert.Single(g));
        Assert.Empty(bars.DeadLetters);
        Assert.Equal(Enumerable.Range(1, bars.Events.Length).Select(i => (long)i), bars.Events.Select(e => e.Sequence)); // one call, contiguous

        // A bar whose second the trades run saw whole (it started before that second): volume and VWAP are those trades'.
        var firstTrade = trades.Events.Min(e => e.ExchangeTimeNs);
        var bar = bars.Events.First(e => e.ExchangeTimeNs + 1 - UnixTime.NanosPerSecond > firstTrade);
        var seconds = trades.Events.Where(e => e.Instrument == bar.Instrument && e.Venue == bar.Venue &&
            e.ExchangeTimeNs >= bar.ExchangeTimeNs + 1 - UnixTime.NanosPerSecond && e.ExchangeTimeNs <= bar.ExchangeTimeNs).ToList();
        Assert.Equal(bar.Size, seconds.Sum(e => e.Size));
        var vwap = seconds.Sum(e => e.Price * e.Size) / bar.Size;
        Assert.InRange(bar.Price - vwap, -0.0001m, 0.0001m);

        // Fair price at the bars level: the VWAP trades feed the trade window like trades (docs/fair-price.md, "Data levels").
        var price = bars.FairPrices().Last(p => bars.RefData.KeyOf(p.Instrument) == Btc && p.Method == FairPriceMethod.TradeBased);
        Assert.InRange(price.Price, bar.Price * 0.95m, bar.Price * 1.05m);
        Assert.True(price.SourcesUsed >= 1);
    }
}
