namespace Cloudwall.Rx.Core;

/// <summary>How a retry delay is spread around its exponential value.</summary>
public enum BackoffJitter : byte
{
    /// <summary>"Equal jitter": half the delay fixed, half random, never above the cap (reconnects: shards do not retry in step).</summary>
    Equal = 0,

    /// <summary>±20 % around the delay (alert deliveries: close to the schedule, not in step).</summary>
    Proportional = 1,
}

/// <summary>
/// The one exponential back-off of the platform: initial × 2^(attempt − 1), capped, then jittered. Used by WebSocket
/// reconnects, the gRPC aggregator's reconnects and alert deliveries. Pure: the caller passes the random sample, so tests
/// pin every value.
/// </summary>
public static class Backoff
{
    /// <param name="attempt">1 for the first retry (values below 1 count as 1).</param>
    /// <param name="random01">A uniform sample in [0, 1).</param>
    public static TimeSpan Delay(int attempt, TimeSpan initial, TimeSpan cap, double random01, BackoffJitter jitter = BackoffJitter.Equal)
    {
        var exp = attempt <= 1 ? 0 : Math.Min(30, attempt - 1);
        var full = Math.Min(cap.Ticks, initial.Ticks * Math.Pow(2, exp));
        var r = Math.Clamp(random01, 0, 1);
        var ticks = jitter == BackoffJitter.Equal ? full / 2 + full / 2 * r : full * (0.8 + 0.4 * r);
        return TimeSpan.FromTicks((long)ticks);
    }
}
