using System.Net;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Backfill;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;
using Cloudwall.Rx.Tests.Unit.TestSupport;

namespace Cloudwall.Rx.Tests.Unit.Coinbase;

/// <summary><see cref="CoinbaseBackfill"/> against scripted answers in the venue's documented shape.</summary>
public sealed class CoinbaseBackfillTests
{
    private const long ReceiveNs = 1_700_000_000_000_000_000;

    /// <summary>
    /// The example answer of https://docs.cdp.coinbase.com/api-reference/exchange-api/rest-api/products/get-product-trades
    /// (checked 2026-12-06), verbatim.
    /// </summary>
    private const string DocExample = """
        [
          {
            "time": "2020-03-20T00:36:59.860Z",
            "trade_id": 86327327,
            "price": "6225.32000000",
            "size": "0.06469797",
            "side": "sell"
          }
        ]
        """;

    private static readonly ReferenceData RefData = CreateRefData();

    private static ReferenceData CreateRefData()
    {
        var refData = new ReferenceData();
        CoinbaseSymbols.Register(refData);
        return refData;
    }

    private static BackfillRequest Request(long fromId, long toId, long fromNs = 1_000, long toNs = 2_000)
    {
        Assert.True(RefData.TryResolve(VenueId.Coinbase, "BTC-USD", out InstrumentId instrument));
        return new BackfillRequest(ProviderId.Coinbase, VenueId.Coinbase, instrument, "BTC-USD", 0, BackfillReason.Reconnect,
            fromNs, TradeId.Numeric(fromId), toNs, TradeId.Numeric(toId), toNs);
    }

    private static (CoinbaseBackfill Client, ScriptedRestHandler Handler) Client(int pageSize = CoinbaseBackfill.MaxPageSize)
    {
        var handler = new ScriptedRestHandler();
        return (new CoinbaseBackfill(handler.Http(), pageSize), handler);
    }

    /// <summary>A page of trades with the given ids, newest first as the venue lists them.</summary>
    private static string Page(params long[] ids) =>
        "[" + string.Join(",", ids.Select(id =>
            $$"""{"time":"2026-12-06T10:00:00.{{id % 1_000_000:D6}}Z","trade_id":{{id}},"price":"100.{{id % 100:D2}}","size":"0.5","side":"buy"}""")) + "]";

    [Fact]
    public async Task The_documented_answer_becomes_a_trade_with_the_takers_side()
    {
        var (client, handler) = Client();
        handler.Answer(DocExample);

        var fetch = await client.FetchAsync(Request(86327326, 86327328), 100, ReceiveNs, CancellationToken.None);

        var e = Assert.Single(fetch.Trades);
        Assert.Equal(EventKind.Trade, e.Kind);
        Assert.Equal("BTC-USD.SPOT", RefData.KeyOf(e.Instrument));
        Assert.Equal(VenueId.Coinbase, e.Venue);
        Assert.Equal(ProviderId.Coinbase, e.Provider);
        Assert.Equal(Side.Buy, e.Side); // the maker sold
        Assert.Equal("6225.32000000", EventJson.Dec(e.Price));
        Assert.Equal("0.06469797", EventJson.Dec(e.Size));
        Assert.Equal(TradeId.Numeric(86327327), e.TradeId);
        Assert.Equal(new DateTimeOffset(2020, 3, 20, 0, 36, 59, 860, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000, e.ExchangeTimeNs);
        Assert.Equal(ReceiveNs, e.ReceiveTimeNs);
        Assert.Equal(0, e.Sequence);
        Assert.False(e.Flags.HasFlag(EventFlags.Backfill));
        Assert.True(fetch.ReachedStart); // the page is shorter than asked, but 86327327 is FromId + 1: the interval is covered
        Assert.Equal(["/products/BTC-USD/trades?limit=3&after=86327329"], handler.Requests);
    }

    [Fact]
    public async Task Pages_backwards_by_id_from_the_second_bound_to_the_first_trade_after_the_break()
    {
        var (client, handler) = Client(pageSize: 3);
        handler.Answer(Page(16, 15, 14)).Answer(Page(13, 12, 11));

        var fetch = await client.FetchAsync(Request(10, 16), 100, ReceiveNs, CancellationToken.None);

        Assert.Equal([16L, 15, 14, 13, 12, 11], fetch.Trades.Select(e => e.TradeId.AsLong));
        Assert.True(fetch.ReachedStart);
        Assert.Equal(["/products/BTC-USD/trades?limit=3&after=17", "/products/BTC-USD/trades?limit=3&after=14"], handler.Requests);
        Assert.Equal(ExpectedCount(Request(10, 16)) + 1, fetch.Trades.Count); // the lost five and the second bound
    }

    [Fact]
    public async Task The_last_page_asks_only_for_the_ids_left()
    {
        var (client, handler) = Client(pageSize: 1000);
        handler.Answer(Page(16, 15, 14, 13, 12, 11, 10));

        var fetch = await client.FetchAsync(Request(10, 16), 100, ReceiveNs, CancellationToken.None);

        Assert.Equal(7, fetch.Trades.Count); // both bounds included: the coordinator removes them
        Assert.Equal(["/products/BTC-USD/trades?limit=7&after=17"], handler.Requests);
    }

    private static long ExpectedCount(BackfillRequest r) => r.ExpectedCount(consecutiveIds: true)!.Value;

    [Fact]
    public async Task When_the_history_ends_before_the_interval_starts_ReachedStart_is_false()
    {
        var (client, handler) = Client(pageSize: 3);
        handler.Answer(Page(16, 15, 14)).Answer(Page(13));

        var fetch = await client.FetchAsync(Request(10, 16), 100, ReceiveNs, CancellationToken.None);

        Assert.Equal([16L, 15, 14, 13], fetch.Trades.Select(e => e.TradeId.AsLong));
        Assert.False(fetch.ReachedStart);
    }

    [Fact]
    public async Task An_empty_page_means_nothing_older_is_served()
    {
        var (client, handler) = Client();
        handler.Answer("[]");

        var fetch = await client.FetchAsync(Request(10, 16), 100, ReceiveNs, CancellationToken.None);

        Assert.Empty(fetch.Trades);
        Assert.False(fetch.ReachedStart);
    }

    [Fact]
    public async Task No_more_than_maxTrades_are_returned()
    {
        var (client, handler) = Client(pageSize: 3);
        handler.Answer(Page(16, 15, 14)).Answer(Page(13, 12, 11));

        var fetch = await client.FetchAsync(Request(10, 16), 5, ReceiveNs, CancellationToken.None);

        Assert.Equal([16L, 15, 14, 13, 12], fetch.Trades.Select(e => e.TradeId.AsLong));
        Assert.Equal(2, handler.Requests.Count);
    }

    [Theory]
    [InlineData("""{"message":"NotFound"}""", HttpStatusCode.NotFound, FrameReason.VenueError)]
    [InlineData("""{"message":"Invalid limit"}""", HttpStatusCode.OK, FrameReason.VenueError)]
    [InlineData("""{"trades":[]}""", HttpStatusCode.OK, FrameReason.Malformed)]
    [InlineData("""[{"time":"2026-12-06T10:00:00Z","trade_id":12""", HttpStatusCode.OK, FrameReason.Malformed)]
    [InlineData("not json", HttpStatusCode.OK, FrameReason.Malformed)]
    [InlineData("""[{"time":"2026-12-06T10:00:00Z","trade_id":12,"price":"NaN","size":"1","side":"buy"}]""", HttpStatusCode.OK, FrameReason.InvalidPrice)]
    [InlineData("""[{"time":"2026-12-06T10:00:00Z","trade_id":12,"price":"-5","size":"1","side":"buy"}]""", HttpStatusCode.OK, FrameReason.InvalidPrice)]
    [InlineData("""[{"time":"2026-12-06T10:00:00Z","trade_id":12,"price":"5","size":"0","side":"buy"}]""", HttpStatusCode.OK, FrameReason.InvalidPrice)]
    [InlineData("""[{"time":"yesterday","trade_id":12,"price":"5","size":"1","side":"buy"}]""", HttpStatusCode.OK, FrameReason.InvalidTimestamp)]
    [InlineData("""[{"time":"2026-12-06T10:00:00Z","trade_id":"x-12","price":"5","size":"1","side":"buy"}]""", HttpStatusCode.OK, FrameReason.Malformed)]
    [InlineData("""[{"time":"2026-12-06T10:00:00Z","price":"5","size":"1","side":"buy"}]""", HttpStatusCode.OK, FrameReason.MissingField)]
    public async Task Venue_errors_and_bad_pages_are_BackfillExceptions_with_the_body(string body, HttpStatusCode status, FrameReason reason)
    {
        var (client, handler) = Client();
        handler.Answer(body, status);

        var ex = await Assert.ThrowsAsync<BackfillException>(() => client.FetchAsync(Request(10, 16), 100, ReceiveNs, CancellationToken.None));

        Assert.Equal(reason, ex.Reason);
        Assert.Equal(body, System.Text.Encoding.UTF8.GetString(ex.Body));
    }

    [Fact]
    public void The_budget_is_the_documented_public_limit_and_ids_are_consecutive()
    {
        var budget = CoinbaseBackfill.CreateBudget();
        Assert.Equal(10, budget.Capacity);
        Assert.Equal(TimeSpan.FromSeconds(1), budget.Window);
        Assert.Equal(new Uri("https://api.exchange.coinbase.com/"), CoinbaseBackfill.DefaultRestEndpoint);
        Assert.True(Client().Client.ConsecutiveIds);
    }
}
