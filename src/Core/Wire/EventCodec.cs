namespace Cloudwall.Rx.Core.Wire;

/// <summary>
/// The compact binary encoding of a <see cref="MarketEvent"/> on Kafka, version 2. The instrument travels in the record key
/// (its canonical key), so the value leaves it off. Layout: docs/wire-format.md.
/// </summary>
/// <remarks>
/// Version 2 is version 1 plus the <see cref="EventFlags"/> in bits 6–7 of the kind byte (bit 6: snapshot; bit 7: back-fill).
/// Version 1 values, which always had those bits clear, are still read, as live events.
/// </remarks>
public static class EventCodec
{
    public const byte Version = 2;

    /// <summary>The previous version, still decoded: the same layout with no flags.</summary>
    public const byte Version1 = 1;

    private const int FlagsShift = 6;
    private const byte KnownFlags = (byte)(EventFlags.Snapshot | EventFlags.Backfill);

    /// <summary>An upper bound on an encoded value; a buffer this large always suffices.</summary>
    public const int MaxSize = 6 + 4 * DecimalCodec.MaxSize + 3 * 10 + 17;

    private const byte HasSize = 1 << 0;
    private const byte HasAux = 1 << 1;
    private const byte HasAuxSize = 1 << 2;
    private const byte HasSequence = 1 << 3;
    private const int TradeIdShift = 4; // two bits: TradeIdKind

    // Time unit codes (two bits each): 0 = ns, 1 = µs, 2 = ms, 3 = absent (exchange time only).
    private const int UnitNs = 0, UnitUs = 1, UnitMs = 2, UnitAbsent = 3;

    /// <summary>Encodes the event (without its instrument). Returns the bytes written.</summary>
    public static int Encode(in MarketEvent e, Span<byte> dest)
    {
        dest[0] = Version;
        dest[1] = (byte)((byte)e.Kind | ((byte)e.Side << 4) | (((byte)e.Flags & KnownFlags) << FlagsShift));
        dest[2] = e.Venue.Code;
        dest[3] = e.Provider.Code;

        byte presence = 0;
        if (!DecimalCodec.IsDefault(e.Size)) presence |= HasSize;
        if (!DecimalCodec.IsDefault(e.Aux)) presence |= HasAux;
        if (!DecimalCodec.IsDefault(e.AuxSize)) presence |= HasAuxSize;
        if (e.Sequence != 0) presence |= HasSequence;
        presence |= (byte)((byte)e.TradeId.Kind << TradeIdShift);
        dest[4] = presence;

        var exUnit = e.ExchangeTimeNs == 0 ? UnitAbsent : UnitOf(e.ExchangeTimeNs);
        var rxValue = e.ExchangeTimeNs == 0 ? e.ReceiveTimeNs : e.ReceiveTimeNs - e.ExchangeTimeNs;
        var rxUnit = UnitOf(rxValue);
        dest[5] = (byte)(exUnit | (rxUnit << 2));

        var p = 6;
        p += DecimalCodec.Write(dest[p..], e.Price);
        if ((presence & HasSize) != 0) p += DecimalCodec.Write(dest[p..], e.Size);
        if ((presence & HasAux) != 0) p += DecimalCodec.Write(dest[p..], e.Aux);
        if ((presence & HasAuxSize) != 0) p += DecimalCodec.Write(dest[p..], e.AuxSize);
        if (exUnit != UnitAbsent) p += Varint.Write(dest[p..], Varint.ZigZag(Scale(e.ExchangeTimeNs, exUnit)));
        p += Varint.Write(dest[p..], Varint.ZigZag(Scale(rxValue, rxUnit)));
        if ((presence & HasSequence) != 0) p += Varint.Write(dest[p..], Varint.ZigZag(e.Sequence));
        switch (e.TradeId.Kind)
        {
            case TradeIdKind.Numeric:
                p += Varint.Write(dest[p..], Varint.ZigZag(e.TradeId.AsLong));
                break;
            case TradeIdKind.Uuid:
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(dest[p..], e.TradeId.Hi);
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(dest[(p + 8)..], e.TradeId.Lo);
                p += 16;
                break;
        }

        return p;
    }

    /// <summary>Decodes a value written by <see cref="Encode"/>; the instrument comes from the record key.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> src, InstrumentId instrument, out MarketEvent e)
    {
        e = default;
        if (src.Length < 7 || (src[0] != Version && src[0] != Version1))
        {
            return false;
        }

        var kind = (EventKind)(src[1] & 0x0F);
        var side = (Side)((src[1] >> 4) & 0x03);
        // Version 1 wrote the flag bits as 0 and its reader ignored them; version 2 knows only the snapshot bit.
        var flags = src[0] == Version ? (byte)(src[1] >> FlagsShift) : (byte)0;
        if (kind is EventKind.Unknown or > EventKind.Funding || side > Side.Sell || (flags & ~KnownFlags) != 0)
        {
            return false;
        }

        var presence = src[4];
        var exUnit = src[5] & 3;
        var rxUnit = (src[5] >> 2) & 3;
        if (rxUnit == UnitAbsent)
        {
            return false;
        }

        var p = 6;
        decimal size = 0, aux = 0, auxSize = 0;
        if (!DecimalCodec.TryRead(src, ref p, out var price)) return false;
        if ((presence & HasSize) != 0 && !DecimalCodec.TryRead(src, ref p, out size)) return false;
        if ((presence & HasAux) != 0 && !DecimalCodec.TryRead(src, ref p, out aux)) return false;
        if ((presence & HasAuxSize) != 0 && !DecimalCodec.TryRead(src, ref p, out auxSize)) return false;

        long ex = 0;
        if (exUnit != UnitAbsent)
        {
            if (!Varint.TryRead(src, ref p, out ulong exRaw)) return false;
            ex = Unscale(Varint.UnZigZag(exRaw), exUnit);
        }

        if (!Varint.TryRead(src, ref p, out ulong rxRaw)) return false;
        var rx = Unscale(Varint.UnZigZag(rxRaw), rxUnit) + ex;

        long seq = 0;
        if ((presence & HasSequence) != 0)
        {
            if (!Varint.TryRead(src, ref p, out ulong seqRaw)) return false;
            seq = Varint.UnZigZag(seqRaw);
        }

        var tradeId = TradeId.None;
        switch ((TradeIdKind)((presence >> TradeIdShift) & 3))
        {
            case TradeIdKind.None:
                break;
            case TradeIdKind.Numeric:
                if (!Varint.TryRead(src, ref p, out ulong tid)) return false;
                tradeId = TradeId.Numeric(Varint.UnZigZag(tid));
                break;
            case TradeIdKind.Uuid:
                if (src.Length - p < 16) return false;
                tradeId = new TradeId(TradeIdKind.Uuid,
                    System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(src[p..]),
                    System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(src[(p + 8)..]));
                p += 16;
                break;
            default:
                return false;
        }

        if (p != src.Length)
        {
            return false;
        }

        e = new MarketEvent
        {
            Kind = kind,
            Side = side,
            Instrument = instrument,
            Venue = new VenueId(src[2]),
            Provider = new ProviderId(src[3]),
            Price = price,
            Size = size,
            Aux = aux,
            AuxSize = auxSize,
            ExchangeTimeNs = ex,
            ReceiveTimeNs = rx,
            Sequence = seq,
            TradeId = tradeId,
            Flags = (EventFlags)flags,
        };
        return true;
    }

    private static int UnitOf(long nanos) =>
        nanos % UnixTime.NanosPerMilli == 0 ? UnitMs : nanos % UnixTime.NanosPerMicro == 0 ? UnitUs : UnitNs;

    private static long Scale(long nanos, int unit) => unit switch
    {
        UnitMs => nanos / UnixTime.NanosPerMilli,
        UnitUs => nanos / UnixTime.NanosPerMicro,
        _ => nanos,
    };

    private static long Unscale(long value, int unit) => unit switch
    {
        UnitMs => value * UnixTime.NanosPerMilli,
        UnitUs => value * UnixTime.NanosPerMicro,
        _ => value,
    };
}
