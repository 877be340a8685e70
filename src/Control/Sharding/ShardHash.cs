using System.Text;

namespace Cloudwall.Rx.Control.Sharding;

/// <summary>
/// The stable shard of a subscription: FNV-1a (32-bit) of the UTF-8 bytes of <c>source|instrument</c>, modulo the shard
/// count. Stable across processes, versions and languages (no per-process seed, unlike string.GetHashCode).
/// </summary>
public static class ShardHash
{
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;

    public static uint Fnv1a32(ReadOnlySpan<byte> data)
    {
        var h = OffsetBasis;
        foreach (var b in data)
        {
            h ^= b;
            h *= Prime;
        }

        return h;
    }

    public static int Of(string source, string instrument, int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        var text = source + "|" + instrument;
        Span<byte> buf = text.Length <= 256 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(text.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(text.Length)];
        var n = Encoding.UTF8.GetBytes(text, buf);
        return (int)(Fnv1a32(buf[..n]) % (uint)shardCount);
    }
}
