using System.Text.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Simulation.Okx;
using Cloudwall.Rx.Tests.Integration.Simulation;

namespace Cloudwall.Rx.Tests.Integration.Levels;

/// <summary>
/// Each OKX data level, through the catalog's real connector against the OKX simulator on loopback (public and business
/// endpoints), delivers what docs/venues.md ("Data levels", OKX) promises; and the simulator serves each level's channels
/// on the right endpoint only.
/// </summary>
public sealed class OkxLevelTests
{
    private const string Spot = "BTC-USDT.SPOT";
    private const string Perp = "BTC-USDT.PERP";

    [Fact]
    public async Task Aggregated_the_default_delivers_trades_quotes_marks_and_funding_on_one_connection()
    {
        await using var run = await LevelRun.StartAsync("okx", level: null, ["BTC-USDT", "BTC-USDT-SWAP"]);

        await run.WaitUntilAsync(() => run.Count(Spot, EventKind.Trade) >= 20 && run.Count(Spot, EventKind.Quote) >= 3 &&
            run.Count(Perp, EventKind.Mark) >= 1 && run.Count(Perp, EventKind.Funding) >= 1, "trades, quotes, marks and funding");

        Assert.Empty(run.DeadLetters);
        Assert.Equal(1, run.Provider.ConnectionCount);
    }

    [Fact]
    public async Task Trades_delivers_every_trade_from_the_business_endpoint_and_quotes_from_the_public_one()
    {
        await using var run = await LevelRun.StartAsync("okx", "trades", ["BTC-USDT", "BTC-USDT-SWAP"]);

        await run.WaitUntilAsync(() => run.Count(Spot, EventKind.Trade) >= 20 && run.Count(Perp, EventKind.Trade) >= 20 &&
            run.Count(Spot, EventKind.Quote) >= 3 && run.Count(Perp, EventKind.Mark) >= 1, "trades-all trades and ticker quotes");

        Assert.Empty(run.DeadLetters);
        Assert.Equal(2, run.Provider.ConnectionCount); // one shard per route
        var ids = run.Events.Where(e => e.Kind == EventKind.Trade && run.RefData.KeyOf(e.Instrument) == Spot).Select(e => e.Sequence).ToArray();
        Assert.Equal(Enumerable.Range(0, ids.Length).Select(i => ids[0] + i), ids); // every fill, contiguous
    }

    [Fact]
    public async Task Quotes_delivers_bbo_tbt_quotes_and_marks_without_trades_and_still_prices_from_mids()
    {
        await using var run = await LevelRun.StartAsync("okx", "quotes", ["BTC-USDT", "BTC-USDT-SWAP"]);

        await run.WaitUntilAsync(() => run.Count(Spot, EventKind.Quote) >= 20 && run.Count(Perp, EventKind.Mark) >= 1, "bbo-tbt quotes and marks");

        Assert.Empty(run.DeadLetters);
        Assert.Equal(0, run.Count(EventKind.Trade));
        var quotes = run.Events.Where(e => e.Kind == EventKind.Quote && run.RefData.KeyOf(e.Instrument) == Spot).ToArray();
        Assert.All(quotes, q => Assert.True(q.Price < q.Aux && q.Size > 0m && q.AuxSize > 0m));
        Assert.All(quotes.Zip(quotes.Skip(1)), p => Assert.True(p.First.Price != p.Second.Price || p.First.Aux != p.Second.Aux)); // on change only

        var fair = run.FairPriceOf(Spot);
        Assert.NotNull(fair);
        Assert.InRange(fair.Value.Price, quotes.Min(q => q.Price), quotes.Max(q => q.Aux));
    }

    [Fact]
    public async Task Throttled_delivers_ticker_quotes_without_trades()
    {
        await using var run = await LevelRun.StartAsync("okx", "throttled", ["BTC-USDT"]);

        await run.WaitUntilAsync(() => run.Count(Spot, EventKind.Quote) >= 5, "ticker quotes");

        Assert.Empty(run.DeadLetters);
        Assert.Equal(0, run.Count(EventKind.Trade));
        Assert.NotNull(run.FairPriceOf(Spot));
    }

    [Fact]
    public async Task The_simulator_serves_trades_all_on_business_only_one_trade_a_push_and_bbo_tbt_as_book_levels()
    {
        await using var sim = await OkxSimulator.StartAsync(new OkxSimulatorOptions());
        Assert.Equal("/ws/v5/business", sim.BusinessEndpoint.AbsolutePath);

        await using (var onPublic = await CoinbaseTestClient.ConnectAsync(sim.Endpoint))
        {
            await onPublic.SendAsync("""{"op":"subscribe","args":[{"channel":"trades-all","instId":"BTC-USDT"}]}""");
            var error = await onPublic.ReceiveAsync();
            Assert.Equal("error", error.GetProperty("event").GetString());
            Assert.Equal("60018", error.GetProperty("code").GetString());

            await onPublic.SendAsync("""{"op":"subscribe","args":[{"channel":"bbo-tbt","instId":"BTC-USDT"}]}""");
            Assert.Equal("subscribe", (await onPublic.ReceiveAsync()).GetProperty("event").GetString());
            var bbo = (await onPublic.ReceiveAsync()).GetProperty("data")[0];
            var ask = bbo.GetProperty("asks")[0];
            Assert.Equal(4, ask.GetArrayLength()); // [price, size, "0", orders]
            Assert.All(ask.EnumerateArray(), v => Assert.Equal(JsonValueKind.String, v.ValueKind));
            Assert.True(decimal.Parse(bbo.GetProperty("bids")[0][0].GetString()!) < decimal.Parse(ask[0].GetString()!));
            Assert.True(bbo.GetProperty("seqId").GetInt64() > 0);
        }

        await using var onBusiness = await CoinbaseTestClient.ConnectAsync(sim.BusinessEndpoint);
        await onBusiness.SendAsync("""{"op":"subscribe","args":[{"channel":"tickers","instId":"BTC-USDT"}]}""");
        Assert.Equal("60018", (await onBusiness.ReceiveAsync()).GetProperty("code").GetString()); // public channels are not on /business

        await onBusiness.SendAsync("""{"op":"subscribe","args":[{"channel":"trades-all","instId":"BTC-USDT"}]}""");
        Assert.Equal("subscribe", (await onBusiness.ReceiveAsync()).GetProperty("event").GetString());
        for (var i = 0; i < 10; i++)
        {
            var push = await onBusiness.ReceiveAsync();
            Assert.Equal("trades-all", push.GetProperty("arg").GetProperty("channel").GetString());
            var trade = Assert.Single(push.GetProperty("data").EnumerateArray());
            Assert.False(trade.TryGetProperty("count", out _));
        }
    }
}
