using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality.Alerts;

namespace Cloudwall.Rx.Quality.Detectors;

/// <summary>One reason's running total of refused updates (crossed quotes, zero prices, absurd timestamps, duplicates).</summary>
public readonly record struct InvalidCount(string Reason, long Total);

/// <summary>
/// Invalid data as a quality signal, per provider × venue: the refused updates (crossed quotes, zero or negative values,
/// absurd timestamps) and the duplicates ingestion dropped, from their running totals. Over a trailing
/// <see cref="InvalidDataOptions.Span"/>, more than <see cref="InvalidDataOptions.MaxPerSecond"/> per second that are also
/// more than <see cref="InvalidDataOptions.MaxShare"/> of the venue's updates raise one warning for the venue, naming the
/// most frequent reason ("coinbase crossed quotes (bid at or above ask) at 12/s (33 % of updates)"). A stray bad tick does not.
/// </summary>
public sealed class InvalidDataDetector(InvalidDataOptions options, IAlertReporter reporter)
{
    private const string What = "invalid updates or duplicates from the venue";
    private readonly Dictionary<(ProviderId, VenueId), Venue> _venues = new();
    private readonly long _spanNs = SeriesSettings.Ns(options.Span);
    private readonly long _clearNs = SeriesSettings.Ns(options.ClearAfter);

    /// <param name="events">The venue's running total of good updates.</param>
    /// <param name="totals">Running totals by reason (the same reasons every call; new ones may appear).</param>
    public void Observe(ProviderId provider, VenueId venue, long events, ReadOnlySpan<InvalidCount> totals, long nowNs)
    {
        if (!options.Enabled) return;
        if (!_venues.TryGetValue((provider, venue), out var v))
        {
            var scope = venue.Code == 0 ? AlertScope.ForProvider(provider) : AlertScope.ForVenue(provider, venue);
            v = new Venue(new AlertKey(DetectorNames.InvalidData, scope));
            _venues.Add((provider, venue), v);
        }

        long invalid = 0;
        foreach (var t in totals) invalid += t.Total;
        v.Samples.Enqueue(new Sample(nowNs, events, invalid));
        foreach (var t in totals)
        {
            if (!v.ByReason.TryGetValue(t.Reason, out var q))
            {
                q = new Queue<(long, long)>();
                v.ByReason.Add(t.Reason, q);
            }

            q.Enqueue((nowNs, t.Total));
            while (q.Count > 1 && q.Peek().Item1 < nowNs - _spanNs) q.Dequeue();
        }

        while (v.Samples.Count > 1 && v.Samples.Peek().TimeNs < nowNs - _spanNs) v.Samples.Dequeue();
        var first = v.Samples.Peek();
        var seconds = (nowNs - first.TimeNs) / 1e9;
        if (seconds <= 0) return;
        var bad = invalid - first.Invalid;
        var rate = bad / seconds;
        var share = bad / (double)Math.Max(1, bad + events - first.Events);
        var high = rate > options.MaxPerSecond && share > options.MaxShare;
        var wasActive = v.Condition.Active;
        if (v.Condition.Observe(high, nowNs, 0, _clearNs))
        {
            reporter.Fire(v.Key, new AlertReading(AlertSeverity.Warning, What, rate, 0, "updates/s", v.Condition.SinceNs,
                new AlertContext(0, share, TopReason(v))), nowNs);
        }
        else if (wasActive)
        {
            reporter.Clear(v.Key, nowNs);
        }
    }

    private static string? TopReason(Venue v)
    {
        string? top = null;
        long most = 0;
        foreach (var (reason, q) in v.ByReason)
        {
            long first = 0, last = 0;
            var any = false;
            foreach (var (_, total) in q)
            {
                if (!any) first = total;
                last = total;
                any = true;
            }

            if (last - first > most)
            {
                most = last - first;
                top = reason;
            }
        }

        return top;
    }

    private readonly record struct Sample(long TimeNs, long Events, long Invalid);

    private sealed class Venue(AlertKey key)
    {
        public readonly AlertKey Key = key;
        public readonly Queue<Sample> Samples = new();
        public readonly Dictionary<string, Queue<(long, long)>> ByReason = new(StringComparer.Ordinal);
        public SustainedCondition Condition;
    }
}
