using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Tests.Integration.Levels;

/// <summary>
/// Each Kraken spot v2 data level, through the catalog's real connector against the Kraken simulator on loopback, delivers
/// what docs/venues.md ("Data levels", Kraken) promises.
/// </summary>
public sealed class KrakenLevelTests
{
    private const string Btc = "BTC-USD.SPOT";

    [Fact]
    public async Task Trades_the_default_level_delivers_every_trade_and_the_ticker_quotes()
    {
        await using var run = await LevelRun.StartAsync("kraken", level: null, ["BTC/USD"]);

        await run.WaitUntilAsync(() => run.Count(Btc, EventKind.Trade) >= 20 && run.Count(Btc, EventKind.Quote) >= 5, "trades and quotes");

        Assert.Empty(run.DeadLetters);
        var ids = run.Events.Where(e => e.Kind == EventKind.Trade).Select(e => e.Sequence).ToArray();
        Assert.Equal(Enumerable.Range(0, ids.Length).Select(i => ids[0] + i), ids); // every trade, contiguous ids
    }

    [Fact]
    public async Task Quotes_delivers_the_bbo_triggered_ticker_without_trades_and_still_prices_from_mids()
    {
        await using var run = await LevelRun.StartAsync("kraken", "quotes", ["BTC/USD"]);

        await run.WaitUntilAsync(() => run.Count(Btc, EventKind.Quote) >= 20, "bbo ticker quotes");

        Assert.Empty(run.DeadLetters);
        Assert.Equal(0, run.Count(EventKind.Trade));
        var quotes = run.Events.Where(e => e.Kind == EventKind.Quote).ToArray();
        Assert.All(quotes, q => Assert.True(q.Price < q.Aux && q.Size > 0m && q.AuxSize > 0m));
        // bbo-triggered: each update changes the best bid or ask (the first is the subscribe snapshot).
        Assert.All(quotes.Skip(1).Zip(quotes.Skip(2)), p => Assert.True(p.First.Price != p.Second.Price || p.First.Aux != p.Second.Aux));

        var fair = run.FairPriceOf(Btc);
        Assert.NotNull(fair);
        Assert.InRange(fair.Value.Price, quotes.Min(q => q.Price), quotes.Max(q => q.Aux));
    }
}
