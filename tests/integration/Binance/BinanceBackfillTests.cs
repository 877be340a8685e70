using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Backfill;
using Cloudwall.Rx.Ingestion.Venues.Binance;
using Cloudwall.Rx.Simulation.Binance;
using Cloudwall.Rx.Tests.Integration.Ingestion;
using Cloudwall.Rx.Tests.Integration.Okx;

namespace Cloudwall.Rx.Tests.Integration.Binance;

/// <summary>
/// <see cref="BinanceBackfill"/> against the simulator's REST lists, with the real provider on its WebSocket: trades withheld
/// from the live stream by <see cref="Simulation.SimulatorFaults.DropTrades"/> (whole taker orders) come back by id.
/// </summary>
public sealed class BinanceBackfillTests
{
    private static BinanceSimulatorOptions Options(BinanceMarket segment) => new()
    {
        Segment = segment,
        Symbols = [.. BinanceSimulatorOptions.DefaultSymbolsFor(segment).Select(s => { s.TradesPerSecond = 40; return s; })],
    };

    private static ProviderRun Connect(BinanceSimulator sim, string? level, string symbol)
    {
        var refData = new ReferenceData();
        BinanceSymbols.Register(refData, sim.Segment);
        var streams = level is null ? null : sim.Segment.LevelStreams(level);
        return new ProviderRun(new BinanceProtocol(sim.Segment, new BinanceProtocolOptions { Streams = streams }), sim.Endpoint, [symbol], refData);
    }

    /// <summary>Drops <paramref name="orders"/> taker orders once trades flow, and waits for the live gap they leave: the trades either side of it.</summary>
    private static async Task<BackfillRequest> GapAsync(BinanceSimulator sim, ProviderRun run, string symbol, int orders, int unserved = 0)
    {
        await run.WaitUntilAsync(() => run.Events.Count(e => e.Kind == EventKind.Trade) >= 20, "live trades");
        sim.Faults.DropTrades(symbol, orders, unserved);
        await run.WaitUntilAsync(() => sim.Faults.TradesWithheld == orders && BackfillGap.FirstJump(LiveTrades(run)) is not null, "the live gap");
        var (before, after) = BackfillGap.FirstJump(LiveTrades(run))!.Value;
        return BackfillGap.Between(before, after, symbol);
    }

    private static MarketEvent[] LiveTrades(ProviderRun run) => [.. run.Events.Where(e => e.Kind == EventKind.Trade)];

    [Fact]
    public async Task Spot_raw_trades_withheld_from_the_trade_stream_come_back_from_historicalTrades_exactly_once()
    {
        await using var sim = await BinanceSimulator.StartAsync(Options(BinanceMarket.Spot));
        using var run = Connect(sim, level: null, "BTCUSDT"); // the default level: <s>@trade
        var request = await GapAsync(sim, run, "BTCUSDT", orders: 5);
        using var http = new BackfillHttp(sim.RestEndpoint!, BinanceBackfill.CreateBudget(BinanceMarket.Spot));
        var client = new BinanceBackfill(http, BinanceMarket.Spot);

        var fetch = await client.FetchAsync(request, maxTrades: 1000, receiveTimeNs: 1, CancellationToken.None);

        Assert.True(client.RawTrades);
        Assert.True(fetch.ReachedStart);
        var recovered = BackfillGap.Recovered(fetch, request, LiveTrades(run));
        var withheld = sim.RestApi.Trades.FromId("BTCUSDT", request.FromId.AsLong + 1, 1000).TakeWhile(t => t.TradeId < request.ToId.AsLong).ToList();
        Assert.Equal(request.ExpectedCount(client.ConsecutiveIds), recovered.Count); // every fill of the 5 orders, by id
        Assert.InRange(recovered.Count, 5, 5 * 20);
        Assert.Equal(withheld.Select(t => (t.TradeId, t.Price, t.Quantity, t.BuyerIsMaker ? Side.Sell : Side.Buy)),
            recovered.Select(t => (t.TradeId.AsLong, t.Price, t.Size, t.Side)));
        Assert.Equal(5, withheld.Select(t => t.AggregateId).Distinct().Count()); // whole taker orders
        Assert.All(recovered, t => Assert.Equal(request.Instrument, t.Instrument));
        Assert.Equal(fetch.Trades.Count, recovered.Count); // nothing outside the gap, nothing delivered live
    }

    [Fact]
    public async Task Coinm_aggregate_trades_withheld_come_back_from_aggTrades_and_the_unserved_ones_are_counted_missing()
    {
        await using var sim = await BinanceSimulator.StartAsync(Options(BinanceMarket.CoinM));
        using var run = Connect(sim, level: null, "BTCUSD_PERP"); // <s>@aggTrade
        var request = await GapAsync(sim, run, "BTCUSD_PERP", orders: 6, unserved: 2);
        using var http = new BackfillHttp(sim.RestEndpoint!, BinanceBackfill.CreateBudget(BinanceMarket.CoinM));
        var client = new BinanceBackfill(http, BinanceMarket.CoinM);

        var fetch = await client.FetchAsync(request, 1000, 1, CancellationToken.None);

        var recovered = BackfillGap.Recovered(fetch, request, LiveTrades(run));
        Assert.Equal(6, request.ExpectedCount(client.ConsecutiveIds)); // one aggregate id per taker order
        Assert.Equal(4, recovered.Count); // the coordinator counts 2 missing
        Assert.Equal(2, sim.Faults.TradesLost);
        var served = sim.RestApi.AggTrades.FromId("BTCUSD_PERP", request.FromId.AsLong + 1, 100).TakeWhile(t => t.AggregateId < request.ToId.AsLong);
        Assert.Equal(served.Select(t => (t.AggregateId, t.Price, t.Quantity)), recovered.Select(t => (t.TradeId.AsLong, t.Price, t.Size)));
        Assert.Equal(request.ToId.AsLong - 4, recovered[0].TradeId.AsLong); // the first two of the range are the lost ones
        Assert.False(fetch.ReachedStart); // the venue no longer holds the gap's first ids
    }

    [Fact]
    public async Task Usdm_aggregate_trades_withheld_from_the_market_route_come_back_from_fapi_aggTrades()
    {
        await using var sim = await BinanceSimulator.StartAsync(Options(BinanceMarket.UsdM));
        var refData = new ReferenceData();
        BinanceSymbols.Register(refData, BinanceMarket.UsdM);
        using var run = new ProviderRun(BinanceRoutes.Routes(BinanceMarket.UsdM, configured: sim.Endpoint), ["SOLUSDT"], refData);
        var request = await GapAsync(sim, run, "SOLUSDT", orders: 3);
        using var http = new BackfillHttp(sim.RestEndpoint!, BinanceBackfill.CreateBudget(BinanceMarket.UsdM));
        var client = new BinanceBackfill(http, BinanceMarket.UsdM);

        var fetch = await client.FetchAsync(request, 1000, 1, CancellationToken.None);

        Assert.Equal("fapi/v1/aggTrades", client.Path);
        var recovered = BackfillGap.Recovered(fetch, request, LiveTrades(run));
        Assert.Equal(3, request.ExpectedCount(client.ConsecutiveIds));
        var served = sim.RestApi.AggTrades.FromId("SOLUSDT", request.FromId.AsLong + 1, 3);
        Assert.Equal(served.Select(t => (t.AggregateId, t.Price, t.Quantity, t.TradeTimeMs * 1_000_000)),
            recovered.Select(t => (t.TradeId.AsLong, t.Price, t.Size, t.ExchangeTimeNs)));
        Assert.Equal(VenueId.BinanceUsdm, recovered[0].Venue);
    }

    [Fact]
    public async Task Spot_aggregated_back_fill_gets_through_503s_and_a_429_with_retry_after()
    {
        await using var sim = await BinanceSimulator.StartAsync(Options(BinanceMarket.Spot));
        using var run = Connect(sim, VenueLevelsAggregated, "ETHUSDT");
        var request = await GapAsync(sim, run, "ETHUSDT", orders: 4);
        using var http = new BackfillHttp(sim.RestEndpoint!, BinanceBackfill.CreateBudget(BinanceMarket.Spot),
            new BackfillHttpOptions { RetryDelay = TimeSpan.FromMilliseconds(50) });
        var client = new BinanceBackfill(http, BinanceMarket.Spot, VenueLevelsAggregated);
        sim.Faults.FailRest(2, 503);
        sim.Faults.FailRest(1, 429);
        var requestsBefore = sim.RestStats.Requests;

        var fetch = await client.FetchAsync(request, 1000, 1, CancellationToken.None);

        Assert.Equal("api/v3/aggTrades", client.Path);
        Assert.Equal(4, BackfillGap.Recovered(fetch, request, LiveTrades(run)).Count);
        Assert.Equal(4, sim.RestStats.Requests - requestsBefore); // three refused, then served
    }

    [Fact]
    public async Task The_simulator_serves_binances_parameters_and_error_shape()
    {
        await using var sim = await BinanceSimulator.StartAsync(Options(BinanceMarket.UsdM));
        using var http = new BackfillHttp(sim.RestEndpoint!, BinanceBackfill.CreateBudget(BinanceMarket.UsdM));
        var unknown = BackfillGap.Between(new MarketEvent { TradeId = TradeId.Numeric(1) }, new MarketEvent { TradeId = TradeId.Numeric(5) }, "NOPEUSDT");

        var ex = await Assert.ThrowsAsync<BackfillException>(() => new BinanceBackfill(http, BinanceMarket.UsdM).FetchAsync(unknown, 10, 0, CancellationToken.None));

        Assert.Equal(FrameReason.VenueError, ex.Reason);
        Assert.Equal("""{"code":-1121,"msg":"Invalid symbol."}""", System.Text.Encoding.UTF8.GetString(ex.Body));

        using var plain = new HttpClient { BaseAddress = sim.RestEndpoint };
        await BackfillGap.WaitAsync(() => sim.RestApi.AggTrades.Count("BTCUSDT") >= 5, "five aggregate trades");

        using var latest = System.Text.Json.JsonDocument.Parse(await plain.GetStringAsync("fapi/v1/aggTrades?symbol=BTCUSDT&limit=3"));
        var ids = latest.RootElement.EnumerateArray().Select(e => e.GetProperty("a").GetInt64()).ToList();
        Assert.Equal(3, ids.Count);
        Assert.Equal(ids.Order(), ids); // the newest three, oldest first
        Assert.All(latest.RootElement.EnumerateArray(), e => Assert.False(e.TryGetProperty("M", out _))); // futures print no M
        var firstMs = latest.RootElement[0].GetProperty("T").GetInt64();
        using var window = System.Text.Json.JsonDocument.Parse(await plain.GetStringAsync($"fapi/v1/aggTrades?symbol=BTCUSDT&startTime={firstMs}&endTime={firstMs}"));
        Assert.All(window.RootElement.EnumerateArray(), e => Assert.Equal(firstMs, e.GetProperty("T").GetInt64()));
        using var tooLong = await plain.GetAsync("fapi/v1/aggTrades?symbol=BTCUSDT&startTime=0&endTime=3600000");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("-1127", await tooLong.Content.ReadAsStringAsync());
        using var badId = await plain.GetAsync("fapi/v1/aggTrades?symbol=BTCUSDT&fromId=abc");
        Assert.Contains("-1100", await badId.Content.ReadAsStringAsync());
        using var spotPath = await plain.GetAsync("api/v3/historicalTrades?symbol=BTCUSDT");
        Assert.False(spotPath.IsSuccessStatusCode); // USDⓈ-M has no public raw-trade list
    }

    private const string VenueLevelsAggregated = Cloudwall.Rx.Ingestion.Venues.Kit.VenueLevels.Aggregated;
}
