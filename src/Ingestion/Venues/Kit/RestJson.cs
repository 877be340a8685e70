using System.Runtime.InteropServices;
using Cloudwall.Rx.Ingestion.Backfill;

namespace Cloudwall.Rx.Ingestion.Venues.Kit;

/// <summary>
/// Reading a venue's REST answer (back-fill pages: small, rare, off the hot path) with <see cref="JsonDocument"/>, through the
/// same value grammars as the stream decoders (<see cref="VenueDecimal"/>, <see cref="VenueInteger"/>, <see cref="VenueTime"/>).
/// Every failure is a <see cref="BackfillException"/> carrying the body.
/// </summary>
internal static class RestJson
{
    /// <summary>Parses a whole answer; invalid JSON is <see cref="FrameReason.Malformed"/>.</summary>
    public static JsonDocument Parse(byte[] body, string what)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new BackfillException(FrameReason.Malformed, $"{what}: not JSON ({ex.Message})", body, ex);
        }
    }

    /// <summary>A JSON string's content (unescaped text is all venues send) or a number's text; empty for anything else.</summary>
    public static ReadOnlySpan<byte> Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => JsonMarshal.GetRawUtf8Value(value)[1..^1],
        JsonValueKind.Number => JsonMarshal.GetRawUtf8Value(value),
        _ => [],
    };

    /// <summary>The field's text, or empty when absent.</summary>
    public static ReadOnlySpan<byte> Field(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) ? Text(v) : [];

    /// <summary>The field as an array, or a <see cref="FrameReason.Malformed"/> failure.</summary>
    public static JsonElement Array(JsonElement obj, string name, byte[] body, string what) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? v
            : throw new BackfillException(FrameReason.Malformed, $"{what}: no \"{name}\" array", body);

    /// <summary>A price or size that must be a positive decimal, or an <see cref="FrameReason.InvalidPrice"/> failure.</summary>
    public static decimal Positive(JsonElement obj, string name, byte[] body, string what) =>
        VenueDecimal.TryParsePositive(Field(obj, name), out var value)
            ? value
            : throw new BackfillException(FrameReason.InvalidPrice, $"{what}: \"{name}\" is not a positive decimal", body);

    /// <summary>Epoch milliseconds as Unix nanoseconds, or an <see cref="FrameReason.InvalidTimestamp"/> failure.</summary>
    public static long Millis(JsonElement obj, string name, byte[] body, string what) =>
        VenueTime.TryParseMillis(Field(obj, name), out var ns)
            ? ns
            : throw new BackfillException(FrameReason.InvalidTimestamp, $"{what}: \"{name}\" is not epoch milliseconds", body);

    /// <summary>A non-negative whole number (ids, sequences), or a <see cref="FrameReason.Malformed"/> failure.</summary>
    public static long Whole(JsonElement obj, string name, byte[] body, string what) =>
        VenueInteger.TryParseNonNegative(Field(obj, name), out var value)
            ? value
            : throw new BackfillException(FrameReason.Malformed, $"{what}: \"{name}\" is not a whole number", body);

    /// <summary>
    /// A trade row of a REST page as the event a back-fill returns: a trade of the request's instrument, venue and provider,
    /// with the row's price, size, time (epoch milliseconds) and taker side under the venue's <paramref name="names"/>.
    /// </summary>
    public static MarketEvent Trade(JsonElement row, in RestTradeNames names, BackfillRequest request, TradeId tradeId, long sequence,
        long receiveTimeNs, byte[] body, string what) => new()
    {
        Kind = EventKind.Trade,
        Side = TakerSide(row, names.Side),
        Instrument = request.Instrument,
        Venue = request.Venue,
        Provider = request.Provider,
        Price = Positive(row, names.Price, body, what),
        Size = Positive(row, names.Size, body, what),
        ExchangeTimeNs = Millis(row, names.TimeMs, body, what),
        ReceiveTimeNs = receiveTimeNs,
        Sequence = sequence,
        TradeId = tradeId,
    };

    /// <summary>The taker side as venues spell it (<c>buy</c>/<c>sell</c>); anything else is unknown.</summary>
    public static Side TakerSide(JsonElement obj, string name)
    {
        var text = Field(obj, name);
        return text.SequenceEqual("buy"u8) ? Side.Buy : text.SequenceEqual("sell"u8) ? Side.Sell : Side.Unknown;
    }
}

/// <summary>A venue's field names in a REST trade row.</summary>
internal readonly record struct RestTradeNames(string Price, string Size, string TimeMs, string Side);
