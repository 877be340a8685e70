namespace Cloudwall.Rx.Core;

/// <summary>Conversions between UTC nanoseconds since the Unix epoch and <see cref="DateTime"/>.</summary>
public static class UnixTime
{
    public const long NanosPerTick = 100;
    public const long NanosPerMicro = 1_000;
    public const long NanosPerMilli = 1_000_000;
    public const long NanosPerSecond = 1_000_000_000;

    public static DateTime ToDateTime(long unixNanos) =>
        new(DateTime.UnixEpoch.Ticks + unixNanos / NanosPerTick, DateTimeKind.Utc);

    public static long FromDateTime(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) * NanosPerTick;

    public static long FromTimeProvider(TimeProvider time) => FromDateTime(time.GetUtcNow().UtcDateTime);

    /// <summary>ISO-8601 UTC with as many fractional digits as the value needs (up to 9).</summary>
    public static string ToIso(long unixNanos)
    {
        var whole = Math.DivRem(unixNanos, NanosPerSecond, out var frac);
        if (frac < 0)
        {
            frac += NanosPerSecond;
            whole--;
        }

        var dt = DateTime.UnixEpoch.AddSeconds(whole);
        var head = dt.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        if (frac == 0)
        {
            return head + "Z";
        }

        var digits = frac.ToString("D9", System.Globalization.CultureInfo.InvariantCulture).TrimEnd('0');
        return head + "." + digits + "Z";
    }
}
