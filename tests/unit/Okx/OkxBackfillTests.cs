using System.Globalization;
using System.Net;
using System.Text;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Backfill;
using Cloudwall.Rx.Ingestion.Venues.Kit;
using Cloudwall.Rx.Ingestion.Venues.Okx;
using Cloudwall.Rx.Tests.Unit.TestSupport;

namespace Cloudwall.Rx.Tests.Unit.Okx;

/// <summary><see cref="OkxBackfill"/> against scripted <c>history-trades</c> answers: decoding, paging by trade id, the start, errors.</summary>
public sealed class OkxBackfillTests
{
    private const long ReceiveNs = 1_700_000_000_000_000_000;
    private const string Symbol = "BTC-USDT";

    // The documentation's example response (https://www.okx.com/docs-v5/en/#order-book-trading-market-data-get-trades-history,
    // checked 2026-12-06, as reprinted by its copies; see OkxBackfill).
    private const string DocExample = """
        {
            "code": "0",
            "msg": "",
            "data": [
                {
                    "instId": "BTC-USDT",
                    "side": "sell",
                    "sz": "0.00001",
                    "px": "29963.2",
                    "tradeId": "242720720",
                    "ts": "1654161646974"
                },
                {
                    "instId": "BTC-USDT",
                    "side": "sell",
                    "sz": "0.00001",
                    "px": "29964.1",
                    "tradeId": "242720719",
                    "ts": "1654161641568"
                }
            ]
        }
        """;

    private static readonly InstrumentId Instrument = Resolve();

    private static InstrumentId Resolve()
    {
        var refData = new ReferenceData();
        OkxSymbols.Register(refData);
        Assert.True(refData.TryResolve(VenueId.Okx, Symbol.AsSpan(), out var id));
        return id;
    }

    private static BackfillRequest Request(long fromId, long toId, long fromMs = 1_600_000_000_000, long toMs = 1_700_000_000_000) =>
        new(ProviderId.Okx, VenueId.Okx, Instrument, Symbol, 0, BackfillReason.SequenceGap, fromMs * 1_000_000, TradeId.Numeric(fromId),
            toMs * 1_000_000, TradeId.Numeric(toId), toMs * 1_000_000);

    private static OkxBackfill Client(ScriptedRestHandler handler, string? level = null) =>
        new(new BackfillHttp(new Uri("https://okx.test/"), OkxBackfill.CreateBudget(), inner: handler), level);

    /// <summary>A venue holding trades <paramref name="oldest"/>..<paramref name="newest"/> (one a millisecond), served as OKX pages them.</summary>
    private static ScriptedRestHandler Venue(long oldest, long newest) => new(q =>
    {
        var after = long.Parse(ScriptedRestHandler.Query(q, "after") ?? long.MaxValue.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var limit = int.Parse(ScriptedRestHandler.Query(q, "limit")!, CultureInfo.InvariantCulture);
        var rows = new StringBuilder();
        for (var id = Math.Min(after - 1, newest); id >= oldest && limit-- > 0; id--)
        {
            rows.Append(rows.Length == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                $$"""{"instId":"BTC-USDT","side":"{{(id % 2 == 0 ? "buy" : "sell")}}","sz":"0.5","px":"{{id}}.5","tradeId":"{{id}}","ts":"{{1_654_161_640_000 + id}}"}""");
        }

        return (HttpStatusCode.OK, $$"""{"code":"0","msg":"","data":[{{rows}}]}""");
    });

    [Fact]
    public async Task The_documentation_example_decodes_to_taker_trades_with_the_trade_id_as_sequence()
    {
        var handler = ScriptedRestHandler.Always(DocExample);
        var fetch = await Client(handler).FetchAsync(Request(242720719, 242720721), 1000, ReceiveNs, CancellationToken.None);

        Assert.True(fetch.ReachedStart); // the start bound itself was served
        Assert.Equal(2, fetch.Trades.Count);
        var t = fetch.Trades[0];
        Assert.Equal(EventKind.Trade, t.Kind);
        Assert.Equal(Instrument, t.Instrument);
        Assert.Equal(VenueId.Okx, t.Venue);
        Assert.Equal(ProviderId.Okx, t.Provider);
        Assert.Equal(29963.2m, t.Price);
        Assert.Equal("0.00001", t.Size.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(Side.Sell, t.Side);
        Assert.Equal(TradeId.Numeric(242720720), t.TradeId);
        Assert.Equal(242720720, t.Sequence);
        Assert.Equal(1654161646974L * 1_000_000, t.ExchangeTimeNs);
        Assert.Equal(ReceiveNs, t.ReceiveTimeNs);
        Assert.False(t.IsBackfill); // the coordinator flags them
        Assert.Equal(TradeId.Numeric(242720719), fetch.Trades[1].TradeId);

        var query = Assert.Single(handler.Requests);
        Assert.StartsWith("/" + OkxBackfill.Path + "?", query, StringComparison.Ordinal);
        Assert.Equal("BTC-USDT", ScriptedRestHandler.Query(query, "instId"));
        Assert.Equal("1", ScriptedRestHandler.Query(query, "type"));
        Assert.Equal("100", ScriptedRestHandler.Query(query, "limit"));
        Assert.Equal("242720722", ScriptedRestHandler.Query(query, "after")); // ToId + 1: the end bound is on the first page
    }

    [Fact]
    public async Task Pages_backwards_by_trade_id_until_the_start_bound_and_returns_the_interval_with_its_bounds()
    {
        var handler = Venue(1000, 1300);
        var fetch = await Client(handler).FetchAsync(Request(1010, 1240), 1000, ReceiveNs, CancellationToken.None);

        Assert.True(fetch.ReachedStart);
        Assert.Equal(Enumerable.Range(1010, 231).Select(i => (long)i), fetch.Trades.Select(t => t.TradeId.AsLong).Order());
        Assert.Equal(["1241", "1141", "1041"], handler.Requests.Select(q => ScriptedRestHandler.Query(q, "after")));
        Assert.All(fetch.Trades, t => Assert.Equal(t.TradeId.AsLong + 0.5m, t.Price));
        Assert.Contains(fetch.Trades, t => t.Side == Side.Buy);
    }

    [Fact]
    public async Task History_that_ends_after_the_start_is_reported_as_not_reaching_it()
    {
        var fetch = await Client(Venue(1100, 1300)).FetchAsync(Request(1010, 1240), 1000, ReceiveNs, CancellationToken.None);

        Assert.False(fetch.ReachedStart);
        Assert.Equal(1100, fetch.Trades.Min(t => t.TradeId.AsLong));
        Assert.Equal(141, fetch.Trades.Count);
    }

    [Fact]
    public async Task At_most_max_trades_are_fetched()
    {
        var handler = Venue(1000, 1300);
        var fetch = await Client(handler).FetchAsync(Request(1010, 1240), 150, ReceiveNs, CancellationToken.None);

        Assert.Equal(150, fetch.Trades.Count);
        Assert.Equal(1240, fetch.Trades.Max(t => t.TradeId.AsLong)); // the newest first, as OKX pages
        Assert.Equal(2, handler.Requests.Count);
    }

    [Theory]
    [InlineData("""{"code":"51001","msg":"Instrument ID does not exist","data":[]}""", FrameReason.VenueError)]
    [InlineData("""{"code":"0","msg":"","data":[{"instId":"BTC-USDT","side":"buy","sz":"1","px":"0","tradeId":"5","ts":"1654161646974"}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"code":"0","msg":"","data":[{"instId":"BTC-USDT","side":"buy","sz":"1","px":"NaN","tradeId":"5","ts":"1654161646974"}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"code":"0","msg":"","data":[{"instId":"BTC-USDT","side":"buy","sz":"-1","px":"10","tradeId":"5","ts":"1654161646974"}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"code":"0","msg":"","data":[{"instId":"BTC-USDT","side":"buy","sz":"1","px":"10","tradeId":"5","ts":"soon"}]}""", FrameReason.InvalidTimestamp)]
    [InlineData("""{"code":"0","msg":"","data":[{"instId":"BTC-USDT","side":"buy","sz":"1","px":"10","tradeId":"x5","ts":"1654161646974"}]}""", FrameReason.Malformed)]
    [InlineData("""{"code":"0","msg":"","data":[{"instId":"ETH-USDT","side":"buy","sz":"1","px":"10","tradeId":"5","ts":"1654161646974"}]}""", FrameReason.UnknownSymbol)]
    [InlineData("""{"code":"0","msg":"","data":{}}""", FrameReason.Malformed)]
    [InlineData("""{"msg":"","data":[]}""", FrameReason.Malformed)]
    [InlineData("""{"code":"0","msg":"","data":[""", FrameReason.Malformed)]
    public async Task A_venue_error_or_a_bad_page_is_a_backfill_exception_with_its_reason_and_body(string body, FrameReason reason)
    {
        var ex = await Assert.ThrowsAsync<BackfillException>(() =>
            Client(ScriptedRestHandler.Always(body)).FetchAsync(Request(1, 10), 100, ReceiveNs, CancellationToken.None));

        Assert.Equal(reason, ex.Reason);
        Assert.Equal(body, Encoding.UTF8.GetString(ex.Body));
    }

    [Fact]
    public async Task An_http_error_with_the_venue_error_body_is_a_venue_error()
    {
        const string body = """{"code":"50014","msg":"Parameter instId can not be empty","data":[]}""";
        var handler = new ScriptedRestHandler(_ => (HttpStatusCode.BadRequest, body));
        var ex = await Assert.ThrowsAsync<BackfillException>(() => Client(handler).FetchAsync(Request(1, 10), 100, ReceiveNs, CancellationToken.None));

        Assert.Equal(FrameReason.VenueError, ex.Reason);
        Assert.Equal(body, Encoding.UTF8.GetString(ex.Body));
        Assert.Single(handler.Requests); // a 400 is not retried
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(VenueLevels.Aggregated, false)]
    [InlineData(VenueLevels.Trades, true)]
    [InlineData("TRADES", true)]
    public void Ids_are_consecutive_only_where_the_live_stream_prints_every_fill(string? level, bool consecutive) =>
        Assert.Equal(consecutive, Client(ScriptedRestHandler.Always(DocExample), level).ConsecutiveIds);

    [Fact]
    public void The_budget_is_the_documented_20_requests_per_2_seconds()
    {
        var budget = OkxBackfill.CreateBudget();
        Assert.Equal(20, budget.Capacity);
        Assert.Equal(TimeSpan.FromSeconds(2), budget.Window);
        Assert.Equal(new Uri("https://www.okx.com/"), OkxBackfill.DefaultRestEndpoint);
    }
}
