using System.Text;

namespace Cloudwall.Rx.Core.Wire;

/// <summary>
/// The binary encoding of a <see cref="DeadLetter"/> on Kafka, version 1. Self-contained (the key, the venue name, is only
/// for partitioning). Layout: docs/wire-format.md.
/// </summary>
public static class DeadLetterCodec
{
    public const byte Version = 1;

    /// <summary>Detail text kept per dead letter, in UTF-8 bytes; longer text is cut at a character boundary.</summary>
    public const int MaxDetailBytes = 1024;

    private const int FixedHead = 4;

    /// <summary>The exact number of bytes <see cref="Encode(DeadLetter, Span{byte})"/> writes for this letter.</summary>
    public static int GetEncodedLength(DeadLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        var detail = DetailBytes(letter.Detail);
        var raw = letter.Raw.Length;
        return FixedHead
            + VarintLength(Varint.ZigZag(letter.ReceiveTimeNs))
            + VarintLength((ulong)Math.Max(0, letter.OriginalLength))
            + VarintLength(letter.Detail is null ? 0UL : (ulong)detail + 1)
            + detail
            + VarintLength((ulong)raw)
            + raw;
    }

    /// <summary>Encodes the letter; <paramref name="dest"/> must hold <see cref="GetEncodedLength"/> bytes. Returns the bytes written.</summary>
    public static int Encode(DeadLetter letter, Span<byte> dest)
    {
        ArgumentNullException.ThrowIfNull(letter);
        dest[0] = Version;
        dest[1] = letter.Provider.Code;
        dest[2] = letter.Venue.Code;
        dest[3] = (byte)letter.Reason;
        var p = FixedHead;
        p += Varint.Write(dest[p..], Varint.ZigZag(letter.ReceiveTimeNs));
        p += Varint.Write(dest[p..], (ulong)Math.Max(0, letter.OriginalLength));
        if (letter.Detail is null)
        {
            p += Varint.Write(dest[p..], 0UL); // 0 = no detail; n + 1 = n bytes of UTF-8 follow
        }
        else
        {
            var n = DetailBytes(letter.Detail);
            p += Varint.Write(dest[p..], (ulong)n + 1);
            p += Encoding.UTF8.GetBytes(letter.Detail.AsSpan(0, DetailChars(letter.Detail)), dest.Slice(p, n));
        }

        p += Varint.Write(dest[p..], (ulong)letter.Raw.Length);
        letter.Raw.CopyTo(dest[p..]);
        return p + letter.Raw.Length;
    }

    /// <summary>Encodes into a new array of exactly the encoded length.</summary>
    public static byte[] Encode(DeadLetter letter)
    {
        var bytes = new byte[GetEncodedLength(letter)];
        Encode(letter, bytes);
        return bytes;
    }

    public static bool TryDecode(ReadOnlySpan<byte> src, out DeadLetter letter)
    {
        letter = null!;
        if (src.Length < FixedHead + 4 || src[0] != Version)
        {
            return false;
        }

        var p = FixedHead;
        if (!Varint.TryRead(src, ref p, out ulong rxRaw)) return false;
        if (!Varint.TryRead(src, ref p, out ulong original) || original > int.MaxValue) return false;
        if (!Varint.TryRead(src, ref p, out ulong detailTag) || detailTag > (ulong)(src.Length - p + 1)) return false;

        string? detail = null;
        if (detailTag > 0)
        {
            var n = (int)detailTag - 1;
            try
            {
                detail = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(src.Slice(p, n));
            }
            catch (DecoderFallbackException)
            {
                return false;
            }

            p += n;
        }

        if (!Varint.TryRead(src, ref p, out ulong rawLength) || rawLength != (ulong)(src.Length - p))
        {
            return false;
        }

        letter = new DeadLetter(
            new ProviderId(src[1]),
            new VenueId(src[2]),
            (FrameReason)src[3],
            Varint.UnZigZag(rxRaw),
            src[p..].ToArray(),
            (int)original,
            detail);
        return true;
    }

    /// <summary>UTF-8 bytes of the detail as encoded (capped at <see cref="MaxDetailBytes"/>).</summary>
    private static int DetailBytes(string? detail) =>
        detail is null ? 0 : Encoding.UTF8.GetByteCount(detail.AsSpan(0, DetailChars(detail)));

    /// <summary>How many chars of the detail fit in <see cref="MaxDetailBytes"/> UTF-8 bytes, never splitting a surrogate pair.</summary>
    private static int DetailChars(string detail)
    {
        if (Encoding.UTF8.GetMaxByteCount(detail.Length) <= MaxDetailBytes || Encoding.UTF8.GetByteCount(detail) <= MaxDetailBytes)
        {
            return detail.Length;
        }

        var bytes = 0;
        var i = 0;
        while (i < detail.Length)
        {
            var width = char.IsHighSurrogate(detail[i]) && i + 1 < detail.Length && char.IsLowSurrogate(detail[i + 1]) ? 2 : 1;
            var n = Encoding.UTF8.GetByteCount(detail.AsSpan(i, width));
            if (bytes + n > MaxDetailBytes)
            {
                break;
            }

            bytes += n;
            i += width;
        }

        return i;
    }

    private static int VarintLength(ulong value)
    {
        var n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }

        return n;
    }
}
