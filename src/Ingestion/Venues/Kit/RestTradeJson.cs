using System.Runtime.InteropServices;
using System.Text;
using Cloudwall.Rx.Ingestion.Backfill;

namespace Cloudwall.Rx.Ingestion.Venues.Kit;

/// <summary>
/// What the back-fill clients share to read a venue's REST trade answer: the JSON document (not JSON is
/// <see cref="FrameReason.Malformed"/>), and its prices, sizes, ids and times in the same grammars as the live decoders
/// (<see cref="VenueDecimal"/>, <see cref="VenueInteger"/>, <see cref="VenueTime"/>), each failure a
/// <see cref="BackfillException"/> with the reason and the body; and the one rule that turns a row's fields into a
/// back-filled trade (<see cref="Trade(BackfillRequest, TradeId, long, Side, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, long, byte[])"/>).
/// Value readers take the token (<see cref="Positive"/>, <see cref="Millis"/>); field readers take the record and the
/// field's name (<see cref="PositiveField"/>, <see cref="MillisField"/>, <see cref="WholeField"/>). REST pages are small
/// and rare: clarity over allocations. (One class since stop 26: <c>RestJson</c> and <c>BackfillTrades</c> were its twins.)
/// </summary>
internal static class RestTradeJson
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 16, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>A client's trades per request, checked against the venue's maximum: the one constructor rule of every client.</summary>
    public static int PageSize(int pageSize, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, max);
        return pageSize;
    }

    /// <summary>Parses the body; anything that is not one JSON value is malformed.</summary>
    public static JsonDocument Parse(byte[] body, string what)
    {
        try
        {
            return JsonDocument.Parse(body, Options);
        }
        catch (JsonException ex)
        {
            throw new BackfillException(FrameReason.Malformed, $"{what}: the answer is not JSON ({ex.Message})", body, ex);
        }
    }

    /// <summary>A strictly positive price or size, sent as a string or a number.</summary>
    public static decimal Positive(JsonElement value, string field, string what, byte[] body) =>
        VenueDecimal.TryParsePositive(Utf8(value), out var d)
            ? d
            : throw Bad(FrameReason.InvalidPrice, what, $"{field} {Show(value)} is not a positive decimal", body);

    /// <summary>A non-negative integer (a trade id), sent as a number or a numeric string.</summary>
    public static long NonNegative(JsonElement value, string field, string what, byte[] body) =>
        VenueInteger.TryParseNonNegative(Utf8(value), out var n)
            ? n
            : throw Bad(FrameReason.Malformed, what, $"{field} {Show(value)} is not a non-negative integer", body);

    /// <summary>An RFC 3339 time (<c>2020-03-20T00:36:59.860Z</c>).</summary>
    public static long IsoTime(JsonElement value, string field, string what, byte[] body) =>
        value.ValueKind == JsonValueKind.String && VenueTime.TryParseIso(Utf8(value), out var ns)
            ? ns
            : throw Bad(FrameReason.InvalidTimestamp, what, $"{field} {Show(value)} is not an RFC 3339 time", body);

    /// <summary>Integer Unix milliseconds (Kraken Futures history <c>timestamp</c>).</summary>
    public static long Millis(JsonElement value, string field, string what, byte[] body) =>
        VenueTime.TryParseMillis(Utf8(value), out var ns)
            ? ns
            : throw Bad(FrameReason.InvalidTimestamp, what, $"{field} {Show(value)} is not a time in Unix milliseconds", body);

    /// <summary>Decimal Unix seconds (Kraken <c>1688669597.8277369</c>), a number or a string, exact to the nanosecond.</summary>
    public static long Seconds(JsonElement value, string field, string what, byte[] body) =>
        VenueTime.TryParseSeconds(Utf8(value), out var ns)
            ? ns
            : throw Bad(FrameReason.InvalidTimestamp, what, $"{field} {Show(value)} is not a time in Unix seconds", body);

    /// <summary>The named property of a record, or a <see cref="FrameReason.MissingField"/> failure.</summary>
    public static JsonElement Required(JsonElement record, string field, string what, byte[] body) =>
        record.ValueKind == JsonValueKind.Object && record.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null
            ? v
            : throw Bad(FrameReason.MissingField, what, $"a trade has no {field}", body);

    /// <summary>The token's text as UTF-8: a string's content or a number's digits; empty for anything else.</summary>
    public static byte[] Utf8(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => Encoding.UTF8.GetBytes(value.GetString()!),
        JsonValueKind.Number => Encoding.UTF8.GetBytes(value.GetRawText()),
        _ => [],
    };

    /// <summary>
    /// A JSON string's raw content, without a copy (unescaped text is all venues send in the fields read this way), or a
    /// number's text; empty for anything else. <see cref="Utf8"/> unescapes, into a new array.
    /// </summary>
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
    public static decimal PositiveField(JsonElement obj, string name, byte[] body, string what) =>
        VenueDecimal.TryParsePositive(Field(obj, name), out var value)
            ? value
            : throw new BackfillException(FrameReason.InvalidPrice, $"{what}: \"{name}\" is not a positive decimal", body);

    /// <summary>Epoch milliseconds as Unix nanoseconds, or an <see cref="FrameReason.InvalidTimestamp"/> failure.</summary>
    public static long MillisField(JsonElement obj, string name, byte[] body, string what) =>
        VenueTime.TryParseMillis(Field(obj, name), out var ns)
            ? ns
            : throw new BackfillException(FrameReason.InvalidTimestamp, $"{what}: \"{name}\" is not epoch milliseconds", body);

    /// <summary>A non-negative whole number (ids, sequences), or a <see cref="FrameReason.Malformed"/> failure.</summary>
    public static long WholeField(JsonElement obj, string name, byte[] body, string what) =>
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
        Price = PositiveField(row, names.Price, body, what),
        Size = PositiveField(row, names.Size, body, what),
        ExchangeTimeNs = MillisField(row, names.TimeMs, body, what),
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

    /// <summary>
    /// A trade from a REST row's raw fields, as the live decoders check theirs: a positive exact price and size,
    /// epoch-millisecond time; anything else is a <see cref="BackfillException"/> carrying the page.
    /// </summary>
    public static MarketEvent Trade(BackfillRequest request, TradeId id, long sequence, Side side, ReadOnlySpan<byte> price, ReadOnlySpan<byte> size,
        ReadOnlySpan<byte> timeMs, long receiveTimeNs, byte[] body)
    {
        if (!VenueDecimal.TryParse(price, out var p) || p <= 0 || !VenueDecimal.TryParse(size, out var q) || q <= 0)
        {
            throw new BackfillException(FrameReason.InvalidPrice, $"trade {id}: price or size is not a positive decimal", body);
        }

        if (!VenueTime.TryParseMillis(timeMs, out var exchangeTimeNs))
        {
            throw new BackfillException(FrameReason.InvalidTimestamp, $"trade {id}: time is not epoch milliseconds", body);
        }

        return new MarketEvent
        {
            Kind = EventKind.Trade,
            Side = side,
            Instrument = request.Instrument,
            Venue = request.Venue,
            Provider = request.Provider,
            Price = p,
            Size = q,
            ExchangeTimeNs = exchangeTimeNs,
            ReceiveTimeNs = receiveTimeNs,
            Sequence = sequence,
            TradeId = id,
        };
    }

    public static BackfillException Bad(FrameReason reason, string what, string detail, byte[] body) =>
        new(reason, $"{what}: {detail}", body);

    private static string Show(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length <= 40 ? text : text[..40] + "...";
    }
}

/// <summary>A venue's field names in a REST trade row.</summary>
internal readonly record struct RestTradeNames(string Price, string Size, string TimeMs, string Side);
