using Cloudwall.Rx.Core;
using Cloudwall.Rx.Tests.Integration.Levels;

namespace Cloudwall.Rx.Tests.Integration.Deribit;

/// <summary>
/// Each Deribit data level (docs/venues.md, "Data levels", Deribit), built by the catalog with <c>Providers:deribit:Level</c>,
/// against the catalog's simulator through the real connector.
/// </summary>
public sealed class DeribitLevelTests
{
    private const string Perp = "BTC-USD.PERP";

    [Fact]
    public async Task Throttled_the_default_delivers_every_trade_and_the_100ms_ticker()
    {
        await using var run = await LevelRun.StartAsync("deribit", level: null);
        await run.WaitUntilAsync(() => run.Count(Perp, EventKind.Trade) >= 10 && run.Count(Perp, EventKind.Quote) >= 3 &&
            run.Count(Perp, EventKind.Mark) >= 3 && run.Count(Perp, EventKind.Funding) >= 1, "trades and ticker events");

        Assert.All(run.Subscribed, c => Assert.EndsWith(".100ms", c, StringComparison.Ordinal));
        Assert.Empty(run.DeadLetters);
    }

    [Fact]
    public async Task Quotes_delivers_best_bid_and_ask_only_and_still_prices_from_mids()
    {
        await using var run = await LevelRun.StartAsync("deribit", "quotes");
        await run.WaitUntilAsync(() => run.Count(Perp, EventKind.Quote) >= 10 && run.Count("BTC-USD-20261225.FUT", EventKind.Quote) >= 3,
            "quotes on the perpetual and the future");

        Assert.All(run.Subscribed, c => Assert.StartsWith("quote.", c, StringComparison.Ordinal));
        Assert.All(run.Events, e => Assert.Equal(EventKind.Quote, e.Kind));
        Assert.All(run.Events, q => Assert.True(q.Price > 0 && q.Aux > q.Price && q.Size > 0 && q.AuxSize > 0, "a two-sided, uncrossed quote"));
        Assert.Empty(run.DeadLetters);

        // Fair price at a quotes-only level: quote mids, weighted equally (docs/fair-price.md §4).
        var last = run.Events.Last(e => run.RefData.KeyOf(e.Instrument) == Perp);
        var price = run.FairPrices().Last(p => run.RefData.KeyOf(p.Instrument) == Perp && p.Method == FairPriceMethod.TradeBased);
        Assert.InRange(price.Price, last.Price * 0.99m, last.Aux * 1.01m);
    }

    [Fact]
    public async Task The_platforms_simulator_refuses_raw_channels_as_the_venue_refuses_an_unauthorized_connection()
    {
        await using var run = await LevelRun.StartAsync("deribit", level: null);
        await using var client = await DeribitRpcClient.ConnectAsync(run.Simulator.Endpoint);

        var refused = await client.CallForResponseAsync("public/subscribe", new { channels = new[] { "trades.BTC-PERPETUAL.raw", "ticker.BTC-PERPETUAL.100ms" } });

        Assert.Equal(13778, refused.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("raw_subscriptions_not_available_for_unauthorized", refused.GetProperty("error").GetProperty("message").GetString());
        var ack = await client.CallForResponseAsync("public/subscribe", new { channels = new[] { "quote.BTC-PERPETUAL" } });
        Assert.Equal(["quote.BTC-PERPETUAL"], ack.GetProperty("result").EnumerateArray().Select(c => c.GetString()));
        var quote = await client.NotificationAsync("quote.BTC-PERPETUAL");
        Assert.True(quote.GetProperty("params").GetProperty("data").GetProperty("best_bid_price").GetDecimal() > 0);
    }
}
