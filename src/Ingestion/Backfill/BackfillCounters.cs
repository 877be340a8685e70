using System.Collections.Concurrent;

namespace Cloudwall.Rx.Ingestion.Backfill;

/// <summary>
/// A provider's gap-fill account, per venue (the aggregator fills many): trades by result and breaks by outcome, and the
/// time each fill took as a histogram. Read by the metrics exporter (<c>cloudwall_md_backfill_trades_total{result}</c>,
/// <c>cloudwall_md_backfill_gaps_total{result}</c>, <c>cloudwall_md_backfill_seconds</c>), the run summary and /quality.
/// Thread-safe.
/// </summary>
public sealed class BackfillCounters
{
    /// <summary>Upper bounds of the fill-time histogram, seconds (a last bucket holds the rest).</summary>
    public static readonly IReadOnlyList<double> SecondsBounds = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly ConcurrentDictionary<VenueId, BackfillCell> _cells = new();

    public BackfillCell For(VenueId venue) => _cells.GetOrAdd(venue, static v => new BackfillCell(v));

    public IReadOnlyList<BackfillCell> Cells => [.. _cells.Values.OrderBy(c => c.Venue.Code)];

    public long Filled => _cells.Values.Sum(c => c.Filled);

    public long Missing => _cells.Values.Sum(c => c.Missing);

    public long Breaks(BackfillResult result) => _cells.Values.Sum(c => c.Breaks(result));

    internal void Record(BackfillOutcome o)
    {
        var cell = For(o.Request.Venue);
        cell.Record(o);
    }
}

/// <summary>One venue's share of <see cref="BackfillCounters"/>.</summary>
public sealed class BackfillCell(VenueId venue)
{
    private readonly long[] _breaks = new long[5];
    private readonly long[] _buckets = new long[BackfillCounters.SecondsBounds.Count + 1];
    private readonly Lock _gate = new();
    private long _filled;
    private long _missing;
    private long _unknownMissing;
    private double _secondsSum;

    public VenueId Venue { get; } = venue;

    /// <summary>Trades fetched back and published.</summary>
    public long Filled => Interlocked.Read(ref _filled);

    /// <summary>Trades known lost for good (venue no longer serves them, or a skipped or dropped break of known size).</summary>
    public long Missing => Interlocked.Read(ref _missing);

    /// <summary>Breaks with trades lost in a number not known (no consecutive ids): skipped, dropped, failed or cut short.</summary>
    public long BreaksWithUnknownMissing => Interlocked.Read(ref _unknownMissing);

    public long Breaks(BackfillResult result) => Interlocked.Read(ref _breaks[(int)result]);

    /// <summary>The fill-time histogram: counts per bucket of <see cref="BackfillCounters.SecondsBounds"/> (not cumulative), and the sum.</summary>
    public (long[] Buckets, double Sum) Seconds()
    {
        lock (_gate)
        {
            return ([.. _buckets], _secondsSum);
        }
    }

    internal void Record(BackfillOutcome o)
    {
        Interlocked.Increment(ref _breaks[(int)o.Result]);
        Interlocked.Add(ref _filled, o.Filled);
        if (o.Missing is { } m)
        {
            Interlocked.Add(ref _missing, m);
        }
        else if (o.Result != BackfillResult.Complete)
        {
            Interlocked.Increment(ref _unknownMissing);
        }

        if (o.Result is BackfillResult.Complete or BackfillResult.Partial or BackfillResult.Failed)
        {
            var i = 0;
            while (i < BackfillCounters.SecondsBounds.Count && o.Seconds > BackfillCounters.SecondsBounds[i]) i++;
            lock (_gate)
            {
                _buckets[i]++;
                _secondsSum += o.Seconds;
            }
        }
    }
}
