using Cloudwall.Rx.Core;
using Cloudwall.Rx.Tests.Integration.Levels;

namespace Cloudwall.Rx.Tests.Integration.Bybit;

/// <summary>
/// Every data level of every Bybit kind (docs/venues.md, "Data levels", Bybit), built by the catalog with
/// <c>Providers:&lt;name&gt;:Level</c>, against its simulator through the real connector: the level subscribes its topics and
/// delivers the event kinds it promises, and nothing it does not.
/// </summary>
public sealed class BybitLevelTests
{
    [Theory]
    [InlineData("bybit-spot", "BTC-USDT.SPOT")]
    [InlineData("bybit-linear", "BTC-USDT.PERP")]
    [InlineData("bybit-inverse", "BTC-USD.PERP")]
    public async Task Trades_the_default_level_delivers_trades_as_before(string kind, string key)
    {
        await using var run = await LevelRun.StartAsync(kind, level: null);
        var derivatives = kind != "bybit-spot";
        await run.WaitUntilAsync(() => run.Count(key, EventKind.Trade) >= 10 && (!derivatives || run.Count(key, EventKind.Quote) >= 2), "trades");

        Assert.All(run.Subscribed, t => Assert.True(t.StartsWith("publicTrade.", StringComparison.Ordinal) || (derivatives && t.StartsWith("tickers.", StringComparison.Ordinal)), t));
        Assert.Empty(run.DeadLetters);
    }

    [Theory]
    [InlineData("bybit-spot", "BTC-USDT.SPOT")]
    [InlineData("bybit-linear", "BTC-USDT.PERP")]
    [InlineData("bybit-inverse", "BTC-USD.PERP")]
    public async Task Quotes_delivers_level_1_book_quotes_and_no_trades_and_still_prices_from_mids(string kind, string key)
    {
        await using var run = await LevelRun.StartAsync(kind, "quotes");
        await run.WaitUntilAsync(() => run.Count(key, EventKind.Quote) >= 10, "level-1 quotes");

        Assert.All(run.Subscribed, t => Assert.StartsWith("orderbook.1.", t, StringComparison.Ordinal));
        Assert.Equal(0, run.Count(EventKind.Trade));
        Assert.Equal(0, run.Count(EventKind.Mark));
        Assert.All(run.Events, q => Assert.True(q.Price > 0 && q.Aux > q.Price && q.Size > 0 && q.AuxSize > 0, "a two-sided, uncrossed quote"));
        Assert.Empty(run.DeadLetters);

        // Fair price and quality at a quotes-only level: the mid of each source's quote, weighted equally (docs/fair-price.md §4).
        var prices = run.FairPrices().Where(p => run.RefData.KeyOf(p.Instrument) == key && p.Method == FairPriceMethod.TradeBased).ToList();
        Assert.NotEmpty(prices);
        var last = run.Events.Last(e => run.RefData.KeyOf(e.Instrument) == key);
        Assert.InRange(prices[^1].Price, last.Price * 0.99m, last.Aux * 1.01m);
    }

    [Theory]
    [InlineData("bybit-linear", "BTC-USDT.PERP")]
    [InlineData("bybit-inverse", "BTC-USD.PERP")]
    public async Task Throttled_delivers_ticker_quotes_marks_and_funding_and_no_trades(string kind, string key)
    {
        await using var run = await LevelRun.StartAsync(kind, "throttled");
        await run.WaitUntilAsync(() => run.Count(key, EventKind.Quote) >= 3 && run.Count(key, EventKind.Mark) >= 3 &&
            run.Count(key, EventKind.Index) >= 3, "ticker quotes, marks and indices");

        Assert.All(run.Subscribed, t => Assert.StartsWith("tickers.", t, StringComparison.Ordinal));
        Assert.Equal(0, run.Count(EventKind.Trade));
        Assert.Empty(run.DeadLetters);
        Assert.Contains(run.FairPrices(), p => run.RefData.KeyOf(p.Instrument) == key && p.Method == FairPriceMethod.TradeBased);
    }
}
