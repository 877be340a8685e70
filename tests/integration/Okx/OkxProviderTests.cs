using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Okx;
using Cloudwall.Rx.Simulation.Okx;
using Cloudwall.Rx.Tests.Integration.Simulation;

namespace Cloudwall.Rx.Tests.Integration.Okx;

/// <summary>The real <see cref="Ingestion.WebSocketProvider"/> with <see cref="OkxProtocol"/> against <see cref="OkxSimulator"/> on loopback.</summary>
public sealed class OkxProviderTests
{
    private static ReferenceData NewRefData()
    {
        var refData = new ReferenceData();
        OkxSymbols.Register(refData);
        return refData;
    }

    [Fact]
    public async Task Spot_and_swap_events_arrive_on_canonical_instruments_with_exact_decimals()
    {
        await using var sim = await OkxSimulator.StartAsync(new OkxSimulatorOptions());
        using var run = new ProviderRun(new OkxProtocol(), sim.Endpoint, ["BTC-USDT", "BTC-USDT-SWAP"], NewRefData());

        await run.WaitUntilAsync(() =>
                run.Count("BTC-USDT.SPOT", EventKind.Trade) >= 30 && run.Count("BTC-USDT.SPOT", EventKind.Quote) >= 3 &&
                run.Count("BTC-USDT.PERP", EventKind.Trade) >= 30 && run.Count("BTC-USDT.PERP", EventKind.Quote) >= 3 &&
                run.Count("BTC-USDT.PERP", EventKind.Mark) >= 2 && run.Count("BTC-USDT.PERP", EventKind.Funding) >= 1,
            "trades, quotes, marks and funding on both instruments");

        Assert.Empty(run.DeadLetters);
        Assert.Equal(0, run.Provider.Counters.RejectedFrames);
        Assert.Equal(6, run.Provider.Counters.ByReason(FrameReason.SubscriptionAck)); // 2 spot + 4 swap channels, one ack per arg
        foreach (var key in new[] { "BTC-USDT.SPOT", "BTC-USDT.PERP" })
        {
            var trades = run.Of(key).Where(e => e.Kind == EventKind.Trade).ToArray();
            Assert.All(trades, e => Assert.Equal(1, e.Price.Scale)); // tick 0.1: one decimal, as printed
            Assert.All(trades, e => Assert.Equal(0m, e.Price % 0.1m));
            Assert.All(trades, e => Assert.Equal(8, e.Size.Scale));
            Assert.All(trades, e => Assert.Equal(VenueId.Okx, e.Venue));
            Assert.Contains(trades, e => e.Side == Side.Buy);
            Assert.Contains(trades, e => e.Side == Side.Sell);

            // Trade ids are the sequence and contiguous per instrument, across batched messages.
            var ids = trades.Select(e => e.Sequence).ToArray();
            Assert.Equal(Enumerable.Range(0, ids.Length).Select(i => ids[0] + i), ids);

            // The taker lifts the ask or hits the bid: a buy prints above a sell at the same moment's quotes.
            var quote = run.Of(key).Last(e => e.Kind == EventKind.Quote);
            Assert.True(quote.Price < quote.Aux);
        }

        var funding = run.Of("BTC-USDT.PERP").First(e => e.Kind == EventKind.Funding);
        Assert.Equal(8, funding.Price.Scale);
        Assert.NotEqual(0, funding.ExchangeTimeNs);
        Assert.Equal(0, run.Provider.Counters.Reconnects);
    }

    [Fact]
    public async Task Adding_a_symbol_on_a_running_provider_brings_its_events_without_reconnecting_and_removing_stops_them()
    {
        await using var sim = await OkxSimulator.StartAsync(new OkxSimulatorOptions());
        using var run = new ProviderRun(new OkxProtocol(), sim.Endpoint, ["BTC-USDT"], NewRefData());
        await run.WaitUntilAsync(() => run.Count("BTC-USDT.SPOT", EventKind.Trade) >= 5, "BTC-USDT trades");

        await run.Provider.AddSubscriptionsAsync(["ETH-USDT", "ETH-USDT-SWAP"]);
        await run.WaitUntilAsync(() => run.Count("ETH-USDT.SPOT", EventKind.Trade) >= 5 && run.Count("ETH-USDT.PERP", EventKind.Mark) >= 1,
            "ETH-USDT and ETH-USDT-SWAP events");

        Assert.Equal(0, run.Provider.Counters.Reconnects);
        Assert.Equal(1, run.Provider.ConnectionCount);
        Assert.Equal(1, Assert.Single(sim.Stats.Connections).Id);
        Assert.Equal(1, sim.Stats.ConnectionsAccepted);

        var acks = run.Provider.Counters.ByReason(FrameReason.SubscriptionAck);
        run.Provider.RemoveSubscriptions(["BTC-USDT"]);
        await run.WaitUntilAsync(() => run.Provider.Counters.ByReason(FrameReason.SubscriptionAck) >= acks + 2, "the two unsubscribe acks");
        var btcAfterAck = run.Of("BTC-USDT.SPOT").Length;
        var ethAfterAck = run.Count("ETH-USDT.SPOT", EventKind.Trade);
        await run.WaitUntilAsync(() => run.Count("ETH-USDT.SPOT", EventKind.Trade) >= ethAfterAck + 20, "more ETH-USDT trades");

        Assert.Equal(btcAfterAck, run.Of("BTC-USDT.SPOT").Length);
        Assert.DoesNotContain("trades:BTC-USDT", Assert.Single(sim.Stats.Connections).Subscriptions);
        Assert.Equal(0, run.Provider.Counters.Reconnects);
    }

    [Fact]
    public async Task Faults_reach_the_provider_as_gaps_dead_letters_and_reconnects()
    {
        await using var sim = await OkxSimulator.StartAsync(new OkxSimulatorOptions());
        using var run = new ProviderRun(new OkxProtocol(), sim.Endpoint, ["BTC-USDT"], NewRefData());
        await run.WaitUntilAsync(() => run.Count("BTC-USDT.SPOT", EventKind.Trade) >= 5, "BTC-USDT trades");

        sim.Faults.SkipSequence("BTC-USDT", 7);
        await run.WaitUntilAsync(() => HasGap(run.Of("BTC-USDT.SPOT"), 8), "a trade id that jumps by 8");

        sim.Faults.SendMalformed(3);
        await run.WaitUntilAsync(() => run.Provider.Counters.ByReason(FrameReason.Malformed) >= 3, "three malformed frames dead-lettered");

        sim.Faults.Spike("BTC-USDT", 0.05m);
        await run.WaitUntilAsync(() => run.Of("BTC-USDT.SPOT").Any(e => e.Kind == EventKind.Trade && e.Price > 65_000m * 1.03m), "the spiked trade");

        sim.Faults.DropConnections();
        await run.WaitUntilAsync(() => run.Provider.Counters.Reconnects >= 1, "a reconnect");
        var before = run.Count("BTC-USDT.SPOT", EventKind.Trade);
        await run.WaitUntilAsync(() => run.Count("BTC-USDT.SPOT", EventKind.Trade) >= before + 5, "trades after the reconnect (re-subscribed)");
    }

    [Fact]
    public async Task Events_with_an_absurd_exchange_time_are_dead_lettered_and_the_connection_carries_on()
    {
        await using var sim = await OkxSimulator.StartAsync(new OkxSimulatorOptions());
        using var run = new ProviderRun(new OkxProtocol(), sim.Endpoint, ["BTC-USDT"], NewRefData());
        await run.WaitUntilAsync(() => run.Count("BTC-USDT.SPOT", EventKind.Trade) >= 3, "BTC-USDT trades");

        sim.Faults.AddLatency(TimeSpan.FromDays(8)); // beyond the default MaxAge of 7 days
        await run.WaitUntilAsync(() => run.Provider.Counters.RejectedEventsByReason(FrameReason.TimestampPast) >= 3, "three events refused as timestamp_past");
        sim.Faults.Reset();
        var before = run.Count("BTC-USDT.SPOT", EventKind.Trade);
        await run.WaitUntilAsync(() => run.Count("BTC-USDT.SPOT", EventKind.Trade) >= before + 3, "trades after the lag");

        Assert.Equal(0, run.Provider.Counters.Reconnects);
        Assert.Equal(0, run.Provider.Counters.SequenceGaps); // a refused trade still takes its trade id
    }

    [Fact]
    public async Task Simulator_answers_ping_acks_per_arg_and_refuses_unknown_instruments()
    {
        await using var sim = await OkxSimulator.StartAsync(new OkxSimulatorOptions());
        Assert.Equal("/ws/v5/public", sim.Endpoint.AbsolutePath);
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);

        await client.SendAsync("ping");
        Assert.Equal("pong", await client.ReceiveTextAsync());

        await client.SendAsync("""{"op":"subscribe","args":[{"channel":"trades","instId":"BTC-USDT"},{"channel":"funding-rate","instId":"BTC-USDT"}]}""");
        var error = await client.ReceiveAsync();
        Assert.Equal("error", error.GetProperty("event").GetString());
        Assert.Equal("60018", error.GetProperty("code").GetString());
        Assert.Empty(Assert.Single(sim.Stats.Connections).Subscriptions); // refused whole: funding-rate is for swaps only

        await client.SendAsync("""{"op":"subscribe","args":[{"channel":"trades","instId":"BTC-USDT"},{"channel":"index-tickers","instId":"BTC-USDT"}]}""");
        var ack = await client.ReceiveAsync();
        Assert.Equal("subscribe", ack.GetProperty("event").GetString());
        Assert.Equal("trades", ack.GetProperty("arg").GetProperty("channel").GetString());
        Assert.Equal("index-tickers", (await client.ReceiveAsync()).GetProperty("arg").GetProperty("channel").GetString());

        var (index, _) = await client.ReceiveUntilAsync(m => m.GetProperty("arg").GetProperty("channel").GetString() == "index-tickers");
        Assert.Matches(@"^\d+(\.\d)?$", index.GetProperty("data")[0].GetProperty("idxPx").GetString());

        await client.SendAsync("{not json");
        var (bad, _) = await client.ReceiveUntilAsync(m => m.TryGetProperty("event", out var e) && e.GetString() == "error");
        Assert.Equal("60012", bad.GetProperty("code").GetString());
        Assert.Equal(2, sim.Stats.ProtocolErrors);
    }

    [Fact]
    public async Task A_shared_market_keeps_okx_near_the_other_venues()
    {
        var market = new Cloudwall.Rx.Simulation.Market.SyntheticMarket(seed: 5);
        await using var sim = await OkxSimulator.StartAsync(new OkxSimulatorOptions { Market = market });

        Assert.True(market.Contains("BTC-USD")); // BTC-USDT and the BTC swaps share the BTC-USD walk, as Coinbase's BTC-USD does
        Assert.True(market.Contains("ETH-USD"));
        using var run = new ProviderRun(new OkxProtocol(), sim.Endpoint, ["BTC-USDT", "BTC-USD-SWAP"], NewRefData());
        await run.WaitUntilAsync(() => run.Count("BTC-USDT.SPOT", EventKind.Trade) >= 5 && run.Count("BTC-USD.PERP", EventKind.Trade) >= 5, "trades");

        var spot = run.Of("BTC-USDT.SPOT").Last(e => e.Kind == EventKind.Trade).Price;
        var perp = run.Of("BTC-USD.PERP").Last(e => e.Kind == EventKind.Trade).Price;
        Assert.InRange(Math.Abs(spot / perp - 1m), 0m, 0.01m);
    }

    private static bool HasGap(MarketEvent[] events, long step)
    {
        var ids = events.Where(e => e.Kind == EventKind.Trade).Select(e => e.Sequence).ToArray();
        for (var i = 1; i < ids.Length; i++)
        {
            if (ids[i] - ids[i - 1] == step)
            {
                return true;
            }
        }

        return false;
    }
}
