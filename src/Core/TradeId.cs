using System.Buffers.Text;
using System.Globalization;

namespace Cloudwall.Rx.Core;

/// <summary>
/// A venue trade id without allocation: numeric ids (most venues) as a 64-bit integer, UUIDs (Bybit) as 128 bits.
/// Kinds are part of the wire format.
/// </summary>
public readonly record struct TradeId(TradeIdKind Kind, ulong Hi, ulong Lo)
{
    public static readonly TradeId None = default;

    public static TradeId Numeric(long value) => new(TradeIdKind.Numeric, 0, unchecked((ulong)value));

    public static TradeId FromGuid(Guid value)
    {
        Span<byte> b = stackalloc byte[16];
        value.TryWriteBytes(b, bigEndian: true, out _);
        return new(TradeIdKind.Uuid, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(b),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(b[8..]));
    }

    public bool IsNone => Kind == TradeIdKind.None;

    public long AsLong => unchecked((long)Lo);

    /// <summary>Parses an id given as UTF-8 text: digits become numeric, a UUID becomes 128 bits.</summary>
    public static bool TryParseUtf8(ReadOnlySpan<byte> text, out TradeId id)
    {
        if (Utf8Parser.TryParse(text, out long n, out int used) && used == text.Length)
        {
            id = Numeric(n);
            return true;
        }

        if (Utf8Parser.TryParse(text, out Guid g, out used, 'D') && used == text.Length)
        {
            id = FromGuid(g);
            return true;
        }

        id = None;
        return false;
    }

    public override string ToString() => Kind switch
    {
        TradeIdKind.Numeric => AsLong.ToString(CultureInfo.InvariantCulture),
        TradeIdKind.Uuid => ToGuid().ToString("D"),
        _ => "",
    };

    public Guid ToGuid()
    {
        Span<byte> b = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(b, Hi);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(b[8..], Lo);
        return new Guid(b, bigEndian: true);
    }
}

public enum TradeIdKind : byte
{
    None = 0,
    Numeric = 1,
    Uuid = 2,
}
