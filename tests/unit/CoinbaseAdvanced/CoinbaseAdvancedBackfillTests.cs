using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Backfill;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;
using Cloudwall.Rx.Ingestion.Venues.CoinbaseAdvanced;
using Cloudwall.Rx.Tests.Unit.TestSupport;

namespace Cloudwall.Rx.Tests.Unit.CoinbaseAdvanced;

/// <summary><see cref="CoinbaseAdvancedBackfill"/> against scripted answers in the documented shape.</summary>
public sealed class CoinbaseAdvancedBackfillTests
{
    private const long ReceiveNs = 1_700_000_000_000_000_000;
    private const long Second = 1_000_000_000;

    /// <summary>
    /// The example answer of https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/products/get-market-trades
    /// (checked 2026-12-06), verbatim, placeholders included.
    /// </summary>
    private const string DocExample = """
        {
          "trades": [
            {
              "trade_id": "34b080bf-fcfd-445a-832b-46b5ddc65601",
              "product_id": "BTC-USD",
              "price": "140.91",
              "size": "4",
              "time": "2021-05-31T09:59:59.000Z",
              "side": "<any>",
              "exchange": "<string>"
            }
          ],
          "best_bid": "291.13",
          "best_ask": "292.40"
        }
        """;

    private static readonly ReferenceData RefData = CreateRefData();

    private static ReferenceData CreateRefData()
    {
        var refData = new ReferenceData();
        CoinbaseSymbols.Register(refData);
        return refData;
    }

    private static BackfillRequest Request(long fromNs, long toNs)
    {
        Assert.True(RefData.TryResolve(VenueId.Coinbase, "BTC-USD", out InstrumentId instrument));
        return new BackfillRequest(ProviderId.Coinbase, VenueId.Coinbase, instrument, "BTC-USD", 0, BackfillReason.Reconnect,
            fromNs, TradeId.Numeric(1), toNs, TradeId.Numeric(9), toNs);
    }

    private static (CoinbaseAdvancedBackfill Client, ScriptedRestHandler Handler) Client(int pageSize = CoinbaseAdvancedBackfill.MaxPageSize)
    {
        var handler = new ScriptedRestHandler();
        return (new CoinbaseAdvancedBackfill(handler.Http(), pageSize), handler);
    }

    /// <summary>Trades (id, second, maker side), newest first as the venue lists them.</summary>
    private static string Page(params (long Id, long Second, string Side)[] trades) =>
        """{"trades":[""" + string.Join(",", trades.Select(t =>
            $$"""{"trade_id":"{{t.Id}}","product_id":"BTC-USD","price":"100.5","size":"0.1","time":"{{DateTimeOffset.FromUnixTimeSeconds(t.Second):yyyy-MM-ddTHH:mm:ss}}.250Z","side":"{{t.Side}}"}""")) +
        """],"best_bid":"100.4","best_ask":"100.6"}""";

    [Fact]
    public async Task The_documented_answer_becomes_a_trade()
    {
        var (client, handler) = Client();
        handler.Answer(DocExample);
        var at = DateTimeOffset.Parse("2021-05-31T09:59:59Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds() * Second;

        var fetch = await client.FetchAsync(Request(at - Second, at + Second), 100, ReceiveNs, CancellationToken.None);

        var e = Assert.Single(fetch.Trades);
        Assert.Equal(EventKind.Trade, e.Kind);
        Assert.Equal("BTC-USD.SPOT", RefData.KeyOf(e.Instrument));
        Assert.Equal("140.91", EventJson.Dec(e.Price));
        Assert.Equal("4", EventJson.Dec(e.Size));
        Assert.Equal(at, e.ExchangeTimeNs);
        Assert.Equal(TradeId.FromGuid(Guid.Parse("34b080bf-fcfd-445a-832b-46b5ddc65601")), e.TradeId);
        Assert.Equal(Side.Unknown, e.Side); // the documentation's placeholder "<any>"
        Assert.Equal(ReceiveNs, e.ReceiveTimeNs);
        Assert.True(fetch.ReachedStart);
        Assert.Equal([$"/api/v3/brokerage/market/products/BTC-USD/ticker?limit=1000&start={at / Second - 1}&end={at / Second + 2}"], handler.Requests);
    }

    [Fact]
    public async Task A_full_page_pages_back_from_its_oldest_second_without_repeating_trades()
    {
        const long t0 = 1_765_000_000;
        var (client, handler) = Client(pageSize: 3);
        handler
            .Answer(Page((9, t0 + 9, "SELL"), (8, t0 + 8, "BUY"), (7, t0 + 7, "SELL")))
            .Answer(Page((7, t0 + 7, "SELL"), (6, t0 + 6, "BUY"), (5, t0 + 5, "SELL")))
            .Answer(Page((2, t0 + 2, "BUY")));

        var fetch = await client.FetchAsync(Request(t0 * Second, (t0 + 9) * Second + Second / 2), 100, ReceiveNs, CancellationToken.None);

        Assert.Equal([9L, 8, 7, 6, 5, 2], fetch.Trades.Select(e => e.TradeId.AsLong));
        Assert.Equal([Side.Buy, Side.Sell, Side.Buy, Side.Sell, Side.Buy, Side.Sell], fetch.Trades.Select(e => e.Side)); // maker SELL: taker bought
        Assert.Equal(
        [
            $"/api/v3/brokerage/market/products/BTC-USD/ticker?limit=3&start={t0}&end={t0 + 10}",
            $"/api/v3/brokerage/market/products/BTC-USD/ticker?limit=3&start={t0}&end={t0 + 8}",
            $"/api/v3/brokerage/market/products/BTC-USD/ticker?limit=3&start={t0}&end={t0 + 6}",
        ], handler.Requests);
        Assert.False(client.ConsecutiveIds);
    }

    [Theory]
    [InlineData("""{"error":"NOT_FOUND","error_details":"product not found","message":"product not found"}""", FrameReason.VenueError)]
    [InlineData("""[]""", FrameReason.Malformed)]
    [InlineData("""{"best_bid":"1"}""", FrameReason.Malformed)]
    [InlineData("""{"trades":[{"trade_id":12,"price":"5","size":"1","time":"2026-12-06T10:00:00Z","side":"BUY"}]}""", FrameReason.Malformed)]
    [InlineData("""{"trades":[{"trade_id":"12","price":"NaN","size":"1","time":"2026-12-06T10:00:00Z","side":"BUY"}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"trades":[{"trade_id":"12","price":"5","size":"-1","time":"2026-12-06T10:00:00Z","side":"BUY"}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"trades":[{"trade_id":"12","price":"5","size":"1","time":"later","side":"BUY"}]}""", FrameReason.InvalidTimestamp)]
    [InlineData("""{"trades":[{"trade_id":"12","size":"1","time":"2026-12-06T10:00:00Z","side":"BUY"}]}""", FrameReason.MissingField)]
    [InlineData("""{"trades":[""", FrameReason.Malformed)]
    public async Task Venue_errors_and_bad_pages_are_BackfillExceptions_with_the_body(string body, FrameReason reason)
    {
        var (client, handler) = Client();
        handler.Answer(body);

        var ex = await Assert.ThrowsAsync<BackfillException>(() =>
            client.FetchAsync(Request(1_765_000_000 * Second, 1_765_000_010 * Second), 100, ReceiveNs, CancellationToken.None));

        Assert.Equal(reason, ex.Reason);
        Assert.Equal(body, System.Text.Encoding.UTF8.GetString(ex.Body));
    }

    [Fact]
    public void The_budget_is_the_public_limit()
    {
        var budget = CoinbaseAdvancedBackfill.CreateBudget();
        Assert.Equal(10, budget.Capacity);
        Assert.Equal(TimeSpan.FromSeconds(1), budget.Window);
        Assert.Equal(new Uri("https://api.coinbase.com/"), CoinbaseAdvancedBackfill.DefaultRestEndpoint);
    }
}
