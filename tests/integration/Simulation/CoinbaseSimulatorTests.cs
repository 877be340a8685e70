using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cloudwall.Rx.Simulation.Coinbase;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Integration.Simulation;

public sealed partial class CoinbaseSimulatorTests
{
    private static CoinbaseSimulatorOptions Synthetic(double tradesPerSecond = 200) => new()
    {
        Products =
        [
            new() { ProductId = "BTC-USD", StartPrice = 65_000m, TickSize = 0.01m, TradesPerSecond = tradesPerSecond, MeanTradeSize = 0.02m },
            new() { ProductId = "ETH-USD", StartPrice = 3_200m, TickSize = 0.01m, TradesPerSecond = tradesPerSecond, MeanTradeSize = 0.3m },
        ],
    };

    [Fact]
    public async Task Subscribe_acks_then_sends_last_match_then_matches_and_tickers_in_order()
    {
        await using var sim = await CoinbaseSimulator.StartAsync(Synthetic());
        Assert.Equal("ws", sim.Endpoint.Scheme);
        Assert.Equal("127.0.0.1", sim.Endpoint.Host);
        Assert.NotEqual(0, sim.Endpoint.Port);
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);

        await client.SubscribeAsync(["BTC-USD"], "matches", "ticker");

        var ack = await client.ReceiveAsync();
        Assert.Equal("subscriptions", ack.Type());
        var channels = ack.GetProperty("channels").EnumerateArray().ToDictionary(c => c.Str("name"), c => c.GetProperty("product_ids").EnumerateArray().Select(p => p.GetString()!).ToArray());
        Assert.Equal(["matches", "ticker"], channels.Keys.Order().ToArray());
        Assert.Equal(["BTC-USD"], channels["matches"]);
        Assert.Equal(["BTC-USD"], channels["ticker"]);

        var lastMatch = await client.ReceiveAsync();
        Assert.Equal("last_match", lastMatch.Type());
        Assert.Equal("BTC-USD", lastMatch.Product());

        long lastTrade = lastMatch.Long("trade_id"), lastSeq = 0;
        int matches = 0, tickers = 0;
        while (matches < 20 || tickers < 20)
        {
            var m = await client.ReceiveAsync();
            Assert.Equal("BTC-USD", m.Product());
            var seq = m.Long("sequence");
            Assert.True(seq > lastSeq, $"sequence {seq} after {lastSeq}");
            lastSeq = seq;
            switch (m.Type())
            {
                case "match":
                    Assert.Equal(lastTrade + 1, m.Long("trade_id"));
                    lastTrade = m.Long("trade_id");
                    Assert.Matches(PriceRegex(), m.Str("price"));
                    Assert.Matches(SizeRegex(), m.Str("size"));
                    Assert.Matches(TimeRegex(), m.Str("time"));
                    Assert.Contains(m.Str("side"), new[] { "buy", "sell" });
                    Assert.True(Guid.TryParse(m.Str("maker_order_id"), out _));
                    Assert.True(Guid.TryParse(m.Str("taker_order_id"), out _));
                    matches++;
                    break;
                case "ticker":
                    // A ticker follows its trade and carries it.
                    Assert.Equal(lastTrade, m.Long("trade_id"));
                    foreach (var f in new[] { "price", "open_24h", "low_24h", "high_24h", "best_bid", "best_ask" })
                    {
                        Assert.Matches(PriceRegex(), m.Str(f));
                    }

                    foreach (var f in new[] { "volume_24h", "volume_30d", "best_bid_size", "best_ask_size", "last_size" })
                    {
                        Assert.Matches(SizeRegex(), m.Str(f));
                    }

                    Assert.True(decimal.Parse(m.Str("best_bid"), CultureInfo.InvariantCulture) < decimal.Parse(m.Str("best_ask"), CultureInfo.InvariantCulture));
                    tickers++;
                    break;
                default:
                    Assert.Fail($"unexpected {m}");
                    break;
            }
        }

        var stats = Assert.Single(sim.Stats.Connections);
        Assert.Equal(["matches:BTC-USD", "ticker:BTC-USD"], stats.Subscriptions);
        Assert.True(stats.MessagesSent >= 42);
        Assert.Equal(1, sim.Stats.ConnectionsAccepted);
    }

    [Fact]
    public async Task Second_product_adds_data_and_unsubscribe_stops_the_first_after_the_ack()
    {
        await using var sim = await CoinbaseSimulator.StartAsync(Synthetic());
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);

        await client.SubscribeAsync(["BTC-USD"], "matches");
        Assert.Equal("subscriptions", (await client.ReceiveAsync()).Type());
        await client.SubscribeAsync(["ETH-USD"], "matches");
        var (ack2, _) = await client.ReceiveUntilAsync(m => m.Type() == "subscriptions");
        var products = ack2.GetProperty("channels")[0].GetProperty("product_ids").EnumerateArray().Select(p => p.GetString()!).ToArray();
        Assert.Equal(["BTC-USD", "ETH-USD"], products);

        var seen = new HashSet<string>();
        while (seen.Count < 2)
        {
            var m = await client.ReceiveAsync();
            if (m.Type() == "match")
            {
                seen.Add(m.Product()!);
            }
        }

        await client.UnsubscribeAsync(["BTC-USD"], "matches");
        var (ack3, _) = await client.ReceiveUntilAsync(m => m.Type() == "subscriptions");
        var after = ack3.GetProperty("channels")[0].GetProperty("product_ids").EnumerateArray().Select(p => p.GetString()!).ToArray();
        Assert.Equal(["ETH-USD"], after);

        // Everything queued after the ack honours the new set: only ETH-USD from here on.
        for (var i = 0; i < 50; i++)
        {
            var m = await client.ReceiveAsync();
            Assert.Equal("match", m.Type());
            Assert.Equal("ETH-USD", m.Product());
        }
    }

    [Fact]
    public async Task Unknown_product_is_rejected_with_the_coinbase_error()
    {
        await using var sim = await CoinbaseSimulator.StartAsync(Synthetic());
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);

        await client.SubscribeAsync(["BTC-USD", "DOGE-XYZ"], "matches");

        var error = await client.ReceiveAsync();
        Assert.Equal("error", error.Type());
        Assert.Equal("Failed to subscribe", error.Str("message"));
        Assert.Equal("DOGE-XYZ is not a valid product", error.Str("reason"));
        Assert.Empty(Assert.Single(sim.Stats.Connections).Subscriptions); // all or nothing
    }

    [Fact]
    public async Task Malformed_json_gets_an_error_and_the_connection_stays_usable()
    {
        await using var sim = await CoinbaseSimulator.StartAsync(Synthetic());
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);

        await client.SendAsync("{\"type\":\"subscribe\",\"product_ids\":[\"BTC-USD\"");
        var error = await client.ReceiveAsync();
        Assert.Equal("error", error.Type());
        Assert.Equal("Malformed JSON", error.Str("message"));

        await client.SendAsync("""{"type":"subscribe","channels":[{"name":"heartbeat","product_ids":["ETH-USD"]}]}""");
        var ack = await client.ReceiveAsync();
        Assert.Equal("subscriptions", ack.Type());
        Assert.Equal("heartbeat", ack.GetProperty("channels")[0].Str("name"));
        var heartbeat = await client.ReceiveAsync();
        Assert.Equal("heartbeat", heartbeat.Type());
        Assert.Equal("ETH-USD", heartbeat.Product());
        Assert.True(heartbeat.Long("last_trade_id") > 0);
        Assert.Equal(WebSocketState.Open, client.State);
        Assert.Equal(1, sim.Stats.ProtocolErrors);
    }

    [Fact]
    public async Task Channel_objects_carry_their_own_products()
    {
        await using var sim = await CoinbaseSimulator.StartAsync(Synthetic());
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);

        await client.SendAsync("""{"type":"subscribe","product_ids":["BTC-USD"],"channels":["matches",{"name":"ticker","product_ids":["ETH-USD"]}]}""");

        var ack = await client.ReceiveAsync();
        Assert.Equal("""{"type":"subscriptions","channels":[{"name":"matches","product_ids":["BTC-USD"]},{"name":"ticker","product_ids":["ETH-USD"]}]}""", ack.GetRawText());
        for (var i = 0; i < 40; i++)
        {
            var m = await client.ReceiveAsync();
            var expected = m.Type() is "match" or "last_match" ? "BTC-USD" : "ETH-USD";
            Assert.Equal(expected, m.Product());
        }
    }

    [Fact]
    public async Task High_rates_are_batched_per_step_and_keep_trade_ids_contiguous()
    {
        var options = new CoinbaseSimulatorOptions
        {
            Products = [new() { ProductId = "BTC-USD", StartPrice = 65_000m, TradesPerSecond = 5_000 }],
            TickerInterval = TimeSpan.FromSeconds(1),
        };
        await using var sim = await CoinbaseSimulator.StartAsync(options);
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);
        await client.SubscribeAsync(["BTC-USD"], "matches");
        Assert.Equal("subscriptions", (await client.ReceiveAsync()).Type());
        var last = (await client.ReceiveAsync()).Long("trade_id");

        for (var i = 0; i < 5_000; i++)
        {
            var m = await client.ReceiveAsync();
            Assert.Equal(last + 1, m.Long("trade_id"));
            last = m.Long("trade_id");
        }

        Assert.Equal(0, Assert.Single(sim.Stats.Connections).MessagesDropped);
    }

    [Fact]
    public async Task Fake_clock_drives_the_feed_and_its_timestamps()
    {
        var start = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var clock = new FakeTimeProvider(start);
        await using var sim = await CoinbaseSimulator.StartAsync(Synthetic(tradesPerSecond: 0), clock);
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint, () =>
        {
            clock.Advance(TimeSpan.FromMilliseconds(10));
            return ValueTask.CompletedTask;
        });

        await client.SubscribeAsync(["BTC-USD"], "heartbeat");
        Assert.Equal("subscriptions", (await client.ReceiveAsync()).Type());

        var first = await client.ReceiveAsync();
        var second = await client.ReceiveAsync();
        Assert.Equal("heartbeat", first.Type());
        var t1 = DateTime.Parse(first.Str("time"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        var t2 = DateTime.Parse(second.Str("time"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        Assert.Equal(start.Date, t1.Date); // exchange time comes from the injected clock, not the wall clock
        Assert.True(t1 > start.UtcDateTime);
        Assert.True(t2 - t1 >= TimeSpan.FromSeconds(1), $"{t1:O} then {t2:O}: heartbeats once a second of simulated time");
        Assert.Equal(first.Long("sequence") + 1, second.Long("sequence")); // no trades: a heartbeat is the product's only message
    }

    [Fact]
    public async Task SkipSequence_makes_one_jump_of_the_requested_size()
    {
        await using var sim = await CoinbaseSimulator.StartAsync(Synthetic());
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);
        // All three channels: the product's whole sequence, so every step is +1 except the injected skip.
        await client.SubscribeAsync(["BTC-USD"], "matches", "ticker", "heartbeat");
        Assert.Equal("subscriptions", (await client.ReceiveAsync()).Type());
        Assert.Equal("last_match", (await client.ReceiveAsync()).Type());

        var previous = (await client.ReceiveAsync()).Long("sequence");
        for (var i = 0; i < 10; i++)
        {
            var seq = (await client.ReceiveAsync()).Long("sequence");
            Assert.Equal(previous + 1, seq);
            previous = seq;
        }

        sim.Faults.SkipSequence("BTC-USD", 5);

        var jumps = new List<long>();
        for (var i = 0; i < 200 && (jumps.Count == 0 || i < 100); i++)
        {
            var seq = (await client.ReceiveAsync()).Long("sequence");
            if (seq != previous + 1)
            {
                jumps.Add(seq - previous);
            }

            previous = seq;
        }

        Assert.Equal([6L], jumps); // 5 sequence numbers missing
    }

    [Fact]
    public async Task DropConnections_closes_the_client_socket()
    {
        await using var sim = await CoinbaseSimulator.StartAsync(Synthetic());
        var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);
        await using (client)
        {
            await client.SubscribeAsync(["BTC-USD"], "matches");
            Assert.Equal("subscriptions", (await client.ReceiveAsync()).Type());

            sim.Faults.DropConnections();

            var closed = await Assert.ThrowsAsync<WebSocketException>(async () =>
            {
                while (true)
                {
                    await client.ReceiveTextAsync();
                }
            });
            Assert.NotNull(closed);
            Assert.NotEqual(WebSocketState.Open, client.State);
        }

        // The server is still up: a new connection works.
        await using var again = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);
        await again.SubscribeAsync(["ETH-USD"], "matches");
        Assert.Equal("subscriptions", (await again.ReceiveAsync()).Type());
        Assert.Equal(2, sim.Stats.ConnectionsAccepted);
    }

    [Fact]
    public async Task SendMalformed_sends_broken_frames_then_data_resumes()
    {
        await using var sim = await CoinbaseSimulator.StartAsync(Synthetic());
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);
        await client.SubscribeAsync(["BTC-USD"], "matches");
        Assert.Equal("subscriptions", (await client.ReceiveAsync()).Type());

        sim.Faults.SendMalformed(3);

        var broken = 0;
        var good = 0;
        while (broken < 3 || good < 5)
        {
            var text = await client.ReceiveTextAsync();
            try
            {
                using var doc = JsonDocument.Parse(text);
                good++;
            }
            catch (JsonException)
            {
                broken++;
            }
        }

        Assert.Equal(3, broken);
        Assert.Equal(3, sim.Stats.MalformedFramesSent);
    }

    [Fact]
    public async Task Spike_prints_one_trade_away_from_the_market()
    {
        await using var sim = await CoinbaseSimulator.StartAsync(Synthetic());
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);
        await client.SubscribeAsync(["BTC-USD"], "matches");
        Assert.Equal("subscriptions", (await client.ReceiveAsync()).Type());
        var reference = decimal.Parse((await client.ReceiveAsync()).Str("price"), CultureInfo.InvariantCulture);

        sim.Faults.Spike("BTC-USD", 0.10m);

        var (spike, _) = await client.ReceiveUntilAsync(m => decimal.Parse(m.Str("price"), CultureInfo.InvariantCulture) > reference * 1.05m);
        Assert.Equal("match", spike.Type());
        var next = decimal.Parse((await client.ReceiveAsync()).Str("price"), CultureInfo.InvariantCulture);
        Assert.True(next < reference * 1.05m, $"one trade only: {next} after the spike {spike.Str("price")}");
    }

    [RecordedFeedFact]
    public async Task Replay_relays_recorded_matches_with_rewritten_times()
    {
        var file = Path.Combine(RecordedFeeds.Directory!, "coinbase", "COINBASE.ws.28.0");
        var recorded = File.ReadLines(file)
            .Select(l => l.IndexOf(": {", StringComparison.Ordinal) is var i and > 0 && char.IsAsciiDigit(l[0]) ? l[(i + 2)..] : null)
            .Where(j => j is not null && j.Contains("\"type\":\"match\"", StringComparison.Ordinal) && j.Contains("\"SKL-USD\"", StringComparison.Ordinal))
            .Select(j => JsonDocument.Parse(j!).RootElement)
            .ToDictionary(e => e.Long("trade_id"));
        Assert.NotEmpty(recorded);

        var options = new CoinbaseSimulatorOptions { Source = CoinbaseFeedSource.Replay, ReplayFile = file, ReplaySpeed = 20 };
        await using var sim = await CoinbaseSimulator.StartAsync(options);
        Assert.Contains("SKL-USD", sim.ProductIds);
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);
        await client.SubscribeAsync(["SKL-USD"], "matches");
        Assert.Equal("subscriptions", (await client.ReceiveAsync()).Type());
        var startedAt = DateTime.UtcNow.AddMinutes(-1);

        var lastTrade = 0L;
        var lastSeq = 0L;
        var relayed = 0;
        var looped = false;
        while (relayed < recorded.Count + 3)
        {
            var m = await client.ReceiveAsync();
            Assert.Equal("SKL-USD", m.Product());
            if (m.Type() == "last_match")
            {
                continue;
            }

            Assert.Equal("match", m.Type());
            Assert.True(m.Long("trade_id") > lastTrade && m.Long("sequence") > lastSeq, "ids keep increasing, across loops too");
            lastTrade = m.Long("trade_id");
            lastSeq = m.Long("sequence");
            Assert.Matches(TimeRegex(), m.Str("time"));
            var time = DateTime.Parse(m.Str("time"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            Assert.True(time > startedAt, $"time {m.Str("time")} is rewritten to now");

            if (recorded.TryGetValue(lastTrade, out var original))
            {
                // First loop: the recorded trade as it was, apart from the time.
                Assert.Equal(original.Str("price"), m.Str("price"));
                Assert.Equal(original.Str("size"), m.Str("size"));
                Assert.Equal(original.Str("side"), m.Str("side"));
                Assert.Equal(original.Long("sequence"), m.Long("sequence"));
                Assert.NotEqual(original.Str("time"), m.Str("time"));
            }
            else
            {
                looped = true;
            }

            relayed++;
        }

        Assert.True(looped, "the replay starts over after the recording ends");
    }

    [Fact]
    public async Task Ticker_batch_sends_the_latest_ticker_in_the_ticker_shape_every_five_seconds_of_simulated_time()
    {
        var start = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var clock = new FakeTimeProvider(start);
        await using var sim = await CoinbaseSimulator.StartAsync(Synthetic(tradesPerSecond: 50), clock);
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint, () =>
        {
            clock.Advance(TimeSpan.FromMilliseconds(50));
            return ValueTask.CompletedTask;
        });

        await client.SubscribeAsync(["BTC-USD"], "ticker_batch");
        var ack = await client.ReceiveAsync();
        Assert.Equal("ticker_batch", Assert.Single(ack.GetProperty("channels").EnumerateArray()).Str("name"));

        var batches = new List<JsonElement>();
        while (batches.Count < 3)
        {
            batches.Add(await client.ReceiveAsync());
        }

        Assert.All(batches, b =>
        {
            Assert.Equal("ticker", b.Type()); // the ticker's schema, type and all
            Assert.Equal("BTC-USD", b.Product());
            Assert.Matches(PriceRegex(), b.Str("best_bid"));
            Assert.Matches(PriceRegex(), b.Str("best_ask"));
            Assert.Matches(SizeRegex(), b.Str("last_size"));
        });
        var nows = batches.Select(b => DateTime.Parse(b.Str("time"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)).ToArray();
        Assert.All(nows.Zip(nows.Skip(1), (a, b) => b - a), d => Assert.InRange(d, TimeSpan.FromSeconds(4.9), TimeSpan.FromSeconds(5.1)));
        Assert.True(batches[1].Long("trade_id") - batches[0].Long("trade_id") >= 200, "a batch skips the tickers in between");
    }

    [Fact]
    public async Task An_unknown_channel_is_rejected_with_the_coinbase_error()
    {
        await using var sim = await CoinbaseSimulator.StartAsync(Synthetic());
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);

        await client.SubscribeAsync(["BTC-USD"], "market_trades");

        var error = await client.ReceiveAsync();
        Assert.Equal("error", error.Type());
        Assert.Equal("Failed to subscribe", error.Str("message"));
        Assert.Equal("market_trades is not a valid channel", error.Str("reason"));
    }

    [GeneratedRegex(@"^\d+\.\d{2}$")]
    private static partial Regex PriceRegex();

    [GeneratedRegex(@"^\d+\.\d{8}$")]
    private static partial Regex SizeRegex();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")]
    private static partial Regex TimeRegex();
}
