using System.Collections.Concurrent;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Transport;
using Cloudwall.Rx.Ingestion.Venues.Binance;
using Cloudwall.Rx.Simulation.Binance;

namespace Cloudwall.Rx.Tests.Integration.Binance;

/// <summary>The real <see cref="WebSocketProvider"/> with <see cref="BinanceProtocol"/> (one per route on USDⓈ-M) against the simulator over loopback.</summary>
public sealed class BinanceProviderTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private static BinanceSimulatorOptions Options(BinanceMarket segment, double tradesPerSecond = 50) => new()
    {
        Segment = segment,
        Symbols = [.. BinanceSimulatorOptions.DefaultSymbolsFor(segment).Select(s => { s.TradesPerSecond = tradesPerSecond; return s; })],
        MarkPriceInterval = TimeSpan.FromMilliseconds(200),
    };

    [Fact]
    public async Task Spot_trades_and_quotes_arrive_with_canonical_instruments_exact_decimals_and_taker_sides()
    {
        await using var sim = await BinanceSimulator.StartAsync(Options(BinanceMarket.Spot));
        await using var run = Run.Start(sim, new BinanceProtocol(BinanceMarket.Spot), ["BTCUSDT", "ETHUSDT"]);

        await run.Events.WaitAsync(es => es.Count(e => e.Kind == EventKind.Trade) >= 100 && es.Any(e => e.Kind == EventKind.Quote), Deadline);

        var events = run.Events.Snapshot();
        Assert.Equal(["BTC-USDT.SPOT", "ETH-USDT.SPOT"], events.Select(e => run.RefData.KeyOf(e.Instrument)).Distinct().Order(StringComparer.Ordinal));
        Assert.All(events, e =>
        {
            Assert.Equal(VenueId.Binance, e.Venue);
            Assert.Equal(ProviderId.Binance, e.Provider);
        });
        var trades = events.Where(e => e.Kind == EventKind.Trade).ToList();
        Assert.All(trades, t =>
        {
            Assert.Equal(2, t.Price.Scale); // tick 0.01, printed with its two decimals
            Assert.Equal(8, t.Size.Scale); // spot quantities print 8 decimals
            Assert.True(t.Side is Side.Buy or Side.Sell);
            Assert.Equal(t.TradeId.AsLong, t.Sequence);
            Assert.True(t.ExchangeTimeNs > 0);
        });
        Assert.Contains(trades, t => t.Side == Side.Buy);
        Assert.Contains(trades, t => t.Side == Side.Sell);

        // Trade ids are contiguous per symbol: the provider saw no gaps.
        foreach (var g in trades.GroupBy(t => t.Instrument))
        {
            var ids = g.Select(t => t.Sequence).ToList();
            Assert.Equal(Enumerable.Range(0, ids.Count).Select(i => ids[0] + i), ids);
        }

        // The taker side matches the book: a taker buy lifts the ask of the quote sent after it, a taker sell hits the bid.
        var sideChecked = 0;
        var all = events.ToList();
        for (var i = 0; i + 1 < all.Count; i++)
        {
            if (all[i].Kind == EventKind.Trade && all[i + 1].Kind == EventKind.Quote && all[i + 1].Instrument == all[i].Instrument)
            {
                Assert.Equal(all[i].Side == Side.Buy ? all[i + 1].Aux : all[i + 1].Price, all[i].Price);
                sideChecked++;
            }
        }

        // A quote follows each taker order, after its last fill (2 fills per order on average).
        Assert.True(sideChecked >= 30, $"only {sideChecked} trade/quote pairs");
        Assert.Equal(0, run.Provider.Counters.RejectedFrames);
        Assert.Empty(run.DeadLetters);
    }

    [Fact]
    public async Task Usdm_brings_trades_and_marks_through_market_and_quotes_through_public()
    {
        await using var sim = await BinanceSimulator.StartAsync(Options(BinanceMarket.UsdM));
        // As Hosting wires it: the configured endpoint (the simulator's /stream) is the base of both routes.
        await using var run = Run.Start(sim, BinanceRoutes.Routes(BinanceMarket.UsdM, configured: sim.Endpoint), ["BTCUSDT"]);

        await run.Events.WaitAsync(es => es.Count(e => e.Kind == EventKind.Funding) >= 2 && es.Count(e => e.Kind == EventKind.Trade) >= 10
            && es.Any(e => e.Kind == EventKind.Quote), Deadline);

        var events = run.Events.Snapshot();
        Assert.All(events, e => Assert.Equal("BTC-USDT.PERP", run.RefData.KeyOf(e.Instrument)));
        Assert.All(events, e => Assert.Equal(VenueId.BinanceUsdm, e.Venue));
        var funding = events.First(e => e.Kind == EventKind.Funding);
        Assert.Equal("0.00010000", EventJson.Dec(funding.Price));
        var mark = events.First(e => e.Kind == EventKind.Mark);
        var index = events.First(e => e.Kind == EventKind.Index);
        Assert.Equal(8, mark.Price.Scale);
        Assert.Equal(mark.ExchangeTimeNs, index.ExchangeTimeNs);
        Assert.Equal(2, run.Provider.Counters.SubscriptionFramesSent); // one SUBSCRIBE frame per route
        Assert.Equal(0, run.Provider.Counters.RejectedFrames);
        Assert.Equal(1, run.Provider.ActiveSubscriptions); // one symbol, on two routes
        Assert.Equal(1, run.Provider.SubscriptionsOf("BTCUSDT")); // subscribed once: each route carries its own streams of it
        Assert.Equal(
            [("/public/stream", "BTCUSDT"), ("/market/stream", "BTCUSDT")],
            run.Provider.RoutedShards.Select(s => (s.Endpoint.AbsolutePath, Assert.Single(s.Symbols))));
        Assert.Equal(
            [["btcusdt@bookTicker"], ["btcusdt@aggTrade", "btcusdt@markPrice@1s"]],
            sim.Stats.Connections.OrderBy(c => c.Subscriptions.Count).Select(c => c.Subscriptions));
    }

    [Fact]
    public async Task A_usdm_connector_left_on_the_unrouted_endpoint_gets_its_ack_and_quotes_but_never_a_trade_or_mark()
    {
        await using var sim = await BinanceSimulator.StartAsync(Options(BinanceMarket.UsdM));
        // The connector before the route split: every stream on wss://fstream.binance.com/stream.
        await using var run = Run.Start(sim, new BinanceProtocol(BinanceMarket.UsdM), ["BTCUSDT"]);

        // The simulator sends a quote after each trade (and marks every 200 ms), so 200 quotes follow 200 trades and
        // some marks: on a connection that carried them, they would have come first.
        await run.Events.WaitAsync(es => es.Count(e => e.Kind == EventKind.Quote) >= 200, Deadline);

        Assert.Equal(1, run.Provider.Counters.ByReason(FrameReason.SubscriptionAck));
        Assert.DoesNotContain(run.Events.Snapshot(), e => e.Kind is EventKind.Trade or EventKind.Mark or EventKind.Index or EventKind.Funding);
        Assert.Equal(0, run.Provider.Counters.RejectedFrames);
        Assert.Equal(0, sim.Stats.ProtocolErrors);
    }

    [Fact]
    public async Task Usdm_shards_each_route_within_its_own_stream_limit()
    {
        await using var sim = await BinanceSimulator.StartAsync(Options(BinanceMarket.UsdM));
        // Four streams per connection: four symbols per /public shard (bookTicker), two per /market shard (aggTrade + markPrice@1s).
        var options = new BinanceProtocolOptions { StreamsPerConnection = 4 };
        await using var run = Run.Start(sim, BinanceRoutes.Routes(BinanceMarket.UsdM, options, sim.Endpoint), ["BTCUSDT", "ETHUSDT", "SOLUSDT"]);

        var ids = new List<InstrumentId>();
        foreach (var key in new[] { "BTC-USDT.PERP", "ETH-USDT.PERP", "SOL-USDT.PERP" })
        {
            ids.Add(await run.InstrumentAsync(key));
        }

        await run.Events.WaitAsync(es => ids.All(id => es.Any(e => e.Instrument == id && e.Kind == EventKind.Trade)
            && es.Any(e => e.Instrument == id && e.Kind == EventKind.Mark) && es.Any(e => e.Instrument == id && e.Kind == EventKind.Quote)), Deadline);

        var shards = run.Provider.RoutedShards;
        Assert.Equal([3], shards.Where(s => s.Endpoint.AbsolutePath == "/public/stream").Select(s => s.Symbols.Count));
        Assert.Equal([2, 1], shards.Where(s => s.Endpoint.AbsolutePath == "/market/stream").Select(s => s.Symbols.Count));
        Assert.Equal(3, run.Provider.ConnectionCount);
        Assert.Equal(3, run.Provider.ActiveSubscriptions);
        Assert.All(new[] { "BTCUSDT", "ETHUSDT", "SOLUSDT" }, sym => Assert.Equal(1, run.Provider.SubscriptionsOf(sym)));
        await WaitUntilAsync(() => sim.Stats.Connections.Count == 3 && sim.Stats.Connections.Sum(c => c.Subscriptions.Count) == 9, "every stream subscribed");
        Assert.All(sim.Stats.Connections, c => Assert.InRange(c.Subscriptions.Count, 1, 4));
        Assert.Equal(0, run.Provider.Counters.Reconnects);
    }

    [Fact]
    public async Task Coinm_perpetuals_map_to_inverse_instruments()
    {
        await using var sim = await BinanceSimulator.StartAsync(Options(BinanceMarket.CoinM));
        await using var run = Run.Start(sim, new BinanceProtocol(BinanceMarket.CoinM), ["ETHUSD_PERP"]);

        await run.Events.WaitAsync(es => es.Any(e => e.Kind == EventKind.Trade) && es.Any(e => e.Kind == EventKind.Mark), Deadline);

        var events = run.Events.Snapshot();
        Assert.All(events, e => Assert.Equal("ETH-USD.PERP", run.RefData.KeyOf(e.Instrument)));
        Assert.All(events.Where(e => e.Kind == EventKind.Trade), t => Assert.Equal(0, t.Size.Scale)); // whole contracts
    }

    [Fact]
    public async Task A_symbol_added_to_the_running_provider_streams_without_a_reconnect_and_removal_stops_it()
    {
        await using var sim = await BinanceSimulator.StartAsync(Options(BinanceMarket.Spot));
        await using var run = Run.Start(sim, new BinanceProtocol(BinanceMarket.Spot), ["BTCUSDT"]);
        var btc = await run.InstrumentAsync("BTC-USDT.SPOT");
        await run.Events.WaitAsync(es => es.Count(e => e.Instrument == btc) >= 10, Deadline);

        await run.Provider.AddSubscriptionsAsync(["ETHUSDT"]);

        var eth = await run.InstrumentAsync("ETH-USDT.SPOT");
        await run.Events.WaitAsync(es => es.Count(e => e.Instrument == eth) >= 10, Deadline);
        Assert.Equal(1, run.Provider.ConnectionCount);
        Assert.Equal(0, run.Provider.Counters.Reconnects);
        Assert.Equal(1, sim.Stats.ConnectionsAccepted); // the same socket carries both
        Assert.Equal(2, run.Provider.ActiveSubscriptions);
        await WaitUntilAsync(() => sim.Stats.Connections.Single().Subscriptions.Count == 4, "four streams on the one connection");

        run.Provider.RemoveSubscriptions(["BTCUSDT"]);

        // Three acks: two SUBSCRIBEs and the UNSUBSCRIBE. Frames are handled in order, so once the third ack is counted,
        // every BTCUSDT frame sent before it has been delivered.
        await WaitUntilAsync(() => run.Provider.Counters.ByReason(FrameReason.SubscriptionAck) == 3, "the UNSUBSCRIBE ack");
        var mark = run.Events.Count;
        await run.Events.WaitAsync(es => es.Skip(mark).Count(e => e.Instrument == eth) >= 50, Deadline);
        Assert.DoesNotContain(run.Events.Snapshot().Skip(mark), e => e.Instrument == btc);
        Assert.Equal(0, run.Provider.Counters.Reconnects);
        Assert.Equal(1, run.Provider.ActiveSubscriptions);
        Assert.Equal(["ethusdt@trade", "ethusdt@bookTicker"], sim.Stats.Connections.Single().Subscriptions);
    }

    [Fact]
    public async Task A_burst_of_live_changes_is_paced_under_the_spot_limit_and_never_costs_the_connection()
    {
        // The simulator disconnects a spot connection on its sixth incoming message within a second, as Binance does.
        await using var sim = await BinanceSimulator.StartAsync(Options(BinanceMarket.Spot));
        await using var run = Run.Start(sim, new BinanceProtocol(BinanceMarket.Spot), ["BTCUSDT"]);
        var btc = await run.InstrumentAsync("BTC-USDT.SPOT");
        await run.Events.WaitAsync(es => es.Count(e => e.Instrument == btc) >= 5, Deadline);
        // The simulator counts a message when it reads it, and its first read on a fresh connection can come ~1 s after
        // the client's connect-time SUBSCRIBE (a cold simulator in this process); the pacer counts from the send. So the
        // burst starts one pacing window after that SUBSCRIBE: the budget under test is the burst's, not the start-up's
        // (seen: the SUBSCRIBE read 912 ms late, then the burst's sixth frame refused).
        await Task.Delay(OutboundPacer.Window);

        // Eleven frames at once: five add/remove pairs of ETHUSDT, then SOLUSDT.
        for (var i = 0; i < 5; i++)
        {
            await run.Provider.AddSubscriptionsAsync(["ETHUSDT"]);
            run.Provider.RemoveSubscriptions(["ETHUSDT"]);
        }

        await run.Provider.AddSubscriptionsAsync(["SOLUSDT"]);

        // The SUBSCRIBE of BTCUSDT plus eleven: twelve acks, at most five per second.
        await WaitUntilAsync(() => run.Provider.Counters.ByReason(FrameReason.SubscriptionAck) == 12, "every change acknowledged");
        var sol = await run.InstrumentAsync("SOL-USDT.SPOT");
        await run.Events.WaitAsync(es => es.Count(e => e.Instrument == sol) >= 5, Deadline);

        Assert.Equal(0, run.Provider.Counters.Reconnects);
        Assert.Equal(1, sim.Stats.ConnectionsAccepted);
        Assert.Equal(0, sim.Stats.ConnectionsClosed);
        Assert.Equal(["btcusdt@trade", "btcusdt@bookTicker", "solusdt@trade", "solusdt@bookTicker"], sim.Stats.Connections.Single().Subscriptions);
    }

    [Fact]
    public async Task With_one_symbol_per_connection_three_symbols_open_three_connections_that_stream_together()
    {
        await using var sim = await BinanceSimulator.StartAsync(Options(BinanceMarket.Spot));
        var protocol = new BinanceProtocol(BinanceMarket.Spot, new BinanceProtocolOptions { MaxSymbolsPerConnection = 1 });
        await using var run = Run.Start(sim, protocol, ["BTCUSDT", "ETHUSDT", "SOLUSDT"]);

        var keys = new[] { "BTC-USDT.SPOT", "ETH-USDT.SPOT", "SOL-USDT.SPOT" };
        var ids = new List<InstrumentId>();
        foreach (var key in keys)
        {
            ids.Add(await run.InstrumentAsync(key));
        }

        // All three are flowing; then each brings 20 more events in the same window: the shards stream at the same time.
        await run.Events.WaitAsync(es => ids.All(id => es.Any(e => e.Instrument == id)), Deadline);
        var mark = run.Events.Count;
        await run.Events.WaitAsync(es => ids.All(id => es.Skip(mark).Count(e => e.Instrument == id) >= 20), Deadline);

        Assert.Equal(3, run.Provider.ConnectionCount);
        Assert.Equal(3, run.Provider.Shards.Count);
        Assert.All(run.Provider.Shards, s => Assert.Single(s));
        Assert.Equal(3, sim.Stats.Connections.Count);
        Assert.All(sim.Stats.Connections, c => Assert.Equal(2, c.Subscriptions.Count)); // trade + bookTicker of one symbol
        Assert.Equal(0, run.Provider.Counters.Reconnects);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        // Polls with a bounded deadline: the condition lives in counters that raise no event.
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>A provider subscribed to the simulator, collecting events and dead letters.</summary>
    private sealed class Run : IAsyncDisposable
    {
        private readonly IDisposable _subscription;

        private Run(WebSocketProvider provider, ReferenceData refData, EventCollector events, ConcurrentQueue<DeadLetter> deadLetters)
        {
            Provider = provider;
            RefData = refData;
            Events = events;
            DeadLetters = deadLetters;
            _subscription = provider.Events.Subscribe(events);
        }

        public WebSocketProvider Provider { get; }

        public ReferenceData RefData { get; }

        public EventCollector Events { get; }

        public ConcurrentQueue<DeadLetter> DeadLetters { get; }

        public static Run Start(BinanceSimulator sim, BinanceProtocol protocol, string[] symbols) =>
            Start(sim, [new WebSocketRoute(protocol, sim.Endpoint)], symbols);

        public static Run Start(BinanceSimulator sim, IReadOnlyList<WebSocketRoute> routes, string[] symbols)
        {
            var refData = new ReferenceData();
            BinanceSymbols.Register(refData, sim.Segment);
            var deadLetters = new ConcurrentQueue<DeadLetter>();
            var provider = new WebSocketProvider(routes, symbols, refData, deadLetters.Enqueue);
            return new Run(provider, refData, new EventCollector(), deadLetters);
        }

        /// <summary>The instrument id of a canonical key, once the decoder has interned it.</summary>
        public async Task<InstrumentId> InstrumentAsync(string key)
        {
            await Events.WaitAsync(_ => RefData.TryGetByKey(key, out Instrument _), Deadline);
            return RefData.TryGetByKey(key, out var i) ? i.Id : InstrumentId.None;
        }

        public ValueTask DisposeAsync()
        {
            _subscription.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Collects events; waiters are completed from <see cref="OnNext"/> when their condition holds.</summary>
    internal sealed class EventCollector : IObserver<MarketEvent>
    {
        private readonly Lock _gate = new();
        private readonly List<MarketEvent> _events = [];
        private readonly List<(Func<IReadOnlyList<MarketEvent>, bool> Condition, TaskCompletionSource Done)> _waiters = [];
        private Exception? _error;

        public int Count
        {
            get
            {
                lock (_gate)
                {
                    return _events.Count;
                }
            }
        }

        public List<MarketEvent> Snapshot()
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }

        public async Task WaitAsync(Func<IReadOnlyList<MarketEvent>, bool> condition, TimeSpan deadline)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                if (_error is not null)
                {
                    throw new InvalidOperationException("the event stream failed", _error);
                }

                if (condition(_events))
                {
                    return;
                }

                _waiters.Add((condition, done));
            }

            try
            {
                await done.Task.WaitAsync(deadline);
            }
            catch (TimeoutException)
            {
                lock (_gate)
                {
                    throw new TimeoutException($"condition not met within {deadline}; {_events.Count} events so far");
                }
            }
        }

        public void OnNext(MarketEvent value)
        {
            lock (_gate)
            {
                _events.Add(value);
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_waiters[i].Condition(_events))
                    {
                        _waiters[i].Done.TrySetResult();
                        _waiters.RemoveAt(i);
                    }
                }
            }
        }

        public void OnError(Exception error)
        {
            lock (_gate)
            {
                _error = error;
                foreach (var w in _waiters)
                {
                    w.Done.TrySetException(error);
                }

                _waiters.Clear();
            }
        }

        public void OnCompleted()
        {
        }
    }
}
