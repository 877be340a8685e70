namespace Cloudwall.Rx.Core;

/// <summary>
/// The fast path of every venue's decimal parsing: plain text (<c>-?[0-9]+(\.[0-9]+)?</c>, at most 19 digits) straight to
/// a <see cref="decimal"/> with the text's scale, as <see cref="System.Buffers.Text.Utf8Parser"/> would produce it, at a
/// fraction of its cost. Anything else (exponents, more digits, '+', '.5', negative zero) returns false and is left to the
/// caller's full parser (the venues' one grammar, <c>VenueDecimal</c> in Ingestion).
/// </summary>
public static class DecimalText
{
    /// <summary>Digits that always fit a 64-bit mantissa (10^19 - 1 &lt; 2^64).</summary>
    private const int MaxDigits = 19;

    public static bool TryParsePlain(ReadOnlySpan<byte> text, out decimal value)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (!text.IsEmpty && text[0] == (byte)'-')
        {
            negative = true;
            i = 1;
        }

        ulong mantissa = 0;
        var digits = 0;
        var scale = -1;
        for (; i < text.Length; i++)
        {
            var d = (uint)(text[i] - '0');
            if (d <= 9)
            {
                mantissa = (mantissa * 10) + d;
                digits++;
                if (scale >= 0)
                {
                    scale++;
                }

                continue;
            }

            if (text[i] != (byte)'.' || scale >= 0 || digits == 0)
            {
                return false;
            }

            scale = 0;
        }

        if (digits == 0 || digits > MaxDigits || scale == 0 || (negative && mantissa == 0))
        {
            return false;
        }

        value = new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, negative, (byte)Math.Max(scale, 0));
        return true;
    }
}
