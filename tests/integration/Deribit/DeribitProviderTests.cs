using System.Collections.Concurrent;
using System.Globalization;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Venues.Deribit;
using Cloudwall.Rx.Simulation.Deribit;
using Cloudwall.Rx.Simulation.Market;

namespace Cloudwall.Rx.Tests.Integration.Deribit;

/// <summary>The real <see cref="WebSocketProvider"/> with <see cref="DeribitProtocol"/> against the simulator over loopback.</summary>
public sealed class DeribitProviderTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private static DeribitSimulatorOptions Options() => new()
    {
        Market = new SyntheticMarket(seed: 5),
        Instruments =
        [
            new() { InstrumentName = "BTC-PERPETUAL", StartPrice = 65_000m, TickSize = 0.5m, TradesPerSecond = 100, MeanAmount = 2_000m, AmountStep = 10m },
            new() { InstrumentName = "ETH-PERPETUAL", StartPrice = 3_200m, TickSize = 0.05m, TradesPerSecond = 100, MeanAmount = 500m, AmountStep = 1m },
        ],
        TickerInterval = TimeSpan.FromMilliseconds(50),
    };

    [Fact]
    public async Task Events_arrive_with_canonical_instruments_exact_decimals_and_the_taker_side()
    {
        await using var sim = await DeribitSimulator.StartAsync(Options());
        // A raw client on the same channel sees the very frames the provider decodes: it is the reference.
        await using var raw = await DeribitRpcClient.ConnectAsync(sim.Endpoint);
        await raw.CallForResponseAsync("public/subscribe", new { channels = new[] { "trades.BTC-PERPETUAL.raw" } });
        var refData = new ReferenceData();
        DeribitSymbols.Register(refData);
        var deadLetters = new ConcurrentQueue<DeadLetter>();
        var provider = new WebSocketProvider(new DeribitProtocol(), sim.Endpoint, ["BTC-PERPETUAL", "ETH-PERPETUAL"], refData, deadLetters.Enqueue);
        var events = new ConcurrentQueue<MarketEvent>();
        using var subscription = provider.Events.Subscribe(events.Enqueue);

        await WaitUntil(() => Kinds(events, refData, "BTC-USD.PERP").SetEquals([EventKind.Trade, EventKind.Quote, EventKind.Mark, EventKind.Funding])
                              && Kinds(events, refData, "BTC-USD.INDEX").SetEquals([EventKind.Index])
                              && Kinds(events, refData, "ETH-USD.INDEX").SetEquals([EventKind.Index])
                              && Kinds(events, refData, "ETH-USD.PERP").Contains(EventKind.Trade), "every kind for both perpetuals");

        // The reference trades, by id, as the raw client read them.
        var reference = new Dictionary<long, (string Price, string Amount, string Direction, long Seq, long Ms)>();
        while (reference.Count < 200)
        {
            foreach (var t in (await raw.NotificationAsync("trades.")).Data().EnumerateArray())
            {
                reference[long.Parse(t.GetProperty("trade_id").GetString()!, CultureInfo.InvariantCulture)] =
                    (t.GetProperty("price").GetRawText(), t.GetProperty("amount").GetRawText(), t.GetProperty("direction").GetString()!,
                        t.GetProperty("trade_seq").GetInt64(), t.GetProperty("timestamp").GetInt64());
            }
        }

        var btcTrades = events.Where(e => e.Kind == EventKind.Trade && refData.KeyOf(e.Instrument) == "BTC-USD.PERP").ToList();
        var matched = 0;
        foreach (var e in btcTrades.Where(e => reference.ContainsKey(e.TradeId.AsLong)))
        {
            var r = reference[e.TradeId.AsLong];
            Assert.Equal(r.Price, e.Price.ToString(CultureInfo.InvariantCulture)); // exact, scale included
            Assert.Equal(r.Amount, e.Size.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(r.Direction == "buy" ? Side.Buy : Side.Sell, e.Side);
            Assert.Equal(r.Seq, e.Sequence);
            Assert.Equal(r.Ms * 1_000_000, e.ExchangeTimeNs);
            Assert.Equal(VenueId.Deribit, e.Venue);
            matched++;
        }

        Assert.True(matched >= 50, $"only {matched} provider trades matched the reference");
        Assert.Empty(deadLetters);
        Assert.Equal(0, provider.Counters.RejectedFrames);
        Assert.Equal(0, provider.Counters.Reconnects);
    }

    [Fact]
    public async Task Subscriptions_are_added_and_removed_on_the_live_connection_without_reconnecting()
    {
        await using var sim = await DeribitSimulator.StartAsync(Options());
        var refData = new ReferenceData();
        DeribitSymbols.Register(refData);
        var provider = new WebSocketProvider(new DeribitProtocol(), sim.Endpoint, ["BTC-PERPETUAL"], refData, _ => { });
        var events = new ConcurrentQueue<MarketEvent>();
        using var subscription = provider.Events.Subscribe(events.Enqueue);
        await WaitUntil(() => Count(events, refData, "BTC-USD.PERP") > 0, "BTC events");
        Assert.Equal(0, Count(events, refData, "ETH-USD.PERP"));

        await provider.AddSubscriptionsAsync(["ETH-PERPETUAL"]);
        await WaitUntil(() => Count(events, refData, "ETH-USD.PERP") > 0, "ETH events after AddSubscriptionsAsync");

        // Count the acks so far (set_heartbeat on connect, subscribe, add): the next one answers the unsubscribe.
        await WaitUntil(() => provider.Counters.ByReason(FrameReason.SubscriptionAck) >= 3, "the acks before the unsubscribe");
        var acksBefore = provider.Counters.ByReason(FrameReason.SubscriptionAck);
        provider.RemoveSubscriptions(["BTC-PERPETUAL"]);
        // Frames are decoded in order: once the unsubscribe's own ack is decoded, no BTC frame can follow.
        await WaitUntil(() => provider.Counters.ByReason(FrameReason.SubscriptionAck) > acksBefore, "the unsubscribe result");
        var btcAfterAck = Count(events, refData, "BTC-USD.PERP");
        var ethAtAck = Count(events, refData, "ETH-USD.PERP");
        await WaitUntil(() => Count(events, refData, "ETH-USD.PERP") >= ethAtAck + 100, "ETH keeps flowing");

        Assert.Equal(btcAfterAck, Count(events, refData, "BTC-USD.PERP"));
        Assert.Equal(0, provider.Counters.Reconnects);
        Assert.Equal(1, provider.ConnectionCount);
        Assert.Equal(1, sim.Stats.ConnectionsAccepted);
        Assert.Equal(["ETH-PERPETUAL"], Assert.Single(provider.Shards));
        Assert.Equal(["trades.ETH-PERPETUAL.100ms", "ticker.ETH-PERPETUAL.100ms"], Assert.Single(sim.Stats.Connections).Subscriptions);
    }

    [Fact]
    public async Task Malformed_frames_are_dead_lettered_and_a_sequence_skip_is_visible_in_trade_seq()
    {
        await using var sim = await DeribitSimulator.StartAsync(Options());
        var refData = new ReferenceData();
        DeribitSymbols.Register(refData);
        var deadLetters = new ConcurrentQueue<DeadLetter>();
        var provider = new WebSocketProvider(new DeribitProtocol(), sim.Endpoint, ["ETH-PERPETUAL"], refData, deadLetters.Enqueue);
        var events = new ConcurrentQueue<MarketEvent>();
        using var subscription = provider.Events.Subscribe(events.Enqueue);
        await WaitUntil(() => events.Any(e => e.Kind == EventKind.Trade), "first trade");

        sim.Faults.SendMalformed(4);
        sim.Faults.SkipSequence("ETH-PERPETUAL", 3);
        await WaitUntil(() => deadLetters.Count >= 4 && events.Count(e => e.Kind == EventKind.Trade) > 200, "dead letters and more trades");

        Assert.All(deadLetters, d => Assert.Equal(FrameReason.Malformed, d.Reason));
        var seqs = events.Where(e => e.Kind == EventKind.Trade).Select(e => e.Sequence).ToList();
        var jumps = seqs.Zip(seqs.Skip(1), (a, b) => b - a).Where(d => d != 1).ToList();
        Assert.Equal([4L], jumps);
    }

    private static HashSet<EventKind> Kinds(IEnumerable<MarketEvent> events, ReferenceData refData, string key) =>
        events.Where(e => refData.KeyOf(e.Instrument) == key).Select(e => e.Kind).ToHashSet();

    private static int Count(IEnumerable<MarketEvent> events, ReferenceData refData, string key) =>
        events.Count(e => refData.KeyOf(e.Instrument) == key);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after <see cref="Deadline"/>.</summary>
    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}");
            }

            await Task.Delay(10);
        }
    }
}
