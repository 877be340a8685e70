using System.Collections.Concurrent;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Transport;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;
using Cloudwall.Rx.Simulation.Coinbase;

namespace Cloudwall.Rx.Tests.Integration.Ingestion;

/// <summary>
/// The shared transport against the Coinbase simulator over real loopback sockets: gaps, reconnects with de-duplication,
/// the stale watchdog, sharding and live subscription changes.
/// </summary>
public sealed class CoinbaseConnectionTests
{
    private sealed class Harness : IAsyncDisposable
    {
        public required CoinbaseSimulator Simulator { get; init; }
        public required WebSocketProvider Provider { get; init; }
        public required ReferenceData RefData { get; init; }
        public ConcurrentQueue<MarketEvent> Events { get; } = new();
        public required ConcurrentQueue<SequenceGap> Gaps { get; init; }
        public IDisposable? Subscription { get; set; }

        public int Count(string key) => Events.Count(e => RefData.KeyOf(e.Instrument) == key);

        public async ValueTask DisposeAsync()
        {
            Subscription?.Dispose();
            await Simulator.DisposeAsync();
        }
    }

    private static async Task<Harness> Start(string[] products, string[] subscribe, double rate = 50, int maxPerConnection = 100,
        TimeSpan? staleAfter = null)
    {
        var sim = await CoinbaseSimulator.StartAsync(new CoinbaseSimulatorOptions
        {
            Products = [.. products.Select(p => new CoinbaseSyntheticProduct { ProductId = p, StartPrice = 100m, TradesPerSecond = rate })],
        });
        var refData = new ReferenceData();
        CoinbaseSymbols.Register(refData);
        var gaps = new ConcurrentQueue<SequenceGap>();
        var provider = new WebSocketProvider(new CoinbaseExchangeProtocol(maxPerConnection), sim.Endpoint, subscribe, refData, _ => { },
            new ConnectionOptions { StaleAfter = staleAfter ?? TimeSpan.FromSeconds(30), ReconnectDelay = TimeSpan.FromMilliseconds(100) },
            gaps: gaps.Enqueue);
        var h = new Harness { Simulator = sim, Provider = provider, RefData = refData, Gaps = gaps };
        h.Subscription = provider.Events.Subscribe(h.Events.Enqueue, ex => throw new InvalidOperationException("stream errored", ex));
        return h;
    }

    [Fact]
    public async Task A_skipped_range_of_trades_is_reported_as_one_gap_of_that_size()
    {
        var gaps = new ConcurrentQueue<SequenceGap>();
        await using var sim = await CoinbaseSimulator.StartAsync(new CoinbaseSimulatorOptions
        {
            Products = [new CoinbaseSyntheticProduct { ProductId = "BTC-USD", StartPrice = 100m, TradesPerSecond = 50 }],
        });
        var refData = new ReferenceData();
        CoinbaseSymbols.Register(refData);
        var provider = new WebSocketProvider(new CoinbaseExchangeProtocol(), sim.Endpoint, ["BTC-USD"], refData, _ => { }, gaps: gaps.Enqueue);
        var events = new ConcurrentQueue<MarketEvent>();
        using var sub = provider.Events.Subscribe(events.Enqueue);

        await Eventually(() => events.Count(e => e.Kind == EventKind.Trade) >= 5);
        sim.Faults.SkipSequence("BTC-USD", 7);
        await Eventually(() => !gaps.IsEmpty);

        var gap = Assert.Single(gaps);
        Assert.Equal(7, gap.Missing);
        Assert.Equal("BTC-USD.SPOT", refData.KeyOf(gap.Instrument));
        Assert.Equal(1, provider.Counters.SequenceGaps);
        Assert.Equal(7, provider.Counters.MissingSequences);
    }

    [Fact]
    public async Task Repeated_sequence_gaps_are_each_counted_but_logged_once_per_interval()
    {
        var gaps = new ConcurrentQueue<SequenceGap>();
        await using var sim = await CoinbaseSimulator.StartAsync(new CoinbaseSimulatorOptions
        {
            Products = [new CoinbaseSyntheticProduct { ProductId = "BTC-USD", StartPrice = 100m, TradesPerSecond = 100 }],
        });
        var refData = new ReferenceData();
        CoinbaseSymbols.Register(refData);
        var logs = new Aggregator.CapturingLoggerFactory();
        var provider = new WebSocketProvider(new CoinbaseExchangeProtocol(), sim.Endpoint, ["BTC-USD"], refData, _ => { }, loggers: logs, gaps: gaps.Enqueue);
        var events = new ConcurrentQueue<MarketEvent>();
        using var sub = provider.Events.Subscribe(events.Enqueue);

        await Eventually(() => events.Count(e => e.Kind == EventKind.Trade) >= 5);
        for (var i = 1; i <= 3; i++)
        {
            sim.Faults.SkipSequence("BTC-USD", 2);
            await Eventually(() => gaps.Count >= i);
        }

        Assert.Equal(3, provider.Counters.SequenceGaps);
        Assert.Equal(6, provider.Counters.MissingSequences);
        // One line in the default 10 s interval; the next would carry "2 more gaps since the last line".
        Assert.Single(logs.Lines, l => l.Message.Contains("sequence gap", StringComparison.Ordinal));
    }

    [Fact]
    public async Task After_a_dropped_connection_it_reconnects_resubscribes_and_drops_the_replayed_overlap()
    {
        await using var h = await Start(["BTC-USD"], ["BTC-USD"]);
        await Eventually(() => h.Events.Count(e => e.Kind == EventKind.Trade) >= 10);

        // Quiet the product so the connection has seen its last trade, then drop the socket: on the new subscription
        // Coinbase greets with that same last trade (last_match), which must not be delivered twice.
        h.Simulator.Faults.Silence("BTC-USD");
        await Quiet(() => h.Events.Count);
        h.Simulator.Faults.DropConnections();
        await Eventually(() => h.Provider.Counters.Reconnects >= 1);
        await Eventually(() => h.Provider.Counters.Duplicates >= 1);
        h.Simulator.Faults.Resume("BTC-USD");
        var before = h.Events.Count(e => e.Kind == EventKind.Trade);
        await Eventually(() => h.Events.Count(e => e.Kind == EventKind.Trade) >= before + 10);

        var ids = h.Events.Where(e => e.Kind == EventKind.Trade).Select(e => e.TradeId.AsLong).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(0, h.Provider.Counters.SequenceGaps); // nothing traded while we were away, so nothing is missing
    }

    /// <summary>Waits until a counter stops moving for half a second (bounded by 10 s).</summary>
    private static async Task Quiet(Func<int> counter)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var last = counter();
        var stableSince = DateTime.UtcNow;
        while (DateTime.UtcNow - stableSince < TimeSpan.FromMilliseconds(500))
        {
            Assert.True(DateTime.UtcNow < deadline, "never went quiet");
            await Task.Delay(50);
            var now = counter();
            if (now != last)
            {
                last = now;
                stableSince = DateTime.UtcNow;
            }
        }
    }

    [Fact]
    public async Task The_watchdog_reconnects_a_connection_that_only_sends_heartbeats()
    {
        // A product that almost never trades: after the greeting, only heartbeats arrive.
        await using var h = await Start(["BTC-USD"], ["BTC-USD"], rate: 0.0001, staleAfter: TimeSpan.FromSeconds(2));
        await Eventually(() => h.Provider.Counters.IgnoredFrames >= 2); // heartbeats are flowing
        await Eventually(() => h.Provider.Counters.StaleReconnects >= 1, TimeSpan.FromSeconds(20));
        await Eventually(() => h.Provider.Counters.Reconnects >= 1, TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Shards_respect_the_per_connection_limit_and_consume_at_the_same_time()
    {
        await using var h = await Start(["BTC-USD", "ETH-USD", "SOL-USD"], ["BTC-USD", "ETH-USD", "SOL-USD"], maxPerConnection: 1);
        Assert.Equal(3, h.Provider.ConnectionCount);
        await Eventually(() => h.Count("BTC-USD.SPOT") >= 5 && h.Count("ETH-USD.SPOT") >= 5 && h.Count("SOL-USD.SPOT") >= 5);
        Assert.All(h.Provider.Shards, s => Assert.Single(s));
        Assert.Equal(3, h.Simulator.Stats.ConnectionsAccepted);
    }

    [Fact]
    public async Task Live_subscribe_and_unsubscribe_do_not_touch_other_instruments()
    {
        await using var h = await Start(["BTC-USD", "ETH-USD"], ["BTC-USD"]);
        await Eventually(() => h.Count("BTC-USD.SPOT") >= 5);
        Assert.Equal(0, h.Count("ETH-USD.SPOT"));

        await h.Provider.AddSubscriptionsAsync(["ETH-USD"]);
        await Eventually(() => h.Count("ETH-USD.SPOT") >= 5);
        Assert.Equal(1, h.Provider.ConnectionCount); // filled the open shard: no new connection

        h.Provider.RemoveSubscriptions(["ETH-USD"]);
        // Unsubscribe is acknowledged in order: once BTC has moved on by a clear margin, ETH must have stopped.
        var btcMark = h.Count("BTC-USD.SPOT");
        await Eventually(() => h.Count("BTC-USD.SPOT") >= btcMark + 20);
        var ethAfter = h.Count("ETH-USD.SPOT");
        var btcMark2 = h.Count("BTC-USD.SPOT");
        await Eventually(() => h.Count("BTC-USD.SPOT") >= btcMark2 + 20);
        Assert.Equal(ethAfter, h.Count("ETH-USD.SPOT"));

        Assert.Equal(0, h.Provider.Counters.Reconnects);
        Assert.Equal(0, h.Provider.Counters.SequenceGaps); // BTC lost nothing while ETH came and went
        Assert.Equal(1, h.Simulator.Stats.ConnectionsAccepted);
    }

    private static async Task Eventually(Func<bool> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }
}
