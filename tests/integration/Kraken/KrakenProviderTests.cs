using System.Threading.Channels;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Venues.Kraken;
using Cloudwall.Rx.Simulation.Kraken;
using Cloudwall.Rx.Simulation.Market;

namespace Cloudwall.Rx.Tests.Integration.Kraken;

/// <summary>
/// The real <see cref="WebSocketProvider"/> with <see cref="KrakenV2Protocol"/> against <see cref="KrakenSimulator"/> over loopback.
/// Every wait is bounded by a deadline on received data; nothing sleeps for a fixed time.
/// </summary>
public sealed class KrakenProviderTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private static KrakenSimulatorOptions Options() => new()
    {
        Market = new SyntheticMarket(5),
        Pairs =
        [
            new() { Symbol = "BTC/USD", StartPrice = 65_000m, TickSize = 0.1m, TradesPerSecond = 50, MeanTradeSize = 0.02m },
            new() { Symbol = "ETH/USD", StartPrice = 3_200m, TickSize = 0.01m, TradesPerSecond = 50, MeanTradeSize = 0.3m },
            new() { Symbol = "SOL/USD", StartPrice = 150m, TickSize = 0.01m, TradesPerSecond = 50, MeanTradeSize = 5m },
        ],
    };

    private sealed class Harness : IAsyncDisposable
    {
        private readonly IDisposable _subscription;
        private readonly Channel<MarketEvent> _events = Channel.CreateBounded<MarketEvent>(
            new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

        private Harness(KrakenSimulator sim, WebSocketProvider provider, ReferenceData refData, List<DeadLetter> deadLetters)
        {
            Sim = sim;
            Provider = provider;
            RefData = refData;
            DeadLetters = deadLetters;
            _subscription = provider.Events.Subscribe(e => _events.Writer.TryWrite(e), ex => _events.Writer.TryComplete(ex));
        }

        public KrakenSimulator Sim { get; }
        public WebSocketProvider Provider { get; }
        public ReferenceData RefData { get; }
        public List<DeadLetter> DeadLetters { get; }

        public static async Task<Harness> StartAsync(params string[] symbols)
        {
            var sim = await KrakenSimulator.StartAsync(Options());
            var refData = new ReferenceData();
            KrakenSymbols.Register(refData);
            var deadLetters = new List<DeadLetter>();
            var provider = new WebSocketProvider(new KrakenV2Protocol(), sim.Endpoint, symbols, refData, d =>
            {
                lock (deadLetters)
                {
                    deadLetters.Add(d);
                }
            });
            return new Harness(sim, provider, refData, deadLetters);
        }

        public string Key(in MarketEvent e) => RefData.KeyOf(e.Instrument);

        /// <summary>Reads events until <paramref name="done"/> says so; fails when the deadline passes first.</summary>
        public async Task<List<MarketEvent>> ReadUntilAsync(Func<MarketEvent, List<MarketEvent>, bool> done)
        {
            var seen = new List<MarketEvent>();
            using var cts = new CancellationTokenSource(Deadline);
            while (true)
            {
                MarketEvent e;
                try
                {
                    e = await _events.Reader.ReadAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"condition not met within {Deadline}; {seen.Count} events seen");
                }

                seen.Add(e);
                if (done(e, seen))
                {
                    return seen;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _subscription.Dispose();
            await Sim.DisposeAsync();
        }
    }

    [Fact]
    public async Task Events_arrive_with_canonical_instruments_exact_decimals_and_taker_sides()
    {
        await using var h = await Harness.StartAsync("BTC/USD", "ETH/USD");

        var seen = await h.ReadUntilAsync((_, all) =>
            all.Count(e => e.Kind == EventKind.Trade) >= 100 && all.Any(e => e.Kind == EventKind.Quote) &&
            all.Select(e => e.Instrument).Distinct().Count() == 2);

        var trades = seen.Where(e => e.Kind == EventKind.Trade).ToList();
        Assert.Equal(["BTC-USD.SPOT", "ETH-USD.SPOT"], seen.Select(e => h.Key(e)).Distinct().Order(StringComparer.Ordinal).ToArray());
        Assert.All(seen, e => Assert.Equal(VenueId.Kraken, e.Venue));
        Assert.All(seen, e => Assert.Equal(ProviderId.Kraken, e.Provider));
        Assert.All(trades, e => Assert.Contains(e.Side, new[] { Side.Buy, Side.Sell }));
        Assert.Contains(trades, e => e.Side == Side.Buy);
        Assert.Contains(trades, e => e.Side == Side.Sell);
        // The wire's scale survives: BTC/USD ticks are 0.1, ETH/USD 0.01, sizes 8 places.
        Assert.All(trades.Where(e => h.Key(e) == "BTC-USD.SPOT"), e => Assert.Equal(1, e.Price.Scale));
        Assert.All(trades.Where(e => h.Key(e) == "ETH-USD.SPOT"), e => Assert.Equal(2, e.Price.Scale));
        Assert.All(trades, e => Assert.Equal(8, e.Size.Scale));
        Assert.All(trades.Where(e => h.Key(e) == "BTC-USD.SPOT"), e => Assert.InRange(e.Price, 50_000m, 80_000m));
        // trade_id is the sequence: contiguous per instrument.
        foreach (var series in trades.GroupBy(e => e.Instrument))
        {
            var ids = series.Select(e => e.Sequence).ToArray();
            Assert.All(ids.Zip(ids.Skip(1)), p => Assert.Equal(p.First + 1, p.Second));
            Assert.All(series, e => Assert.Equal(TradeId.Numeric(e.Sequence), e.TradeId));
        }

        var quote = seen.First(e => e.Kind == EventKind.Quote);
        Assert.True(quote.Price < quote.Aux);
        Assert.True(quote.Size > 0 && quote.AuxSize > 0);
        Assert.Equal(0, h.Provider.Counters.RejectedFrames);
        Assert.True(h.Provider.Counters.ByReason(FrameReason.SubscriptionAck) >= 4); // one ack per symbol and channel
        Assert.Equal(0, h.Provider.Counters.Reconnects);
        Assert.Empty(h.DeadLetters);
    }

    [Fact]
    public async Task A_clock_ahead_reaches_the_events_and_crossed_quotes_are_rejected_as_crossed()
    {
        await using var h = await Harness.StartAsync("BTC/USD");
        await h.ReadUntilAsync((e, _) => e.Kind == EventKind.Quote);

        h.Sim.Faults.ClockAhead(TimeSpan.FromSeconds(2));
        h.Sim.Faults.CrossQuotes("BTC/USD");
        var seen = await h.ReadUntilAsync((_, all) => all.Count(e => e.Kind == EventKind.Trade && e.ExchangeTime > e.ReceiveTime) >= 50);

        // Once the fault is on, every trade is stamped ahead of our receive time: 2 s less the feed-to-decoder delay, which a
        // busy machine stretches, so only the bounds and the best case are asserted.
        var ahead = seen.Where(e => e.Kind == EventKind.Trade).SkipWhile(e => e.ExchangeTime <= e.ReceiveTime).ToList();
        Assert.All(ahead, e => Assert.InRange(e.ExchangeTime - e.ReceiveTime, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(2)));
        Assert.True(ahead.Max(e => e.ExchangeTime - e.ReceiveTime) > TimeSpan.FromSeconds(1.5), "about 2 s ahead");
        Assert.True(h.Provider.Counters.ByReason(FrameReason.CrossedQuote) > 0, "crossed tickers reach the validator and are refused");
        Assert.Equal(0, h.Provider.Counters.ByReason(FrameReason.TimestampFuture)); // 2 s is well inside MaxFutureSkew
    }

    [Fact]
    public async Task Adding_a_symbol_uses_the_live_connection_and_removing_one_stops_it()
    {
        await using var h = await Harness.StartAsync("BTC/USD", "ETH/USD");
        await h.ReadUntilAsync((e, _) => e.Kind == EventKind.Trade && h.Key(e) == "ETH-USD.SPOT");

        await h.Provider.AddSubscriptionsAsync(["SOL/USD"]);
        await h.ReadUntilAsync((e, _) => e.Kind == EventKind.Trade && h.Key(e) == "SOL-USD.SPOT");

        Assert.Equal(0, h.Provider.Counters.Reconnects);
        Assert.Equal(1, h.Provider.ConnectionCount);
        Assert.Equal(1, h.Sim.Stats.ConnectionsAccepted);
        Assert.Equal(["BTC/USD", "ETH/USD", "SOL/USD"], h.Provider.Shards.Single().Order(StringComparer.Ordinal).ToArray());

        h.Provider.RemoveSubscriptions(["BTC/USD"]);
        // Wait (on data) until the simulator has applied the unsubscribe; from then on nothing of BTC/USD is queued.
        var applied = await h.ReadUntilAsync((_, _) => !h.Sim.Stats.Connections.Single().Subscriptions.Any(s => s.EndsWith("BTC/USD", StringComparison.Ordinal)));
        var after = DateTime.UtcNow;
        // Frames queued before the unsubscribe may still be in flight; a trade stamped after it marks the point where
        // everything older has been received (the socket is FIFO).
        var tail = await h.ReadUntilAsync((e, _) => e.Kind == EventKind.Trade && h.Key(e) != "BTC-USD.SPOT" && e.ExchangeTime > after.AddMilliseconds(50));
        var later = await h.ReadUntilAsync((_, all) => all.Count(e => e.Kind == EventKind.Trade) >= 200);

        Assert.DoesNotContain(later, e => h.Key(e) == "BTC-USD.SPOT");
        Assert.Contains(later, e => h.Key(e) == "ETH-USD.SPOT");
        Assert.Contains(later, e => h.Key(e) == "SOL-USD.SPOT");
        Assert.Equal(0, h.Provider.Counters.Reconnects);
        Assert.Equal(1, h.Sim.Stats.ConnectionsAccepted);
        Assert.NotEmpty(applied);
        Assert.NotEmpty(tail);
    }
}
