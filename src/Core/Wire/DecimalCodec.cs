namespace Cloudwall.Rx.Core.Wire;

/// <summary>
/// Exact decimal encoding: one byte of sign (bit 7) and scale (bits 0-4), then the 96-bit mantissa as a varint.
/// The scale travels, so <c>63000.10</c> stays <c>63000.10</c> and <c>0.00001305</c> stays <c>0.00001305</c>.
/// </summary>
public static class DecimalCodec
{
    public const int MaxSize = 1 + 14;

    public static int Write(Span<byte> dest, decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var flags = bits[3];
        var scale = (byte)((flags >> 16) & 0xFF);
        var negative = flags < 0;
        dest[0] = (byte)(scale | (negative ? 0x80 : 0));
        var mantissa = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        return 1 + Varint.Write(dest[1..], mantissa);
    }

    public static bool TryRead(ReadOnlySpan<byte> src, ref int pos, out decimal value)
    {
        value = 0;
        if (pos >= src.Length)
        {
            return false;
        }

        var head = src[pos++];
        var scale = (byte)(head & 0x7F);
        if (scale > 28 || !Varint.TryRead(src, ref pos, out UInt128 mantissa) || mantissa >> 96 != 0)
        {
            return false;
        }

        value = new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), (int)(uint)(mantissa >> 64), (head & 0x80) != 0, scale);
        return true;
    }

    /// <summary>True when every bit of the decimal is zero (0m with scale 0, not negative): such a field is left off the wire.</summary>
    public static bool IsDefault(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        return (bits[0] | bits[1] | bits[2] | bits[3]) == 0;
    }
}
