using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Backfill;
using Cloudwall.Rx.Ingestion.Venues.Kraken;
using Cloudwall.Rx.Simulation.Kraken;
using Cloudwall.Rx.Simulation.Market;
using Cloudwall.Rx.Tests.Integration.Ingestion;

namespace Cloudwall.Rx.Tests.Integration.Kraken;

/// <summary>
/// <see cref="KrakenBackfill"/> against <see cref="KrakenSimulator"/>'s REST trade history, for a gap the real
/// <see cref="WebSocketProvider"/> (v2) saw when the simulator withheld trades from its <c>trade</c> channel.
/// </summary>
public sealed class KrakenBackfillTests
{
    private const string Symbol = "BTC/USD";

    private static async Task<(BackfillScenario Scenario, KrakenSimulator Sim)> StartAsync(bool fillsItsGaps = false)
    {
        var sim = await KrakenSimulator.StartAsync(new KrakenSimulatorOptions
        {
            Market = new SyntheticMarket(5),
            Pairs = [new() { Symbol = Symbol, StartPrice = 65_000m, TickSize = 0.1m, TradesPerSecond = 50, MeanTradeSize = 0.02m }],
        });
        var refData = new ReferenceData();
        KrakenSymbols.Register(refData);
        var scenario = new BackfillScenario(sim, Symbol, KrakenBackfill.CreateBudget(), http => new KrakenBackfill(http),
            client => new WebSocketProvider(new KrakenV2Protocol(), sim.Endpoint, [Symbol], refData, _ => { },
                backfill: fillsItsGaps ? new BackfillSetup(client, BackfillScenario.CoordinatorOptions) : null));
        return (scenario, sim);
    }

    [Fact]
    public async Task Every_withheld_trade_is_fetched_back_as_REST_history_holds_it()
    {
        var (scenario, sim) = await StartAsync();
        await using var _ = scenario;

        var (request, inside) = await scenario.AssertWithheldTradesAreFetchedAsync();

        Assert.All(inside, e => Assert.Equal(e.TradeId.AsLong, e.Sequence)); // as the live v2 decoder sets it
        var history = sim.History.FromId(Symbol, request.FromId.AsLong + 1, 10);
        Assert.Equal(history.Select(t => t.Trade.Price), inside.Select(e => e.Price));
        Assert.Equal(history.Select(t => t.Trade.Qty), inside.Select(e => e.Size));
        Assert.Equal(history.Select(t => t.Trade.TakerIsBuy ? Side.Buy : Side.Sell), inside.Select(e => e.Side));
        Assert.Equal(history.Select(t => t.TimeNs), inside.Select(e => e.ExchangeTimeNs));
    }

    [Fact]
    public async Task The_providers_own_gap_fill_publishes_the_withheld_trades_once_flagged_as_backfill()
    {
        var (scenario, _) = await StartAsync(fillsItsGaps: true);
        await using var __ = scenario;
        await scenario.AssertProviderFillsTheGapAsync();
    }

    [Fact]
    public async Task Trades_the_venue_no_longer_serves_are_missing_from_the_fetch_and_show_in_the_count()
    {
        var (scenario, _) = await StartAsync();
        await using var __ = scenario;
        await scenario.AssertUnservedTradesAreCountedMissingAsync();
    }

    [Fact]
    public async Task Server_errors_and_a_rate_limit_answer_are_retried_through()
    {
        var (scenario, _) = await StartAsync();
        await using var __ = scenario;
        await scenario.AssertRetriedThroughAsync();
    }

    [Fact]
    public async Task The_simulated_endpoint_serves_the_trades_after_since_oldest_first_with_last()
    {
        var (scenario, sim) = await StartAsync();
        await using var _ = scenario;
        using var http = new HttpClient { BaseAddress = sim.RestEndpoint };
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (sim.History.Count(Symbol) < 10)
        {
            await Task.Delay(20, deadline.Token); // cancelled: no trades recorded in time
        }

        var (latest, latestLast) = await TradesAsync(http, "0/public/Trades?pair=BTC%2FUSD&count=4");
        var (after, afterLast) = await TradesAsync(http, $"0/public/Trades?pair=BTC%2FUSD&count=2&since={TimeNs(sim, latest[0])}");

        Assert.Equal([latest[0], latest[0] + 1, latest[0] + 2, latest[0] + 3], latest); // the latest four, oldest first
        Assert.Equal(TimeNs(sim, latest[^1]), latestLast);
        Assert.Equal([latest[0] + 1, latest[0] + 2], after); // strictly after `since`
        Assert.Equal(TimeNs(sim, after[^1]), afterLast);
    }

    private static long TimeNs(KrakenSimulator sim, long id) => sim.History.FromId(Symbol, id, 1).Single().TimeNs;

    private static async Task<(long[] Ids, long Last)> TradesAsync(HttpClient http, string query)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(query));
        var result = doc.RootElement.GetProperty("result");
        return ([.. result.GetProperty(Symbol).EnumerateArray().Select(t => t[6].GetInt64())],
            long.Parse(result.GetProperty("last").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task The_simulated_endpoint_answers_errors_in_the_error_array_with_status_200()
    {
        var (scenario, sim) = await StartAsync();
        await using var _ = scenario;
        using var http = new HttpClient { BaseAddress = sim.RestEndpoint };

        var unknown = await http.GetStringAsync("0/public/Trades?pair=NOPEUSD");
        var badCount = await http.GetStringAsync("0/public/Trades?pair=XBTUSD&count=1001");
        var altname = await http.GetStringAsync("0/public/Trades?pair=XBTUSD&count=1");

        Assert.Equal("""{"error":["EQuery:Unknown asset pair"]}""", unknown);
        Assert.Equal("""{"error":["EGeneral:Invalid arguments"]}""", badCount);
        Assert.StartsWith("""{"error":[],"result":{"BTC/USD":[""", altname);
    }
}
