using System.Globalization;
using Cloudwall.Rx.Ingestion.Backfill;
using Cloudwall.Rx.Ingestion.Json;
using Cloudwall.Rx.Ingestion.Venues.Kit;

namespace Cloudwall.Rx.Ingestion.Venues.Binance;

/// <summary>
/// Binance back-fill over the public REST API, paging forward by trade id (<c>fromId</c>, inclusive) through the ids strictly
/// between the last trade before the break and the first one after it. Which list depends on the stream the provider's level subscribes, so that
/// REST ids are the live stream's ids:
/// <list type="bullet">
/// <item>spot and Binance.US <c>trades</c> level (<c>&lt;s&gt;@trade</c>, ids <c>t</c>): <c>GET /api/v3/historicalTrades</c>, weight 25;</item>
/// <item>spot <c>aggregated</c> level (<c>&lt;s&gt;@aggTrade</c>, ids <c>a</c>): <c>GET /api/v3/aggTrades</c>, weight 4;</item>
/// <item>USDⓈ-M and COIN-M (their finest level is <c>aggTrade</c>): <c>GET /fapi/v1/aggTrades</c> and <c>GET /dapi/v1/aggTrades</c>, weight 20.</item>
/// </list>
/// Every list takes <c>limit</c> (default 500, max 1000) and answers oldest first. A spot raw trade (recorded-feed shape, and
/// the docs' example):
/// <code>
/// [{"id":28457,"price":"4.00000100","qty":"12.00000000","quoteQty":"48.000012","time":1499865549590,"isBuyerMaker":true,"isBestMatch":true}]
/// </code>
/// an aggregate trade: <c>[{"a":26129,"p":"0.01633102","q":"4.70443515","f":27781,"l":27781,"T":1498793709153,"m":true,"M":true}]</c>
/// (futures leave out <c>M</c>).
/// </summary>
/// <remarks>
/// Checked 2026-12-06. Spot "Market Data endpoints"
/// (https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints): "Old trade lookup"
/// <c>GET /api/v3/historicalTrades</c> (weight 25, <c>fromId</c> "TradeId to fetch from", no API key or security type named:
/// it is public) and "Compressed/Aggregate trades list" <c>GET /api/v3/aggTrades</c> (weight 4, <c>fromId</c> inclusive). The
/// spot limit, 6,000 request weight per minute per IP, is the <c>REQUEST_WEIGHT</c> entry the docs' examples print
/// (https://developers.binance.com/docs/binance-spot-api-docs/testnet/websocket-api/market-data-requests); the limits page
/// itself was not in the stored docs. USDⓈ-M "Compressed/Aggregate Trades List"
/// (https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Compressed-Aggregate-Trades-List)
/// and COIN-M (https://developers.binance.com/docs/derivatives/coin-margined-futures/market-data/Compressed-Aggregate-Trades-List):
/// weight 20, "send either fromId or startTime/endTime"; the futures limit is "2,400/min" per IP ("Rate Limits on Binance
/// Futures", https://www.binance.com/en/support/faq/rate-limits-on-binance-futures-281596e222414cdd9051664ea621cdc3).
/// Futures' <c>historicalTrades</c> needs an API key (MARKET_DATA), and futures stream no raw trades anyway.
/// </remarks>
public sealed class BinanceBackfill : IBackfillClient
{
    /// <summary>The documented maximum <c>limit</c> of every trade list.</summary>
    public const int MaxLimit = 1000;

    private const int NameBuffer = 32;

    private readonly BackfillHttp _http;

    /// <param name="http">The HTTP client on <see cref="DefaultRestEndpointOf"/> (or a simulator), with <see cref="CreateBudget"/>.</param>
    /// <param name="market">The Binance market the provider streams.</param>
    /// <param name="level">
    /// The provider's data level (<c>Providers:&lt;name&gt;:Level</c>); null is the market's default. A level whose streams
    /// include <c>trade</c> is filled from raw trades, any other from aggregate trades.
    /// </param>
    public BinanceBackfill(BackfillHttp http, BinanceMarket market, string? level = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!Enum.IsDefined(market))
        {
            throw new ArgumentOutOfRangeException(nameof(market), market, "Unknown Binance market.");
        }

        var streams = VenueLevels.ChannelsOf(market.LevelStreams(), level, market.Name());
        _http = http;
        Market = market;
        RawTrades = streams.Contains("trade");
        (Path, Weight) = (market, RawTrades) switch
        {
            (BinanceMarket.UsdM, _) => ("fapi/v1/aggTrades", 20),
            (BinanceMarket.CoinM, _) => ("dapi/v1/aggTrades", 20),
            (_, true) => ("api/v3/historicalTrades", 25),
            _ => ("api/v3/aggTrades", 4),
        };
    }

    public BinanceMarket Market { get; }

    /// <summary>True when filling from raw trades (<c>historicalTrades</c>, ids <c>t</c>); false for aggregate trades (ids <c>a</c>).</summary>
    public bool RawTrades { get; }

    /// <summary>The REST path, relative to the root: <c>api/v3/historicalTrades</c>, <c>api/v3/aggTrades</c>, <c>fapi/v1/aggTrades</c> or <c>dapi/v1/aggTrades</c>.</summary>
    public string Path { get; }

    /// <summary>The documented request weight of <see cref="Path"/>.</summary>
    public int Weight { get; }

    /// <summary>Trade ids and aggregate ids are each consecutive per symbol, and REST lists the ids the stream printed.</summary>
    public bool ConsecutiveIds => true;

    /// <summary>The production REST root of spot, <c>https://api.binance.com/</c>; see <see cref="DefaultRestEndpointOf"/> for the others.</summary>
    public static Uri DefaultRestEndpoint => DefaultRestEndpointOf(BinanceMarket.Spot);

    /// <summary>The production REST root of a market: <c>api.binance.com</c>, <c>fapi.binance.com</c>, <c>dapi.binance.com</c>, <c>api.binance.us</c>.</summary>
    public static Uri DefaultRestEndpointOf(BinanceMarket market) => market switch
    {
        BinanceMarket.Spot => new Uri("https://api.binance.com/"),
        BinanceMarket.UsdM => new Uri("https://fapi.binance.com/"),
        BinanceMarket.CoinM => new Uri("https://dapi.binance.com/"),
        BinanceMarket.Us => new Uri("https://api.binance.us/"),
        _ => throw new ArgumentOutOfRangeException(nameof(market), market, null),
    };

    /// <summary>
    /// The market's published IP limit: 6,000 request weight per minute on spot (Binance.US: the spot number, not verified),
    /// 2,400 on USDⓈ-M and COIN-M. One budget per market and IP, shared by its clients.
    /// </summary>
    public static RestBudget CreateBudget(BinanceMarket market = BinanceMarket.Spot, TimeProvider? time = null) =>
        new(market.IsFutures() ? 2_400 : 6_000, TimeSpan.FromMinutes(1), time);

    public async Task<BackfillFetch> FetchAsync(BackfillRequest request, int maxTrades, long receiveTimeNs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTrades);
        if (request.FromId.Kind != TradeIdKind.Numeric || request.ToId.Kind != TradeIdKind.Numeric)
        {
            throw new ArgumentException($"Binance pages by trade id: both bounds must be numeric ids (were {request.FromId}, {request.ToId}).", nameof(request));
        }

        // Strictly inside the bounds: they were delivered live, and leaving them out keeps all of maxTrades for the gap.
        var fromId = request.FromId.AsLong;
        var toId = request.ToId.AsLong;
        var trades = new List<MarketEvent>();
        var symbol = Uri.EscapeDataString(request.Symbol);
        var next = fromId + 1;
        var reachedStart = true;
        var firstPage = true;
        while (trades.Count < maxTrades && next < toId)
        {
            var limit = (int)Math.Min(Math.Min(MaxLimit, toId - next), maxTrades - trades.Count);
            var query = string.Create(CultureInfo.InvariantCulture, $"{Path}?symbol={symbol}&fromId={next}&limit={limit}");
            var body = await _http.GetAsync(query, Weight, cancellationToken).ConfigureAwait(false);
            var before = trades.Count;
            var (firstId, lastId, count) = DecodePage(body, request, RawTrades, toId - 1, receiveTimeNs, trades);
            if (firstPage)
            {
                // The venue serves from the oldest id it still holds: later than the gap's first, what lies before it is gone.
                reachedStart = count > 0 && firstId == fromId + 1;
                firstPage = false;
            }

            if (count > 0 && firstId < next)
            {
                throw new BackfillException(FrameReason.Malformed, $"GET {query}: first id {firstId} is before fromId {next}", body);
            }

            if (count < limit || lastId >= toId - 1 || trades.Count == before)
            {
                break; // the venue has no more, or the page reached the end of the gap
            }

            next = lastId + 1;
        }

        return new BackfillFetch(trades, reachedStart);
    }

    /// <summary>
    /// Decodes one page (a JSON array, oldest first) into <paramref name="into"/>, keeping ids up to <paramref name="toId"/> (inclusive);
    /// returns the first and last ids listed and how many there were. A venue error body or anything undecodable throws.
    /// </summary>
    internal static (long FirstId, long LastId, int Count) DecodePage(byte[] body, BackfillRequest request, bool raw, long toId, long receiveTimeNs,
        List<MarketEvent> into)
    {
        try
        {
            var reader = new FrameJsonReader(body);
            if (!reader.Read())
            {
                throw new BackfillException(FrameReason.Malformed, "empty answer", body);
            }

            if (reader.TokenType == JsonTokenType.StartObject)
            {
                // {"code":-1121,"msg":"Invalid symbol."}: Binance's error shape.
                throw new BackfillException(body.AsSpan().IndexOf("\"code\""u8) >= 0 ? FrameReason.VenueError : FrameReason.Malformed,
                    "Binance answered an object, not a trade list", body);
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new BackfillException(FrameReason.Malformed, "Binance answered neither a trade list nor an error", body);
            }

            long first = 0, last = 0;
            var count = 0;
            var names = new byte[NameBuffer]; // not the hot path: a page is decoded once
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new BackfillException(FrameReason.Malformed, "a trade list element is not an object", body);
                }

                var trade = DecodeTrade(ref reader, names, request, raw, receiveTimeNs, body);
                var id = trade.TradeId.AsLong;
                if (count > 0 && id <= last)
                {
                    throw new BackfillException(FrameReason.Malformed, $"trade ids not ascending ({last} then {id})", body);
                }

                first = count == 0 ? id : first;
                last = id;
                count++;
                if (id <= toId)
                {
                    into.Add(trade);
                }
            }

            return (first, last, count);
        }
        catch (JsonException ex)
        {
            throw new BackfillException(FrameReason.Malformed, "Binance trade list is not valid JSON: " + ex.Message, body, ex);
        }
    }

    private static MarketEvent DecodeTrade(ref FrameJsonReader reader, byte[] names, BackfillRequest request, bool raw, long receiveTimeNs, byte[] body)
    {
        ReadOnlySpan<byte> id = default, price = default, qty = default, time = default;
        bool? buyerIsMaker = null;
        while (JsonValues.NextScalarField(ref reader, names, out var name))
        {
            if (name.SequenceEqual(raw ? "id"u8 : "a"u8))
            {
                id = reader.ValueSpan;
            }
            else if (name.SequenceEqual(raw ? "price"u8 : "p"u8))
            {
                price = reader.ValueSpan;
            }
            else if (name.SequenceEqual(raw ? "qty"u8 : "q"u8))
            {
                qty = reader.ValueSpan;
            }
            else if (name.SequenceEqual(raw ? "time"u8 : "T"u8))
            {
                time = reader.ValueSpan;
            }
            else if (name.SequenceEqual(raw ? "isBuyerMaker"u8 : "m"u8))
            {
                buyerIsMaker = reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    _ => throw new BackfillException(FrameReason.Malformed, "the maker flag is not a boolean", body),
                };
            }
        }

        if (id.IsEmpty || price.IsEmpty || qty.IsEmpty || time.IsEmpty || buyerIsMaker is null)
        {
            throw new BackfillException(FrameReason.MissingField, "a trade lacks its id, price, quantity, time or maker flag", body);
        }

        if (!VenueInteger.TryParseNonNegative(id, out var tradeId))
        {
            throw new BackfillException(FrameReason.Malformed, "a trade id is not a non-negative integer", body);
        }

        return RestTradeJson.Trade(request, TradeId.Numeric(tradeId), tradeId, buyerIsMaker.Value ? Side.Sell : Side.Buy, price, qty, time,
            receiveTimeNs, body);
    }
}
