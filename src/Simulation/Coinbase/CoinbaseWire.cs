using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Market;

namespace Cloudwall.Rx.Simulation.Coinbase;

/// <summary>
/// Writes Coinbase Exchange feed messages as UTF-8 JSON frames, field for field as <c>ws-feed.exchange.coinbase.com</c>
/// prints them: prices and sizes as exact decimal strings, times as ISO-8601 with 6 fractional digits and <c>Z</c>.
/// Each frame is a fresh array, because one frame is shared by every connection it is sent to.
/// </summary>
internal static class CoinbaseWire
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    /// <summary>Frames that are not JSON, or are cut short, as a broken network or venue would send.</summary>
    internal static readonly byte[][] Malformed =
    [
        "{\"type\":\"match\",\"trade_id\":"u8.ToArray(),
        "{\"type\":\"ticker\",\"product_id\":\"BTC-USD\",\"price\":\"6"u8.ToArray(),
        "not json at all"u8.ToArray(),
        "{\"type\":\"heartbeat\",,}"u8.ToArray(),
    ];

    public static byte[] Match(in CoinbaseMatch m, bool last)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("type"u8, last ? "last_match"u8 : "match"u8);
        w.WriteNumber("trade_id"u8, m.TradeId);
        w.WriteString("maker_order_id"u8, m.MakerOrderId);
        w.WriteString("taker_order_id"u8, m.TakerOrderId);
        w.WriteString("side"u8, m.MakerIsBuy ? "buy"u8 : "sell"u8);
        WriteDecimal(w, "size"u8, m.Size);
        WriteDecimal(w, "price"u8, m.Price);
        w.WriteString("product_id"u8, m.ProductId);
        w.WriteNumber("sequence"u8, m.Sequence);
        WriteTime(w, "time"u8, m.Time);
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    /// <summary>
    /// A page of <c>GET /products/{product_id}/trades</c>: an array of <c>{time, trade_id, price, size, side}</c> with the
    /// maker's side, in the given order (the venue's is newest first).
    /// </summary>
    public static byte[] RestTrades(IReadOnlyList<CoinbaseHistoricTrade> trades)
    {
        var w = WireFrame.Begin();
        w.WriteStartArray();
        foreach (var t in trades)
        {
            var m = t.Match;
            w.WriteStartObject();
            WriteTime(w, "time"u8, m.Time);
            w.WriteNumber("trade_id"u8, m.TradeId);
            WriteDecimal(w, "price"u8, m.Price);
            WriteDecimal(w, "size"u8, m.Size);
            w.WriteString("side"u8, m.MakerIsBuy ? "buy"u8 : "sell"u8);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        return WireFrame.End(w);
    }

    /// <summary>The venue's REST error body, <c>{"message":"..."}</c>.</summary>
    public static byte[] RestError(string message)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("message"u8, message);
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    public static byte[] Ticker(in CoinbaseTicker t)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("type"u8, "ticker"u8);
        w.WriteNumber("sequence"u8, t.Sequence);
        w.WriteString("product_id"u8, t.ProductId);
        WriteDecimal(w, "price"u8, t.Price);
        WriteDecimal(w, "open_24h"u8, t.Open24h);
        WriteDecimal(w, "volume_24h"u8, t.Volume24h);
        WriteDecimal(w, "low_24h"u8, t.Low24h);
        WriteDecimal(w, "high_24h"u8, t.High24h);
        WriteDecimal(w, "volume_30d"u8, t.Volume30d);
        WriteOptional(w, "best_bid"u8, t.BestBid);
        WriteOptional(w, "best_bid_size"u8, t.BestBidSize);
        WriteOptional(w, "best_ask"u8, t.BestAsk);
        WriteOptional(w, "best_ask_size"u8, t.BestAskSize);
        w.WriteString("side"u8, t.TakerIsBuy ? "buy"u8 : "sell"u8);
        WriteTime(w, "time"u8, t.Time);
        w.WriteNumber("trade_id"u8, t.TradeId);
        WriteDecimal(w, "last_size"u8, t.LastSize);
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    public static byte[] Heartbeat(string productId, long sequence, long lastTradeId, DateTime time)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("type"u8, "heartbeat"u8);
        w.WriteNumber("last_trade_id"u8, lastTradeId);
        w.WriteString("product_id"u8, productId);
        w.WriteNumber("sequence"u8, sequence);
        WriteTime(w, "time"u8, time);
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    public static byte[] Subscriptions(CoinbaseSession session)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("type"u8, "subscriptions"u8);
        w.WriteStartArray("channels"u8);
        foreach (var channel in CoinbaseChannelNames.All)
        {
            var products = session.Products(channel);
            if (products.Count == 0)
            {
                continue;
            }

            w.WriteStartObject();
            w.WriteString("name"u8, CoinbaseChannelNames.Name(channel));
            w.WriteStartArray("product_ids"u8);
            foreach (var p in products)
            {
                w.WriteStringValue(p);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    public static byte[] Error(string message, string reason)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("type"u8, "error"u8);
        w.WriteString("message"u8, message);
        w.WriteString("reason"u8, reason);
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    /// <summary>Rounds to <paramref name="scale"/> decimals and pads with zeros, so the default format prints exactly that many.</summary>
    public static decimal WithScale(decimal value, int scale)
    {
        var rounded = Math.Round(value, scale, MidpointRounding.ToEven);
        return rounded + new decimal(0, 0, 0, false, (byte)scale);
    }

    /// <summary>Decimals of a tick size such as 0.01 (2) or 0.00001 (5).</summary>
    public static int ScaleOf(decimal tick) => TickScale.Of(tick);

    /// <summary>Rounds to the nearest multiple of <paramref name="tick"/>, printed with the tick's decimals.</summary>
    public static decimal RoundToTick(decimal value, decimal tick, int scale) =>
        WithScale(Math.Round(value / tick, 0, MidpointRounding.ToEven) * tick, scale);

    private static void WriteDecimal(Utf8JsonWriter w, ReadOnlySpan<byte> name, decimal value)
    {
        Span<byte> buf = stackalloc byte[40];
        if (!value.TryFormat(buf, out var n, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("decimal did not fit its buffer");
        }

        w.WriteString(name, buf[..n]);
    }

    private static void WriteOptional(Utf8JsonWriter w, ReadOnlySpan<byte> name, decimal? value)
    {
        if (value is { } v)
        {
            WriteDecimal(w, name, v);
        }
    }

    private static void WriteTime(Utf8JsonWriter w, ReadOnlySpan<byte> name, DateTime utc)
    {
        Span<byte> buf = stackalloc byte[32];
        if (!utc.TryFormat(buf, out var n, TimeFormat, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("time did not fit its buffer");
        }

        w.WriteString(name, buf[..n]);
    }
}

/// <summary>A parsed <c>subscribe</c> or <c>unsubscribe</c> request.</summary>
internal sealed class CoinbaseRequest
{
    public bool Subscribe { get; init; }

    /// <summary>Channel and its products; null products means "the request's top-level product_ids", or all for unsubscribe.</summary>
    public required List<(CoinbaseChannels Channel, string[]? Products)> Channels { get; init; }

    /// <summary>The request's top-level <c>product_ids</c>.</summary>
    public string[]? ProductIds { get; init; }

    /// <summary>
    /// Parses a client message. On failure returns null with the Coinbase-style <paramref name="message"/> and <paramref name="reason"/>.
    /// </summary>
    public static CoinbaseRequest? TryParse(ReadOnlyMemory<byte> utf8, out string message, out string reason)
    {
        message = "";
        reason = "";
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8);
        }
        catch (JsonException ex)
        {
            message = "Malformed JSON";
            reason = ex.Message;
            return null;
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                message = "Malformed JSON";
                reason = "request must be a JSON object";
                return null;
            }

            var type = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            var subscribe = type == "subscribe";
            if (!subscribe && type != "unsubscribe")
            {
                message = "Failed to subscribe";
                reason = "type has to be either subscribe or unsubscribe";
                return null;
            }

            message = subscribe ? "Failed to subscribe" : "Failed to unsubscribe";
            string[]? topProducts = null;
            if (root.TryGetProperty("product_ids", out var pids) && !TryStrings(pids, out topProducts))
            {
                reason = "product_ids must be an array of strings";
                return null;
            }

            var channels = new List<(CoinbaseChannels, string[]?)>();
            if (root.TryGetProperty("channels", out var chs))
            {
                if (chs.ValueKind != JsonValueKind.Array)
                {
                    reason = "channels must be an array";
                    return null;
                }

                foreach (var ch in chs.EnumerateArray())
                {
                    string? name;
                    string[]? products = null;
                    if (ch.ValueKind == JsonValueKind.String)
                    {
                        name = ch.GetString();
                    }
                    else if (ch.ValueKind == JsonValueKind.Object && ch.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String)
                    {
                        name = n.GetString();
                        if (ch.TryGetProperty("product_ids", out var cp) && !TryStrings(cp, out products))
                        {
                            reason = $"product_ids of channel {name} must be an array of strings";
                            return null;
                        }
                    }
                    else
                    {
                        reason = "a channel must be a name or an object with a name";
                        return null;
                    }

                    var parsed = CoinbaseChannelNames.Parse(name);
                    if (parsed == CoinbaseChannels.None)
                    {
                        reason = $"{name} is not a valid channel";
                        return null;
                    }

                    channels.Add((parsed, products));
                }
            }

            if (channels.Count == 0)
            {
                if (subscribe)
                {
                    reason = "No channels provided";
                    return null;
                }

                // Unsubscribing without channels removes the products from every channel.
                foreach (var c in CoinbaseChannelNames.All)
                {
                    channels.Add((c, null));
                }
            }

            return new CoinbaseRequest { Subscribe = subscribe, Channels = channels, ProductIds = topProducts };
        }
    }

    private static bool TryStrings(JsonElement e, out string[]? values)
    {
        values = null;
        if (e.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        var list = new string[e.GetArrayLength()];
        var i = 0;
        foreach (var item in e.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            list[i++] = item.GetString()!;
        }

        values = list;
        return true;
    }
}
