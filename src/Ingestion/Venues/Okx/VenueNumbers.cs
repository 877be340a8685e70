using System.Buffers.Text;
using System.Text.Json;
using Cloudwall.Rx.Ingestion.Json;
using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Ingestion.Venues.Okx;

/// <summary>
/// Allocation-free parsing of the numbers OKX and Bybit put on the wire, from the raw token bytes (a JSON string's content
/// or a JSON number's text), so values and their scale are exact. Shared by the OKX and Bybit decoders; it lives here
/// only because those are the folders this change owns.
/// </summary>
internal static class VenueNumbers
{
    /// <summary>A whole number given as text or as a JSON number (<c>"1652459223003"</c> or <c>1652459223003</c>).</summary>
    public static bool TryParseLong(ReadOnlySpan<byte> text, out long value) =>
        Utf8Parser.TryParse(text, out value, out var used) && used == text.Length && text.Length > 0;

    /// <summary>Milliseconds since the epoch as text to UTC nanoseconds, within the sane range of <see cref="Utf8Time"/>.</summary>
    public static bool TryParseMillis(ReadOnlySpan<byte> text, out long unixNanos)
    {
        unixNanos = 0;
        return TryParseLong(text, out var ms) && Utf8Time.TryFromMillis(ms, out unixNanos);
    }

    /// <summary>Microseconds since the epoch as text to UTC nanoseconds.</summary>
    public static bool TryParseMicros(ReadOnlySpan<byte> text, out long unixNanos)
    {
        unixNanos = 0;
        return TryParseLong(text, out var us) && Utf8Time.TryFromMicros(us, out unixNanos);
    }

    /// <summary>ISO-8601 time; never throws (<see cref="Utf8Time.TryParseIso"/> throws on year 0000).</summary>
    public static bool TryParseIso(ReadOnlySpan<byte> text, out long unixNanos)
    {
        try
        {
            return Utf8Time.TryParseIso(text, out unixNanos);
        }
        catch (ArgumentOutOfRangeException)
        {
            unixNanos = 0;
            return false;
        }
    }

    /// <summary>
    /// A scaled integer (Bybit legacy <c>mark_price_e4</c>, <c>funding_rate_e6</c>) to its exact decimal:
    /// <c>81178500</c> with scale 4 is <c>8117.8500</c>.
    /// </summary>
    public static bool TryParseScaled(ReadOnlySpan<byte> text, byte scale, out decimal value)
    {
        value = 0;
        if (!TryParseLong(text, out var n) || n == long.MinValue)
        {
            return false;
        }

        var magnitude = (ulong)Math.Abs(n);
        value = new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, n < 0, scale);
        return true;
    }

    /// <summary>
    /// The value of the current string or number token: a span of the frame, or of <paramref name="scratch"/> when the JSON
    /// escapes it. False when an escaped value does not fit the room left in the scratch buffer.
    /// </summary>
    public static bool TryGetValue(scoped ref FrameJsonReader reader, Span<byte> scratch, scoped ref int scratchUsed, out ReadOnlySpan<byte> value)
    {
        if (!reader.ValueIsEscaped)
        {
            value = reader.ValueSpan;
            return true;
        }

        if (reader.ValueSpan.Length > scratch.Length - scratchUsed)
        {
            value = default;
            return false;
        }

        var n = reader.CopyString(scratch[scratchUsed..]);
        value = scratch.Slice(scratchUsed, n);
        scratchUsed += n;
        return true;
    }

    /// <summary>The current property name, unescaped into <paramref name="buffer"/> when needed (empty when too long).</summary>
    public static ReadOnlySpan<byte> PropertyName(scoped ref FrameJsonReader reader, Span<byte> buffer)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }

        if (reader.ValueSpan.Length > buffer.Length)
        {
            return default;
        }

        var n = reader.CopyString(buffer);
        return buffer[..n];
    }
}
