using System.Globalization;
using System.Text.Json;
using Cloudwall.Rx.Ingestion.Venues.Bybit;
using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Okx;

namespace Cloudwall.Rx.Simulation.Bybit;

/// <summary>Bybit v5 public messages as the venue prints them: prices and sizes as strings, times as epoch-millisecond numbers.</summary>
internal static class BybitWire
{
    internal static readonly byte[][] Malformed =
    [
        """{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":17"""u8.ToArray(),
        "not json at all"u8.ToArray(),
        """{"topic":"tickers.BTCUSDT",,"data":{}}"""u8.ToArray(),
    ];

    internal readonly record struct Trade(string Id, decimal Price, decimal Size, bool TakerBuys, long TimeMs, long Seq, string Tick);

    public static byte[] Trades(string symbol, IReadOnlyList<Trade> trades, long ts)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("topic"u8, "publicTrade." + symbol);
        w.WriteString("type"u8, "snapshot"u8);
        w.WriteNumber("ts"u8, ts);
        w.WriteStartArray("data"u8);
        foreach (var t in trades)
        {
            w.WriteStartObject();
            w.WriteNumber("T"u8, t.TimeMs);
            w.WriteString("s"u8, symbol);
            w.WriteString("S"u8, t.TakerBuys ? "Buy"u8 : "Sell"u8);
            w.WriteString("v"u8, SimDecimals.Text(t.Size));
            w.WriteString("p"u8, SimDecimals.Text(t.Price));
            w.WriteString("L"u8, t.Tick);
            w.WriteString("i"u8, t.Id);
            w.WriteBoolean("BT"u8, false);
            w.WriteNumber("seq"u8, t.Seq);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    /// <summary>A derivatives ticker: a snapshot with every field, or a delta with only what is given (nulls are left out).</summary>
    public static byte[] DerivativesTicker(string symbol, bool snapshot, decimal? last, decimal? mark, decimal? index, decimal? funding,
        decimal? bid, decimal? bidSize, decimal? ask, decimal? askSize, long cs, long ts)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("topic"u8, "tickers." + symbol);
        w.WriteString("type"u8, snapshot ? "snapshot"u8 : "delta"u8);
        w.WriteStartObject("data"u8);
        w.WriteString("symbol"u8, symbol);
        Optional(w, "lastPrice"u8, last);
        Optional(w, "markPrice"u8, mark);
        Optional(w, "indexPrice"u8, index);
        Optional(w, "fundingRate"u8, funding);
        Optional(w, "bid1Price"u8, bid);
        Optional(w, "bid1Size"u8, bidSize);
        Optional(w, "ask1Price"u8, ask);
        Optional(w, "ask1Size"u8, askSize);
        w.WriteEndObject();
        w.WriteNumber("cs"u8, cs);
        w.WriteNumber("ts"u8, ts);
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    /// <summary>A level-1 book (<c>orderbook.1.{symbol}</c>): always a snapshot; <c>ts</c> and the matching engine's <c>cts</c>.</summary>
    public static byte[] OrderBook1(string symbol, decimal bid, decimal bidSize, decimal ask, decimal askSize, long update, long seq, long ts)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("topic"u8, "orderbook.1." + symbol);
        w.WriteString("type"u8, "snapshot"u8);
        w.WriteNumber("ts"u8, ts);
        w.WriteStartObject("data"u8);
        w.WriteString("s"u8, symbol);
        Level(w, "b"u8, bid, bidSize);
        Level(w, "a"u8, ask, askSize);
        w.WriteNumber("u"u8, update);
        w.WriteNumber("seq"u8, seq);
        w.WriteEndObject();
        w.WriteNumber("cts"u8, ts);
        w.WriteEndObject();
        return WireFrame.End(w);

        static void Level(Utf8JsonWriter w, ReadOnlySpan<byte> side, decimal price, decimal size)
        {
            w.WriteStartArray(side);
            w.WriteStartArray();
            w.WriteStringValue(SimDecimals.Text(price));
            w.WriteStringValue(SimDecimals.Text(size));
            w.WriteEndArray();
            w.WriteEndArray();
        }
    }

    /// <summary>A spot ticker: always a snapshot, and no best bid or offer in v5.</summary>
    public static byte[] SpotTicker(string symbol, decimal last, long cs, long ts)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("topic"u8, "tickers." + symbol);
        w.WriteNumber("ts"u8, ts);
        w.WriteString("type"u8, "snapshot"u8);
        w.WriteNumber("cs"u8, cs);
        w.WriteStartObject("data"u8);
        w.WriteString("symbol"u8, symbol);
        w.WriteString("lastPrice"u8, SimDecimals.Text(last));
        w.WriteEndObject();
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    public static byte[] Response(bool success, string retMsg, string op, string? reqId, long connectionId)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteBoolean("success"u8, success);
        w.WriteString("ret_msg"u8, retMsg);
        w.WriteString("conn_id"u8, ConnId(connectionId));
        w.WriteString("req_id"u8, reqId ?? "");
        w.WriteString("op"u8, op);
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    /// <summary>Spot answers a ping with a success response; linear and inverse with <c>op:"pong"</c>.</summary>
    public static byte[] Pong(BybitCategory category, string? reqId, long connectionId, long nowMs)
    {
        if (category == BybitCategory.Spot)
        {
            return Response(true, "pong", "ping", reqId, connectionId);
        }

        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("req_id"u8, reqId ?? "");
        w.WriteString("op"u8, "pong"u8);
        w.WriteStartArray("args"u8);
        w.WriteStringValue(nowMs.ToString(CultureInfo.InvariantCulture));
        w.WriteEndArray();
        w.WriteString("conn_id"u8, ConnId(connectionId));
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    private static string ConnId(long id) => "sim-" + id.ToString(CultureInfo.InvariantCulture);

    private static void Optional(Utf8JsonWriter w, ReadOnlySpan<byte> name, decimal? value)
    {
        if (value is { } v)
        {
            w.WriteString(name, SimDecimals.Text(v));
        }
    }
}
