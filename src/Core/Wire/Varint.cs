namespace Cloudwall.Rx.Core.Wire;

/// <summary>LEB128 varints and zig-zag, the integer encoding of every wire layout here.</summary>
public static class Varint
{
    public static int Write(Span<byte> dest, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            dest[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        dest[i++] = (byte)value;
        return i;
    }

    public static int Write(Span<byte> dest, UInt128 value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            dest[i++] = (byte)((byte)value | 0x80);
            value >>= 7;
        }

        dest[i++] = (byte)value;
        return i;
    }

    public static bool TryRead(ReadOnlySpan<byte> src, ref int pos, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= src.Length)
            {
                return false;
            }

            var b = src[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return shift < 63 || b <= 1;
            }
        }

        return false;
    }

    public static bool TryRead(ReadOnlySpan<byte> src, ref int pos, out UInt128 value)
    {
        value = 0;
        for (var shift = 0; shift < 128; shift += 7)
        {
            if (pos >= src.Length)
            {
                return false;
            }

            var b = src[pos++];
            value |= (UInt128)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }

    public static ulong ZigZag(long v) => (ulong)((v << 1) ^ (v >> 63));

    public static long UnZigZag(ulong v) => (long)(v >> 1) ^ -(long)(v & 1);
}
