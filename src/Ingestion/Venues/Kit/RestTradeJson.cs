using System.Text;
using Cloudwall.Rx.Ingestion.Backfill;

namespace Cloudwall.Rx.Ingestion.Venues.Kit;

/// <summary>
/// What the back-fill clients share to read a venue's REST trade answer: the JSON document (not JSON is
/// <see cref="FrameReason.Malformed"/>), and its prices, sizes, ids and times in the same grammars as the live decoders
/// (<see cref="VenueDecimal"/>, <see cref="VenueInteger"/>, <see cref="VenueTime"/>), each failure a
/// <see cref="BackfillException"/> with the reason and the body. REST pages are small and rare: clarity over allocations.
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

    public static BackfillException Bad(FrameReason reason, string what, string detail, byte[] body) =>
        new(reason, $"{what}: {detail}", body);

    private static string Show(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length <= 40 ? text : text[..40] + "...";
    }
}
