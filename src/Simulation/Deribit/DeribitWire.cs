using System.Buffers;
using System.Text.Json;
using Cloudwall.Rx.Simulation.Hosting;

namespace Cloudwall.Rx.Simulation.Deribit;

/// <summary>A trade as Deribit prints it; <see cref="TakerBuys"/> is the taker's direction.</summary>
internal struct DeribitTrade
{
    public long TradeSeq;
    public long TradeId;
    public long TimestampMs;
    public int TickDirection;
    public decimal Price;
    public decimal Amount;
    public bool TakerBuys;
    public decimal MarkPrice;
    public decimal IndexPrice;
    public decimal? Iv;
}

/// <summary>A ticker; the optional parts are present by instrument kind (funding for perpetuals, iv for options).</summary>
internal struct DeribitTicker
{
    public long TimestampMs;
    public decimal BestBid;
    public decimal BestBidAmount;
    public decimal BestAsk;
    public decimal BestAskAmount;
    public decimal MarkPrice;
    public decimal IndexPrice;
    public decimal LastPrice;
    public decimal OpenInterest;
    public decimal? CurrentFunding;
    public decimal? Funding8h;
    public decimal? MarkIv;
    public decimal? UnderlyingPrice;
}

/// <summary>
/// Writes Deribit API v2 JSON-RPC frames as UTF-8: numbers as JSON numbers with their decimal scale, as the venue sends them.
/// Each frame is a fresh array, because one frame is shared by every connection it is sent to.
/// </summary>
internal static class DeribitWire
{
    /// <summary>Frames that are not JSON, or are cut short.</summary>
    internal static readonly byte[][] Malformed =
    [
        "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":\"trades.BTC-PERPETUAL.raw\",\"data\":[{\"trade_seq\":"u8.ToArray(),
        "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":\"ticker"u8.ToArray(),
        "not json at all"u8.ToArray(),
        "{\"jsonrpc\":\"2.0\",,}"u8.ToArray(),
    ];

    public static readonly byte[] TestRequest = """{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"test_request"}}"""u8.ToArray();

    /// <summary>The envelope every subscription notification shares, up to its <c>data</c>: <c>{"jsonrpc":"2.0","method":"subscription","params":{"channel":...</c></summary>
    private static Utf8JsonWriter BeginNotification(string channel)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("jsonrpc"u8, "2.0"u8);
        w.WriteString("method"u8, "subscription"u8);
        w.WriteStartObject("params"u8);
        w.WriteString("channel"u8, channel);
        return w;
    }

    public static byte[] Trades(string channel, string instrument, ReadOnlySpan<DeribitTrade> trades)
    {
        var w = BeginNotification(channel);
        w.WriteStartArray("data"u8);
        foreach (ref readonly var t in trades)
        {
            WriteTrade(w, instrument, t);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    /// <summary>One public trade object, as in <c>trades.*</c> notifications and <c>public/get_last_trades_by_instrument</c>.</summary>
    public static void WriteTrade(Utf8JsonWriter w, string instrument, in DeribitTrade t)
    {
        w.WriteStartObject();
        w.WriteNumber("trade_seq"u8, t.TradeSeq);
        w.WriteString("trade_id"u8, t.TradeId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteNumber("timestamp"u8, t.TimestampMs);
        w.WriteNumber("tick_direction"u8, t.TickDirection);
        w.WriteNumber("price"u8, t.Price);
        w.WriteNumber("mark_price"u8, t.MarkPrice);
        if (t.Iv is { } iv)
        {
            w.WriteNumber("iv"u8, iv);
        }

        w.WriteString("instrument_name"u8, instrument);
        w.WriteNumber("index_price"u8, t.IndexPrice);
        w.WriteString("direction"u8, t.TakerBuys ? "buy"u8 : "sell"u8);
        w.WriteNumber("amount"u8, t.Amount);
        w.WriteEndObject();
    }

    public static byte[] Ticker(string channel, string instrument, in DeribitTicker t)
    {
        var w = BeginNotification(channel);
        w.WriteStartObject("data"u8);
        w.WriteNumber("timestamp"u8, t.TimestampMs);
        w.WriteStartObject("stats"u8);
        w.WriteNull("volume"u8);
        w.WriteNull("price_change"u8);
        w.WriteEndObject();
        w.WriteString("state"u8, "open"u8);
        w.WriteNumber("open_interest"u8, t.OpenInterest);
        w.WriteNumber("mark_price"u8, t.MarkPrice);
        if (t.MarkIv is { } iv)
        {
            w.WriteNumber("mark_iv"u8, iv);
            w.WriteNumber("underlying_price"u8, t.UnderlyingPrice ?? t.IndexPrice);
            w.WriteString("underlying_index"u8, "index_price"u8);
            w.WriteStartObject("greeks"u8);
            w.WriteNumber("delta"u8, 0.5m);
            w.WriteEndObject();
        }

        w.WriteNumber("last_price"u8, t.LastPrice);
        w.WriteString("instrument_name"u8, instrument);
        w.WriteNumber("index_price"u8, t.IndexPrice);
        w.WriteNumber("estimated_delivery_price"u8, t.IndexPrice);
        if (t.CurrentFunding is { } funding)
        {
            w.WriteNumber("current_funding"u8, funding);
            w.WriteNumber("funding_8h"u8, t.Funding8h ?? funding);
        }

        w.WriteNumber("best_bid_price"u8, t.BestBid);
        w.WriteNumber("best_bid_amount"u8, t.BestBidAmount);
        w.WriteNumber("best_ask_price"u8, t.BestAsk);
        w.WriteNumber("best_ask_amount"u8, t.BestAskAmount);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    /// <summary><c>quote.{instrument}</c>: the ticker's best bid and ask fields alone, in the docs' order (amounts first).</summary>
    public static byte[] Quote(string channel, string instrument, in DeribitTicker t)
    {
        var w = BeginNotification(channel);
        w.WriteStartObject("data"u8);
        w.WriteNumber("best_ask_amount"u8, t.BestAskAmount);
        w.WriteNumber("best_ask_price"u8, t.BestAsk);
        w.WriteNumber("best_bid_amount"u8, t.BestBidAmount);
        w.WriteNumber("best_bid_price"u8, t.BestBid);
        w.WriteString("instrument_name"u8, instrument);
        w.WriteNumber("timestamp"u8, t.TimestampMs);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    /// <summary>A response: <paramref name="writeResult"/> writes the value of <c>result</c>. <paramref name="id"/> is the request's raw id.</summary>
    public static byte[] Result(string? id, long usIn, long usOut, Action<Utf8JsonWriter> writeResult)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("jsonrpc"u8, "2.0"u8);
        WriteId(w, id);
        w.WritePropertyName("result"u8);
        writeResult(w);
        WriteTimes(w, usIn, usOut);
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    /// <summary>A JSON-RPC error response with the venue's usual <c>data</c> of <c>param</c> and <c>reason</c>.</summary>
    public static byte[] Error(string? id, int code, string message, string? param, string? reason, long usIn, long usOut)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("jsonrpc"u8, "2.0"u8);
        WriteId(w, id);
        w.WriteStartObject("error"u8);
        w.WriteString("message"u8, message);
        if (reason is not null)
        {
            w.WriteStartObject("data"u8);
            if (param is not null)
            {
                w.WriteString("param"u8, param);
            }

            w.WriteString("reason"u8, reason);
            w.WriteEndObject();
        }

        w.WriteNumber("code"u8, code);
        w.WriteEndObject();
        WriteTimes(w, usIn, usOut);
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    private static void WriteId(Utf8JsonWriter w, string? id)
    {
        if (id is null)
        {
            return; // a request without id is a notification: answered without one
        }

        w.WritePropertyName("id"u8);
        w.WriteRawValue(id, skipInputValidation: false);
    }

    private static void WriteTimes(Utf8JsonWriter w, long usIn, long usOut)
    {
        w.WriteNumber("usIn"u8, usIn);
        w.WriteNumber("usOut"u8, usOut);
        w.WriteNumber("usDiff"u8, usOut - usIn);
        w.WriteBoolean("testnet"u8, false);
    }

    /// <summary><paramref name="value"/> with exactly <paramref name="scale"/> decimals, so the wire shows the tick's precision.</summary>
    public static decimal WithScale(decimal value, int scale)
    {
        var rounded = Math.Round(value, scale, MidpointRounding.AwayFromZero);
        return decimal.Parse(rounded.ToString("F" + scale, System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static int ScaleOf(decimal step) => (decimal.GetBits(step)[3] >> 16) & 0xFF;

    public static decimal RoundToStep(decimal value, decimal step, int scale) => WithScale(Math.Round(value / step, MidpointRounding.AwayFromZero) * step, scale);
}
