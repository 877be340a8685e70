using System.Globalization;
using System.Net;
using System.Text;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Backfill;
using Cloudwall.Rx.Ingestion.Venues.Bybit;
using Cloudwall.Rx.Tests.Unit.TestSupport;

namespace Cloudwall.Rx.Tests.Unit.Bybit;

/// <summary><see cref="BybitBackfill"/> against a stub transport: the documented answer, the interval filter, reach, and bad answers.</summary>
public sealed class BybitBackfillTests
{
    private static readonly InstrumentId Btc = new(9);

    /// <summary>
    /// "Get Public Recent Trading History", https://bybit-exchange.github.io/docs/v5/market/recent-trade (checked 2026-12-06):
    /// the spot response example, as https://docs.rs/crate/bybit-rust-api/0.3.0/source/src/rest/market/dto/recent_trade.rs
    /// quotes it (the page itself was not in the stored docs).
    /// </summary>
    private const string DocSpotAnswer = """
        {
            "retCode": 0,
            "retMsg": "OK",
            "result": {
                "category": "spot",
                "list": [
                    {
                        "execId": "2100000000007764263",
                        "symbol": "BTCUSDT",
                        "price": "16618.49",
                        "size": "0.00012",
                        "side": "Buy",
                        "time": "1672052955758",
                        "isBlockTrade": false
                    }
                ]
            },
            "retExtInfo": {},
            "time": 1672053054358
        }
        """;

    private const long DocTimeNs = 1672052955758L * 1_000_000;

    private static BackfillRequest Request(long fromTimeNs, long toTimeNs, TradeId fromId = default, string symbol = "BTCUSDT") =>
        new(ProviderId.Bybit, VenueId.Bybit, Btc, symbol, Connection: 0, BackfillReason.Reconnect, fromTimeNs, fromId, toTimeNs, TradeId.None, DetectedNs: 0);

    [Fact]
    public async Task The_documented_spot_answer_becomes_a_trade_with_the_takers_side()
    {
        var handler = new ScriptedRestHandler().Then(DocSpotAnswer);
        using var http = handler.Client();
        var client = new BybitBackfill(http, BybitCategory.Spot);

        var fetch = await client.FetchAsync(Request(DocTimeNs - 1, DocTimeNs + 1), 100, receiveTimeNs: 77, CancellationToken.None);

        Assert.False(client.ConsecutiveIds);
        Assert.Equal("/v5/market/recent-trade?category=spot&symbol=BTCUSDT&limit=60", Assert.Single(handler.Requests));
        Assert.True(fetch.ReachedStart); // fewer than the limit: that is all the venue has
        var t = Assert.Single(fetch.Trades);
        Assert.Equal(EventKind.Trade, t.Kind);
        Assert.Equal((Btc, VenueId.Bybit, ProviderId.Bybit), (t.Instrument, t.Venue, t.Provider));
        Assert.Equal("16618.49", t.Price.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("0.00012", t.Size.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(Side.Buy, t.Side);
        Assert.Equal(TradeId.Numeric(2100000000007764263), t.TradeId);
        Assert.Equal(DocTimeNs, t.ExchangeTimeNs);
        Assert.Equal(77, t.ReceiveTimeNs);
        Assert.Equal(0, t.Sequence); // no seq in the example
    }

    [Fact]
    public async Task Derivatives_ask_for_a_thousand_and_keep_uuids_and_the_cross_sequence()
    {
        var handler = new ScriptedRestHandler().Then(Answer("linear", [("5706445b-8543-59bc-8988-93e0f4a3f0f9", 1671970297430, "Sell", 123)]));
        using var http = handler.Client();

        var fetch = await new BybitBackfill(http, BybitCategory.Linear).FetchAsync(Request(1671970297430L * 1_000_000, 1671970297430L * 1_000_000), 10, 0,
            CancellationToken.None);

        Assert.Equal("/v5/market/recent-trade?category=linear&symbol=BTCUSDT&limit=1000", Assert.Single(handler.Requests));
        var t = Assert.Single(fetch.Trades);
        Assert.Equal(TradeIdKind.Uuid, t.TradeId.Kind);
        Assert.Equal(Guid.Parse("5706445b-8543-59bc-8988-93e0f4a3f0f9"), t.TradeId.ToGuid());
        Assert.Equal(Side.Sell, t.Side);
        Assert.Equal(123, t.Sequence);
    }

    [Fact]
    public async Task Only_trades_inside_the_interval_bounds_included_are_kept_and_at_most_maxTrades()
    {
        // Newest first, as Bybit lists them: times 1_700_000_000_010 down to ..._001 ms.
        var trades = Enumerable.Range(1, 10).Reverse().Select(i => ($"{i}", 1_700_000_000_000L + i, "Buy", (long)i)).ToArray();
        var handler = new ScriptedRestHandler().Then(Answer("inverse", trades)).Then(Answer("inverse", trades));
        using var http = handler.Client();
        var client = new BybitBackfill(http, BybitCategory.Inverse);
        var request = Request((1_700_000_000_000L + 3) * 1_000_000, (1_700_000_000_000L + 7) * 1_000_000);

        var all = await client.FetchAsync(request, 100, 0, CancellationToken.None);
        var capped = await client.FetchAsync(request, 2, 0, CancellationToken.None);

        Assert.Equal([3L, 4, 5, 6, 7], all.Trades.Select(t => t.TradeId.AsLong));
        Assert.Equal([3L, 4], capped.Trades.Select(t => t.TradeId.AsLong));
    }

    [Fact]
    public async Task A_full_answer_that_starts_after_the_interval_did_not_reach_its_start()
    {
        // 60 spot trades, the oldest at ..._100 ms: the interval started at ..._050.
        var trades = Enumerable.Range(100, 60).Reverse().Select(i => ($"{i}", 1_700_000_000_000L + i, "Sell", 0L)).ToArray();
        var handler = new ScriptedRestHandler().Then(Answer("spot", trades)).Then(Answer("spot", trades));
        using var http = handler.Client();
        var client = new BybitBackfill(http, BybitCategory.Spot);

        var late = await client.FetchAsync(Request((1_700_000_000_000L + 50) * 1_000_000, (1_700_000_000_000L + 120) * 1_000_000), 100, 0,
            CancellationToken.None);
        var held = await client.FetchAsync(Request((1_700_000_000_000L + 100) * 1_000_000, (1_700_000_000_000L + 120) * 1_000_000, TradeId.Numeric(100)),
            100, 0, CancellationToken.None);

        Assert.False(late.ReachedStart);
        Assert.Equal(21, late.Trades.Count);
        Assert.True(held.ReachedStart); // the answer holds the start bound itself
    }

    [Fact]
    public void The_budget_is_600_requests_per_5_seconds()
    {
        var budget = BybitBackfill.CreateBudget();
        Assert.Equal((600, TimeSpan.FromSeconds(5)), (budget.Capacity, budget.Window));
        Assert.Equal(new Uri("https://api.bybit.com/"), BybitBackfill.DefaultRestEndpoint);
    }

    [Theory]
    [InlineData("""{"retCode":10001,"retMsg":"params error: Symbol Is Invalid","result":{},"retExtInfo":{},"time":1672053054358}""", FrameReason.VenueError)]
    [InlineData("""{"retCode":10006,"retMsg":"Too many visits!","result":{},"retExtInfo":{},"time":1672053054358}""", FrameReason.VenueError)]
    [InlineData("""{"retMsg":"OK","result":{"list":[]}}""", FrameReason.Malformed)]
    [InlineData("""{"retCode":0,"retMsg":"OK","result":{}}""", FrameReason.MissingField)]
    [InlineData("""{"retCode":0,"result":{"list":[{"execId":"1","price":""", FrameReason.Malformed)]
    [InlineData("""[]""", FrameReason.Malformed)]
    [InlineData("""{"retCode":0,"result":{"list":[7]}}""", FrameReason.Malformed)]
    [InlineData("""{"retCode":0,"result":{"list":[{"execId":"1","price":"1","side":"Buy","time":"1672052955758"}]}}""", FrameReason.MissingField)]
    [InlineData("""{"retCode":0,"result":{"list":[{"execId":"1","price":"0","size":"1","side":"Buy","time":"1672052955758"}]}}""", FrameReason.InvalidPrice)]
    [InlineData("""{"retCode":0,"result":{"list":[{"execId":"1","price":"-2","size":"1","side":"Buy","time":"1672052955758"}]}}""", FrameReason.InvalidPrice)]
    [InlineData("""{"retCode":0,"result":{"list":[{"execId":"1","price":"NaN","size":"1","side":"Buy","time":"1672052955758"}]}}""", FrameReason.InvalidPrice)]
    [InlineData("""{"retCode":0,"result":{"list":[{"execId":"1","price":"2","size":"1","side":"Buy","time":"later"}]}}""", FrameReason.InvalidTimestamp)]
    [InlineData("""{"retCode":0,"result":{"list":[{"execId":"not-an-id","price":"2","size":"1","side":"Buy","time":"1672052955758"}]}}""", FrameReason.Malformed)]
    public async Task A_bad_answer_is_a_backfill_exception_with_its_reason(string body, FrameReason reason)
    {
        var handler = new ScriptedRestHandler().Then(body);
        using var http = handler.Client();

        var ex = await Assert.ThrowsAsync<BackfillException>(() =>
            new BybitBackfill(http, BybitCategory.Linear).FetchAsync(Request(0, long.MaxValue), 10, 0, CancellationToken.None));

        Assert.Equal(reason, ex.Reason);
        Assert.Equal(body, Encoding.UTF8.GetString(ex.Body));
    }

    [Fact]
    public async Task An_http_error_is_a_venue_error()
    {
        var handler = new ScriptedRestHandler().Then("access too frequent", HttpStatusCode.Forbidden);
        using var http = handler.Client();

        var ex = await Assert.ThrowsAsync<BackfillException>(() =>
            new BybitBackfill(http, BybitCategory.Spot).FetchAsync(Request(0, 1), 10, 0, CancellationToken.None));

        Assert.Equal(FrameReason.VenueError, ex.Reason);
    }

    private static string Answer(string category, (string Id, long TimeMs, string Side, long Seq)[] trades) =>
        $$"""{"retCode":0,"retMsg":"OK","result":{"category":"{{category}}","list":[{{string.Join(",", trades.Select(t => string.Create(CultureInfo.InvariantCulture,
            $$$"""{"execId":"{{{t.Id}}}","symbol":"BTCUSDT","price":"100.5","size":"0.25","side":"{{{t.Side}}}","time":"{{{t.TimeMs}}}","isBlockTrade":false,"isRPITrade":false,"seq":"{{{t.Seq}}}"}""")))}}]},"retExtInfo":{},"time":1700000001000}""";
}
