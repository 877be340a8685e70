using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Backfill;
using Cloudwall.Rx.Ingestion.Venues.Kraken;
using Cloudwall.Rx.Tests.Unit.TestSupport;

namespace Cloudwall.Rx.Tests.Unit.Kraken;

/// <summary><see cref="KrakenFuturesBackfill"/> against scripted answers in the History API's documented shape.</summary>
public sealed class KrakenFuturesBackfillTests
{
    private const long ReceiveNs = 1_700_000_000_000_000_000;
    private const long Ms = 1_000_000;

    /// <summary>
    /// The example of https://docs.kraken.com/api/docs/futures-api/history/get-public-execution-events (checked 2026-12-06),
    /// "Example (from schema)", with <c>len</c> 1 and the fields after <c>markPrice</c>, which the client does not read, left out.
    /// </summary>
    private const string DocExample = """
        {
          "len": 1,
          "elements": [
            {
              "uid": "string",
              "timestamp": 1604937694000,
              "event": {
                "execution": {
                  "execution": {
                    "uid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                    "makerOrder": {
                      "uid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                      "tradeable": "string",
                      "direction": "Buy",
                      "quantity": "1234.56789",
                      "timestamp": 1604937694000,
                      "limitPrice": "1234.56789",
                      "orderType": "string",
                      "reduceOnly": true,
                      "lastUpdateTimestamp": 1604937694000
                    },
                    "takerOrder": {
                      "uid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                      "tradeable": "string",
                      "direction": "Buy",
                      "quantity": "1234.56789",
                      "timestamp": 1604937694000,
                      "limitPrice": "1234.56789",
                      "orderType": "string",
                      "reduceOnly": true,
                      "lastUpdateTimestamp": 1604937694000
                    },
                    "timestamp": 1604937694000,
                    "quantity": "1234.56789",
                    "price": "1234.56789",
                    "markPrice": "1234.56789"
                  }
                }
              }
            }
          ],
          "continuationToken": ""
        }
        """;

    private static readonly ReferenceData RefData = CreateRefData();

    private static ReferenceData CreateRefData()
    {
        var refData = new ReferenceData();
        KrakenSymbols.RegisterFutures(refData);
        return refData;
    }

    private static BackfillRequest Request(long fromNs, long toNs)
    {
        Assert.True(RefData.TryResolve(VenueId.KrakenFutures, "PF_XBTUSD", out InstrumentId instrument));
        return new BackfillRequest(ProviderId.KrakenFutures, VenueId.KrakenFutures, instrument, "PF_XBTUSD", 0, BackfillReason.Reconnect,
            fromNs, TradeId.FromGuid(Guid.NewGuid()), toNs, TradeId.FromGuid(Guid.NewGuid()), toNs);
    }

    private static (KrakenFuturesBackfill Client, ScriptedRestHandler Handler) Client()
    {
        var handler = new ScriptedRestHandler();
        return (new KrakenFuturesBackfill(handler.Http()), handler);
    }

    private static string Execution(long ms, string side, string price = "64000.5")
    {
        var uid = new Guid((int)(ms % int.MaxValue), 0, 0, new byte[8]);
        var maker = side == "Buy" ? "Sell" : "Buy";
        return "{\"uid\":\"e-" + ms + "\",\"timestamp\":" + ms + ",\"event\":{\"Execution\":{\"execution\":{\"uid\":\"" + uid
            + "\",\"makerOrder\":{\"direction\":\"" + maker + "\"},\"takerOrder\":{\"direction\":\"" + side + "\"},\"timestamp\":" + ms
            + ",\"quantity\":\"0.25\",\"price\":\"" + price + "\",\"markPrice\":\"64001\"}}}}";
    }

    private static string Page(string? token, params string[] executions) =>
        "{\"len\":" + executions.Length + ",\"elements\":[" + string.Join(",", executions) + "]"
        + (token is null ? "" : ",\"continuationToken\":\"" + token + "\"") + "}";

    [Fact]
    public async Task The_documented_answer_becomes_a_trade_with_the_takers_side_and_the_execution_uid()
    {
        var (client, handler) = Client();
        handler.Answer(DocExample);

        var fetch = await client.FetchAsync(Request(1604937694000 * Ms, 1604937694000 * Ms), 100, ReceiveNs, CancellationToken.None);

        var e = Assert.Single(fetch.Trades);
        Assert.Equal(EventKind.Trade, e.Kind);
        Assert.Equal("BTC-USD.PERP", RefData.KeyOf(e.Instrument));
        Assert.Equal(VenueId.KrakenFutures, e.Venue);
        Assert.Equal(ProviderId.KrakenFutures, e.Provider);
        Assert.Equal(Side.Buy, e.Side);
        Assert.Equal("1234.56789", EventJson.Dec(e.Price));
        Assert.Equal("1234.56789", EventJson.Dec(e.Size));
        Assert.Equal(1604937694000 * Ms, e.ExchangeTimeNs);
        Assert.Equal(TradeId.FromGuid(Guid.Parse("3fa85f64-5717-4562-b3fc-2c963f66afa6")), e.TradeId);
        Assert.Equal(0, e.Sequence);
        Assert.Equal(ReceiveNs, e.ReceiveTimeNs);
        Assert.True(fetch.ReachedStart);
        Assert.Equal(["/api/history/v3/market/PF_XBTUSD/executions?sort=asc&since=1604937694000&before=1604937694001&count=1000"], handler.Requests);
    }

    [Fact]
    public async Task Pages_by_time_with_the_continuation_token_and_keeps_only_the_interval()
    {
        var (client, handler) = Client();
        handler
            .Answer(Page("tok+1/=", Execution(1_765_000_000_000, "Buy"), Execution(1_765_000_000_500, "Sell")))
            .Answer(Page("", Execution(1_765_000_001_000, "Sell"), Execution(1_765_000_002_000, "Buy")));

        var fetch = await client.FetchAsync(Request(1_765_000_000_000 * Ms + 400_000, 1_765_000_001_000 * Ms), 100, ReceiveNs, CancellationToken.None);

        Assert.Equal([1_765_000_000_500 * Ms, 1_765_000_001_000 * Ms], fetch.Trades.Select(e => e.ExchangeTimeNs));
        Assert.Equal([Side.Sell, Side.Sell], fetch.Trades.Select(e => e.Side));
        Assert.Equal(2, handler.Requests.Count);
        Assert.EndsWith("&continuation_token=tok%2B1%2F%3D", handler.Requests[1]);
        Assert.False(client.ConsecutiveIds);
    }

    [Theory]
    [InlineData("""{"error":"apiLimitExceeded"}""", FrameReason.VenueError)]
    [InlineData("""{"result":"error","error":"invalidArgument"}""", FrameReason.VenueError)]
    [InlineData("""{"len":0}""", FrameReason.Malformed)]
    [InlineData("""[]""", FrameReason.Malformed)]
    [InlineData("""{"len":1,"elements":[{"uid":"x","timestamp":1,"event":{"OrderPlaced":{}}}]}""", FrameReason.MissingField)]
    [InlineData("""{"len":1,"elements":[{"uid":"x","timestamp":1,"event":{"execution":{"execution":{"uid":"not-a-uuid!","takerOrder":{"direction":"Buy"},"timestamp":1765000000000,"quantity":"1","price":"5"}}}}]}""", FrameReason.Malformed)]
    [InlineData("""{"len":1,"elements":[{"uid":"x","timestamp":1,"event":{"execution":{"execution":{"uid":"3fa85f64-5717-4562-b3fc-2c963f66afa6","takerOrder":{"direction":"Buy"},"timestamp":1765000000000,"quantity":"1","price":"NaN"}}}}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"len":1,"elements":[{"uid":"x","timestamp":1,"event":{"execution":{"execution":{"uid":"3fa85f64-5717-4562-b3fc-2c963f66afa6","takerOrder":{"direction":"Buy"},"timestamp":1765000000000,"quantity":"-1","price":"5"}}}}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"len":1,"elements":[{"uid":"x","timestamp":1,"event":{"execution":{"execution":{"uid":"3fa85f64-5717-4562-b3fc-2c963f66afa6","takerOrder":{"direction":"Buy"},"timestamp":"soon","quantity":"1","price":"5"}}}}]}""", FrameReason.InvalidTimestamp)]
    [InlineData("""{"len":1,"elements":[{"uid":"x","timestamp":1,"event":{"execution":{"execution":{"uid":"3fa85f64-5717-4562-b3fc-2c963f66afa6","timestamp":1765000000000,"quantity":"1","price":"5"}}}}]}""", FrameReason.MissingField)]
    [InlineData("""{"elements":[""", FrameReason.Malformed)]
    public async Task Venue_errors_and_bad_pages_are_BackfillExceptions_with_the_body(string body, FrameReason reason)
    {
        var (client, handler) = Client();
        handler.Answer(body);

        var ex = await Assert.ThrowsAsync<BackfillException>(() =>
            client.FetchAsync(Request(1_765_000_000_000 * Ms, 1_765_000_001_000 * Ms), 100, ReceiveNs, CancellationToken.None));

        Assert.Equal(reason, ex.Reason);
        Assert.Equal(body, System.Text.Encoding.UTF8.GetString(ex.Body));
    }
}
