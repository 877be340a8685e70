using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Backfill;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;
using Cloudwall.Rx.Simulation.Coinbase;
using Cloudwall.Rx.Tests.Integration.Ingestion;

namespace Cloudwall.Rx.Tests.Integration.Coinbase;

/// <summary>
/// <see cref="CoinbaseBackfill"/> against <see cref="CoinbaseSimulator"/>'s REST trade history, for a gap the real
/// <see cref="WebSocketProvider"/> saw when the simulator withheld trades from its <c>matches</c> stream.
/// </summary>
public sealed class CoinbaseBackfillTests
{
    private const string Product = "BTC-USD";

    private static async Task<(BackfillScenario Scenario, CoinbaseSimulator Sim)> StartAsync(bool fillsItsGaps = false)
    {
        var sim = await CoinbaseSimulator.StartAsync(new CoinbaseSimulatorOptions
        {
            Products = [new CoinbaseSyntheticProduct { ProductId = Product, StartPrice = 65_000m, TradesPerSecond = 50, MeanTradeSize = 0.02m }],
        });
        var refData = new ReferenceData();
        CoinbaseSymbols.Register(refData);
        var scenario = new BackfillScenario(sim, Product, CoinbaseBackfill.CreateBudget(), http => new CoinbaseBackfill(http),
            client => new WebSocketProvider(new CoinbaseExchangeProtocol(), sim.Endpoint, [Product], refData, _ => { },
                backfill: fillsItsGaps ? new BackfillSetup(client, BackfillScenario.CoordinatorOptions) : null));
        return (scenario, sim);
    }

    [Fact]
    public async Task Every_withheld_trade_is_fetched_back_as_REST_history_holds_it()
    {
        var (scenario, sim) = await StartAsync();
        await using var _ = scenario;

        var (request, inside) = await scenario.AssertWithheldTradesAreFetchedAsync();

        var history = sim.History.FromId(Product, request.FromId.AsLong + 1, 10);
        Assert.Equal(history.Select(t => t.Match.Price), inside.Select(e => e.Price));
        Assert.Equal(history.Select(t => t.Match.Size), inside.Select(e => e.Size));
        Assert.Equal(history.Select(t => t.Match.MakerIsBuy ? Side.Sell : Side.Buy), inside.Select(e => e.Side));
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
    public async Task The_simulated_endpoint_pages_newest_first_with_the_venues_cursors()
    {
        var (scenario, sim) = await StartAsync();
        await using var _ = scenario;
        using var http = new HttpClient { BaseAddress = sim.RestEndpoint };
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (sim.History.Count(Product) < 10)
        {
            await Task.Delay(20, deadline.Token); // cancelled: no trades recorded in time
        }

        var latest = await http.GetAsync("products/BTC-USD/trades?limit=3");
        var ids = await IdsAsync(latest);
        var older = await IdsAsync(await http.GetAsync($"products/BTC-USD/trades?limit=2&after={ids[^1]}"));
        var newer = await IdsAsync(await http.GetAsync($"products/BTC-USD/trades?limit=2&before={older[^1]}"));

        Assert.Equal([ids[0], ids[0] - 1, ids[0] - 2], ids);
        Assert.Equal(ids[0].ToString(System.Globalization.CultureInfo.InvariantCulture), latest.Headers.GetValues("CB-BEFORE").Single());
        Assert.Equal(ids[^1].ToString(System.Globalization.CultureInfo.InvariantCulture), latest.Headers.GetValues("CB-AFTER").Single());
        Assert.Equal([ids[^1] - 1, ids[^1] - 2], older);
        Assert.Equal([older[^1] + 2, older[^1] + 1], newer); // the page just above the cursor, still newest first
    }

    private static async Task<long[]> IdsAsync(HttpResponseMessage response)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. doc.RootElement.EnumerateArray().Select(t => t.GetProperty("trade_id").GetInt64())];
    }

    [Fact]
    public async Task The_simulated_endpoint_answers_bad_requests_in_the_venues_error_shape()
    {
        var (scenario, sim) = await StartAsync();
        await using var _ = scenario;
        using var http = new HttpClient { BaseAddress = sim.RestEndpoint };

        var unknown = await http.GetAsync("products/NOPE-USD/trades");
        var badLimit = await http.GetAsync("products/BTC-USD/trades?limit=1001");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("""{"message":"NotFound"}""", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, badLimit.StatusCode);
        Assert.Contains("\"message\"", await badLimit.Content.ReadAsStringAsync());
    }
}
