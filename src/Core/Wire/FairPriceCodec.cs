namespace Cloudwall.Rx.Core.Wire;

/// <summary>
/// The compact binary encoding of a <see cref="FairPrice"/> on Kafka, version 1. As with events, the instrument travels in
/// the record key (its canonical key) and the value leaves it off. Layout: docs/wire-format.md.
/// </summary>
public static class FairPriceCodec
{
    public const byte Version = 1;

    /// <summary>An upper bound on an encoded value; a buffer this large always suffices.</summary>
    public const int MaxSize = 2 + 2 * DecimalCodec.MaxSize + 6 * 10;

    /// <summary>Encodes the fair price (without its instrument). Returns the bytes written.</summary>
    public static int Encode(in FairPrice price, Span<byte> dest)
    {
        dest[0] = Version;
        dest[1] = (byte)price.Status;
        var p = 2;
        p += DecimalCodec.Write(dest[p..], price.Price);
        p += DecimalCodec.Write(dest[p..], price.Confidence);
        p += Varint.Write(dest[p..], Varint.ZigZag(price.SourcesUsed));
        p += Varint.Write(dest[p..], Varint.ZigZag(price.SourcesKnown));
        p += Varint.Write(dest[p..], Varint.ZigZag(price.NewestInputTimeNs));
        // Computed time is nearly always just after the newest input: a small delta where an absolute would take 9 bytes.
        p += Varint.Write(dest[p..], Varint.ZigZag(unchecked(price.ComputedTimeNs - price.NewestInputTimeNs)));
        p += Varint.Write(dest[p..], Varint.ZigZag(price.ParametersVersion));
        p += Varint.Write(dest[p..], price.SourcesMask);
        return p;
    }

    /// <summary>Encodes into a new array of exactly the encoded length.</summary>
    public static byte[] Encode(in FairPrice price)
    {
        Span<byte> scratch = stackalloc byte[MaxSize];
        return scratch[..Encode(price, scratch)].ToArray();
    }

    /// <summary>Decodes a value written by <see cref="Encode(in FairPrice, Span{byte})"/>; the instrument comes from the record key.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> src, InstrumentId instrument, out FairPrice price)
    {
        price = default;
        if (src.Length < 2 || src[0] != Version || src[1] > (byte)FairPriceStatus.Stale)
        {
            return false;
        }

        var p = 2;
        if (!DecimalCodec.TryRead(src, ref p, out var value)) return false;
        if (!DecimalCodec.TryRead(src, ref p, out var confidence)) return false;
        if (!TryReadInt(src, ref p, out var used)) return false;
        if (!TryReadInt(src, ref p, out var known)) return false;
        if (!Varint.TryRead(src, ref p, out ulong newestRaw)) return false;
        if (!Varint.TryRead(src, ref p, out ulong deltaRaw)) return false;
        if (!TryReadInt(src, ref p, out var parametersVersion)) return false;
        if (!Varint.TryRead(src, ref p, out ulong mask)) return false;
        if (p != src.Length)
        {
            return false;
        }

        var newest = Varint.UnZigZag(newestRaw);
        price = new FairPrice
        {
            Instrument = instrument,
            Price = value,
            Status = (FairPriceStatus)src[1],
            Confidence = confidence,
            SourcesUsed = used,
            SourcesKnown = known,
            NewestInputTimeNs = newest,
            ComputedTimeNs = unchecked(newest + Varint.UnZigZag(deltaRaw)),
            ParametersVersion = parametersVersion,
            SourcesMask = mask,
        };
        return true;
    }

    private static bool TryReadInt(ReadOnlySpan<byte> src, ref int p, out int value)
    {
        value = 0;
        if (!Varint.TryRead(src, ref p, out ulong raw))
        {
            return false;
        }

        var v = Varint.UnZigZag(raw);
        if (v is < int.MinValue or > int.MaxValue)
        {
            return false;
        }

        value = (int)v;
        return true;
    }
}
