using System.Numerics;

namespace Cloudwall.Rx.Core;

/// <summary>
/// A fixed log-linear histogram of latencies in nanoseconds over a caller-owned span of counts (HDR-style): each power
/// of two from 2^10 ns (~1 µs) to 2^38 ns (~275 s) is split into 8 linear sub-buckets, so a bucket is at most 12.5 % of
/// its lower bound wide. Bucket 0 holds everything below 1024 ns (including negative latencies from clock skew); the
/// last bucket everything from 2^38 ns up. No allocation: the counts live in the caller's span. The one bucket layout of
/// the platform: the quality statistics windows keep per-series counts in it, and the Kafka producer's lock-free
/// delivery histograms (<c>KafkaLatencyHistogram</c>) record into it.
/// </summary>
public static class LatencyHistogram
{
    public const int SubBucketBits = 3;
    public const int SubBuckets = 1 << SubBucketBits;
    public const int MinOctave = 10;
    public const int MaxOctave = 38;
    /// <summary>Underflow + 8 per octave + overflow.</summary>
    public const int BucketCount = 1 + ((MaxOctave - MinOctave) * SubBuckets) + 1;

    /// <summary>Upper bounds in seconds of every bucket but the last (overflow), ascending: the Prometheus export's buckets.</summary>
    public static IReadOnlyList<double> UpperBoundsSeconds { get; } = BuildUpperBounds();

    public static int BucketOf(long ns)
    {
        if (ns < 1L << MinOctave)
        {
            return 0;
        }

        var octave = BitOperations.Log2((ulong)ns);
        if (octave >= MaxOctave)
        {
            return BucketCount - 1;
        }

        var sub = (int)(ns >> (octave - SubBucketBits)) & (SubBuckets - 1);
        return 1 + ((octave - MinOctave) * SubBuckets) + sub;
    }

    /// <summary>Inclusive lower and exclusive upper bound of a bucket, in ns.</summary>
    public static (long Lower, long Upper) BoundsOf(int bucket)
    {
        if (bucket <= 0)
        {
            return (long.MinValue, 1L << MinOctave);
        }

        if (bucket >= BucketCount - 1)
        {
            return (1L << MaxOctave, long.MaxValue);
        }

        var octave = MinOctave + ((bucket - 1) / SubBuckets);
        var sub = (bucket - 1) % SubBuckets;
        var width = 1L << (octave - SubBucketBits);
        var lower = (1L << octave) + (sub * width);
        return (lower, lower + width);
    }

    /// <summary>
    /// The nearest-rank quantile: the middle of the bucket holding the rank, clamped to the observed min and max, so the
    /// error is at most half a bucket (≤ 6.25 % of the value) and exact when all samples share a bucket edge case.
    /// </summary>
    public static long Quantile(ReadOnlySpan<int> counts, long samples, double q, long min, long max)
    {
        if (samples <= 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(q * samples);
        rank = Math.Clamp(rank, 1, samples);
        long seen = 0;
        for (var b = 0; b < counts.Length; b++)
        {
            seen += counts[b];
            if (seen >= rank)
            {
                var (lower, upper) = BoundsOf(b);
                var mid = b == 0 ? min : b == counts.Length - 1 ? max : lower + ((upper - lower) / 2);
                return Math.Clamp(mid, min, max);
            }
        }

        return max;
    }

    private static double[] BuildUpperBounds()
    {
        var bounds = new double[BucketCount - 1];
        for (var b = 0; b < bounds.Length; b++)
        {
            bounds[b] = BoundsOf(b).Upper / 1e9;
        }

        return bounds;
    }
}
