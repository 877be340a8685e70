using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Backfill;
using Cloudwall.Rx.Ingestion.Venues.Bybit;
using Cloudwall.Rx.Simulation.Bybit;
using Cloudwall.Rx.Tests.Integration.Ingestion;
using Cloudwall.Rx.Tests.Integration.Okx;

namespace Cloudwall.Rx.Tests.Integration.Bybit;

/// <summary>
/// <see cref="BybitBackfill"/> against the simulator's <c>/v5/market/recent-trade</c>, with the real provider on its
/// WebSocket: trades withheld by <see cref="Simulation.SimulatorFaults.DropTrades"/> come back by time, within what the
/// endpoint's single page still holds.
/// </summary>
public sealed class BybitBackfillTests
{
    private static ProviderRun Connect(BybitSimulator sim, string symbol)
    {
        var refData = new ReferenceData();
        BybitSymbols.Register(refData);
        return new ProviderRun(new BybitProtocol(sim.Category), sim.Endpoint, [symbol], refData);
    }

    private static MarketEvent[] LiveTrades(ProviderRun run) => [.. run.Events.Where(e => e.Kind == EventKind.Trade)];

    /// <summary>
    /// Drops <paramref name="count"/> trades once trades flow and returns the live gap: ids are UUIDs, so the gap is where
    /// the simulator's history (in publishing order) holds trades the provider never saw, or, for lost ones, where
    /// <paramref name="expectedMissing"/> history entries are followed by a later live trade.
    /// </summary>
    private static async Task<(BackfillRequest Request, List<BybitHistoricTrade> Withheld)> GapAsync(BybitSimulator sim, ProviderRun run, string symbol,
        int count, int unserved = 0)
    {
        await run.WaitUntilAsync(() => LiveTrades(run).Length >= 10, "live trades");
        var firstLive = LiveTrades(run)[0].TradeId;
        sim.Faults.DropTrades(symbol, count, unserved);
        List<BybitHistoricTrade> history = [];
        int firstHidden = -1, lastHidden = -1;
        await run.WaitUntilAsync(() =>
        {
            if (sim.Faults.TradesWithheld < count)
            {
                return false;
            }

            var live = LiveTrades(run).Select(t => t.TradeId).ToHashSet();
            history = [.. sim.RestApi.Trades.Latest(symbol, 10_000).Reverse().SkipWhile(t => Id(t) != firstLive)];
            firstHidden = history.FindIndex(t => !live.Contains(Id(t)));
            lastHidden = history.FindLastIndex(t => !live.Contains(Id(t)));
            return firstHidden > 0 && lastHidden + 1 < history.Count && live.Contains(Id(history[lastHidden + 1]));
        }, "the live gap and a trade after it");
        var liveById = LiveTrades(run).ToDictionary(t => t.TradeId);
        var request = BackfillGap.Between(liveById[Id(history[firstHidden - 1])], liveById[Id(history[lastHidden + 1])], symbol, BackfillReason.Reconnect);
        return (request, history[firstHidden..(lastHidden + 1)]);
    }

    private static TradeId Id(BybitHistoricTrade t) => TradeId.TryParseUtf8(System.Text.Encoding.ASCII.GetBytes(t.Trade.Id), out var id) ? id : TradeId.None;

    [Fact]
    public async Task Linear_trades_withheld_from_publicTrade_come_back_from_recent_trade_exactly_once()
    {
        await using var sim = await BybitSimulator.StartAsync(new BybitSimulatorOptions { Category = BybitCategory.Linear });
        using var run = Connect(sim, "BTCUSDT");
        var (request, withheld) = await GapAsync(sim, run, "BTCUSDT", count: 7);
        using var http = new BackfillHttp(sim.RestEndpoint!, BybitBackfill.CreateBudget());
        var client = new BybitBackfill(http, BybitCategory.Linear);

        var fetch = await client.FetchAsync(request, maxTrades: 1000, receiveTimeNs: 1, CancellationToken.None);

        Assert.False(client.ConsecutiveIds);
        Assert.Null(request.ExpectedCount(client.ConsecutiveIds)); // UUIDs: the count lost is not known in advance
        Assert.True(fetch.ReachedStart);
        var recovered = BackfillGap.Recovered(fetch, request, LiveTrades(run)).OrderBy(t => withheld.FindIndex(w => Id(w) == t.TradeId)).ToList();
        Assert.Equal(7, recovered.Count);
        Assert.Equal(withheld.Select(w => (Id(w), w.Trade.Price, w.Trade.Size, w.Trade.TakerBuys ? Side.Buy : Side.Sell, w.Trade.Seq)),
            recovered.Select(t => (t.TradeId, t.Price, t.Size, t.Side, t.Sequence)));
        Assert.All(recovered, t => Assert.Equal(TradeIdKind.Uuid, t.TradeId.Kind));
        Assert.All(recovered, t => Assert.Equal((request.Instrument, VenueId.Bybit), (t.Instrument, t.Venue)));
    }

    [Fact]
    public async Task Unserved_trades_are_missing_from_the_fetch_and_a_gap_older_than_the_spot_page_is_out_of_reach()
    {
        await using var linear = await BybitSimulator.StartAsync(new BybitSimulatorOptions { Category = BybitCategory.Linear });
        using var linearRun = Connect(linear, "ETHUSDT");
        var (request, withheld) = await GapAsync(linear, linearRun, "ETHUSDT", count: 6, unserved: 2);
        using var linearHttp = new BackfillHttp(linear.RestEndpoint!, BybitBackfill.CreateBudget());

        var fetch = await new BybitBackfill(linearHttp, BybitCategory.Linear).FetchAsync(request, 1000, 1, CancellationToken.None);

        Assert.Equal(4, withheld.Count); // the history never held the 2 lost ones
        Assert.Equal(2, linear.Faults.TradesLost);
        Assert.Equal(withheld.Select(Id).ToHashSet(), BackfillGap.Recovered(fetch, request, LiveTrades(linearRun)).Select(t => t.TradeId).ToHashSet());

        // Spot answers the newest 60 only: once more than 60 trades followed the gap, its start is gone.
        await using var spot = await BybitSimulator.StartAsync(new BybitSimulatorOptions { Category = BybitCategory.Spot });
        using var spotRun = Connect(spot, "BTCUSDT");
        var (spotRequest, _) = await GapAsync(spot, spotRun, "BTCUSDT", count: 3);
        await spotRun.WaitUntilAsync(() => LiveTrades(spotRun).Count(t => t.ExchangeTimeNs > spotRequest.ToTimeNs) > BybitBackfill.SpotMaxLimit,
            "more than a page of trades after the gap");
        using var spotHttp = new BackfillHttp(spot.RestEndpoint!, BybitBackfill.CreateBudget());

        var late = await new BybitBackfill(spotHttp, BybitCategory.Spot).FetchAsync(spotRequest, 1000, 1, CancellationToken.None);

        Assert.False(late.ReachedStart);
        Assert.Empty(BackfillGap.Recovered(late, spotRequest, LiveTrades(spotRun)));
    }

    [Fact]
    public async Task Back_fill_gets_through_503s_and_a_429_with_retry_after()
    {
        await using var sim = await BybitSimulator.StartAsync(new BybitSimulatorOptions { Category = BybitCategory.Inverse });
        using var run = Connect(sim, "BTCUSD");
        var (request, withheld) = await GapAsync(sim, run, "BTCUSD", count: 3);
        using var http = new BackfillHttp(sim.RestEndpoint!, BybitBackfill.CreateBudget(), new BackfillHttpOptions { RetryDelay = TimeSpan.FromMilliseconds(50) });
        sim.Faults.FailRest(2, 503);
        sim.Faults.FailRest(1, 429);
        var requestsBefore = sim.RestStats.Requests;

        var fetch = await new BybitBackfill(http, BybitCategory.Inverse).FetchAsync(request, 1000, 1, CancellationToken.None);

        Assert.Equal(withheld.Select(Id).ToHashSet(), BackfillGap.Recovered(fetch, request, LiveTrades(run)).Select(t => t.TradeId).ToHashSet());
        Assert.Equal(4, sim.RestStats.Requests - requestsBefore); // three refused, then served
    }

    [Fact]
    public async Task The_simulator_answers_bad_parameters_with_bybits_retCode()
    {
        await using var sim = await BybitSimulator.StartAsync(new BybitSimulatorOptions { Category = BybitCategory.Spot });
        using var http = new BackfillHttp(sim.RestEndpoint!, BybitBackfill.CreateBudget());
        var unknown = BackfillGap.Between(new MarketEvent(), new MarketEvent { ExchangeTimeNs = 1 }, "NOPEUSDT");

        var ex = await Assert.ThrowsAsync<BackfillException>(() => new BybitBackfill(http, BybitCategory.Spot).FetchAsync(unknown, 10, 0, CancellationToken.None));

        Assert.Equal(FrameReason.VenueError, ex.Reason);
        Assert.Contains("\"retCode\":10001", System.Text.Encoding.UTF8.GetString(ex.Body));

        using var plain = new HttpClient { BaseAddress = sim.RestEndpoint };
        await BackfillGap.WaitAsync(() => sim.RestApi.Trades.Count("BTCUSDT") >= 70, "70 trades");

        using var capped = System.Text.Json.JsonDocument.Parse(await plain.GetStringAsync("v5/market/recent-trade?category=spot&symbol=BTCUSDT&limit=1000"));
        var times = capped.RootElement.GetProperty("result").GetProperty("list").EnumerateArray()
            .Select(e => long.Parse(e.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(BybitBackfill.SpotMaxLimit, times.Count); // spot serves 60 at most
        Assert.Equal(times.OrderDescending(), times); // newest first
        foreach (var bad in new[] { "category=futures&symbol=BTCUSDT", "category=spot", "category=spot&symbol=BTCUSDT&limit=x", "category=linear&symbol=BTCUSDT" })
        {
            using var answer = System.Text.Json.JsonDocument.Parse(await plain.GetStringAsync("v5/market/recent-trade?" + bad));
            Assert.Equal(10001, answer.RootElement.GetProperty("retCode").GetInt32());
        }
    }
}
