using System.Buffers.Text;
using System.Globalization;

namespace Cloudwall.Rx.Ingestion.Venues.Kit;

/// <summary>
/// The one grammar for a decimal a venue sends, as a JSON string's content or a JSON number's text, parsed exactly and
/// without allocating:
/// <code>
/// decimal  = [ "-" ] digits [ "." digits ] [ ( "e" | "E" ) [ "+" | "-" ] digits ]
/// digits   = 1*( "0" .. "9" )
/// </code>
/// at most 64 bytes, at most 28 significant digits in the mantissa (so the value is exact, never rounded), and a value
/// <see cref="decimal"/> can hold. The value is what <see cref="decimal.Parse(string, NumberStyles, IFormatProvider)"/>
/// with <see cref="CultureInfo.InvariantCulture"/> gives, scale included (<c>40.0</c> stays <c>40.0</c>).
/// <para>
/// Why this language: every venue documents its prices, sizes and rates as plain digits with an optional fraction;
/// Binance, Deribit and Kraken Futures also send exponents (<c>1.5E-3</c>, <c>3.891007752e-9</c>) for small rates, so the
/// exponent is in. No venue documents <c>.5</c>, <c>5.</c> or a leading <c>+</c>, and JSON itself forbids them, so they are
/// out (as are blanks, <c>NaN</c>, infinities, hex and thousands separators).
/// </para>
/// </summary>
internal static class VenueDecimal
{
    /// <summary>Longer text is no price: refused rather than parsed.</summary>
    public const int MaxBytes = 64;

    /// <summary>Significant digits that always fit the 96-bit mantissa, so no value is rounded.</summary>
    public const int MaxSignificantDigits = 28;

    /// <summary>Plain text with at most this many digits in all is exact through <see cref="Utf8Parser"/> too.</summary>
    private const int MaxUtf8ParserDigits = 28;

    private const NumberStyles Style = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    /// <summary>Parses <paramref name="text"/> in the venue decimal grammar (see the type's summary).</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out decimal value)
    {
        if (DecimalText.TryParsePlain(text, out value))
        {
            return true;
        }

        value = 0;
        if (text.IsEmpty || text.Length > MaxBytes)
        {
            return false;
        }

        var i = text[0] == '-' ? 1 : 0;
        int digits = 0, significant = 0;
        i = ScanDigits(text, i, ref digits, ref significant, out var intDigits);
        if (intDigits == 0)
        {
            return false;
        }

        if (i < text.Length && text[i] == '.')
        {
            i = ScanDigits(text, i + 1, ref digits, ref significant, out var fracDigits);
            if (fracDigits == 0)
            {
                return false;
            }
        }

        var exponent = i < text.Length && (text[i] | 0x20) == 'e';
        if (exponent)
        {
            i++;
            if (i < text.Length && text[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }

            int ignored = 0, ignoredSignificant = 0;
            i = ScanDigits(text, i, ref ignored, ref ignoredSignificant, out var expDigits);
            if (expDigits == 0)
            {
                return false;
            }
        }

        if (i != text.Length || significant > MaxSignificantDigits)
        {
            return false;
        }

        if (!exponent && digits <= MaxUtf8ParserDigits)
        {
            return Utf8Parser.TryParse(text, out value, out var used, 'F') && used == text.Length;
        }

        Span<char> chars = stackalloc char[MaxBytes];
        for (var k = 0; k < text.Length; k++)
        {
            chars[k] = (char)text[k];
        }

        return decimal.TryParse(chars[..text.Length], Style, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A strictly positive price or size in the venue decimal grammar.</summary>
    public static bool TryParsePositive(ReadOnlySpan<byte> text, out decimal value) => TryParse(text, out value) && value > 0;

    /// <summary>
    /// A scaled integer (Bybit legacy <c>mark_price_e4</c>, <c>funding_rate_e6</c>) to its exact decimal: <c>81178500</c> with
    /// scale 4 is <c>8117.8500</c>.
    /// </summary>
    public static bool TryParseScaled(ReadOnlySpan<byte> text, byte scale, out decimal value)
    {
        value = 0;
        if (!VenueInteger.TryParse(text, out var n) || n == long.MinValue)
        {
            return false;
        }

        var magnitude = (ulong)Math.Abs(n);
        value = new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, n < 0, scale);
        return true;
    }

    /// <summary>Skips a run of digits from <paramref name="i"/>, counting all of them and the significant ones (after the first non-zero).</summary>
    private static int ScanDigits(ReadOnlySpan<byte> text, int i, ref int digits, ref int significant, out int run)
    {
        var start = i;
        for (; i < text.Length && (uint)(text[i] - '0') <= 9; i++)
        {
            if (significant > 0 || text[i] != '0')
            {
                significant++;
            }
        }

        run = i - start;
        digits += run;
        return i;
    }
}
