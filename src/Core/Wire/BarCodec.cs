namespace Cloudwall.Rx.Core.Wire;

/// <summary>
/// The compact binary encoding of a <see cref="Bar"/> on Kafka (md.bars.v1, schema id 4), version 2. As with events, the
/// instrument travels in the record key and the value leaves it off. Layout: docs/wire-format.md.
/// </summary>
/// <remarks>
/// Version 2 is version 1 plus the bar's <see cref="Bar.Revision"/>: a flag bit and, for a corrected version only, a varint
/// at the end, so a first emission costs no byte more. Readers accept version 1 as revision 0.
/// </remarks>
public static class BarCodec
{
    public const byte Version = 2;

    /// <summary>The version before revisions; still read (as revision 0).</summary>
    public const byte Version1 = 1;

    /// <summary>An upper bound on an encoded value; a buffer this large always suffices.</summary>
    public const int MaxSize = 5 + 6 * DecimalCodec.MaxSize + 5 * 10 + 5;

    private const byte HasExchangeTimes = 1;
    private const byte HasRevision = 2;

    /// <summary>Encodes the bar (without its instrument). The interval must be a positive whole number of milliseconds. Returns the bytes written.</summary>
    public static int Encode(in Bar bar, Span<byte> dest)
    {
        if (bar.IntervalNs <= 0 || bar.IntervalNs % UnixTime.NanosPerMilli != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bar), bar.IntervalNs, "bar interval must be a positive whole number of milliseconds");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(bar.Revision, nameof(bar));
        var hasTimes = bar.FirstExchangeTimeNs != 0 || bar.LastExchangeTimeNs != 0;
        dest[0] = Version;
        dest[1] = (byte)bar.Kind;
        dest[2] = bar.Venue.Code;
        dest[3] = bar.Provider.Code;
        dest[4] = (byte)((hasTimes ? HasExchangeTimes : 0) | (bar.Revision > 0 ? HasRevision : 0));
        var p = 5;
        p += Varint.Write(dest[p..], (ulong)(bar.IntervalNs / UnixTime.NanosPerMilli));
        // The start is aligned to the interval: its bucket number is short, and start + k·interval is exact.
        p += Varint.Write(dest[p..], Varint.ZigZag(Math.DivRem(bar.StartTimeNs, bar.IntervalNs, out var rem)));
        p += Varint.Write(dest[p..], Varint.ZigZag(rem));
        p += DecimalCodec.Write(dest[p..], bar.Open);
        p += DecimalCodec.Write(dest[p..], bar.High);
        p += DecimalCodec.Write(dest[p..], bar.Low);
        p += DecimalCodec.Write(dest[p..], bar.Close);
        p += DecimalCodec.Write(dest[p..], bar.Vwap);
        p += DecimalCodec.Write(dest[p..], bar.Volume);
        p += Varint.Write(dest[p..], (ulong)bar.Count);
        if (hasTimes)
        {
            p += Varint.Write(dest[p..], Varint.ZigZag(unchecked(bar.FirstExchangeTimeNs - bar.StartTimeNs)));
            p += Varint.Write(dest[p..], Varint.ZigZag(unchecked(bar.LastExchangeTimeNs - bar.FirstExchangeTimeNs)));
        }

        if (bar.Revision > 0)
        {
            p += Varint.Write(dest[p..], (ulong)bar.Revision);
        }

        return p;
    }

    /// <summary>Encodes into a new array of exactly the encoded length.</summary>
    public static byte[] Encode(in Bar bar)
    {
        Span<byte> scratch = stackalloc byte[MaxSize];
        return scratch[..Encode(bar, scratch)].ToArray();
    }

    /// <summary>
    /// Decodes a value written by <see cref="Encode(in Bar, Span{byte})"/> (version 2) or by the version 1 writer (revision 0);
    /// the instrument comes from the record key. Never throws.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> src, InstrumentId instrument, out Bar bar)
    {
        bar = default;
        if (src.Length < 5 || src[1] is 0 or > (byte)EventKind.Funding)
        {
            return false;
        }

        var knownFlags = src[0] switch
        {
            Version => HasExchangeTimes | HasRevision,
            Version1 => HasExchangeTimes,
            _ => -1,
        };
        if (knownFlags < 0 || (src[4] & ~knownFlags) != 0)
        {
            return false;
        }

        var p = 5;
        if (!Varint.TryRead(src, ref p, out ulong intervalMs) || intervalMs is 0 or > (ulong)(long.MaxValue / UnixTime.NanosPerMilli)) return false;
        var interval = (long)intervalMs * UnixTime.NanosPerMilli;
        if (!Varint.TryRead(src, ref p, out ulong bucketRaw)) return false;
        if (!Varint.TryRead(src, ref p, out ulong remRaw)) return false;
        if (!DecimalCodec.TryRead(src, ref p, out var open)) return false;
        if (!DecimalCodec.TryRead(src, ref p, out var high)) return false;
        if (!DecimalCodec.TryRead(src, ref p, out var low)) return false;
        if (!DecimalCodec.TryRead(src, ref p, out var close)) return false;
        if (!DecimalCodec.TryRead(src, ref p, out var vwap)) return false;
        if (!DecimalCodec.TryRead(src, ref p, out var volume)) return false;
        if (!Varint.TryRead(src, ref p, out ulong count) || count is 0 or > long.MaxValue) return false;
        var start = unchecked(Varint.UnZigZag(bucketRaw) * interval + Varint.UnZigZag(remRaw));
        long first = 0, last = 0;
        if ((src[4] & HasExchangeTimes) != 0)
        {
            if (!Varint.TryRead(src, ref p, out ulong firstRaw)) return false;
            if (!Varint.TryRead(src, ref p, out ulong lastRaw)) return false;
            first = unchecked(start + Varint.UnZigZag(firstRaw));
            last = unchecked(first + Varint.UnZigZag(lastRaw));
        }

        ulong revision = 0;
        // A revision is present only when it is not 0 (one way to write each bar).
        if ((src[4] & HasRevision) != 0 && (!Varint.TryRead(src, ref p, out revision) || revision is 0 or > int.MaxValue))
        {
            return false;
        }

        if (p != src.Length)
        {
            return false;
        }

        bar = new Bar
        {
            Instrument = instrument,
            Kind = (EventKind)src[1],
            Venue = new VenueId(src[2]),
            Provider = new ProviderId(src[3]),
            StartTimeNs = start,
            IntervalNs = interval,
            Open = open,
            High = high,
            Low = low,
            Close = close,
            Vwap = vwap,
            Volume = volume,
            Count = (long)count,
            FirstExchangeTimeNs = first,
            LastExchangeTimeNs = last,
            Revision = (int)revision,
        };
        return true;
    }
}
