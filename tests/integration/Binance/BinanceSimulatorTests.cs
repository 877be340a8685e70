using System.Globalization;
using System.Text.Json;
using Cloudwall.Rx.Ingestion.Venues.Binance;
using Cloudwall.Rx.Simulation.Binance;
using Cloudwall.Rx.Simulation.Market;
using Cloudwall.Rx.Tests.Integration.Simulation;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Tests.Integration.Binance;

/// <summary>The simulator's wire protocol, seen through a raw WebSocket client.</summary>
public sealed class BinanceSimulatorTests
{
    private static BinanceSimulatorOptions Options(BinanceMarket segment = BinanceMarket.Spot, double tradesPerSecond = 200) => new()
    {
        Segment = segment,
        Symbols = [.. BinanceSimulatorOptions.DefaultSymbolsFor(segment).Select(s => { s.TradesPerSecond = tradesPerSecond; return s; })],
    };

    [Fact]
    public async Task Subscribe_is_acked_then_trades_come_in_the_wrapper_with_contiguous_ids()
    {
        await using var sim = await BinanceSimulator.StartAsync(Options());
        Assert.Equal("binance", sim.Venue);
        Assert.Equal("/stream", sim.Endpoint.AbsolutePath);
        Assert.Equal(["BTCUSDT", "ETHUSDT", "SOLUSDT"], sim.Symbols.Order(StringComparer.Ordinal));
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);

        await client.SendAsync("""{"method":"SUBSCRIBE","params":["btcusdt@trade","btcusdt@aggTrade"],"id":7}""");

        Assert.Equal("""{"result":null,"id":7}""", await client.ReceiveTextAsync());
        long lastTrade = 0, lastAgg = 0, firstOfOrder = 0;
        var orderQuantity = 0m;
        string? orderPrice = null;
        var merged = 0;
        var sides = new HashSet<bool>();
        for (var i = 0; i < 100; i++)
        {
            var m = await client.ReceiveAsync();
            var stream = m.GetProperty("stream").GetString();
            var data = m.GetProperty("data");
            Assert.Equal("BTCUSDT", data.GetProperty("s").GetString());
            Assert.Matches(@"^\d+\.\d{2}$", data.GetProperty("p").GetString());
            Assert.Matches(@"^\d+\.\d{8}$", data.GetProperty("q").GetString());
            Assert.Equal(data.GetProperty("T").GetInt64(), data.GetProperty("E").GetInt64());
            sides.Add(data.GetProperty("m").GetBoolean());
            if (stream == "btcusdt@trade")
            {
                Assert.Equal("trade", data.GetProperty("e").GetString());
                var t = data.GetProperty("t").GetInt64();
                Assert.True(lastTrade == 0 || t == lastTrade + 1, $"trade id {t} after {lastTrade}");
                lastTrade = t;
                firstOfOrder = firstOfOrder == 0 ? t : firstOfOrder;
                orderQuantity += decimal.Parse(data.GetProperty("q").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(orderPrice is null || orderPrice == data.GetProperty("p").GetString(), "the fills of one taker order share its price");
                orderPrice = data.GetProperty("p").GetString();
            }
            else
            {
                Assert.Equal("btcusdt@aggTrade", stream);
                Assert.Equal("aggTrade", data.GetProperty("e").GetString());
                var a = data.GetProperty("a").GetInt64();
                Assert.True(lastAgg == 0 || a == lastAgg + 1, $"aggregate id {a} after {lastAgg}");
                // The aggTrade follows its order's fills: their ids, their summed quantity, their price.
                Assert.Equal(firstOfOrder, data.GetProperty("f").GetInt64());
                Assert.Equal(lastTrade, data.GetProperty("l").GetInt64());
                Assert.Equal(orderQuantity, decimal.Parse(data.GetProperty("q").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
                Assert.Equal(orderPrice, data.GetProperty("p").GetString());
                merged += lastTrade > firstOfOrder ? 1 : 0;
                (firstOfOrder, orderQuantity, orderPrice) = (0, 0m, null);
                lastAgg = a;
            }
        }

        Assert.Equal(2, sides.Count); // both taker sides show up
        Assert.True(merged > 0, "some taker orders fill more than one maker"); // 2 fills per order on average
    }

    [Fact]
    public async Task List_subscriptions_and_unsubscribe_change_what_is_sent()
    {
        await using var sim = await BinanceSimulator.StartAsync(Options());
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);

        await client.SendAsync("""{"method":"SUBSCRIBE","params":["btcusdt@bookTicker","ethusdt@trade"],"id":1}""");
        Assert.Equal("""{"result":null,"id":1}""", await client.ReceiveTextAsync());
        await client.SendAsync("""{"method":"LIST_SUBSCRIPTIONS","id":"list-1"}""");
        var (list, _) = await client.ReceiveUntilAsync(m => m.TryGetProperty("result", out _));
        Assert.Equal("""{"result":["btcusdt@bookTicker","ethusdt@trade"],"id":"list-1"}""", list.GetRawText());

        await client.SendAsync("""{"method":"UNSUBSCRIBE","params":["btcusdt@bookTicker"],"id":2}""");
        var (ack, _) = await client.ReceiveUntilAsync(m => m.TryGetProperty("result", out _));
        Assert.Equal(2, ack.GetProperty("id").GetInt32());

        // Everything queued after the ack honours the new set.
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal("ethusdt@trade", (await client.ReceiveAsync()).GetProperty("stream").GetString());
        }

        Assert.Equal(["ethusdt@trade"], Assert.Single(sim.Stats.Connections).Subscriptions);
    }

    [Theory]
    [InlineData("""{"method":"SUBSCRIBE","params":["btcusdt@trade","dogeusdt@trade"],"id":3}""", 2, "Invalid request: invalid stream name `dogeusdt@trade`", "3")]
    [InlineData("""{"method":"SUBSCRIBE","params":["btcusdt@markPrice"],"id":3}""", 2, "Invalid request: invalid stream name `btcusdt@markPrice`", "3")]
    [InlineData("""{"method":"SUBSCRIBE","params":["BTCUSDT@trade"],"id":3}""", 2, "Invalid request: invalid stream name `BTCUSDT@trade`", "3")]
    [InlineData("""{"method":"SUBSCRIBE","params":"btcusdt@trade","id":3}""", 2, "Invalid request: params must be an array of stream names", "3")]
    [InlineData("""{"method":"SUBSCRIBE","params":[1],"id":3}""", 2, "Invalid request: params must be an array of stream names", "3")]
    [InlineData("""{"method":"SUBSCRIBES","params":[],"id":3}""", 2, "Invalid request: unknown variant `SUBSCRIBES`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`", "3")]
    [InlineData("""{"params":[],"id":3}""", 2, "Invalid request: missing field `method`", "3")]
    [InlineData("""{"method":"SUBSCRIBE","params":[]}""", 2, "Invalid request: request ID must be an unsigned integer", "null")]
    [InlineData("""{"method":"SUBSCRIBE","params":[],"id":-1}""", 2, "Invalid request: request ID must be an unsigned integer", "null")]
    public async Task Bad_requests_get_the_binance_error_and_change_nothing(string request, int code, string message, string id)
    {
        await using var sim = await BinanceSimulator.StartAsync(Options());
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);

        await client.SendAsync(request);

        var error = await client.ReceiveAsync();
        Assert.Equal(code, error.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(message, error.GetProperty("error").GetProperty("msg").GetString());
        Assert.Equal(id, error.GetProperty("id").GetRawText());
        Assert.Empty(Assert.Single(sim.Stats.Connections).Subscriptions); // all or nothing
        Assert.Equal(1, sim.Stats.ProtocolErrors);
    }

    [Fact]
    public async Task Broken_json_gets_code_3_and_the_connection_stays_usable()
    {
        await using var sim = await BinanceSimulator.StartAsync(Options());
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);

        await client.SendAsync("""{"method":"SUBSCRIBE","params":["btcusdt@trade" """);
        var error = await client.ReceiveAsync();
        Assert.Equal(3, error.GetProperty("error").GetProperty("code").GetInt32());
        Assert.StartsWith("Invalid JSON", error.GetProperty("error").GetProperty("msg").GetString(), StringComparison.Ordinal);

        await client.SendAsync("""{"method":"SUBSCRIBE","params":["solusdt@bookTicker"],"id":9}""");
        Assert.Equal("""{"result":null,"id":9}""", await client.ReceiveTextAsync());
        var quote = (await client.ReceiveAsync()).GetProperty("data");
        Assert.False(quote.TryGetProperty("e", out _)); // spot bookTicker: no event type, no times
        Assert.False(quote.TryGetProperty("T", out _));
        Assert.True(Dec(quote, "b") < Dec(quote, "a"));
    }

    [Fact]
    public async Task A_sixth_message_within_a_second_on_spot_disconnects_as_the_venue_does()
    {
        await using var sim = await BinanceSimulator.StartAsync(Options());
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);

        for (var i = 0; i < 6; i++)
        {
            await client.SendAsync($$"""{"method":"LIST_SUBSCRIPTIONS","id":{{i}}}""");
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (sim.Stats.ConnectionsClosed == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Equal(1, sim.Stats.ConnectionsClosed);
    }

    [Fact]
    public async Task Usdm_market_route_serves_aggregate_trades_and_mark_price_with_index_and_funding()
    {
        var options = Options(BinanceMarket.UsdM, tradesPerSecond: 50);
        options.MarkPriceInterval = TimeSpan.FromMilliseconds(100);
        await using var sim = await BinanceSimulator.StartAsync(options);
        Assert.Equal("binance-usdm", sim.Venue);
        Assert.Equal("/market/stream", sim.RouteEndpoint(BinanceRoute.Market).AbsolutePath);
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.RouteEndpoint(BinanceRoute.Market));

        await client.SendAsync("""{"method":"SUBSCRIBE","params":["btcusdt@markPrice@1s","btcusdt@aggTrade"],"id":1}""");
        Assert.Equal("""{"result":null,"id":1}""", await client.ReceiveTextAsync());

        var (mark, _) = await client.ReceiveUntilAsync(m => m.GetProperty("stream").GetString() == "btcusdt@markPrice@1s");
        var data = mark.GetProperty("data");
        Assert.Equal("markPriceUpdate", data.GetProperty("e").GetString());
        Assert.Matches(@"^\d+\.\d{8}$", data.GetProperty("p").GetString());
        Assert.Matches(@"^\d+\.\d{8}$", data.GetProperty("i").GetString());
        Assert.Equal("0.00010000", data.GetProperty("r").GetString());
        Assert.Equal(0, data.GetProperty("T").GetInt64() % (8 * 3600 * 1000)); // next funding on an 8-hour boundary
        Assert.InRange(Dec(data, "p") / Dec(data, "i"), 0.99m, 1.01m);

        var (trade, _) = await client.ReceiveUntilAsync(m => m.GetProperty("stream").GetString() == "btcusdt@aggTrade");
        Assert.Equal("aggTrade", trade.GetProperty("data").GetProperty("e").GetString());
    }

    [Fact]
    public async Task Usdm_public_route_serves_book_tickers()
    {
        await using var sim = await BinanceSimulator.StartAsync(Options(BinanceMarket.UsdM, tradesPerSecond: 50));
        Assert.Equal("/public/stream", sim.RouteEndpoint(BinanceRoute.Public).AbsolutePath);
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.RouteEndpoint(BinanceRoute.Public));

        await client.SendAsync("""{"method":"SUBSCRIBE","params":["btcusdt@bookTicker"],"id":1}""");
        Assert.Equal("""{"result":null,"id":1}""", await client.ReceiveTextAsync());

        var (quote, _) = await client.ReceiveUntilAsync(m => m.GetProperty("stream").GetString() == "btcusdt@bookTicker");
        Assert.Equal("bookTicker", quote.GetProperty("data").GetProperty("e").GetString());
        Assert.True(quote.GetProperty("data").GetProperty("T").GetInt64() > 0);
    }

    [Theory]
    [InlineData(BinanceRoute.Public)]
    [InlineData(BinanceRoute.Unrouted)] // the legacy wss://fstream.binance.com/stream: only /public data
    public async Task Usdm_trades_and_marks_subscribed_off_the_market_route_are_acked_then_never_sent(BinanceRoute wrong)
    {
        var options = Options(BinanceMarket.UsdM, tradesPerSecond: 50);
        options.MarkPriceInterval = TimeSpan.FromMilliseconds(50);
        await using var sim = await BinanceSimulator.StartAsync(options);
        await using var off = await CoinbaseTestClient.ConnectAsync(sim.RouteEndpoint(wrong));
        await using var market = await CoinbaseTestClient.ConnectAsync(sim.RouteEndpoint(BinanceRoute.Market));

        await off.SendAsync("""{"method":"SUBSCRIBE","params":["btcusdt@aggTrade","btcusdt@markPrice@1s","btcusdt@bookTicker"],"id":1}""");
        Assert.Equal("""{"result":null,"id":1}""", await off.ReceiveTextAsync());
        await market.SendAsync("""{"method":"SUBSCRIBE","params":["btcusdt@aggTrade","btcusdt@markPrice@1s"],"id":1}""");
        Assert.Equal("""{"result":null,"id":1}""", await market.ReceiveTextAsync());

        // The feed fans each frame out under one gate: once the /market client has seen trades and marks, a request sent
        // afterwards on the other connection is answered after every frame that connection would have had of them.
        await market.ReceiveUntilAsync(m => m.GetProperty("stream").GetString() == "btcusdt@aggTrade");
        await market.ReceiveUntilAsync(m => m.GetProperty("stream").GetString() == "btcusdt@markPrice@1s");
        await off.SendAsync("""{"method":"LIST_SUBSCRIPTIONS","id":2}""");
        var (list, before) = await off.ReceiveUntilAsync(m => m.TryGetProperty("id", out var id) && id.GetInt32() == 2);

        Assert.Equal(["btcusdt@aggTrade", "btcusdt@markPrice@1s", "btcusdt@bookTicker"], list.GetProperty("result").EnumerateArray().Select(e => e.GetString()));
        Assert.NotEmpty(before); // book tickers are public data: they do come
        Assert.All(before, m => Assert.Equal("btcusdt@bookTicker", m.GetProperty("stream").GetString()));
        Assert.Equal(0, sim.Stats.ProtocolErrors);
    }

    [Fact]
    public async Task BTCUSDT_follows_the_shared_BTC_walk()
    {
        var market = new SyntheticMarket(seed: 5);
        var options = Options();
        options.Market = market;
        await using var sim = await BinanceSimulator.StartAsync(options);

        Assert.True(market.Contains("BTC-USD"));
        Assert.True(market.Contains("ETH-USD"));
        Assert.False(market.Contains("BTCUSDT"));
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);
        await client.SendAsync("""{"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":1}""");
        await client.ReceiveTextAsync();
        var price = Dec((await client.ReceiveAsync()).GetProperty("data"), "p");
        var fair = (decimal)market.Mid("BTC-USD", DateTimeOffset.UtcNow);
        Assert.InRange(price / fair, 0.99m, 1.01m);
    }

    [Fact]
    public async Task SkipSequence_makes_one_jump_in_trade_and_aggregate_ids()
    {
        await using var sim = await BinanceSimulator.StartAsync(Options());
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);
        await client.SendAsync("""{"method":"SUBSCRIBE","params":["ethusdt@aggTrade"],"id":1}""");
        await client.ReceiveTextAsync();
        var previous = (await client.ReceiveAsync()).GetProperty("data").GetProperty("a").GetInt64();

        sim.Faults.SkipSequence("ETHUSDT", 5);

        var jumps = new List<long>();
        for (var i = 0; i < 100; i++)
        {
            var a = (await client.ReceiveAsync()).GetProperty("data").GetProperty("a").GetInt64();
            if (a != previous + 1)
            {
                jumps.Add(a - previous);
            }

            previous = a;
        }

        Assert.Equal([6L], jumps);
    }

    [Fact]
    public async Task Silence_spike_malformed_and_drop_faults()
    {
        var options = Options(tradesPerSecond: 100);
        await using var sim = await BinanceSimulator.StartAsync(options);
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);
        await client.SendAsync("""{"method":"SUBSCRIBE","params":["btcusdt@trade","solusdt@trade"],"id":1}""");
        await client.ReceiveTextAsync();

        sim.Faults.Silence("SOLUSDT");
        // Frames queued before the switch may still arrive; after them, only BTCUSDT.
        var streams = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            streams.Add((await client.ReceiveAsync()).GetProperty("stream").GetString()!);
        }

        Assert.InRange(streams.LastIndexOf("solusdt@trade"), -1, 99);

        sim.Faults.Resume();
        var normal = Dec((await client.ReceiveUntilAsync(m => m.GetProperty("stream").GetString() == "btcusdt@trade")).Match.GetProperty("data"), "p");
        sim.Faults.Spike("BTCUSDT", 0.10m);
        var (spiked, _) = await client.ReceiveUntilAsync(m =>
            m.GetProperty("stream").GetString() == "btcusdt@trade" && Dec(m.GetProperty("data"), "p") > normal * 1.05m);
        Assert.NotNull(spiked.GetProperty("data").GetProperty("p").GetString());

        sim.Faults.SendMalformed(2);
        var sawMalformed = 0;
        for (var i = 0; i < 1000 && sawMalformed < 2; i++)
        {
            var text = await client.ReceiveTextAsync();
            try
            {
                using var _ = JsonDocument.Parse(text);
            }
            catch (JsonException)
            {
                sawMalformed++;
            }
        }

        Assert.Equal(2, sawMalformed);
        Assert.Equal(2, sim.Stats.MalformedFramesSent);

        sim.Faults.DropConnections();
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                await client.ReceiveTextAsync();
            }
        });
    }

    [Fact]
    public async Task Options_are_validated_with_the_key_named()
    {
        var bad = new BinanceSimulatorOptions { Segment = BinanceMarket.CoinM, Symbols = [new() { Symbol = "BTCUSDT" }] };
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => BinanceSimulator.StartAsync(bad));
        Assert.Contains("Simulation:Binance:Symbols:0:Symbol", ex.Message, StringComparison.Ordinal);

        var lower = new BinanceSimulatorOptions { Symbols = [new() { Symbol = "btcusdt" }] };
        await Assert.ThrowsAsync<OptionsValidationException>(() => BinanceSimulator.StartAsync(lower));
    }

    private static decimal Dec(JsonElement data, string name) => decimal.Parse(data.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);
}
