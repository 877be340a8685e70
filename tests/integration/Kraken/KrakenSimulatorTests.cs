using System.Text.Json;
using Cloudwall.Rx.Simulation.Kraken;
using Cloudwall.Rx.Tests.Integration.Simulation;

namespace Cloudwall.Rx.Tests.Integration.Kraken;

/// <summary>The Kraken v2 simulator over loopback with a raw WebSocket client (the generic test client of the Coinbase tests).</summary>
public sealed class KrakenSimulatorTests
{
    private static KrakenSimulatorOptions Options(double tradesPerSecond = 100) => new()
    {
        Pairs =
        [
            new() { Symbol = "BTC/USD", StartPrice = 65_000m, TickSize = 0.1m, TradesPerSecond = tradesPerSecond, MeanTradeSize = 0.02m },
            new() { Symbol = "ETH/USD", StartPrice = 3_200m, TickSize = 0.01m, TradesPerSecond = tradesPerSecond, MeanTradeSize = 0.3m },
        ],
    };

    private static string Channel(JsonElement m) => m.TryGetProperty("channel", out var c) ? c.GetString()! : "";

    private static string Method(JsonElement m) => m.TryGetProperty("method", out var c) ? c.GetString()! : "";

    [Fact]
    public async Task Status_on_connect_then_per_symbol_acks_then_contiguous_trades_with_json_numbers()
    {
        await using var sim = await KrakenSimulator.StartAsync(Options());
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);

        var status = await client.ReceiveAsync();
        Assert.Equal("status", Channel(status));
        Assert.Equal("online", status.GetProperty("data")[0].GetProperty("system").GetString());
        Assert.Equal("v2", status.GetProperty("data")[0].GetProperty("api_version").GetString());

        await client.SendAsync("""{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD","ETH/USD"],"snapshot":false},"req_id":7}""");
        foreach (var symbol in new[] { "BTC/USD", "ETH/USD" })
        {
            var (ack, _) = await client.ReceiveUntilAsync(m => Method(m) == "subscribe");
            Assert.True(ack.GetProperty("success").GetBoolean());
            Assert.Equal(symbol, ack.GetProperty("result").GetProperty("symbol").GetString());
            Assert.Equal("trade", ack.GetProperty("result").GetProperty("channel").GetString());
            Assert.False(ack.GetProperty("result").GetProperty("snapshot").GetBoolean());
            Assert.Equal(7, ack.GetProperty("req_id").GetInt64());
            Assert.True(DateTime.TryParse(ack.GetProperty("time_in").GetString(), out _));
            Assert.True(DateTime.TryParse(ack.GetProperty("time_out").GetString(), out _));
        }

        var last = new Dictionary<string, long>();
        var trades = 0;
        while (trades < 100)
        {
            var (m, _) = await client.ReceiveUntilAsync(m => Channel(m) == "trade");
            Assert.Equal("update", m.GetProperty("type").GetString());
            foreach (var t in m.GetProperty("data").EnumerateArray())
            {
                var symbol = t.GetProperty("symbol").GetString()!;
                var id = t.GetProperty("trade_id").GetInt64();
                if (last.TryGetValue(symbol, out var prev))
                {
                    Assert.Equal(prev + 1, id);
                }

                last[symbol] = id;
                Assert.Equal(JsonValueKind.Number, t.GetProperty("price").ValueKind);
                Assert.Equal(JsonValueKind.Number, t.GetProperty("qty").ValueKind);
                Assert.Contains(t.GetProperty("side").GetString(), new[] { "buy", "sell" });
                Assert.Contains(t.GetProperty("ord_type").GetString(), new[] { "limit", "market" });
                Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", t.GetProperty("timestamp").GetString()!);
                // Exact decimals on the wire: the tick's scale for prices, 8 places for sizes.
                Assert.Matches(symbol == "BTC/USD" ? @"^\d+\.\d$" : @"^\d+\.\d\d$", t.GetProperty("price").GetRawText());
                Assert.Matches(@"^\d+\.\d{8}$", t.GetProperty("qty").GetRawText());
                trades++;
            }
        }

        Assert.Equal(2, last.Count);
        Assert.Equal(["trade:BTC/USD", "trade:ETH/USD"], Assert.Single(sim.Stats.Connections).Subscriptions);
    }

    [Fact]
    public async Task Ping_gets_pong_heartbeats_come_once_subscribed_and_the_ticker_snapshot_comes_first()
    {
        await using var sim = await KrakenSimulator.StartAsync(Options(tradesPerSecond: 0));
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);
        Assert.Equal("status", Channel(await client.ReceiveAsync()));

        await client.SendAsync("""{"method":"ping","req_id":101}""");
        var pong = await client.ReceiveAsync();
        Assert.Equal("pong", Method(pong));
        Assert.Equal(101, pong.GetProperty("req_id").GetInt64());

        await client.SendAsync("""{"method":"subscribe","params":{"channel":"ticker","symbol":["ETH/USD"]}}""");
        var ack = await client.ReceiveAsync();
        Assert.True(ack.GetProperty("result").GetProperty("snapshot").GetBoolean()); // documented default
        var (heartbeat, _) = await client.ReceiveUntilAsync(m => Channel(m) == "heartbeat");
        Assert.Equal("""{"channel":"heartbeat"}""", heartbeat.GetRawText());
    }

    [Fact]
    public async Task Unknown_pair_fails_alone_and_malformed_requests_get_an_error()
    {
        await using var sim = await KrakenSimulator.StartAsync(Options());
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);
        Assert.Equal("status", Channel(await client.ReceiveAsync()));

        await client.SendAsync("""{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/XYZ","BTC/USD"],"snapshot":false}}""");
        var error = await client.ReceiveAsync();
        Assert.False(error.GetProperty("success").GetBoolean());
        Assert.Equal("BTC/XYZ", error.GetProperty("symbol").GetString());
        Assert.Equal("Currency pair not supported", error.GetProperty("error").GetString());
        var ok = await client.ReceiveAsync();
        Assert.True(ok.GetProperty("success").GetBoolean());

        await client.SendAsync("{\"method\":\"subscribe\",");
        var (bad, _) = await client.ReceiveUntilAsync(m => m.TryGetProperty("success", out var s) && !s.GetBoolean());
        Assert.StartsWith("EGeneral:Invalid arguments", bad.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, sim.Stats.ProtocolErrors);
    }

    [Fact]
    public async Task Sequence_skip_jumps_the_trade_id_and_malformed_frames_reach_the_client()
    {
        await using var sim = await KrakenSimulator.StartAsync(Options());
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);
        Assert.Equal("status", Channel(await client.ReceiveAsync()));
        await client.SendAsync("""{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"],"snapshot":false}}""");
        await client.ReceiveAsync();

        long last = 0;
        var jumped = false;
        var skipped = false;
        for (var i = 0; i < 400 && !jumped; i++)
        {
            var (m, _) = await client.ReceiveUntilAsync(m => Channel(m) == "trade");
            foreach (var t in m.GetProperty("data").EnumerateArray())
            {
                var id = t.GetProperty("trade_id").GetInt64();
                if (last != 0 && id != last + 1)
                {
                    Assert.True(skipped);
                    Assert.Equal(last + 1 + 5, id);
                    jumped = true;
                }

                last = id;
            }

            if (!skipped && i == 3)
            {
                sim.Faults.SkipSequence("BTC/USD", 5);
                skipped = true;
            }
        }

        Assert.True(jumped);
        sim.Faults.SendMalformed(1);
        const string broken = "{\"channel\":\"trade\",\"type\":\"update\",\"data\":[{\"symbol\":";
        var text = "";
        for (var i = 0; i < 2000 && text != broken; i++)
        {
            text = await client.ReceiveTextAsync();
        }

        Assert.Equal(broken, text);
        Assert.Equal(1, sim.Stats.MalformedFramesSent);
    }

    [Fact]
    public async Task A_bbo_triggered_ticker_comes_on_each_change_of_the_best_bid_or_ask_and_a_bad_trigger_is_refused()
    {
        await using var sim = await KrakenSimulator.StartAsync(Options(tradesPerSecond: 50));
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);
        Assert.Equal("status", Channel(await client.ReceiveAsync()));

        await client.SendAsync("""{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"],"event_trigger":"bbo"}}""");
        var (refused, _) = await client.ReceiveUntilAsync(m => Method(m) == "subscribe");
        Assert.False(refused.GetProperty("success").GetBoolean());
        Assert.Equal("EGeneral:Invalid arguments:event_trigger", refused.GetProperty("error").GetString());

        await client.SendAsync("""{"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD"],"event_trigger":"bbo","snapshot":true}}""");
        var (ack, _) = await client.ReceiveUntilAsync(m => Method(m) == "subscribe");
        Assert.True(ack.GetProperty("success").GetBoolean());
        var (snapshot, _) = await client.ReceiveUntilAsync(m => Channel(m) == "ticker");
        Assert.Equal("snapshot", snapshot.GetProperty("type").GetString());

        var previous = (Bid: 0m, Ask: 0m);
        for (var i = 0; i < 20; i++)
        {
            var (m, _) = await client.ReceiveUntilAsync(m => Channel(m) == "ticker" || Channel(m) == "trade");
            Assert.Equal("ticker", Channel(m)); // no trades on a ticker-only subscription
            Assert.Equal("update", m.GetProperty("type").GetString());
            var data = m.GetProperty("data")[0];
            var bbo = (Bid: data.GetProperty("bid").GetDecimal(), Ask: data.GetProperty("ask").GetDecimal());
            Assert.NotEqual(previous, bbo); // a bbo trigger fires on a change, never on a trade that left the book as it was
            Assert.True(bbo.Bid < bbo.Ask);
            previous = bbo;
        }
    }
}
