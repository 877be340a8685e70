using System.Globalization;
using System.Net;
using System.Text;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Backfill;
using Cloudwall.Rx.Ingestion.Venues.Deribit;
using Cloudwall.Rx.Tests.Unit.TestSupport;

namespace Cloudwall.Rx.Tests.Unit.Deribit;

/// <summary><see cref="DeribitBackfill"/> against scripted <c>get_last_trades_by_instrument</c> answers.</summary>
public sealed class DeribitBackfillTests
{
    private const long ReceiveNs = 1_700_000_000_000_000_000;
    private const long BaseMs = 1_590_483_938_000;

    // The example response of public/get_last_trades_by_instrument
    // (https://docs.deribit.com/api-reference/market-data/public-get_last_trades_by_instrument, checked 2026-12-06; the page body
    // is not in the stored docs, so this is its example as published in the v2 docs, matching the stored PublicTradesHistoryResponse
    // schema: result.trades + result.has_more).
    private const string DocExample = """
        {
          "jsonrpc": "2.0",
          "id": 9267,
          "result": {
            "trades": [
              {
                "trade_seq": 1966056,
                "trade_id": "ETH-2696083",
                "timestamp": 1590483938456,
                "tick_direction": 0,
                "price": 203.3,
                "mark_price": 203.28,
                "instrument_name": "ETH-PERPETUAL",
                "index_price": 203.33,
                "direction": "buy",
                "amount": 10
              }
            ],
            "has_more": true
          }
        }
        """;

    private static InstrumentId Resolve(string symbol)
    {
        var refData = new ReferenceData();
        DeribitSymbols.Register(refData);
        Assert.True(refData.TryResolve(VenueId.Deribit, symbol.AsSpan(), out var id));
        return id;
    }

    private static BackfillRequest Request(string symbol, long fromMs, long fromId, long toMs, long toId) =>
        new(ProviderId.Deribit, VenueId.Deribit, Resolve(symbol), symbol, 0, BackfillReason.Reconnect, fromMs * 1_000_000, TradeId.Numeric(fromId),
            toMs * 1_000_000, TradeId.Numeric(toId), toMs * 1_000_000);

    private static DeribitBackfill Client(ScriptedRestHandler handler) =>
        new(new BackfillHttp(new Uri("https://deribit.test/"), DeribitBackfill.CreateBudget(), inner: handler));

    private static string Row(long seq, long ms) => string.Create(CultureInfo.InvariantCulture,
        $$"""{"trade_seq":{{seq}},"trade_id":"{{seq * 3}}","timestamp":{{ms}},"tick_direction":0,"price":65000.5,"mark_price":65001,"instrument_name":"BTC-PERPETUAL","index_price":65002,"direction":"{{(seq % 2 == 0 ? "buy" : "sell")}}","amount":{{seq % 7 + 1}}0}""");

    /// <summary>
    /// A venue holding BTC-PERPETUAL trades <paramref name="oldest"/>..<paramref name="newest"/> (seq), three per millisecond
    /// (seq / 3 ms after <see cref="BaseMs"/>), filtered and paged as the endpoint does.
    /// </summary>
    private static ScriptedRestHandler Venue(long oldest, long newest) => new(q =>
    {
        long Param(string name, long fallback) => ScriptedRestHandler.Query(q, name) is { } v ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var count = Param("count", 10);
        var (startSeq, endSeq) = (Param("start_seq", long.MinValue), Param("end_seq", long.MaxValue));
        var (startMs, endMs) = (Param("start_timestamp", 0), Param("end_timestamp", long.MaxValue));
        var all = new List<string>();
        for (var seq = oldest; seq <= newest; seq++)
        {
            var ms = BaseMs + seq / 3;
            if (seq >= startSeq && seq <= endSeq && ms >= startMs && ms <= endMs)
            {
                all.Add(Row(seq, ms));
            }
        }

        var hasMore = all.Count > count ? "true" : "false";
        return (HttpStatusCode.OK, $$"""{"jsonrpc":"2.0","result":{"trades":[{{string.Join(",", all.Take((int)count))}}],"has_more":{{hasMore}}},"usIn":1,"usOut":2,"usDiff":1,"testnet":false}""");
    });

    [Fact]
    public async Task The_documentation_example_decodes_like_the_live_stream_trade_id_and_trade_seq_as_sequence()
    {
        var handler = ScriptedRestHandler.Always(DocExample);
        var request = Request("ETH-PERPETUAL", 1590483938000, 2696080, 1590483938456, 2696083);
        var fetch = await Client(handler).FetchAsync(request, 1000, ReceiveNs, CancellationToken.None);

        var t = Assert.Single(fetch.Trades);
        Assert.Equal(EventKind.Trade, t.Kind);
        Assert.Equal(request.Instrument, t.Instrument);
        Assert.Equal(VenueId.Deribit, t.Venue);
        Assert.Equal(ProviderId.Deribit, t.Provider);
        Assert.Equal(203.3m, t.Price);
        Assert.Equal(10m, t.Size);
        Assert.Equal(Side.Buy, t.Side);
        Assert.Equal(TradeId.Numeric(2696083), t.TradeId); // the digits after the currency, as DeribitDecoder reads trade_id
        Assert.Equal(1966056, t.Sequence);
        Assert.Equal(1590483938456L * 1_000_000, t.ExchangeTimeNs);
        Assert.Equal(ReceiveNs, t.ReceiveTimeNs);
        Assert.False(fetch.ReachedStart); // its only trade is later than the interval's start

        var query = handler.Requests[0];
        Assert.StartsWith("/" + DeribitBackfill.Path + "?", query, StringComparison.Ordinal);
        Assert.Equal("ETH-PERPETUAL", ScriptedRestHandler.Query(query, "instrument_name"));
        Assert.Equal("1590483938000", ScriptedRestHandler.Query(query, "start_timestamp"));
        Assert.Equal("1590483938456", ScriptedRestHandler.Query(query, "end_timestamp"));
        Assert.Equal("1000", ScriptedRestHandler.Query(query, "count"));
        Assert.Equal("asc", ScriptedRestHandler.Query(query, "sorting"));
    }

    [Fact]
    public async Task Pages_by_time_then_by_trade_seq_and_returns_every_trade_of_the_interval_once()
    {
        var handler = Venue(0, 6000);
        // From the first trade of ms 100 (seq 300) to the last of ms 1500 (seq 4502): 4203 trades, 5 pages.
        var request = Request("BTC-PERPETUAL", BaseMs + 100, 900, BaseMs + 1500, 4502 * 3);
        var fetch = await Client(handler).FetchAsync(request, 10_000, ReceiveNs, CancellationToken.None);

        Assert.True(fetch.ReachedStart);
        Assert.Equal(Enumerable.Range(300, 4203).Select(i => (long)i), fetch.Trades.Select(t => t.Sequence));
        Assert.Equal(5, handler.Requests.Count);
        Assert.Null(ScriptedRestHandler.Query(handler.Requests[1], "start_timestamp"));
        Assert.Equal("1300", ScriptedRestHandler.Query(handler.Requests[1], "start_seq"));
        Assert.Equal("2299", ScriptedRestHandler.Query(handler.Requests[1], "end_seq"));
        Assert.All(fetch.Trades, t => Assert.Equal(t.Sequence * 3, t.TradeId.AsLong));
    }

    [Fact]
    public async Task History_that_starts_after_the_interval_does_not_reach_it_and_max_trades_caps_the_fetch()
    {
        var request = Request("BTC-PERPETUAL", BaseMs + 100, 900, BaseMs + 400, 1202 * 3);
        var late = await Client(Venue(600, 6000)).FetchAsync(request, 10_000, ReceiveNs, CancellationToken.None);
        Assert.False(late.ReachedStart);
        Assert.Equal(600, late.Trades[0].Sequence);

        var capped = await Client(Venue(0, 6000)).FetchAsync(request, 50, ReceiveNs, CancellationToken.None);
        Assert.Equal(50, capped.Trades.Count);
        Assert.Equal(300, capped.Trades[0].Sequence);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","error":{"message":"Invalid params","data":{"reason":"wrong format","param":"instrument_name"},"code":-32602},"testnet":false}""", FrameReason.VenueError)]
    [InlineData("""{"jsonrpc":"2.0","result":{"trades":[{"trade_seq":1,"trade_id":"7","timestamp":1590483938456,"price":0,"instrument_name":"BTC-PERPETUAL","direction":"buy","amount":10}],"has_more":false}}""", FrameReason.InvalidPrice)]
    [InlineData("""{"jsonrpc":"2.0","result":{"trades":[{"trade_seq":1,"trade_id":"7","timestamp":1590483938456,"price":-5,"instrument_name":"BTC-PERPETUAL","direction":"buy","amount":10}],"has_more":false}}""", FrameReason.InvalidPrice)]
    [InlineData("""{"jsonrpc":"2.0","result":{"trades":[{"trade_seq":1,"trade_id":"7","timestamp":1590483938456,"price":"NaN","instrument_name":"BTC-PERPETUAL","direction":"buy","amount":10}],"has_more":false}}""", FrameReason.InvalidPrice)]
    [InlineData("""{"jsonrpc":"2.0","result":{"trades":[{"trade_seq":1,"trade_id":"7","timestamp":-1,"price":5,"instrument_name":"BTC-PERPETUAL","direction":"buy","amount":10}],"has_more":false}}""", FrameReason.InvalidTimestamp)]
    [InlineData("""{"jsonrpc":"2.0","result":{"trades":[{"trade_seq":1,"trade_id":"x","timestamp":1590483938456,"price":5,"instrument_name":"BTC-PERPETUAL","direction":"buy","amount":10}],"has_more":false}}""", FrameReason.Malformed)]
    [InlineData("""{"jsonrpc":"2.0","result":{"trades":[{"trade_seq":1,"trade_id":"7","timestamp":1590483938456,"price":5,"instrument_name":"ETH-PERPETUAL","direction":"buy","amount":10}],"has_more":false}}""", FrameReason.UnknownSymbol)]
    [InlineData("""{"jsonrpc":"2.0","result":{"has_more":false}}""", FrameReason.Malformed)]
    [InlineData("""{"jsonrpc":"2.0"}""", FrameReason.Malformed)]
    [InlineData("""[1,2""", FrameReason.Malformed)]
    public async Task A_venue_error_or_a_bad_page_is_a_backfill_exception_with_its_reason_and_body(string body, FrameReason reason)
    {
        var request = Request("BTC-PERPETUAL", BaseMs, 1, BaseMs + 1000, 2);
        var ex = await Assert.ThrowsAsync<BackfillException>(() =>
            Client(ScriptedRestHandler.Always(body)).FetchAsync(request, 100, ReceiveNs, CancellationToken.None));

        Assert.Equal(reason, ex.Reason);
        Assert.Equal(body, Encoding.UTF8.GetString(ex.Body));
    }

    [Fact]
    public async Task An_http_400_with_the_json_rpc_error_is_a_venue_error_and_not_retried()
    {
        const string body = """{"jsonrpc":"2.0","error":{"message":"Invalid params","data":{"reason":"must be present","param":"instrument_name"},"code":-32602}}""";
        var handler = new ScriptedRestHandler(_ => (HttpStatusCode.BadRequest, body));
        var ex = await Assert.ThrowsAsync<BackfillException>(() =>
            Client(handler).FetchAsync(Request("BTC-PERPETUAL", BaseMs, 1, BaseMs + 1, 2), 100, ReceiveNs, CancellationToken.None));

        Assert.Equal(FrameReason.VenueError, ex.Reason);
        Assert.Equal(body, Encoding.UTF8.GetString(ex.Body));
        Assert.Single(handler.Requests);
    }

    [Fact]
    public void Trade_ids_span_a_currency_so_they_are_not_consecutive_and_the_budget_is_20_a_second()
    {
        Assert.False(Client(ScriptedRestHandler.Always(DocExample)).ConsecutiveIds);
        var budget = DeribitBackfill.CreateBudget();
        Assert.Equal(20, budget.Capacity);
        Assert.Equal(TimeSpan.FromSeconds(1), budget.Window);
        Assert.Equal(new Uri("https://www.deribit.com/"), DeribitBackfill.DefaultRestEndpoint);
    }
}
