using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Bybit;
using Cloudwall.Rx.Simulation.Bybit;
using Cloudwall.Rx.Simulation.Market;
using Cloudwall.Rx.Tests.Integration.Okx;
using Cloudwall.Rx.Tests.Integration.Simulation;

namespace Cloudwall.Rx.Tests.Integration.Bybit;

/// <summary>The real <see cref="Ingestion.WebSocketProvider"/> with <see cref="BybitProtocol"/> against <see cref="BybitSimulator"/> on loopback.</summary>
public sealed class BybitProviderTests
{
    private static ReferenceData NewRefData()
    {
        var refData = new ReferenceData();
        BybitSymbols.Register(refData);
        return refData;
    }

    [Fact]
    public async Task Linear_trades_quotes_marks_indices_and_funding_arrive_on_the_perp()
    {
        await using var sim = await BybitSimulator.StartAsync(new BybitSimulatorOptions { Category = BybitCategory.Linear });
        Assert.Equal("/v5/public/linear", sim.Endpoint.AbsolutePath);
        using var run = new ProviderRun(new BybitProtocol(BybitCategory.Linear), sim.Endpoint, ["BTCUSDT"], NewRefData());

        await run.WaitUntilAsync(() =>
                run.Count("BTC-USDT.PERP", EventKind.Trade) >= 30 && run.Count("BTC-USDT.PERP", EventKind.Quote) >= 3 &&
                run.Count("BTC-USDT.PERP", EventKind.Mark) >= 3 && run.Count("BTC-USDT.PERP", EventKind.Index) >= 3 &&
                run.Count("BTC-USDT.PERP", EventKind.Funding) >= 2,
            "every kind on BTC-USDT.PERP");

        Assert.Empty(run.DeadLetters);
        Assert.Equal(1, run.Provider.Counters.ByReason(FrameReason.SubscriptionAck));
        var trades = run.Of("BTC-USDT.PERP").Where(e => e.Kind == EventKind.Trade).ToArray();
        Assert.All(trades, e => Assert.Equal(TradeIdKind.Uuid, e.TradeId.Kind));
        Assert.All(trades, e => Assert.Equal(1, e.Price.Scale));
        Assert.All(trades, e => Assert.Equal(8, e.Size.Scale));
        Assert.Contains(trades, e => e.Side == Side.Buy);
        Assert.Contains(trades, e => e.Side == Side.Sell);
        Assert.Equal(trades.Length, trades.Select(e => e.TradeId).Distinct().Count());

        // Deltas carry one side's fields at a time in general; the decoder keeps the other, so every quote has both.
        Assert.All(run.Of("BTC-USDT.PERP").Where(e => e.Kind == EventKind.Quote), q => Assert.True(q.Price > 0 && q.Aux > q.Price));
        Assert.All(run.Of("BTC-USDT.PERP").Where(e => e.Kind == EventKind.Funding), f => Assert.Equal(6, f.Price.Scale));
        Assert.Equal(0, run.Provider.Counters.Reconnects);
    }

    [Fact]
    public async Task Adding_a_symbol_on_a_running_provider_brings_its_events_without_reconnecting_and_removing_stops_them()
    {
        await using var sim = await BybitSimulator.StartAsync(new BybitSimulatorOptions { Category = BybitCategory.Linear });
        using var run = new ProviderRun(new BybitProtocol(BybitCategory.Linear), sim.Endpoint, ["BTCUSDT"], NewRefData());
        await run.WaitUntilAsync(() => run.Count("BTC-USDT.PERP", EventKind.Trade) >= 5, "BTCUSDT trades");

        await run.Provider.AddSubscriptionsAsync(["ETHUSDT"]);
        await run.WaitUntilAsync(() => run.Count("ETH-USDT.PERP", EventKind.Trade) >= 5 && run.Count("ETH-USDT.PERP", EventKind.Mark) >= 1,
            "ETHUSDT events");
        Assert.Equal(0, run.Provider.Counters.Reconnects);
        Assert.Equal(1, sim.Stats.ConnectionsAccepted);

        var acks = run.Provider.Counters.ByReason(FrameReason.SubscriptionAck);
        run.Provider.RemoveSubscriptions(["BTCUSDT"]);
        await run.WaitUntilAsync(() => run.Provider.Counters.ByReason(FrameReason.SubscriptionAck) >= acks + 1, "the unsubscribe ack");
        var btcAfterAck = run.Of("BTC-USDT.PERP").Length;
        var ethAfterAck = run.Count("ETH-USDT.PERP", EventKind.Trade);
        await run.WaitUntilAsync(() => run.Count("ETH-USDT.PERP", EventKind.Trade) >= ethAfterAck + 20, "more ETHUSDT trades");

        Assert.Equal(btcAfterAck, run.Of("BTC-USDT.PERP").Length);
        Assert.Equal(["publicTrade.ETHUSDT", "tickers.ETHUSDT"], Assert.Single(sim.Stats.Connections).Subscriptions);
        Assert.Equal(0, run.Provider.Counters.Reconnects);
    }

    [Fact]
    public async Task One_shared_market_serves_spot_and_linear_endpoints_with_distinct_instruments()
    {
        var market = new SyntheticMarket(seed: 3);
        await using var spot = await BybitSimulator.StartAsync(new BybitSimulatorOptions { Category = BybitCategory.Spot, Market = market });
        await using var linear = await BybitSimulator.StartAsync(new BybitSimulatorOptions { Category = BybitCategory.Linear, Market = market });
        var refData = NewRefData();
        using var spotRun = new ProviderRun(new BybitProtocol(BybitCategory.Spot), spot.Endpoint, ["BTCUSDT"], refData);
        using var linearRun = new ProviderRun(new BybitProtocol(BybitCategory.Linear), linear.Endpoint, ["BTCUSDT"], refData);

        await spotRun.WaitUntilAsync(() => spotRun.Count("BTC-USDT.SPOT", EventKind.Trade) >= 5, "spot trades");
        await linearRun.WaitUntilAsync(() => linearRun.Count("BTC-USDT.PERP", EventKind.Trade) >= 5, "linear trades");

        Assert.All(spotRun.Events, e => Assert.Equal("BTC-USDT.SPOT", refData.KeyOf(e.Instrument)));
        Assert.All(spotRun.Events.Where(e => e.Kind == EventKind.Trade), e => Assert.Equal(TradeIdKind.Numeric, e.TradeId.Kind));
        var s = spotRun.Events.Last(e => e.Kind == EventKind.Trade).Price;
        var p = linearRun.Of("BTC-USDT.PERP").Last(e => e.Kind == EventKind.Trade).Price;
        Assert.InRange(Math.Abs(s / p - 1m), 0m, 0.01m);
    }

    [Fact]
    public async Task Simulator_answers_pings_in_each_categorys_form_and_refuses_unknown_topics()
    {
        await using var sim = await BybitSimulator.StartAsync(new BybitSimulatorOptions { Category = BybitCategory.Inverse });
        Assert.Equal(["BTCUSD"], sim.Symbols);
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);

        await client.SendAsync("""{"op":"ping","req_id":"p1"}""");
        var pong = await client.ReceiveAsync();
        Assert.Equal("pong", pong.GetProperty("op").GetString());
        Assert.Equal("p1", pong.GetProperty("req_id").GetString());

        await client.SendAsync("""{"op":"subscribe","req_id":"s1","args":["publicTrade.BTCUSD","publicTrade.ETHUSD"]}""");
        var refused = await client.ReceiveAsync();
        Assert.False(refused.GetProperty("success").GetBoolean());
        Assert.Contains("publicTrade.ETHUSD", refused.GetProperty("ret_msg").GetString(), StringComparison.Ordinal);
        Assert.Empty(Assert.Single(sim.Stats.Connections).Subscriptions);

        await client.SendAsync("""{"op":"subscribe","req_id":"s2","args":["tickers.BTCUSD"]}""");
        var ack = await client.ReceiveAsync();
        Assert.True(ack.GetProperty("success").GetBoolean());
        Assert.Equal("subscribe", ack.GetProperty("op").GetString());
        var snapshot = await client.ReceiveAsync();
        Assert.Equal("snapshot", snapshot.GetProperty("type").GetString());
        Assert.Equal("BTCUSD", snapshot.GetProperty("data").GetProperty("symbol").GetString());
        var delta = await client.ReceiveAsync();
        Assert.Equal("delta", delta.GetProperty("type").GetString());

        await using var spot = await BybitSimulator.StartAsync(new BybitSimulatorOptions { Category = BybitCategory.Spot });
        await using var spotClient = await CoinbaseTestClient.ConnectAsync(spot.Endpoint);
        await spotClient.SendAsync("""{"op":"ping"}""");
        var spotPong = await spotClient.ReceiveAsync();
        Assert.Equal("pong", spotPong.GetProperty("ret_msg").GetString());
        Assert.True(spotPong.GetProperty("success").GetBoolean());
    }

    [Fact]
    public async Task Faults_silence_and_malformed_frames_reach_the_provider()
    {
        await using var sim = await BybitSimulator.StartAsync(new BybitSimulatorOptions { Category = BybitCategory.Linear });
        using var run = new ProviderRun(new BybitProtocol(BybitCategory.Linear), sim.Endpoint, ["BTCUSDT", "ETHUSDT"], NewRefData());
        await run.WaitUntilAsync(() => run.Count("BTC-USDT.PERP", EventKind.Trade) >= 5, "trades");

        sim.Faults.SendMalformed(2);
        await run.WaitUntilAsync(() => run.Provider.Counters.ByReason(FrameReason.Malformed) >= 2, "malformed frames dead-lettered");

        sim.Faults.Silence("BTCUSDT");
        var ethBefore = run.Count("ETH-USDT.PERP", EventKind.Trade);
        await run.WaitUntilAsync(() => run.Count("ETH-USDT.PERP", EventKind.Trade) >= ethBefore + 5, "ETH trades while BTC is silent");
        var btcSilent = run.Of("BTC-USDT.PERP").Length;
        await run.WaitUntilAsync(() => run.Count("ETH-USDT.PERP", EventKind.Trade) >= ethBefore + 25, "more ETH trades");
        Assert.Equal(btcSilent, run.Of("BTC-USDT.PERP").Length);

        sim.Faults.Resume();
        sim.Faults.AddLatency(TimeSpan.FromSeconds(5));
        await run.WaitUntilAsync(() => run.Of("BTC-USDT.PERP").Any(e => e.ReceiveTimeNs - e.ExchangeTimeNs > 4_000_000_000), "lagged exchange times");
    }
}
