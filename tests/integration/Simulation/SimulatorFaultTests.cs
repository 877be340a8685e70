using System.Globalization;
using Cloudwall.Rx.Simulation.Coinbase;
using Cloudwall.Rx.Simulation.Market;

namespace Cloudwall.Rx.Tests.Integration.Simulation;

/// <summary>
/// Faults that act on the feed take effect from the next feed step. A <c>subscriptions</c> ack is queued under the same
/// gate as the feed's messages, so an ack requested after switching a fault on is a clean marker: everything after it
/// was generated with the fault on. No timing is assumed.
/// </summary>
public sealed class SimulatorFaultTests
{
    private static CoinbaseSimulatorOptions Options() => new()
    {
        Products =
        [
            new() { ProductId = "BTC-USD", StartPrice = 65_000m, TradesPerSecond = 200 },
            new() { ProductId = "ETH-USD", StartPrice = 3_200m, TradesPerSecond = 200 },
        ],
    };

    [Fact]
    public async Task Silence_stops_one_product_and_Resume_brings_it_back()
    {
        await using var sim = await CoinbaseSimulator.StartAsync(Options());
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);
        await client.SubscribeAsync(["BTC-USD", "ETH-USD"], "matches");
        Assert.Equal("subscriptions", (await client.ReceiveAsync()).Type());
        var lastBtc = await ReceiveMatchAsync(client, "BTC-USD");

        sim.Faults.Silence("BTC-USD");
        await client.SubscribeAsync(["ETH-USD"], "heartbeat"); // marker
        var (_, beforeMarker) = await client.ReceiveUntilAsync(m => m.Type() == "subscriptions");
        lastBtc = beforeMarker.LastOrDefault(m => m.Product() == "BTC-USD" && m.Type() == "match") is { ValueKind: not System.Text.Json.JsonValueKind.Undefined } b
            ? b.Long("trade_id")
            : lastBtc;

        for (var i = 0; i < 60; i++)
        {
            Assert.Equal("ETH-USD", (await client.ReceiveAsync()).Product());
        }

        sim.Faults.Resume("BTC-USD");
        var resumed = await ReceiveMatchAsync(client, "BTC-USD");
        Assert.Equal(lastBtc + 1, resumed); // silence sends nothing, so no trade ids are lost
    }

    [Fact]
    public async Task AddLatency_lags_exchange_time_and_PriceOffset_moves_prices()
    {
        await using var sim = await CoinbaseSimulator.StartAsync(Options());
        await using var client = await CoinbaseTestClient.ConnectAsync(sim.Endpoint);
        await client.SubscribeAsync(["BTC-USD"], "matches");
        Assert.Equal("subscriptions", (await client.ReceiveAsync()).Type());
        Assert.Equal("last_match", (await client.ReceiveAsync()).Type());
        var reference = Price(await client.ReceiveAsync());

        sim.Faults.AddLatency(TimeSpan.FromHours(1));
        sim.Faults.PriceOffset("BTC-USD", 0.5m);
        Assert.Equal(TimeSpan.FromHours(1), sim.Faults.Latency);
        await client.SubscribeAsync(["BTC-USD"], "ticker"); // marker
        await client.ReceiveUntilAsync(m => m.Type() == "subscriptions");

        for (var i = 0; i < 20; i++)
        {
            var m = await client.ReceiveAsync();
            var time = DateTime.Parse(m.Str("time"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            Assert.True(time < DateTime.UtcNow - TimeSpan.FromMinutes(59), $"{m.Str("time")} lags by an hour");
            Assert.True(Price(m) > reference * 1.4m, $"{m.Str("price")} is offset from {reference}");
        }

        sim.Faults.Reset();
        Assert.Equal(TimeSpan.Zero, sim.Faults.Latency);
    }

    [Fact]
    public void SyntheticMarket_is_reproducible_per_seed_and_venues_share_its_walk()
    {
        var t0 = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        static double[] Walk(int seed, DateTimeOffset t0)
        {
            var market = new SyntheticMarket(seed);
            market.AddInstrument("BTC-USD", 65_000m, 0.001, t0);
            return Enumerable.Range(1, 100).Select(i => market.Mid("BTC-USD", t0.AddSeconds(i))).ToArray();
        }

        Assert.Equal(Walk(7, t0), Walk(7, t0));
        Assert.NotEqual(Walk(7, t0), Walk(8, t0));

        var shared = new SyntheticMarket(7);
        shared.AddInstrument("BTC-USD", 65_000m, 0.001, t0);
        var a = shared.ForVenue("coinbase", 0.0002, 0.00005, seed: 1);
        var b = shared.ForVenue("kraken", 0.0002, 0.00005, seed: 2);
        for (var i = 1; i <= 100; i++)
        {
            var at = t0.AddSeconds(i);
            var fair = shared.Mid("BTC-USD", at);
            Assert.InRange(a.Mid("BTC-USD", at) / fair, 0.995, 1.005);
            Assert.InRange(b.Mid("BTC-USD", at) / fair, 0.995, 1.005);
        }
    }

    private static decimal Price(System.Text.Json.JsonElement m) => decimal.Parse(m.Str("price"), CultureInfo.InvariantCulture);

    private static async Task<long> ReceiveMatchAsync(CoinbaseTestClient client, string product)
    {
        var (m, _) = await client.ReceiveUntilAsync(m => m.Type() == "match" && m.Product() == product);
        return m.Long("trade_id");
    }
}
