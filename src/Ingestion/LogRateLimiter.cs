namespace Cloudwall.Rx.Ingestion;

/// <summary>
/// At most one log line per <see cref="FrameReason"/> per interval: the first occurrence is logged, the ones after it within
/// the interval are only counted, and the next line carries that count. Bad input arrives in bursts (a venue bug repeats on
/// every frame), and one line per frame would drown the log. Not thread-safe: one per connection, like <see cref="FrameHandler"/>.
/// </summary>
public sealed class LogRateLimiter
{
    /// <summary>The default interval between two lines for one reason.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    private const int Reasons = byte.MaxValue + 1;
    private readonly TimeProvider _time;
    private readonly long _intervalTicks;
    private readonly long[] _lastLogged = new long[Reasons];
    private readonly long[] _suppressed = new long[Reasons];
    private readonly bool[] _everLogged = new bool[Reasons];

    public LogRateLimiter(TimeProvider? time = null, TimeSpan? interval = null)
    {
        _time = time ?? TimeProvider.System;
        var i = interval ?? DefaultInterval;
        ArgumentOutOfRangeException.ThrowIfLessThan(i, TimeSpan.Zero);
        _intervalTicks = (long)(i.TotalSeconds * _time.TimestampFrequency);
    }

    /// <summary>
    /// True when a line for <paramref name="reason"/> may be written now; <paramref name="suppressed"/> is then the number of
    /// occurrences not logged since the previous line. False (the occurrence is counted) while the interval has not passed.
    /// </summary>
    public bool TryAcquire(FrameReason reason, out long suppressed)
    {
        var r = (int)reason;
        var now = _time.GetTimestamp();
        if (_everLogged[r] && now - _lastLogged[r] < _intervalTicks)
        {
            _suppressed[r]++;
            suppressed = 0;
            return false;
        }

        suppressed = _suppressed[r];
        _suppressed[r] = 0;
        _lastLogged[r] = now;
        _everLogged[r] = true;
        return true;
    }
}
