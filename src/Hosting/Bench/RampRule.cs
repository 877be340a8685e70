using System.Globalization;

namespace Cloudwall.Rx.Hosting.Bench;

/// <summary>
/// When a rate counts as sustained, and the ramp's next rate. A step is sustained when the platform took in at least
/// <see cref="MinInputShare"/> of its target, dropped nothing, lost nothing (received = published) and kept input→ack p99
/// at or under <see cref="MaxP99Ms"/>: issue 17's "p99 ≤ 50 ms and nothing dropped".
/// </summary>
public static class RampRule
{
    public const double MinInputShare = 0.9;
    public const double MaxP99Ms = 50;
    public const double DefaultFactor = 1.5;

    /// <summary>Why <paramref name="row"/> was not sustained; empty when it was.</summary>
    public static IReadOnlyList<string> Shortfalls(BenchRow row)
    {
        var reasons = new List<string>();
        if (row.InputEventsPerSecond < MinInputShare * row.TargetEventsPerSecond)
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture,
                $"input {row.InputEventsPerSecond:0} ev/s < {MinInputShare:P0} of {row.TargetEventsPerSecond:0}"));
        }

        if (row.Dropped > 0) reasons.Add($"{row.Dropped} dropped");
        if (row.EventsReceived != row.EventsPublished) reasons.Add($"received {row.EventsReceived} != published {row.EventsPublished}");
        if (row.InputToAckP99Ms > MaxP99Ms) reasons.Add(string.Create(CultureInfo.InvariantCulture, $"p99 {row.InputToAckP99Ms:0.#} ms > {MaxP99Ms:0} ms"));
        return reasons;
    }

    /// <summary>The ramp's next target, or null once it would pass <paramref name="max"/>.</summary>
    public static double? Next(double target, double factor, double max)
    {
        var next = Math.Round(target * factor);
        return next <= max ? next : null;
    }
}
