using Cloudwall.Rx.Core;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Integration.Levels;

/// <summary>
/// Each Coinbase Exchange data level, through the catalog's real connector against the Coinbase simulator on loopback,
/// delivers what docs/venues.md ("Data levels", Coinbase) promises.
/// </summary>
public sealed class CoinbaseLevelTests
{
    private const string Btc = "BTC-USD.SPOT";

    [Fact]
    public async Task Trades_the_default_level_delivers_every_trade_and_the_ticker_quotes()
    {
        await using var run = await LevelRun.StartAsync("coinbase", level: null, ["BTC-USD"]);

        await run.WaitUntilAsync(() => run.Count(Btc, EventKind.Trade) >= 20 && run.Count(Btc, EventKind.Quote) >= 5, "trades and quotes");

        Assert.Empty(run.DeadLetters);
        var trades = run.Events.Where(e => e.Kind == EventKind.Trade && !e.IsSnapshot).ToArray();
        Assert.All(trades, t => Assert.True(t.Size > 0m));
    }

    [Fact]
    public async Task Quotes_delivers_best_bid_and_ask_without_trades_and_still_prices_from_mids()
    {
        await using var run = await LevelRun.StartAsync("coinbase", "quotes", ["BTC-USD"]);

        await run.WaitUntilAsync(() => run.Count(Btc, EventKind.Quote) >= 20, "ticker quotes");

        Assert.Empty(run.DeadLetters);
        Assert.Equal(0, run.Count(EventKind.Trade)); // no matches channel: no last_match either
        var quotes = run.Events.Where(e => e.Kind == EventKind.Quote).ToArray();
        Assert.All(quotes, q => Assert.True(q.Price < q.Aux && q.Size > 0m && q.AuxSize > 0m));

        var fair = run.FairPriceOf(Btc);
        Assert.NotNull(fair);
        Assert.InRange(fair.Value.Price, quotes.Min(q => q.Price), quotes.Max(q => q.Aux));
    }

    [Fact]
    public async Task Throttled_delivers_one_ticker_per_product_per_five_seconds_and_no_trades()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromSeconds(30));
        await using var run = await LevelRun.StartAsync("coinbase", "throttled", ["BTC-USD", "ETH-USD"], simClock: clock);

        await run.WaitUntilAsync(() => run.Count(Btc, EventKind.Quote) >= 3 && run.Count("ETH-USD.SPOT", EventKind.Quote) >= 3, "three batches");

        Assert.Empty(run.DeadLetters);
        Assert.Equal(0, run.Count(EventKind.Trade));
        var times = run.Events.Where(e => e.Kind == EventKind.Quote && run.RefData.KeyOf(e.Instrument) == Btc).Select(e => e.ExchangeTimeNs).ToArray();
        // The batch carries the latest ticker, stamped at its match: 20 trades a second, so within 0.1 s of the batch.
        var spacings = times.Zip(times.Skip(1), (a, b) => TimeSpan.FromTicks((b - a) / 100)).ToArray();
        Assert.All(spacings, s => Assert.InRange(s, TimeSpan.FromSeconds(4.8), TimeSpan.FromSeconds(5.2)));
    }
}
