using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Backfill;
using Cloudwall.Rx.Ingestion.Venues.Kit;
using Cloudwall.Rx.Ingestion.Venues.Okx;
using Cloudwall.Rx.Simulation.Okx;
using Cloudwall.Rx.Tests.Integration.Simulation;

namespace Cloudwall.Rx.Tests.Integration.Okx;

/// <summary>
/// <see cref="OkxBackfill"/> against the simulator's <c>history-trades</c>: trades withheld from the live <c>trades-all</c>
/// stream by <c>DropTrades</c> come back over REST, exactly those, with the ids the stream would have printed.
/// </summary>
public sealed class OkxBackfillTests
{
    private const string Symbol = "BTC-USDT";

    private static ProviderRun TradesLevel(OkxSimulator sim)
    {
        var refData = new ReferenceData();
        OkxSymbols.Register(refData);
        return new ProviderRun(new OkxProtocol(spotChannels: [OkxLevels.TradesAll]), sim.BusinessEndpoint, [Symbol], refData);
    }

    private static OkxBackfill Client(OkxSimulator sim) =>
        new(new BackfillHttp(sim.RestEndpoint!, OkxBackfill.CreateBudget(),
            new BackfillHttpOptions { RetryDelay = TimeSpan.FromMilliseconds(50) }), VenueLevels.Trades);

    private static async Task<(MarketEvent Before, MarketEvent After)> GapAsync(ProviderRun run, OkxSimulator sim, int count, int unserved = 0)
    {
        await run.WaitUntilAsync(() => run.Count("BTC-USDT.SPOT", EventKind.Trade) >= 5, "live trades");
        sim.Faults.DropTrades(Symbol, count, unserved);
        (MarketEvent, MarketEvent)? gap = null;
        await run.WaitUntilAsync(() => (gap = LiveGap.Find(run.Of("BTC-USDT.SPOT"), e => e.TradeId.AsLong)) is not null, "a live trade after the gap");
        return gap!.Value;
    }

    [Fact]
    public async Task Every_withheld_trade_comes_back_over_rest_and_none_of_them_was_live()
    {
        await using var sim = await OkxSimulator.StartAsync(new OkxSimulatorOptions());
        using var run = TradesLevel(sim);
        var (before, after) = await GapAsync(run, sim, 25);

        var request = LiveGap.Request(Symbol, before, after);
        var client = Client(sim);
        var fetch = await client.FetchAsync(request, 1000, 42, CancellationToken.None);

        Assert.True(fetch.ReachedStart);
        Assert.True(client.ConsecutiveIds);
        Assert.Equal(25, request.ExpectedCount(client.ConsecutiveIds));
        var inside = LiveGap.Inside(fetch, request);
        Assert.Equal(25, inside.Length);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => before.TradeId.AsLong + i), inside.Select(t => t.TradeId.AsLong));
        var live = run.Of("BTC-USDT.SPOT").Select(e => e.TradeId).ToHashSet();
        Assert.DoesNotContain(inside, t => live.Contains(t.TradeId));

        var served = sim.History.FromId(Symbol, before.TradeId.AsLong + 1, 25).ToDictionary(t => t.Id);
        Assert.All(inside, t =>
        {
            var h = served[t.TradeId.AsLong].Trade;
            Assert.Equal(h.Price, t.Price);
            Assert.Equal(h.Size, t.Size);
            Assert.Equal(h.TakerBuys ? Side.Buy : Side.Sell, t.Side);
            Assert.Equal(h.TimeMs * 1_000_000, t.ExchangeTimeNs);
            Assert.Equal(t.TradeId.AsLong, t.Sequence);
            Assert.Equal(42, t.ReceiveTimeNs);
        });
        Assert.Equal(25, sim.Faults.TradesWithheld);
        Assert.Equal(0, sim.Faults.TradesLost);
    }

    [Fact]
    public async Task Trades_the_venue_no_longer_serves_are_the_difference_between_the_expected_and_fetched_counts()
    {
        await using var sim = await OkxSimulator.StartAsync(new OkxSimulatorOptions());
        using var run = TradesLevel(sim);
        var (before, after) = await GapAsync(run, sim, 30, unserved: 8);

        var request = LiveGap.Request(Symbol, before, after);
        var client = Client(sim);
        var fetch = await client.FetchAsync(request, 1000, 42, CancellationToken.None);

        var inside = LiveGap.Inside(fetch, request);
        Assert.Equal(30, request.ExpectedCount(client.ConsecutiveIds));
        Assert.Equal(22, inside.Length); // 8 missing for good: the coordinator counts them from the consecutive ids
        Assert.Equal(Enumerable.Range(9, 22).Select(i => before.TradeId.AsLong + i), inside.Select(t => t.TradeId.AsLong));
        Assert.Equal(8, sim.Faults.TradesLost);
    }

    [Fact]
    public async Task Rest_failures_and_a_429_are_retried_through()
    {
        await using var sim = await OkxSimulator.StartAsync(new OkxSimulatorOptions());
        using var run = TradesLevel(sim);
        var (before, after) = await GapAsync(run, sim, 10);

        sim.Faults.FailRest(2, 503);
        sim.Faults.FailRest(1, 429);
        var request = LiveGap.Request(Symbol, before, after);
        var fetch = await Client(sim).FetchAsync(request, 1000, 42, CancellationToken.None);

        Assert.Equal(10, LiveGap.Inside(fetch, request).Length);
        Assert.True(sim.RestStats.Requests >= 4);
    }

    [Fact]
    public async Task The_simulator_answers_bad_parameters_and_unknown_instruments_as_okx_does()
    {
        await using var sim = await OkxSimulator.StartAsync(new OkxSimulatorOptions());
        using var http = new HttpClient { BaseAddress = sim.RestEndpoint };

        using var missing = await http.GetAsync("api/v5/market/history-trades");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("\"code\":\"50014\"", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("\"code\":\"51001\"", await http.GetStringAsync("api/v5/market/history-trades?instId=DOGE-XYZ"), StringComparison.Ordinal);
        Assert.Contains("\"code\":\"51000\"", await http.GetStringAsync("api/v5/market/history-trades?instId=BTC-USDT&limit=101"), StringComparison.Ordinal);

        var ex = await Assert.ThrowsAsync<BackfillException>(() => Client(sim).FetchAsync(
            new BackfillRequest(ProviderId.Okx, VenueId.Okx, default, "DOGE-XYZ", 0, BackfillReason.Reconnect, 1, TradeId.Numeric(1), 2, TradeId.Numeric(3), 2),
            100, 0, CancellationToken.None));
        Assert.Equal(FrameReason.VenueError, ex.Reason);
    }
}
