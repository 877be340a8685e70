using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Cloudwall.Rx.Ingestion.Venues.Binance;
using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Market;

namespace Cloudwall.Rx.Simulation.Binance;

/// <summary>A trade as the simulator prints it; <see cref="BuyerIsMaker"/> is Binance's <c>m</c>. Kept by id <c>t</c> for REST.</summary>
internal readonly record struct BinanceTrade(long TradeId, long AggregateId, decimal Price, decimal Quantity, long TradeTimeMs, long EventTimeMs, bool BuyerIsMaker)
    : IHistoricTrade
{
    long IHistoricTrade.Id => TradeId;

    long IHistoricTrade.TimeNs => TradeTimeMs * 1_000_000;
}

/// <summary>
/// One taker order's fills at one price: aggregate id <c>a</c>, first and last trade ids <c>f</c> and <c>l</c>, summed quantity.
/// Kept by id <c>a</c> for REST.
/// </summary>
internal readonly record struct BinanceAggTrade(long AggregateId, long FirstTradeId, long LastTradeId, decimal Price, decimal Quantity, long TradeTimeMs,
    long EventTimeMs, bool BuyerIsMaker) : IHistoricTrade
{
    long IHistoricTrade.Id => AggregateId;

    long IHistoricTrade.TimeNs => TradeTimeMs * 1_000_000;
}

/// <summary>Best bid and offer with the book update id <c>u</c>.</summary>
internal readonly record struct BinanceBookTicker(long UpdateId, decimal Bid, decimal BidQty, decimal Ask, decimal AskQty, long TransactionTimeMs, long EventTimeMs);

/// <summary>Mark, index and funding; <see cref="FundingRate"/> null for delivery contracts (printed as <c>""</c>).</summary>
internal readonly record struct BinanceMarkPrice(decimal Mark, decimal Index, decimal SettlePrice, decimal? FundingRate, long NextFundingTimeMs, long EventTimeMs);

/// <summary>
/// Writes Binance market-stream payloads in the combined-stream wrapper <c>{"stream":..,"data":..}</c>, member for member as
/// the venue prints them per market (spot payloads carry <c>"M"</c>; futures <c>bookTicker</c> carries <c>e</c>, <c>T</c> and
/// <c>E</c>; COIN-M adds the pair <c>ps</c>). Prices and quantities are exact decimal strings, times integer milliseconds.
/// Each frame is a fresh array, because one frame is shared by every connection it is sent to.
/// </summary>
internal static class BinanceWire
{
    /// <summary>Frames that are not JSON, or are cut short, as a broken network or venue would send.</summary>
    internal static readonly byte[][] Malformed =
    [
        "{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":"u8.ToArray(),
        "{\"stream\":\"btcusdt@bookTicker\",\"data\":{\"u\":1,\"s\":\"BTCUSDT\",\"b\":\"6"u8.ToArray(),
        "not json at all"u8.ToArray(),
        "{\"stream\":,,}"u8.ToArray(),
    ];

    public static byte[] Trade(string stream, string symbol, BinanceMarket market, in BinanceTrade t)
    {
        var w = BeginData(stream);
        w.WriteString("e"u8, "trade"u8);
        w.WriteNumber("E"u8, t.EventTimeMs);
        w.WriteString("s"u8, symbol);
        w.WriteNumber("t"u8, t.TradeId);
        WriteDecimal(w, "p"u8, t.Price);
        WriteDecimal(w, "q"u8, t.Quantity);
        w.WriteNumber("T"u8, t.TradeTimeMs);
        w.WriteBoolean("m"u8, t.BuyerIsMaker);
        if (!market.IsFutures())
        {
            w.WriteBoolean("M"u8, true);
        }

        return End(w);
    }

    public static byte[] AggTrade(string stream, string symbol, BinanceMarket market, in BinanceAggTrade t)
    {
        var w = BeginData(stream);
        w.WriteString("e"u8, "aggTrade"u8);
        w.WriteNumber("E"u8, t.EventTimeMs);
        w.WriteString("s"u8, symbol);
        AggTradeFields(w, t, market);
        return End(w);
    }

    public static byte[] BookTicker(string stream, string symbol, BinanceMarket market, in BinanceBookTicker q)
    {
        var w = BeginData(stream);
        if (market.IsFutures())
        {
            w.WriteString("e"u8, "bookTicker"u8);
        }

        w.WriteNumber("u"u8, q.UpdateId);
        w.WriteString("s"u8, symbol);
        if (market == BinanceMarket.CoinM)
        {
            w.WriteString("ps"u8, Pair(symbol));
        }

        WriteDecimal(w, "b"u8, q.Bid);
        WriteDecimal(w, "B"u8, q.BidQty);
        WriteDecimal(w, "a"u8, q.Ask);
        WriteDecimal(w, "A"u8, q.AskQty);
        if (market.IsFutures())
        {
            w.WriteNumber("T"u8, q.TransactionTimeMs);
            w.WriteNumber("E"u8, q.EventTimeMs);
        }

        return End(w);
    }

    public static byte[] MarkPrice(string stream, string symbol, in BinanceMarkPrice m)
    {
        var w = BeginData(stream);
        w.WriteString("e"u8, "markPriceUpdate"u8);
        w.WriteNumber("E"u8, m.EventTimeMs);
        w.WriteString("s"u8, symbol);
        WriteDecimal(w, "p"u8, m.Mark);
        WriteDecimal(w, "i"u8, m.Index);
        WriteDecimal(w, "P"u8, m.SettlePrice);
        if (m.FundingRate is { } r)
        {
            WriteDecimal(w, "r"u8, r);
        }
        else
        {
            w.WriteString("r"u8, ""u8);
        }

        w.WriteNumber("T"u8, m.NextFundingTimeMs);
        return End(w);
    }

    /// <summary><c>{"result":null,"id":N}</c> (or a list for LIST_SUBSCRIPTIONS); the id is echoed as the client sent it.</summary>
    public static byte[] Result(IReadOnlyList<string>? list, JsonElement? id)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        if (list is null)
        {
            w.WriteNull("result"u8);
        }
        else
        {
            w.WriteStartArray("result"u8);
            foreach (var s in list)
            {
                w.WriteStringValue(s);
            }

            w.WriteEndArray();
        }

        WriteId(w, id);
        w.WriteEndObject();
        return End(w);
    }

    /// <summary><c>{"error":{"code":2,"msg":"Invalid request: ..."},"id":N}</c>.</summary>
    public static byte[] Error(int code, string message, JsonElement? id)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteStartObject("error"u8);
        w.WriteNumber("code"u8, code);
        w.WriteString("msg"u8, message);
        w.WriteEndObject();
        WriteId(w, id);
        w.WriteEndObject();
        return End(w);
    }

    /// <summary>
    /// The REST raw-trade list (<c>GET /api/v3/historicalTrades</c>), oldest first:
    /// <c>[{"id":28457,"price":"4.00000100","qty":"12.00000000","quoteQty":"48.000012","time":1499865549590,"isBuyerMaker":true,"isBestMatch":true}]</c>.
    /// </summary>
    public static byte[] RestTrades(IEnumerable<BinanceTrade> trades)
    {
        var w = WireFrame.Begin();
        w.WriteStartArray();
        foreach (var t in trades)
        {
            w.WriteStartObject();
            w.WriteNumber("id"u8, t.TradeId);
            WriteDecimal(w, "price"u8, t.Price);
            WriteDecimal(w, "qty"u8, t.Quantity);
            WriteDecimal(w, "quoteQty"u8, t.Price * t.Quantity);
            w.WriteNumber("time"u8, t.TradeTimeMs);
            w.WriteBoolean("isBuyerMaker"u8, t.BuyerIsMaker);
            w.WriteBoolean("isBestMatch"u8, true);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        return WireFrame.End(w);
    }

    /// <summary>
    /// The REST aggregate-trade list (<c>GET /api/v3/aggTrades</c>, <c>/fapi/v1/aggTrades</c>, <c>/dapi/v1/aggTrades</c>), oldest
    /// first: <c>[{"a":26129,"p":"0.01633102","q":"4.70443515","f":27781,"l":27781,"T":1498793709153,"m":true,"M":true}]</c>
    /// (futures leave out <c>M</c>).
    /// </summary>
    public static byte[] RestAggTrades(IEnumerable<BinanceAggTrade> trades, BinanceMarket market)
    {
        var w = WireFrame.Begin();
        w.WriteStartArray();
        foreach (var t in trades)
        {
            w.WriteStartObject();
            AggTradeFields(w, t, market);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        return WireFrame.End(w);
    }

    /// <summary>A REST error: <c>{"code":-1121,"msg":"Invalid symbol."}</c>.</summary>
    public static byte[] RestError(int code, string message)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteNumber("code"u8, code);
        w.WriteString("msg"u8, message);
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    /// <summary>The pair of a COIN-M symbol: <c>BTCUSD_PERP</c> → <c>BTCUSD</c>.</summary>
    public static string Pair(string symbol)
    {
        var underscore = symbol.IndexOf('_', StringComparison.Ordinal);
        return underscore < 0 ? symbol : symbol[..underscore];
    }

    /// <summary>Rounds to <paramref name="scale"/> decimals and pads with zeros, so the default format prints exactly that many.</summary>
    public static decimal WithScale(decimal value, int scale)
    {
        var rounded = Math.Round(value, scale, MidpointRounding.ToEven);
        return rounded + new decimal(0, 0, 0, false, (byte)scale);
    }

    private static void WriteId(Utf8JsonWriter w, JsonElement? id)
    {
        if (id is { } e && e.ValueKind is JsonValueKind.Number or JsonValueKind.String)
        {
            w.WritePropertyName("id"u8);
            e.WriteTo(w);
        }
        else
        {
            w.WriteNull("id"u8);
        }
    }

    /// <summary>An aggregate trade's fields, the same in the stream payload and the REST list.</summary>
    private static void AggTradeFields(Utf8JsonWriter w, in BinanceAggTrade t, BinanceMarket market)
    {
        w.WriteNumber("a"u8, t.AggregateId);
        WriteDecimal(w, "p"u8, t.Price);
        WriteDecimal(w, "q"u8, t.Quantity);
        w.WriteNumber("f"u8, t.FirstTradeId);
        w.WriteNumber("l"u8, t.LastTradeId);
        w.WriteNumber("T"u8, t.TradeTimeMs);
        w.WriteBoolean("m"u8, t.BuyerIsMaker);
        if (!market.IsFutures())
        {
            w.WriteBoolean("M"u8, true);
        }
    }

    private static void WriteDecimal(Utf8JsonWriter w, ReadOnlySpan<byte> name, decimal value)
    {
        Span<byte> buf = stackalloc byte[40];
        if (!value.TryFormat(buf, out var n, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("decimal did not fit its buffer");
        }

        w.WriteString(name, buf[..n]);
    }

    private static Utf8JsonWriter BeginData(string stream)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("stream"u8, stream);
        w.WriteStartObject("data"u8);
        return w;
    }

    private static byte[] End(Utf8JsonWriter w)
    {
        while (w.CurrentDepth > 0)
        {
            w.WriteEndObject();
        }

        return WireFrame.End(w);
    }
}
