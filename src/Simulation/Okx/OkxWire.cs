using System.Globalization;
using System.Text.Json;
using Cloudwall.Rx.Simulation.Hosting;

namespace Cloudwall.Rx.Simulation.Okx;

/// <summary>OKX v5 public messages as the venue prints them: every number a string, times in epoch milliseconds.</summary>
internal static class OkxWire
{
    /// <summary>Frames a broken network or venue might send: cut short, not JSON, an unknown shape.</summary>
    internal static readonly byte[][] Malformed =
    [
        """{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"""u8.ToArray(),
        "not json at all"u8.ToArray(),
        """{"arg":{"channel":"tickers","instId":"BTC-USDT"},,}"""u8.ToArray(),
    ];

    internal readonly record struct Trade(long TradeId, decimal Price, decimal Size, bool TakerBuys, long TimeMs);

    /// <summary>
    /// <c>trades</c> rows (with <c>count</c>, the fills merged: 1, as each synthetic taker order fills once) or, with
    /// <paramref name="channel"/> <c>trades-all</c>, one fill per push and no <c>count</c>.
    /// </summary>
    public static byte[] Trades(string instId, Trade[] trades, string channel = "trades")
    {
        var all = channel == OkxSimulatorProtocol.TradesAll;
        var w = Begin(channel, instId);
        foreach (var t in trades)
        {
            w.WriteStartObject();
            w.WriteString("instId"u8, instId);
            w.WriteString("tradeId"u8, t.TradeId.ToString(CultureInfo.InvariantCulture));
            w.WriteString("px"u8, SimDecimals.Text(t.Price));
            w.WriteString("sz"u8, SimDecimals.Text(t.Size));
            w.WriteString("side"u8, t.TakerBuys ? "buy"u8 : "sell"u8);
            if (!all)
            {
                w.WriteString("count"u8, "1"u8);
            }

            w.WriteString("ts"u8, t.TimeMs.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }

        return End(w);
    }

    /// <summary><c>bbo-tbt</c>: one level per side, <c>[price, size, "0" (deprecated), orders]</c>.</summary>
    public static byte[] Bbo(string instId, decimal bid, decimal bidSize, decimal ask, decimal askSize, long ms, long seqId)
    {
        var w = Begin("bbo-tbt", instId);
        w.WriteStartObject();
        WriteLevel(w, "asks"u8, ask, askSize);
        WriteLevel(w, "bids"u8, bid, bidSize);
        w.WriteString("ts"u8, ms.ToString(CultureInfo.InvariantCulture));
        w.WriteNumber("seqId"u8, seqId);
        w.WriteEndObject();
        return End(w);
    }

    private static void WriteLevel(Utf8JsonWriter w, ReadOnlySpan<byte> side, decimal price, decimal size)
    {
        w.WriteStartArray(side);
        w.WriteStartArray();
        w.WriteStringValue(SimDecimals.Text(price));
        w.WriteStringValue(SimDecimals.Text(size));
        w.WriteStringValue("0"u8);
        w.WriteStringValue("1"u8);
        w.WriteEndArray();
        w.WriteEndArray();
    }

    public static byte[] Ticker(string instId, decimal bid, decimal bidSize, decimal ask, decimal askSize, decimal last, decimal lastSize, long ms)
    {
        var w = Begin("tickers", instId);
        w.WriteStartObject();
        w.WriteString("instType"u8, instId.EndsWith("-SWAP", StringComparison.Ordinal) ? "SWAP" : instId.Count(c => c == '-') == 1 ? "SPOT" : "FUTURES");
        w.WriteString("instId"u8, instId);
        w.WriteString("last"u8, SimDecimals.Text(last));
        w.WriteString("lastSz"u8, SimDecimals.Text(lastSize));
        w.WriteString("askPx"u8, SimDecimals.Text(ask));
        w.WriteString("askSz"u8, SimDecimals.Text(askSize));
        w.WriteString("bidPx"u8, SimDecimals.Text(bid));
        w.WriteString("bidSz"u8, SimDecimals.Text(bidSize));
        w.WriteString("ts"u8, ms.ToString(CultureInfo.InvariantCulture));
        w.WriteEndObject();
        return End(w);
    }

    public static byte[] Mark(string instId, string instType, decimal mark, long ms)
    {
        var w = Begin("mark-price", instId);
        w.WriteStartObject();
        w.WriteString("instType"u8, instType);
        w.WriteString("instId"u8, instId);
        w.WriteString("markPx"u8, SimDecimals.Text(mark));
        w.WriteString("ts"u8, ms.ToString(CultureInfo.InvariantCulture));
        w.WriteEndObject();
        return End(w);
    }

    public static byte[] Index(string indexId, decimal index, long ms)
    {
        var w = Begin("index-tickers", indexId);
        w.WriteStartObject();
        w.WriteString("instId"u8, indexId);
        w.WriteString("idxPx"u8, SimDecimals.Text(index));
        w.WriteString("ts"u8, ms.ToString(CultureInfo.InvariantCulture));
        w.WriteEndObject();
        return End(w);
    }

    public static byte[] Funding(string instId, decimal rate, decimal next, long ms)
    {
        var w = Begin("funding-rate", instId);
        w.WriteStartObject();
        w.WriteString("instType"u8, "SWAP"u8);
        w.WriteString("instId"u8, instId);
        w.WriteString("fundingRate"u8, SimDecimals.Text(rate));
        w.WriteString("nextFundingRate"u8, SimDecimals.Text(next));
        w.WriteString("fundingTime"u8, ((ms / 28_800_000 + 1) * 28_800_000).ToString(CultureInfo.InvariantCulture)); // next 8-hour mark
        w.WriteString("ts"u8, ms.ToString(CultureInfo.InvariantCulture));
        w.WriteEndObject();
        return End(w);
    }

    public static byte[] Ack(string op, string channel, string instId, long connectionId)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, op);
        w.WriteStartObject("arg"u8);
        w.WriteString("channel"u8, channel);
        w.WriteString("instId"u8, instId);
        w.WriteEndObject();
        w.WriteString("connId"u8, connectionId.ToString("x8", CultureInfo.InvariantCulture));
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    public static byte[] Error(string code, string message, long connectionId)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, "error"u8);
        w.WriteString("code"u8, code);
        w.WriteString("msg"u8, message);
        w.WriteString("connId"u8, connectionId.ToString("x8", CultureInfo.InvariantCulture));
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    private static Utf8JsonWriter Begin(string channel, string instId)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteStartObject("arg"u8);
        w.WriteString("channel"u8, channel);
        w.WriteString("instId"u8, instId);
        w.WriteEndObject();
        w.WriteStartArray("data"u8);
        return w;
    }

    private static byte[] End(Utf8JsonWriter w)
    {
        w.WriteEndArray();
        w.WriteEndObject();
        return WireFrame.End(w);
    }
}
