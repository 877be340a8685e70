using System.Buffers.Text;
using System.Globalization;
using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Ingestion.Venues.Deribit;

/// <summary>Exact decimals from the raw bytes of a JSON number (or a numeric string), without allocating.</summary>
internal static class JsonNumber
{
    /// <summary>Longer number tokens are not prices: rejected rather than parsed.</summary>
    private const int MaxNumberBytes = 64;

    /// <summary>
    /// Parses <c>-?digits[.digits][e±digits]</c> exactly, keeping the scale the venue sent (<c>4714.0</c> has scale 1).
    /// The plain form goes through <see cref="Utf8Parser"/>; exponent forms such as <c>1e-05</c> fall back to
    /// <see cref="decimal.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider?, out decimal)"/> over a stack buffer.
    /// NaN, infinities, signs other than a leading minus, blanks and overflow fail.
    /// </summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> text, out decimal value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > MaxNumberBytes)
        {
            return false;
        }

        var hasExponent = false;
        var i = text[0] == '-' ? 1 : 0;
        if (i == text.Length || (uint)(text[i] - '0') > 9)
        {
            return false; // ".5", "-", "+1", "NaN", "Infinity"
        }

        for (; i < text.Length; i++)
        {
            var b = text[i];
            if ((uint)(b - '0') <= 9 || b == '.' || ((b == '-' || b == '+') && hasExponent))
            {
                continue;
            }

            if ((b == 'e' || b == 'E') && !hasExponent)
            {
                hasExponent = true;
                continue;
            }

            return false;
        }

        if (!hasExponent)
        {
            return DecimalText.TryParsePlain(text, out value) || (Utf8Parser.TryParse(text, out value, out var used, 'F') && used == text.Length);
        }

        Span<char> chars = stackalloc char[MaxNumberBytes];
        for (var k = 0; k < text.Length; k++)
        {
            chars[k] = (char)text[k];
        }

        return decimal.TryParse(chars[..text.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A non-negative integer (sequence numbers, millisecond timestamps).</summary>
    public static bool TryParseInt64(ReadOnlySpan<byte> text, out long value) =>
        Utf8Parser.TryParse(text, out value, out var used) && used == text.Length && value >= 0;
}
