namespace Cloudwall.Rx.Core;

/// <summary>
/// At most one log line per key (a reason) per interval: the first occurrence is logged, the ones after it within the
/// interval are only counted, and the next line carries that count. Bad input arrives in bursts (a venue bug repeats on
/// every frame, a broker outage fails every record, a flood of unsigned commands), and one line per occurrence would drown
/// the log. Keys are small integers, usually an enum's value. Thread-safe; the lock is only taken on the failure path.
/// </summary>
public sealed class LogRateLimiter
{
    /// <summary>The default interval between two lines for one key.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _time;
    private readonly long _intervalTicks;
    private readonly long[] _lastLogged;
    private readonly long[] _suppressed;
    private readonly bool[] _everLogged;
    private readonly Lock _gate = new();

    /// <param name="keys">The number of keys: every key is in [0, keys).</param>
    /// <param name="time">The clock; null: the system clock.</param>
    /// <param name="interval">The time between two lines for one key; null: <see cref="DefaultInterval"/>.</param>
    public LogRateLimiter(int keys, TimeProvider? time = null, TimeSpan? interval = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keys, 1);
        _time = time ?? TimeProvider.System;
        var i = interval ?? DefaultInterval;
        ArgumentOutOfRangeException.ThrowIfLessThan(i, TimeSpan.Zero);
        _intervalTicks = (long)(i.TotalSeconds * _time.TimestampFrequency);
        _lastLogged = new long[keys];
        _suppressed = new long[keys];
        _everLogged = new bool[keys];
    }

    /// <summary>
    /// True when a line for <paramref name="key"/> may be written now; <paramref name="suppressed"/> is then the number of
    /// occurrences not logged since the previous line. False (the occurrence is counted) while the interval has not passed.
    /// </summary>
    public bool TryAcquire(int key, out long suppressed)
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_everLogged[key] && now - _lastLogged[key] < _intervalTicks)
            {
                _suppressed[key]++;
                suppressed = 0;
                return false;
            }

            suppressed = _suppressed[key];
            _suppressed[key] = 0;
            _lastLogged[key] = now;
            _everLogged[key] = true;
            return true;
        }
    }
}
