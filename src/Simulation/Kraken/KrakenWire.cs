using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Cloudwall.Rx.Simulation.Hosting;

namespace Cloudwall.Rx.Simulation.Kraken;

/// <summary>A trade as Kraken v2 prints it; <see cref="TakerIsBuy"/> is the taker's side.</summary>
internal readonly record struct KrakenTrade(string Symbol, bool TakerIsBuy, decimal Price, decimal Qty, bool Market, long TradeId, DateTime Time);

/// <summary>A trade as the REST trade history keeps it, with the time the stream printed (microseconds).</summary>
internal readonly record struct KrakenHistoricTrade(KrakenTrade Trade) : Market.IHistoricTrade
{
    public long Id => Trade.TradeId;

    public long TimeNs => Market.PrintedTime.MicrosecondsNs(Trade.Time);
}

/// <summary>A v2 ticker (level 1).</summary>
internal readonly record struct KrakenTicker(
    string Symbol, decimal Bid, decimal BidQty, decimal Ask, decimal AskQty, decimal Last, decimal Volume, decimal Vwap, decimal Low, decimal High,
    decimal Change, decimal ChangePct, DateTime Time);

/// <summary>
/// Writes Kraken spot WebSocket v2 messages as UTF-8 JSON frames, as <c>ws.kraken.com/v2</c> prints them: prices and quantities as
/// JSON numbers carrying their exact decimal text, times as RFC 3339 with microseconds. Each frame is a fresh array, because one
/// frame is shared by every connection it is sent to.
/// </summary>
internal static class KrakenWire
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    /// <summary>Frames that are not JSON, or are cut short, as a broken network or venue would send.</summary>
    internal static readonly byte[][] Malformed =
    [
        "{\"channel\":\"trade\",\"type\":\"update\",\"data\":[{\"symbol\":"u8.ToArray(),
        "{\"channel\":\"ticker\",\"data\":[{\"symbol\":\"BTC/USD\",\"bid\":6"u8.ToArray(),
        "not json at all"u8.ToArray(),
        "{\"channel\":\"heartbeat\",,}"u8.ToArray(),
    ];

    public static readonly byte[] Heartbeat = "{\"channel\":\"heartbeat\"}"u8.ToArray();

    public static byte[] Status(long connectionId)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("channel"u8, "status"u8);
        w.WriteStartArray("data"u8);
        w.WriteStartObject();
        w.WriteString("api_version"u8, "v2"u8);
        w.WriteNumber("connection_id"u8, connectionId);
        w.WriteString("system"u8, "online"u8);
        w.WriteString("version"u8, "2.0.0"u8);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteString("type"u8, "update"u8);
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    /// <summary>One ack per symbol, as Kraken sends them.</summary>
    public static byte[] MethodAck(string method, string channel, string symbol, bool? snapshot, long? reqId, DateTime timeIn, DateTime timeOut)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("method"u8, method);
        w.WriteStartObject("result"u8);
        w.WriteString("channel"u8, channel);
        if (snapshot is { } s)
        {
            w.WriteBoolean("snapshot"u8, s);
        }

        w.WriteString("symbol"u8, symbol);
        w.WriteEndObject();
        w.WriteBoolean("success"u8, true);
        return EndReply(w, reqId, timeIn, timeOut);
    }

    public static byte[] Error(string? method, string error, string? symbol, long? reqId, DateTime timeIn, DateTime timeOut)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("error"u8, error);
        if (method is not null)
        {
            w.WriteString("method"u8, method);
        }

        w.WriteBoolean("success"u8, false);
        if (symbol is not null)
        {
            w.WriteString("symbol"u8, symbol);
        }

        return EndReply(w, reqId, timeIn, timeOut);
    }

    /// <summary>The tail every v2 method reply shares: request times, the echoed <c>req_id</c>, the end of the frame.</summary>
    private static byte[] EndReply(Utf8JsonWriter w, long? reqId, DateTime timeIn, DateTime timeOut)
    {
        WriteTime(w, "time_in"u8, timeIn);
        WriteTime(w, "time_out"u8, timeOut);
        if (reqId is { } id)
        {
            w.WriteNumber("req_id"u8, id);
        }

        w.WriteEndObject();
        return WireFrame.End(w);
    }

    public static byte[] Pong(long? reqId, DateTime timeIn, DateTime timeOut)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("method"u8, "pong"u8);
        if (reqId is { } id)
        {
            w.WriteNumber("req_id"u8, id);
        }

        WriteTime(w, "time_in"u8, timeIn);
        WriteTime(w, "time_out"u8, timeOut);
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    public static byte[] Trades(IReadOnlyList<KrakenTrade> trades, bool snapshot)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("channel"u8, "trade"u8);
        w.WriteString("type"u8, snapshot ? "snapshot"u8 : "update"u8);
        w.WriteStartArray("data"u8);
        foreach (var t in trades)
        {
            w.WriteStartObject();
            w.WriteString("symbol"u8, t.Symbol);
            w.WriteString("side"u8, t.TakerIsBuy ? "buy"u8 : "sell"u8);
            w.WriteNumber("price"u8, t.Price);
            w.WriteNumber("qty"u8, t.Qty);
            w.WriteString("ord_type"u8, t.Market ? "market"u8 : "limit"u8);
            w.WriteNumber("trade_id"u8, t.TradeId);
            WriteTime(w, "timestamp"u8, t.Time);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    /// <summary>
    /// A <c>GET /0/public/Trades</c> answer: <c>{"error":[],"result":{pair:[[price, volume, time, side, ordType, misc,
    /// trade_id], ...],"last":"ns"}}</c>, prices and volumes as strings, the time as decimal seconds, side <c>b</c>/<c>s</c>
    /// (the taker's), ordType <c>m</c>/<c>l</c>, oldest first.
    /// </summary>
    public static byte[] RestTrades(string pair, IReadOnlyList<KrakenHistoricTrade> trades, long last)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteStartArray("error"u8);
        w.WriteEndArray();
        w.WriteStartObject("result"u8);
        w.WriteStartArray(pair);
        Span<char> buf = stackalloc char[48];
        foreach (var h in trades)
        {
            var t = h.Trade;
            w.WriteStartArray();
            t.Price.TryFormat(buf, out var n, default, CultureInfo.InvariantCulture);
            w.WriteStringValue(buf[..n]);
            t.Qty.TryFormat(buf, out n, default, CultureInfo.InvariantCulture);
            w.WriteStringValue(buf[..n]);
            w.WriteNumberValue(h.TimeNs / 1000 / 1_000_000m); // exact: microseconds, scale 6
            w.WriteStringValue(t.TakerIsBuy ? "b"u8 : "s"u8);
            w.WriteStringValue(t.Market ? "m"u8 : "l"u8);
            w.WriteStringValue(""u8);
            w.WriteNumberValue(t.TradeId);
            w.WriteEndArray();
        }

        w.WriteEndArray();
        w.WriteString("last"u8, last.ToString(CultureInfo.InvariantCulture));
        w.WriteEndObject();
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    /// <summary>A REST error answer: HTTP 200 with the messages in <c>error</c>, as Kraken answers (<c>EQuery:Unknown asset pair</c>).</summary>
    public static byte[] RestError(string message)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteStartArray("error"u8);
        w.WriteStringValue(message);
        w.WriteEndArray();
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    public static byte[] Ticker(in KrakenTicker t, bool snapshot)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("channel"u8, "ticker"u8);
        w.WriteString("type"u8, snapshot ? "snapshot"u8 : "update"u8);
        w.WriteStartArray("data"u8);
        w.WriteStartObject();
        w.WriteString("symbol"u8, t.Symbol);
        w.WriteNumber("bid"u8, t.Bid);
        w.WriteNumber("bid_qty"u8, t.BidQty);
        w.WriteNumber("ask"u8, t.Ask);
        w.WriteNumber("ask_qty"u8, t.AskQty);
        w.WriteNumber("last"u8, t.Last);
        w.WriteNumber("volume"u8, t.Volume);
        w.WriteNumber("vwap"u8, t.Vwap);
        w.WriteNumber("low"u8, t.Low);
        w.WriteNumber("high"u8, t.High);
        w.WriteNumber("change"u8, t.Change);
        w.WriteNumber("change_pct"u8, t.ChangePct);
        WriteTime(w, "timestamp"u8, t.Time);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    /// <summary>Rounds to <paramref name="scale"/> decimals and pads with zeros, so the number prints exactly that many.</summary>
    public static decimal WithScale(decimal value, int scale)
    {
        var rounded = Math.Round(value, scale, MidpointRounding.ToEven);
        return rounded + new decimal(0, 0, 0, false, (byte)scale);
    }

    /// <summary>Decimals of a tick size such as 0.01 (2) or 0.1 (1).</summary>
    public static int ScaleOf(decimal tick)
    {
        var s = tick.ToString(CultureInfo.InvariantCulture);
        var dot = s.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? 0 : s.TrimEnd('0').Length - dot - 1;
    }

    /// <summary>Rounds to the nearest multiple of <paramref name="tick"/>, printed with the tick's decimals.</summary>
    public static decimal RoundToTick(decimal value, decimal tick, int scale) =>
        WithScale(Math.Round(value / tick, 0, MidpointRounding.ToEven) * tick, scale);

    private static void WriteTime(Utf8JsonWriter w, ReadOnlySpan<byte> name, DateTime time)
    {
        Span<char> chars = stackalloc char[32];
        time.TryFormat(chars, out var n, TimeFormat, CultureInfo.InvariantCulture);
        w.WriteString(name, chars[..n]);
    }
}
