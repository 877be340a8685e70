using System.Buffers.Text;
using System.Text.Json;
using Cloudwall.Rx.Ingestion.Json;
using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Ingestion.Venues.Kraken;

/// <summary>Allocation-free parsing shared by the Kraken decoders: exact decimals, times, sides, captured JSON values.</summary>
internal static class KrakenText
{
    /// <summary>Frames larger than this are rejected as <see cref="FrameReason.Oversized"/> unless configured otherwise.</summary>
    public const int DefaultMaxFrameBytes = 64 * 1024;

    private const int MaxEscapedNameBytes = 6 * 40;

    private const long MinSaneNanos = 946_684_800L * UnixTime.NanosPerSecond; // 2000-01-01
    private const long MaxSaneNanos = 7_258_118_400L * UnixTime.NanosPerSecond; // 2200-01-01

    public static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 16 };

    /// <summary>Decimal seconds (Kraken v1 <c>1618678142.557535</c>) to nanoseconds, exact, within 2000..2200.</summary>
    public static bool TryParseSeconds(ReadOnlySpan<byte> text, out long unixNanos) =>
        Utf8Time.TryParseSeconds(text, out unixNanos) && unixNanos is >= MinSaneNanos and < MaxSaneNanos;

    /// <summary>RFC 3339 (Kraken v2 <c>2023-09-25T07:49:37.708706Z</c>) to nanoseconds, within 2000..2200.</summary>
    public static bool TryParseIso(ReadOnlySpan<byte> text, out long unixNanos)
    {
        try
        {
            return Utf8Time.TryParseIso(text, out unixNanos) && unixNanos is >= MinSaneNanos and < MaxSaneNanos;
        }
        catch (ArgumentOutOfRangeException)
        {
            // Utf8Time.TryParseIso throws for year 0000 (DateTime.DaysInMonth); a bad timestamp must not escape as an exception.
            unixNanos = 0;
            return false;
        }
    }

    /// <summary>Integer milliseconds (Kraken Futures <c>1626994929946</c>) to nanoseconds, within 2000..2200.</summary>
    public static bool TryParseMillis(ReadOnlySpan<byte> text, out long unixNanos)
    {
        unixNanos = 0;
        return Utf8Parser.TryParse(text, out long millis, out var used) && used == text.Length && Utf8Time.TryFromMillis(millis, out unixNanos);
    }

    /// <summary>A non-negative integer (trade ids, sequence numbers) that is the whole token.</summary>
    public static bool TryParseNonNegative(ReadOnlySpan<byte> text, out long value) =>
        Utf8Parser.TryParse(text, out value, out var used) && used == text.Length && value >= 0;

    /// <summary>The taker side as Kraken spells it: <c>buy</c>/<c>sell</c> (v2, futures) or <c>b</c>/<c>s</c> (v1).</summary>
    public static Side TakerSide(ReadOnlySpan<byte> side) => side switch
    {
        _ when side.SequenceEqual("b"u8) || side.SequenceEqual("buy"u8) => Side.Buy,
        _ when side.SequenceEqual("s"u8) || side.SequenceEqual("sell"u8) => Side.Sell,
        _ => Side.Unknown,
    };

    /// <summary>
    /// The current string or number token as bytes: the raw span when unescaped, else unescaped into <paramref name="scratch"/>
    /// from <paramref name="used"/> on. False when the scratch is too small (the frame is then malformed for our purposes).
    /// </summary>
    public static bool TryCapture(scoped ref FrameJsonReader reader, Span<byte> scratch, scoped ref int used, out ReadOnlySpan<byte> value)
    {
        if (!reader.ValueIsEscaped)
        {
            value = reader.ValueSpan;
            return true;
        }

        if (reader.ValueSpan.Length > scratch.Length - used)
        {
            value = default;
            return false;
        }

        var n = reader.CopyString(scratch[used..]);
        value = scratch.Slice(used, n);
        used += n;
        return true;
    }

    /// <summary>
    /// The current property name: the raw span when unescaped, else unescaped into <paramref name="buffer"/>
    /// (<see cref="NameBufferBytes"/> long). Escaped names too long to be one of ours come back empty.
    /// </summary>
    public static ReadOnlySpan<byte> PropertyName(scoped ref FrameJsonReader reader, Span<byte> buffer)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }

        return reader.ValueSpan.Length > buffer.Length ? default : buffer[..reader.CopyString(buffer)];
    }

    /// <summary>Room for an unescaped property name; longer names are none of ours.</summary>
    public const int NameBufferBytes = MaxEscapedNameBytes;

    /// <summary>True for a scalar token a field can carry.</summary>
    public static bool IsScalar(JsonTokenType t) => t is JsonTokenType.String or JsonTokenType.Number;
}
