using System.Globalization;
using System.Net;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Backfill;
using Cloudwall.Rx.Ingestion.Venues.Binance;
using Cloudwall.Rx.Tests.Unit.TestSupport;

namespace Cloudwall.Rx.Tests.Unit.Binance;

/// <summary><see cref="BinanceBackfill"/> against a stub transport: the documented answers, paging by <c>fromId</c>, and bad answers.</summary>
public sealed class BinanceBackfillTests
{
    private static readonly InstrumentId Btc = new(7);

    /// <summary>"Old trade lookup", https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints (checked 2026-12-06).</summary>
    private const string DocHistoricalTrades = """
        [
          {
            "id": 28457,
            "price": "4.00000100",
            "qty": "12.00000000",
            "quoteQty": "48.000012",
            "time": 1499865549590,
            "isBuyerMaker": true,
            "isBestMatch": true
          }
        ]
        """;

    /// <summary>
    /// "Compressed/Aggregate Trades List" (USDⓈ-M),
    /// https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Compressed-Aggregate-Trades-List
    /// (checked 2026-12-06), its comments removed.
    /// </summary>
    private const string DocUsdmAggTrades = """
        [
          {
            "a": 26129,
            "p": "0.01633102",
            "q": "4.70443515",
            "f": 27781,
            "l": 27781,
            "T": 1498793709153,
            "m": true
          }
        ]
        """;

    /// <summary>The COIN-M page's example, https://developers.binance.com/docs/derivatives/coin-margined-futures/market-data/Compressed-Aggregate-Trades-List (checked 2026-12-06).</summary>
    private const string DocCoinmAggTrades = """
        [{"a": 416690, "p": "9642.4", "q": "3", "f": 595259, "l": 595259, "T": 1591250548649, "m": false}]
        """;

    private static BackfillRequest Request(long fromId, long toId, BinanceMarket market = BinanceMarket.Spot, string symbol = "BTCUSDT") =>
        new(market.Provider(), market.Venue(), Btc, symbol, Connection: 0, BackfillReason.SequenceGap, FromTimeNs: 1, TradeId.Numeric(fromId),
            ToTimeNs: 2, TradeId.Numeric(toId), DetectedNs: 3);

    [Fact]
    public async Task The_documented_spot_raw_trade_becomes_a_trade_with_the_takers_side_and_its_id_as_sequence()
    {
        var handler = new ScriptedRestHandler().Then(DocHistoricalTrades);
        using var http = handler.Client();
        var client = new BinanceBackfill(http, BinanceMarket.Spot);

        var fetch = await client.FetchAsync(Request(28456, 28458), maxTrades: 100, receiveTimeNs: 42, CancellationToken.None);

        Assert.True(client.RawTrades);
        Assert.True(client.ConsecutiveIds);
        Assert.Equal("/api/v3/historicalTrades?symbol=BTCUSDT&fromId=28457&limit=1", Assert.Single(handler.Requests));
        Assert.True(fetch.ReachedStart);
        var t = Assert.Single(fetch.Trades);
        Assert.Equal(EventKind.Trade, t.Kind);
        Assert.Equal(Btc, t.Instrument);
        Assert.Equal(VenueId.Binance, t.Venue);
        Assert.Equal(ProviderId.Binance, t.Provider);
        Assert.Equal("4.00000100", t.Price.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("12.00000000", t.Size.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(Side.Sell, t.Side); // the buyer was the maker: the taker sold
        Assert.Equal(TradeId.Numeric(28457), t.TradeId);
        Assert.Equal(28457, t.Sequence);
        Assert.Equal(1499865549590L * 1_000_000, t.ExchangeTimeNs);
        Assert.Equal(42, t.ReceiveTimeNs);
        Assert.False(t.Flags.HasFlag(EventFlags.Backfill)); // the coordinator flags
    }

    [Fact]
    public async Task The_documented_futures_aggregate_trades_decode_on_their_own_paths()
    {
        var usdm = new ScriptedRestHandler().Then(DocUsdmAggTrades);
        using var usdmHttp = usdm.Client();
        var u = await new BinanceBackfill(usdmHttp, BinanceMarket.UsdM).FetchAsync(Request(26128, 26130, BinanceMarket.UsdM), 10, 0, CancellationToken.None);

        var coinm = new ScriptedRestHandler().Then(DocCoinmAggTrades);
        using var coinmHttp = coinm.Client();
        var c = await new BinanceBackfill(coinmHttp, BinanceMarket.CoinM).FetchAsync(Request(416689, 416691, BinanceMarket.CoinM, "BTCUSD_PERP"), 10, 0,
            CancellationToken.None);

        Assert.Equal("/fapi/v1/aggTrades?symbol=BTCUSDT&fromId=26129&limit=1", Assert.Single(usdm.Requests));
        var ut = Assert.Single(u.Trades);
        Assert.Equal((26129L, 0.01633102m, 4.70443515m, Side.Sell, 1498793709153L * 1_000_000, VenueId.BinanceUsdm),
            (ut.TradeId.AsLong, ut.Price, ut.Size, ut.Side, ut.ExchangeTimeNs, ut.Venue));
        Assert.Equal("/dapi/v1/aggTrades?symbol=BTCUSD_PERP&fromId=416690&limit=1", Assert.Single(coinm.Requests));
        var ct = Assert.Single(c.Trades);
        Assert.Equal((416690L, 9642.4m, 3m, Side.Buy, VenueId.BinanceCoinm), (ct.TradeId.AsLong, ct.Price, ct.Size, ct.Side, ct.Venue));
    }

    [Theory]
    [InlineData(BinanceMarket.Spot, null, "api/v3/historicalTrades", 25)]
    [InlineData(BinanceMarket.Spot, "trades", "api/v3/historicalTrades", 25)]
    [InlineData(BinanceMarket.Spot, "aggregated", "api/v3/aggTrades", 4)]
    [InlineData(BinanceMarket.Us, null, "api/v3/historicalTrades", 25)]
    [InlineData(BinanceMarket.UsdM, null, "fapi/v1/aggTrades", 20)]
    [InlineData(BinanceMarket.CoinM, "aggregated", "dapi/v1/aggTrades", 20)]
    public void The_level_chooses_the_list_whose_ids_the_live_stream_prints(BinanceMarket market, string? level, string path, int weight)
    {
        using var http = new ScriptedRestHandler().Client();
        var client = new BinanceBackfill(http, market, level);
        Assert.Equal((path, weight), (client.Path, client.Weight));
    }

    [Fact]
    public void Futures_have_no_raw_trades_level()
    {
        using var http = new ScriptedRestHandler().Client();
        Assert.Throws<ArgumentException>(() => new BinanceBackfill(http, BinanceMarket.UsdM, "trades"));
    }

    [Fact]
    public void The_budgets_are_the_published_weight_limits()
    {
        Assert.Equal((6_000, TimeSpan.FromMinutes(1)), (BinanceBackfill.CreateBudget().Capacity, BinanceBackfill.CreateBudget().Window));
        Assert.Equal(2_400, BinanceBackfill.CreateBudget(BinanceMarket.UsdM).Capacity);
        Assert.Equal(2_400, BinanceBackfill.CreateBudget(BinanceMarket.CoinM).Capacity);
        Assert.Equal(new Uri("https://api.binance.com/"), BinanceBackfill.DefaultRestEndpoint);
        Assert.Equal(new Uri("https://fapi.binance.com/"), BinanceBackfill.DefaultRestEndpointOf(BinanceMarket.UsdM));
        Assert.Equal(new Uri("https://dapi.binance.com/"), BinanceBackfill.DefaultRestEndpointOf(BinanceMarket.CoinM));
    }

    [Fact]
    public async Task A_long_gap_is_paged_by_fromId_a_thousand_at_a_time_strictly_between_its_bounds()
    {
        var handler = new ScriptedRestHandler { Respond = Consecutive(oldest: 1) };
        using var http = handler.Client();

        var fetch = await new BinanceBackfill(http, BinanceMarket.Spot, "aggregated").FetchAsync(Request(100, 2600), 10_000, 0, CancellationToken.None);

        Assert.Equal(
            ["fromId=101&limit=1000", "fromId=1101&limit=1000", "fromId=2101&limit=499"],
            handler.Requests.Select(r => r[(r.IndexOf("fromId", StringComparison.Ordinal))..]));
        Assert.Equal(Enumerable.Range(101, 2499).Select(i => (long)i), fetch.Trades.Select(t => t.TradeId.AsLong));
        Assert.True(fetch.ReachedStart);
    }

    [Fact]
    public async Task At_most_maxTrades_are_fetched()
    {
        var handler = new ScriptedRestHandler { Respond = Consecutive(oldest: 1) };
        using var http = handler.Client();

        var fetch = await new BinanceBackfill(http, BinanceMarket.UsdM).FetchAsync(Request(100, 2600, BinanceMarket.UsdM), 150, 0, CancellationToken.None);

        Assert.Equal(150, fetch.Trades.Count);
        Assert.EndsWith("fromId=101&limit=150", Assert.Single(handler.Requests));
    }

    [Fact]
    public async Task A_gap_of_exactly_maxTrades_is_fetched_whole_and_an_empty_one_asks_nothing()
    {
        var handler = new ScriptedRestHandler { Respond = Consecutive(oldest: 1) };
        using var http = handler.Client();
        var client = new BinanceBackfill(http, BinanceMarket.Spot);

        var whole = await client.FetchAsync(Request(100, 251), 150, 0, CancellationToken.None);
        var none = await client.FetchAsync(Request(300, 301), 150, 0, CancellationToken.None);

        Assert.Equal(Enumerable.Range(101, 150).Select(i => (long)i), whole.Trades.Select(t => t.TradeId.AsLong));
        Assert.Empty(none.Trades);
        Assert.True(none.ReachedStart);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task When_the_venue_no_longer_holds_the_start_the_fetch_says_so()
    {
        // The venue's oldest trade is 500: asked from 100, it serves from 500.
        var handler = new ScriptedRestHandler { Respond = Consecutive(oldest: 500) };
        using var http = handler.Client();

        var fetch = await new BinanceBackfill(http, BinanceMarket.Spot).FetchAsync(Request(100, 700), 10_000, 0, CancellationToken.None);

        Assert.False(fetch.ReachedStart);
        Assert.Equal(Enumerable.Range(500, 200).Select(i => (long)i), fetch.Trades.Select(t => t.TradeId.AsLong));
    }

    [Fact]
    public async Task A_venue_error_status_is_a_venue_error_with_the_body()
    {
        const string body = """{"code":-1121,"msg":"Invalid symbol."}""";
        var handler = new ScriptedRestHandler().Then(body, HttpStatusCode.BadRequest);
        using var http = handler.Client();

        var ex = await Assert.ThrowsAsync<BackfillException>(() =>
            new BinanceBackfill(http, BinanceMarket.Spot).FetchAsync(Request(1, 3, symbol: "NOPE"), 10, 0, CancellationToken.None));

        Assert.Equal(FrameReason.VenueError, ex.Reason);
        Assert.Equal(body, System.Text.Encoding.UTF8.GetString(ex.Body));
    }

    [Theory]
    [InlineData("""{"code":-1003,"msg":"Too many requests."}""", FrameReason.VenueError)]
    [InlineData("""[{"id":1,"price":"4.0""", FrameReason.Malformed)]
    [InlineData("not json", FrameReason.Malformed)]
    [InlineData("""{"unexpected":true}""", FrameReason.Malformed)]
    [InlineData("""[1,2]""", FrameReason.Malformed)]
    [InlineData("""[{"id":2,"price":"4.0","time":1499865549590,"isBuyerMaker":true}]""", FrameReason.MissingField)]
    [InlineData("""[{"id":2,"price":"0","qty":"1","time":1499865549590,"isBuyerMaker":true}]""", FrameReason.InvalidPrice)]
    [InlineData("""[{"id":2,"price":"-4.0","qty":"1","time":1499865549590,"isBuyerMaker":true}]""", FrameReason.InvalidPrice)]
    [InlineData("""[{"id":2,"price":"NaN","qty":"1","time":1499865549590,"isBuyerMaker":true}]""", FrameReason.InvalidPrice)]
    [InlineData("""[{"id":2,"price":"4.0","qty":"1","time":"soon","isBuyerMaker":true}]""", FrameReason.InvalidTimestamp)]
    [InlineData("""[{"id":"x","price":"4.0","qty":"1","time":1499865549590,"isBuyerMaker":true}]""", FrameReason.Malformed)]
    [InlineData("""[{"id":3,"price":"4.0","qty":"1","time":1499865549590,"isBuyerMaker":true},{"id":2,"price":"4.0","qty":"1","time":1499865549590,"isBuyerMaker":true}]""",
        FrameReason.Malformed)]
    public async Task A_bad_answer_is_a_backfill_exception_with_its_reason(string body, FrameReason reason)
    {
        var handler = new ScriptedRestHandler().Then(body);
        using var http = handler.Client();

        var ex = await Assert.ThrowsAsync<BackfillException>(() =>
            new BinanceBackfill(http, BinanceMarket.Spot).FetchAsync(Request(1, 5), 10, 0, CancellationToken.None));

        Assert.Equal(reason, ex.Reason);
        Assert.Equal(body, System.Text.Encoding.UTF8.GetString(ex.Body));
    }

    /// <summary>A venue holding ids from <paramref name="oldest"/> on: each request gets <c>limit</c> consecutive aggregate trades from <c>fromId</c>.</summary>
    private static Func<Uri, (HttpStatusCode, string)> Consecutive(long oldest) => uri =>
    {
        var q = uri.Query.TrimStart('?').Split('&').Select(p => p.Split('=')).Where(p => p[0] is "fromId" or "limit")
            .ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture));
        var from = Math.Max(q["fromId"], oldest);
        var items = Enumerable.Range(0, (int)q["limit"]).Select(i => from + i).Select(id => string.Create(CultureInfo.InvariantCulture,
            $$"""{"a":{{id}},"p":"100.5","q":"0.1","f":{{id * 2}},"l":{{id * 2 + 1}},"T":{{1_700_000_000_000 + id}},"m":{{(id % 2 == 0 ? "true" : "false")}},"id":{{id}},"price":"100.5","qty":"0.1","time":{{1_700_000_000_000 + id}},"isBuyerMaker":true}"""));
        return (HttpStatusCode.OK, "[" + string.Join(",", items) + "]");
    };
}
