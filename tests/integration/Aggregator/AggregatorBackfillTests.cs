using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Backfill;
using Cloudwall.Rx.Ingestion.Venues.Aggregator;
using Cloudwall.Rx.Ingestion.Venues.Aggregator.Protocol;
using Cloudwall.Rx.Tests.Integration.Simulation;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cloudwall.Rx.Tests.Integration.Aggregator;

/// <summary>
/// <see cref="AggregatorBackfill"/> against the simulator's <c>GetTrades</c>: trades withheld from the stream by <c>DropTrades</c>
/// (their stream sequence numbers taken, so the provider sees the gap) come back over the same gRPC endpoint and token.
/// </summary>
public sealed class AggregatorBackfillTests
{
    private const string Symbol = "cbse:spot:btc-usd";
    private const string Key = "BTC-USD.SPOT";

    private static AggregatorBackfill Client(AggregatorHarness h) => new(
        new AggregatorProviderOptions { Endpoint = h.Simulator.Endpoint, ApiToken = "good-token" }, h.RefData,
        resilience: new BackfillHttpOptions { RetryDelay = TimeSpan.FromMilliseconds(50) });

    private static async Task<(MarketEvent Before, MarketEvent After, BackfillFetch Fetch, MarketEvent[] NotLive)> FillAsync(AggregatorHarness h, int count,
        int unserved = 0)
    {
        await h.UntilEventsAsync(e => h.KeyOf(e) == Key, 5, "live trades");
        h.Simulator.Faults.DropTrades(Symbol, count, unserved);
        (MarketEvent, MarketEvent)? gap = null;
        await AggregatorHarness.UntilAsync(() => (gap = LiveGap.Find(h.Events().Where(e => h.KeyOf(e) == Key), e => e.TradeId.AsLong)) is not null,
            "a live trade after the gap");
        var (before, after) = gap!.Value;
        Assert.True(h.Provider.SequenceGaps >= 1); // the stream's sequence_id shows the loss

        var request = LiveGap.Request(Symbol, before, after);
        using var client = Client(h);
        var fetch = await client.FetchAsync(request, 1000, 42, CancellationToken.None);
        var live = h.Events().Where(e => h.KeyOf(e) == Key).Select(e => e.TradeId).ToHashSet();
        Assert.Contains(fetch.Trades, t => t.TradeId == before.TradeId);
        Assert.Contains(fetch.Trades, t => t.TradeId == after.TradeId);
        Assert.All(fetch.Trades.Where(t => live.Contains(t.TradeId)), t => Assert.True(
            t.TradeId == before.TradeId || t.TradeId == after.TradeId || t.ExchangeTimeNs == before.ExchangeTimeNs || t.ExchangeTimeNs == after.ExchangeTimeNs));
        return (before, after, fetch, [.. fetch.Trades.Where(t => !live.Contains(t.TradeId)).OrderBy(t => t.TradeId.AsLong)]);
    }

    [Fact]
    public async Task Every_withheld_trade_comes_back_over_get_trades_as_the_stream_would_have_printed_it()
    {
        await using var h = (await AggregatorHarness.StartAsync([Symbol])).Subscribe();
        var (before, _, fetch, notLive) = await FillAsync(h, 20);

        Assert.True(fetch.ReachedStart);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => before.TradeId.AsLong + i), notLive.Select(t => t.TradeId.AsLong));
        var served = h.Simulator.History.FromId(Symbol, before.TradeId.AsLong + 1, 20).ToDictionary(t => t.Id);
        Assert.All(notLive, t =>
        {
            var u = served[t.TradeId.AsLong].Update;
            Assert.Equal(decimal.Parse(u.Price, System.Globalization.CultureInfo.InvariantCulture), t.Price);
            Assert.Equal(decimal.Parse(u.Amount, System.Globalization.CultureInfo.InvariantCulture), t.Size);
            Assert.Equal(u.Side == Cloudwall.Rx.Ingestion.Venues.Aggregator.Protocol.Side.Buy ? Core.Side.Buy : Core.Side.Sell, t.Side);
            Assert.Equal(before.Instrument, t.Instrument);
            Assert.Equal(before.Venue, t.Venue);
            Assert.Equal(ProviderId.Aggregator, t.Provider);
            Assert.Equal(0, t.Sequence); // history is on no stream
            Assert.Equal(42, t.ReceiveTimeNs);
        });
    }

    [Fact]
    public async Task Trades_the_aggregator_no_longer_serves_are_missing_from_the_fetch()
    {
        await using var h = (await AggregatorHarness.StartAsync([Symbol])).Subscribe();
        var (before, after, fetch, notLive) = await FillAsync(h, 30, unserved: 8);

        Assert.True(fetch.ReachedStart);
        Assert.Equal(30, after.TradeId.AsLong - before.TradeId.AsLong - 1);
        Assert.Equal(Enumerable.Range(9, 22).Select(i => before.TradeId.AsLong + i), notLive.Select(t => t.TradeId.AsLong));
        Assert.Equal(8, h.Simulator.Faults.TradesLost);
    }

    [Fact]
    public async Task Unavailable_and_resource_exhausted_answers_are_retried_through()
    {
        await using var h = (await AggregatorHarness.StartAsync([Symbol])).Subscribe();
        h.Simulator.Faults.FailRest(2, 503);
        h.Simulator.Faults.FailRest(1, 429);
        var (_, _, _, notLive) = await FillAsync(h, 10);

        Assert.Equal(10, notLive.Length);
    }

    [Fact]
    public async Task Get_trades_pages_with_a_continuation_token_and_refuses_bad_requests()
    {
        await using var h = (await AggregatorHarness.StartAsync([Symbol])).Subscribe();
        await h.UntilEventsAsync(e => h.KeyOf(e) == Key, 30, "trades to page over");
        using var channel = GrpcChannel.ForAddress(h.Simulator.Endpoint);
        var client = new StreamMarketData.StreamMarketDataClient(channel);
        var auth = new Metadata { { "authorization", "Bearer good-token" } };
        var request = new TradesRequest
        {
            Exchange = "cbse", InstrumentClass = "spot", Code = "btc-usd", PageSize = 10, Sort = "asc",
            StartTime = AggregatorDecoder.ToTimestamp(0), EndTime = AggregatorDecoder.ToTimestamp(long.MaxValue / 2),
        };
        var first = await client.GetTradesAsync(request, auth);
        var second = await client.GetTradesAsync(new TradesRequest { Exchange = "cbse", InstrumentClass = "spot", Code = "btc-usd", ContinuationToken = first.ContinuationToken }, auth);

        Assert.Equal(10, first.Trades.Count);
        Assert.NotEmpty(first.ContinuationToken);
        var ids = first.Trades.Concat(second.Trades).Select(t => long.Parse(t.Id, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => ids[0] + i), ids); // oldest first, no repeat, no hole across the pages
        Assert.All(first.Trades, t => Assert.Equal(0ul, t.SequenceId));

        Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(() => client.GetTradesAsync(request).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() =>
            client.GetTradesAsync(new TradesRequest(request) { Code = "doge-usd" }, auth).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() =>
            client.GetTradesAsync(new TradesRequest(request) { Code = "*" }, auth).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() =>
            client.GetTradesAsync(new TradesRequest(request) { PageSize = 1001 }, auth).ResponseAsync)).StatusCode);

        using var backfill = Client(h);
        var ex = await Assert.ThrowsAsync<BackfillException>(() => backfill.FetchAsync(
            new BackfillRequest(ProviderId.Aggregator, VenueId.Coinbase, default, "cbse:spot:doge-usd", 0, BackfillReason.Reconnect, 1, TradeId.Numeric(1), 2,
                TradeId.Numeric(3), 2), 100, 0, CancellationToken.None));
        Assert.Equal(FrameReason.VenueError, ex.Reason);
    }
}
