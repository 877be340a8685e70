using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Kafka;

/// <summary>
/// A lock-free latency histogram, cheap enough to record every delivery report, over the platform's one bucket layout
/// (<see cref="LatencyHistogram"/>: log-linear, 8 buckets per power of two from about 1 µs to 275 s). Quantiles are
/// reported as the upper bound of the bucket they fall in (at most 12.5 % high).
/// </summary>
public sealed class KafkaLatencyHistogram
{
    /// <summary>Upper bounds in seconds, ascending; a last implicit bucket holds everything above.</summary>
    public static IReadOnlyList<double> Bounds => LatencyHistogram.UpperBoundsSeconds;

    private readonly long[] _counts = new long[LatencyHistogram.BucketCount];
    private long _count;
    private long _sumNanos;
    private long _maxNanos;

    public void Record(long nanos)
    {
        if (nanos < 0)
        {
            nanos = 0; // clocks of two threads may disagree by a hair
        }

        Interlocked.Increment(ref _counts[LatencyHistogram.BucketOf(nanos)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sumNanos, nanos);
        long max;
        while (nanos > (max = Volatile.Read(ref _maxNanos)) && Interlocked.CompareExchange(ref _maxNanos, nanos, max) != max)
        {
        }
    }

    public LatencySnapshot Snapshot()
    {
        var counts = new long[_counts.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = Volatile.Read(ref _counts[i]);
        }

        var total = counts.Sum();
        var sum = Interlocked.Read(ref _sumNanos);
        return new LatencySnapshot(total, total == 0 ? 0 : sum * 1e-9 / total, Quantile(counts, total, 0.5), Quantile(counts, total, 0.99),
            Interlocked.Read(ref _maxNanos) * 1e-9, sum * 1e-9, counts);
    }

    internal static double Quantile(long[] counts, long total, double q)
    {
        if (total == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(q * total);
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return i < Bounds.Count ? Bounds[i] : double.PositiveInfinity;
            }
        }

        return double.PositiveInfinity;
    }
}

/// <summary>A histogram at one moment. <paramref name="Counts"/> is per bucket of <see cref="KafkaLatencyHistogram.Bounds"/> plus one overflow bucket.</summary>
public sealed record LatencySnapshot(long Count, double MeanSeconds, double P50Seconds, double P99Seconds, double MaxSeconds, double SumSeconds, long[] Counts)
{
    /// <summary>Quantile <paramref name="q"/> (0..1) of the snapshot, read the same way as <see cref="P99Seconds"/>: the upper bound of its bucket.</summary>
    public double QuantileSeconds(double q) => KafkaLatencyHistogram.Quantile(Counts, Count, q);
}
