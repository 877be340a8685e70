using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Backfill;
using Cloudwall.Rx.Ingestion.Venues.Deribit;
using Cloudwall.Rx.Simulation.Deribit;
using Cloudwall.Rx.Tests.Integration.Okx;
using Cloudwall.Rx.Tests.Integration.Simulation;

namespace Cloudwall.Rx.Tests.Integration.Deribit;

/// <summary>
/// <see cref="DeribitBackfill"/> against the simulator's <c>get_last_trades_by_instrument</c>: trades withheld from the live
/// <c>trades.{instrument}.100ms</c> stream by <c>DropTrades</c> come back over REST with the live stream's trade ids and
/// <c>trade_seq</c> (the events' sequence).
/// </summary>
public sealed class DeribitBackfillTests
{
    private const string Symbol = "BTC-PERPETUAL";
    private const string Key = "BTC-USD.PERP";

    private static ProviderRun Live(DeribitSimulator sim)
    {
        var refData = new ReferenceData();
        DeribitSymbols.Register(refData);
        return new ProviderRun(new DeribitProtocol(), sim.Endpoint, [Symbol], refData);
    }

    private static DeribitBackfill Client(DeribitSimulator sim) =>
        new(new BackfillHttp(sim.RestEndpoint!, DeribitBackfill.CreateBudget(), new BackfillHttpOptions { RetryDelay = TimeSpan.FromMilliseconds(50) }));

    /// <summary>Drops trades, finds the gap in the live trade_seq, fetches it, and returns what REST gave that was never live.</summary>
    private static async Task<(MarketEvent Before, MarketEvent After, BackfillFetch Fetch, MarketEvent[] NotLive)> FillAsync(
        DeribitSimulator sim, ProviderRun run, int count, int unserved = 0)
    {
        await run.WaitUntilAsync(() => run.Count(Key, EventKind.Trade) >= 5, "live trades");
        sim.Faults.DropTrades(Symbol, count, unserved);
        (MarketEvent, MarketEvent)? gap = null;
        await run.WaitUntilAsync(() => (gap = LiveGap.Find(run.Of(Key), e => e.Sequence)) is not null, "a live trade after the gap");
        var (before, after) = gap!.Value;

        var request = LiveGap.Request(Symbol, before, after);
        var fetch = await Client(sim).FetchAsync(request, 1000, 42, CancellationToken.None);
        var live = run.Of(Key).Where(e => e.Kind == EventKind.Trade).Select(e => e.TradeId).ToHashSet();

        // Paging by time, the fetch may also hold live trades printed in the bounds' own milliseconds: the coordinator drops those.
        Assert.All(fetch.Trades.Where(t => live.Contains(t.TradeId)), t => Assert.True(
            t.TradeId == before.TradeId || t.TradeId == after.TradeId || t.ExchangeTimeNs == before.ExchangeTimeNs || t.ExchangeTimeNs == after.ExchangeTimeNs));
        Assert.Contains(fetch.Trades, t => t.TradeId == before.TradeId);
        Assert.Contains(fetch.Trades, t => t.TradeId == after.TradeId);
        return (before, after, fetch, [.. fetch.Trades.Where(t => !live.Contains(t.TradeId)).OrderBy(t => t.Sequence)]);
    }

    [Fact]
    public async Task Every_withheld_trade_comes_back_over_rest_with_the_live_ids_and_sequences()
    {
        await using var sim = await DeribitSimulator.StartAsync(new DeribitSimulatorOptions());
        using var run = Live(sim);
        var (before, _, fetch, notLive) = await FillAsync(sim, run, 25);

        Assert.True(fetch.ReachedStart);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => before.Sequence + i), notLive.Select(t => t.Sequence));
        var served = sim.History.FromId(Symbol, before.Sequence + 1, 25).ToDictionary(t => t.Id);
        Assert.All(notLive, t =>
        {
            var h = served[t.Sequence].Trade;
            Assert.Equal(TradeId.Numeric(h.TradeId), t.TradeId);
            Assert.Equal(h.Price, t.Price);
            Assert.Equal(h.Amount, t.Size);
            Assert.Equal(h.TakerBuys ? Side.Buy : Side.Sell, t.Side);
            Assert.Equal(h.TimestampMs * 1_000_000, t.ExchangeTimeNs);
            Assert.Equal(before.Instrument, t.Instrument);
            Assert.Equal(42, t.ReceiveTimeNs);
        });
        Assert.Equal(25, sim.Faults.TradesWithheld);
    }

    [Fact]
    public async Task Trades_the_venue_no_longer_serves_show_as_a_hole_in_trade_seq()
    {
        await using var sim = await DeribitSimulator.StartAsync(new DeribitSimulatorOptions());
        using var run = Live(sim);
        var (before, after, fetch, notLive) = await FillAsync(sim, run, 30, unserved: 8);

        Assert.True(fetch.ReachedStart); // the start bound is still served; the first 8 after it are gone
        Assert.Equal(30, after.Sequence - before.Sequence - 1);
        Assert.Equal(Enumerable.Range(9, 22).Select(i => before.Sequence + i), notLive.Select(t => t.Sequence));
        Assert.Equal(8, sim.Faults.TradesLost);
    }

    [Fact]
    public async Task Rest_failures_and_a_429_are_retried_through()
    {
        await using var sim = await DeribitSimulator.StartAsync(new DeribitSimulatorOptions());
        using var run = Live(sim);
        sim.Faults.FailRest(2, 503);
        sim.Faults.FailRest(1, 429);
        var (_, _, _, notLive) = await FillAsync(sim, run, 10);

        Assert.Equal(10, notLive.Length);
        Assert.True(sim.RestStats.Requests >= 4);
    }

    [Fact]
    public async Task The_simulator_answers_bad_parameters_with_the_json_rpc_error()
    {
        await using var sim = await DeribitSimulator.StartAsync(new DeribitSimulatorOptions());
        using var http = new HttpClient { BaseAddress = sim.RestEndpoint };

        using var unknown = await http.GetAsync("api/v2/public/get_last_trades_by_instrument?instrument_name=DOGE-PERPETUAL");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, unknown.StatusCode);
        var body = await unknown.Content.ReadAsStringAsync();
        Assert.Contains("\"code\":-32602", body, StringComparison.Ordinal);
        Assert.Contains("\"param\":\"instrument_name\"", body, StringComparison.Ordinal);
        using var tooMany = await http.GetAsync("api/v2/public/get_last_trades_by_instrument?instrument_name=BTC-PERPETUAL&count=1001");
        Assert.Contains("\"param\":\"count\"", await tooMany.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var ex = await Assert.ThrowsAsync<BackfillException>(() => Client(sim).FetchAsync(
            new BackfillRequest(ProviderId.Deribit, VenueId.Deribit, default, "DOGE-PERPETUAL", 0, BackfillReason.Reconnect, 1, TradeId.Numeric(1), 2,
                TradeId.Numeric(3), 2), 100, 0, CancellationToken.None));
        Assert.Equal(FrameReason.VenueError, ex.Reason);
    }
}
