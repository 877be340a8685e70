using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Cloudwall.Rx.Ingestion.Venues.Binance;
using Cloudwall.Rx.Simulation;
using Cloudwall.Rx.Simulation.Binance;
using Cloudwall.Rx.Simulation.Coinbase;
using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Kraken;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Tests.Unit.Simulation;

/// <summary>
/// The injectable faults, asserted on the wire messages of the Coinbase and Kraken synthetic feeds. The feeds are stepped on
/// explicit times (10 ms steps from a fixed start) and their frames read straight from a connection's queue: no socket, no clock.
/// </summary>
public sealed class SyntheticFeedFaultTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

    public static TheoryData<string> Venues => new() { "coinbase", "kraken" };

    [Theory]
    [MemberData(nameof(Venues))]
    public void Freeze_holds_prices_while_trade_ids_and_times_advance_and_Unfreeze_ends_it(string venue)
    {
        var feed = FeedProbe.Start(venue);
        var before = feed.Run(100).Where(w => w.IsTrade).ToList();
        Assert.True(before.Select(w => w.Price).Distinct().Count() > 1, "the market moves before the freeze");

        feed.Faults.Freeze(feed.Instrument);
        var frozen = feed.Run(200);
        var trades = frozen.Where(w => w.IsTrade).ToList();
        var quotes = frozen.Where(w => !w.IsTrade).ToList();
        Assert.True(trades.Count >= 150, $"trades keep their rate ({trades.Count})");
        Assert.All(trades, t => Assert.Equal(before[^1].Price, t.Price));
        Assert.Single(quotes.Select(q => (q.Bid, q.Ask)).Distinct());
        Assert.All(quotes, q => Assert.Equal(before[^1].Price, q.Price));
        Assert.True(trades.Zip(trades.Skip(1)).All(p => p.Second.Id > p.First.Id && p.Second.Time > p.First.Time), "ids and times rise");

        feed.Faults.Unfreeze();
        Assert.True(feed.Run(200).Where(w => w.IsTrade).Select(w => w.Price).Distinct().Count() > 1, "prices move again");
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public void CrossQuotes_publishes_bid_above_ask_until_switched_off(string venue)
    {
        var feed = FeedProbe.Start(venue);
        Assert.All(feed.Run(20).Where(w => !w.IsTrade), q => Assert.True(q.Bid < q.Ask));

        feed.Faults.CrossQuotes(feed.Instrument);
        var crossed = feed.Run(50).Where(w => !w.IsTrade).ToList();
        Assert.NotEmpty(crossed);
        Assert.All(crossed, q => Assert.True(q.Bid > q.Ask, $"{q.Bid} > {q.Ask}"));

        feed.Faults.CrossQuotes(feed.Instrument, on: false);
        Assert.All(feed.Run(20).Where(w => !w.IsTrade), q => Assert.True(q.Bid < q.Ask));
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public void DuplicateTrades_sends_every_trade_twice_with_the_same_id_and_sequence(string venue)
    {
        var feed = FeedProbe.Start(venue);
        feed.Faults.DuplicateTrades();
        var trades = feed.Run(50).Where(w => w.IsTrade).ToList();

        Assert.True(trades.Count >= 80);
        Assert.All(trades.GroupBy(t => t.Id), g => Assert.Equal(2, g.Count()));
        Assert.All(trades.GroupBy(t => t.Id), g => Assert.Single(g.Distinct())); // same sequence, price, time

        feed.Faults.DuplicateTrades(on: false);
        var after = feed.Run(50).Where(w => w.IsTrade).ToList();
        Assert.Equal(after.Count, after.Select(t => t.Id).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public void Throttle_runs_the_trade_rate_at_the_fraction(string venue)
    {
        var feed = FeedProbe.Start(venue); // 100 trades a second
        Assert.Equal(1_000, feed.Run(1_000).Count(w => w.IsTrade));

        feed.Faults.Throttle(feed.Instrument, 0.02);
        var slowed = feed.Run(10_000).Count(w => w.IsTrade); // 100 s at 2 a second
        Assert.InRange(slowed, 199, 201);

        feed.Faults.Throttle(feed.Instrument, 1.0);
        Assert.InRange(feed.Run(1_000).Count(w => w.IsTrade), 999, 1_001);
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public void SilenceQuotes_stops_quotes_while_trades_carry_on(string venue)
    {
        var feed = FeedProbe.Start(venue);
        feed.Faults.SilenceQuotes();
        var silenced = feed.Run(100);
        Assert.True(silenced.Count(w => w.IsTrade) >= 90);
        Assert.DoesNotContain(silenced, w => !w.IsTrade);

        feed.Faults.ResumeQuotes();
        Assert.Contains(feed.Run(10), w => !w.IsTrade);
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public void ClockAhead_puts_exchange_times_ahead_of_the_feed_clock_and_AddLatency_behind(string venue)
    {
        var feed = FeedProbe.Start(venue);
        feed.Faults.ClockAhead(TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(-2), feed.Faults.Latency);
        var ahead = feed.Run(10);
        Assert.NotEmpty(ahead);
        Assert.All(ahead, w => Assert.InRange(w.Time - feed.Now.UtcDateTime, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(2)));

        feed.Faults.Reset();
        feed.Faults.AddLatency(TimeSpan.FromSeconds(30));
        Assert.All(feed.Run(10), w => Assert.InRange(feed.Now.UtcDateTime - w.Time, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30.1)));
    }

    [Theory]
    [MemberData(nameof(Venues))]
    public void A_100x_price_offset_moves_trades_and_quotes_alike(string venue)
    {
        var feed = FeedProbe.Start(venue);
        var reference = feed.Run(10).Last(w => w.IsTrade).Price;

        feed.Faults.PriceOffset(feed.Instrument, 99m);
        var gross = feed.Run(10);
        Assert.All(gross, w => Assert.InRange(w.Price / reference, 99m, 101m));
        Assert.All(gross.Where(w => !w.IsTrade), q => Assert.InRange(q.Bid / reference, 99m, 101m));
    }

    [Fact]
    public void Binance_spot_freezes_crosses_duplicates_and_silences_quotes_through_the_same_rules()
    {
        var faults = new SimulatorFaults();
        var options = new BinanceSimulatorOptions { Symbols = [new() { Symbol = "BTCUSDT", StartPrice = 65_000m, TradesPerSecond = 100 }] };
        var protocol = new BinanceSimProtocol(BinanceMarket.Spot, new Dictionary<string, BinanceRoute> { [options.Server.Path] = BinanceRoute.Unrouted },
            NullLogger.Instance);
        var feed = new SyntheticBinanceFeed(options, protocol, new BinanceRestApi(BinanceMarket.Spot, new HashSet<string> { "BTCUSDT" }), faults, T0);
        var connection = FeedProbe.Connection(options.Server.Path);
        protocol.OnConnected(connection);
        FeedProbe.Send(protocol, connection, """{"method":"SUBSCRIBE","params":["btcusdt@trade","btcusdt@bookTicker"],"id":1}""");
        var now = T0;
        List<(long Id, decimal Price)> Trades(out List<(decimal Bid, decimal Ask)> quotes)
        {
            for (var i = 0; i < 100; i++, now += Step)
            {
                feed.Step(now, now + Step);
            }

            var trades = new List<(long, decimal)>();
            quotes = [];
            while (connection.TryTakeQueued(out var frame))
            {
                using var doc = JsonDocument.Parse(frame);
                var d = doc.RootElement.GetProperty("data");
                if (d.TryGetProperty("e", out var e) && e.GetString() == "trade")
                {
                    trades.Add((d.GetProperty("t").GetInt64(), Dec(d, "p")));
                }
                else if (d.TryGetProperty("u", out _))
                {
                    quotes.Add((Dec(d, "b"), Dec(d, "a")));
                }
            }

            return trades;
        }

        var before = Trades(out _);
        faults.Freeze("BTCUSDT");
        faults.CrossQuotes("BTCUSDT");
        faults.DuplicateTrades("BTCUSDT");
        var faulted = Trades(out var crossed);
        Assert.All(faulted, t => Assert.Equal(before[^1].Price, t.Price));
        Assert.All(faulted.GroupBy(t => t.Id), g => Assert.Equal(2, g.Count()));
        Assert.NotEmpty(crossed);
        Assert.All(crossed, q => Assert.True(q.Bid > q.Ask));

        faults.Reset();
        faults.SilenceQuotes("BTCUSDT");
        Assert.NotEmpty(Trades(out var silenced));
        Assert.Empty(silenced);

        static decimal Dec(JsonElement d, string name) => decimal.Parse(d.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);
    }

    /// <summary>One trade or quote as the wire carried it; a quote's <see cref="Id"/> is 0.</summary>
    private sealed record Wire(bool IsTrade, long Id, long Sequence, decimal Price, decimal Bid, decimal Ask, DateTime Time);

    /// <summary>A feed, its protocol and one subscribed connection whose queue the test reads.</summary>
    private sealed class FeedProbe
    {
        private readonly VenueConnection _connection;
        private readonly Action<DateTimeOffset, DateTimeOffset> _step;
        private readonly Func<JsonElement, IEnumerable<Wire>> _parse;

        private FeedProbe(string instrument, SimulatorFaults faults, VenueConnection connection, Action<DateTimeOffset, DateTimeOffset> step,
            Func<JsonElement, IEnumerable<Wire>> parse)
        {
            Instrument = instrument;
            Faults = faults;
            _connection = connection;
            _step = step;
            _parse = parse;
        }

        public string Instrument { get; }

        public SimulatorFaults Faults { get; }

        public DateTimeOffset Now { get; private set; } = T0;

        public static FeedProbe Start(string venue)
        {
            var faults = new SimulatorFaults();
            var connection = Connection("/");
            if (venue == "coinbase")
            {
                var protocol = new CoinbaseProtocol(faults, TimeProvider.System, NullLogger.Instance);
                var feed = new SyntheticCoinbaseFeed(
                    new CoinbaseSimulatorOptions { Products = [new() { ProductId = "BTC-USD", StartPrice = 65_000m, TradesPerSecond = 100 }] },
                    protocol, faults, T0);
                protocol.OnConnected(connection);
                Send(protocol, connection, """{"type":"subscribe","product_ids":["BTC-USD"],"channels":["matches","ticker"]}""");
                return new FeedProbe("BTC-USD", faults, connection, feed.Step, Coinbase);
            }
            else
            {
                var protocol = new KrakenProtocol(faults, TimeProvider.System, NullLogger.Instance);
                var feed = new SyntheticKrakenFeed(
                    new KrakenSimulatorOptions { Pairs = [new() { Symbol = "BTC/USD", StartPrice = 65_000m, TickSize = 0.1m, TradesPerSecond = 100 }] },
                    protocol, faults, T0);
                protocol.OnConnected(connection);
                Send(protocol, connection, """{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"],"snapshot":false}}""");
                Send(protocol, connection, """{"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD"],"snapshot":false}}""");
                return new FeedProbe("BTC/USD", faults, connection, feed.Step, Kraken);
            }
        }

        /// <summary>Runs <paramref name="steps"/> 10 ms steps and returns the trades and quotes they sent.</summary>
        public List<Wire> Run(int steps)
        {
            for (var i = 0; i < steps; i++)
            {
                _step(Now, Now + Step);
                Now += Step;
            }

            var wires = new List<Wire>();
            while (_connection.TryTakeQueued(out var frame))
            {
                using var doc = JsonDocument.Parse(frame);
                wires.AddRange(_parse(doc.RootElement));
            }

            return wires;
        }

        /// <summary>A connection with no socket behind it: the test reads its queue.</summary>
        public static VenueConnection Connection(string path) => new(
            1,
            WebSocket.CreateFromStream(new MemoryStream(), new WebSocketCreationOptions { IsServer = true }),
            null,
            T0,
            new WebSocketVenueServerOptions { SendQueueCapacity = 1_000_000 },
            () => { },
            path);

        public static void Send(Cloudwall.Rx.Simulation.Hosting.IVenueProtocol protocol, VenueConnection connection, string json)
        {
            Assert.True(protocol.OnTextMessageAsync(connection, Encoding.UTF8.GetBytes(json), CancellationToken.None).IsCompletedSuccessfully);
            while (connection.TryTakeQueued(out _))
            {
                // acks and statuses are not under test
            }
        }

        private static IEnumerable<Wire> Coinbase(JsonElement m)
        {
            var time = Time(m.GetProperty("time").GetString()!);
            switch (m.GetProperty("type").GetString())
            {
                case "match":
                    yield return new Wire(true, m.GetProperty("trade_id").GetInt64(), m.GetProperty("sequence").GetInt64(), Dec(m, "price"), 0m, 0m, time);
                    break;
                case "ticker":
                    yield return new Wire(false, 0, m.GetProperty("sequence").GetInt64(), Dec(m, "price"), Dec(m, "best_bid"), Dec(m, "best_ask"), time);
                    break;
            }

            static decimal Dec(JsonElement m, string name) => decimal.Parse(m.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);
        }

        private static IEnumerable<Wire> Kraken(JsonElement m)
        {
            var channel = m.GetProperty("channel").GetString();
            if (channel is not ("trade" or "ticker"))
            {
                yield break;
            }

            foreach (var d in m.GetProperty("data").EnumerateArray())
            {
                var time = Time(d.GetProperty("timestamp").GetString()!);
                yield return channel == "trade"
                    ? new Wire(true, d.GetProperty("trade_id").GetInt64(), 0, d.GetProperty("price").GetDecimal(), 0m, 0m, time)
                    : new Wire(false, 0, 0, d.GetProperty("last").GetDecimal(), d.GetProperty("bid").GetDecimal(), d.GetProperty("ask").GetDecimal(), time);
            }
        }

        private static DateTime Time(string s) =>
            DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
    }
}
