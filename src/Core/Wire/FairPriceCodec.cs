namespace Cloudwall.Rx.Core.Wire;

/// <summary>
/// The compact binary encoding of a <see cref="FairPrice"/> on Kafka. Writes version 2; reads versions 1 and 2. As with
/// events, the instrument travels in the record key (its canonical key) and the value leaves it off. Layout:
/// docs/wire-format.md.
/// </summary>
public static class FairPriceCodec
{
    /// <summary>The version this codec writes.</summary>
    public const byte Version = 2;

    /// <summary>The first version, still readable: no method byte, no optional fields.</summary>
    public const byte Version1 = 1;

    private const byte HasBasis = 1;
    private const byte HasFunding = 2;
    private const byte HasMarkIv = 4;
    private const byte KnownFlags = HasBasis | HasFunding | HasMarkIv;

    /// <summary>An upper bound on an encoded value; a buffer this large always suffices.</summary>
    public const int MaxSize = 4 + 5 * DecimalCodec.MaxSize + 6 * 10;

    /// <summary>Encodes the fair price (without its instrument). Returns the bytes written.</summary>
    public static int Encode(in FairPrice price, Span<byte> dest)
    {
        dest[0] = Version;
        dest[1] = (byte)price.Status;
        dest[2] = (byte)price.Method;
        dest[3] = (byte)((price.Basis.HasValue ? HasBasis : 0) | (price.FundingRate.HasValue ? HasFunding : 0) | (price.MarkIv.HasValue ? HasMarkIv : 0));
        var p = 4;
        p += DecimalCodec.Write(dest[p..], price.Price);
        p += DecimalCodec.Write(dest[p..], price.Confidence);
        p += Varint.Write(dest[p..], Varint.ZigZag(price.SourcesUsed));
        p += Varint.Write(dest[p..], Varint.ZigZag(price.SourcesKnown));
        p += Varint.Write(dest[p..], Varint.ZigZag(price.NewestInputTimeNs));
        // Computed time is nearly always just after the newest input: a small delta where an absolute would take 9 bytes.
        p += Varint.Write(dest[p..], Varint.ZigZag(unchecked(price.ComputedTimeNs - price.NewestInputTimeNs)));
        p += Varint.Write(dest[p..], Varint.ZigZag(price.ParametersVersion));
        p += Varint.Write(dest[p..], price.SourcesMask);
        if (price.Basis is { } basis) p += DecimalCodec.Write(dest[p..], basis);
        if (price.FundingRate is { } funding) p += DecimalCodec.Write(dest[p..], funding);
        if (price.MarkIv is { } iv) p += DecimalCodec.Write(dest[p..], iv);
        return p;
    }

    /// <summary>Encodes into a new array of exactly the encoded length.</summary>
    public static byte[] Encode(in FairPrice price)
    {
        Span<byte> scratch = stackalloc byte[MaxSize];
        return scratch[..Encode(price, scratch)].ToArray();
    }

    /// <summary>
    /// Decodes a value written by <see cref="Encode(in FairPrice, Span{byte})"/> (version 2) or by the version-1 writer;
    /// the instrument comes from the record key.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> src, InstrumentId instrument, out FairPrice price)
    {
        price = default;
        if (src.Length < 2 || src[1] > (byte)FairPriceStatus.Conflict)
        {
            return false;
        }

        int p;
        var method = FairPriceMethod.TradeBased;
        byte flags = 0;
        if (src[0] == Version)
        {
            if (src.Length < 4 || src[2] > (byte)FairPriceMethod.MarkBased || (src[3] & ~KnownFlags) != 0)
            {
                return false;
            }

            method = (FairPriceMethod)src[2];
            flags = src[3];
            p = 4;
        }
        else if (src[0] == Version1)
        {
            p = 2;
        }
        else
        {
            return false;
        }

        if (!DecimalCodec.TryRead(src, ref p, out var value)) return false;
        if (!DecimalCodec.TryRead(src, ref p, out var confidence)) return false;
        if (!TryReadInt(src, ref p, out var used)) return false;
        if (!TryReadInt(src, ref p, out var known)) return false;
        if (!Varint.TryRead(src, ref p, out ulong newestRaw)) return false;
        if (!Varint.TryRead(src, ref p, out ulong deltaRaw)) return false;
        if (!TryReadInt(src, ref p, out var parametersVersion)) return false;
        if (!Varint.TryRead(src, ref p, out ulong mask)) return false;
        decimal? basis = null, funding = null, iv = null;
        if ((flags & HasBasis) != 0)
        {
            if (!DecimalCodec.TryRead(src, ref p, out var b)) return false;
            basis = b;
        }

        if ((flags & HasFunding) != 0)
        {
            if (!DecimalCodec.TryRead(src, ref p, out var f)) return false;
            funding = f;
        }

        if ((flags & HasMarkIv) != 0)
        {
            if (!DecimalCodec.TryRead(src, ref p, out var v)) return false;
            iv = v;
        }

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
            Method = method,
            Confidence = confidence,
            SourcesUsed = used,
            SourcesKnown = known,
            NewestInputTimeNs = newest,
            ComputedTimeNs = unchecked(newest + Varint.UnZigZag(deltaRaw)),
            ParametersVersion = parametersVersion,
            SourcesMask = mask,
            Basis = basis,
            FundingRate = funding,
            MarkIv = iv,
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
