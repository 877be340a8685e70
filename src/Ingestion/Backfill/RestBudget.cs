namespace Cloudwall.Rx.Ingestion.Backfill;

/// <summary>
/// A venue's published REST limit as a fixed window of weight: at most <see cref="Capacity"/> units per <see cref="Window"/>
/// (Binance: 6,000 weight per minute per IP; Kraken: a request counter that decays; OKX: 20 requests per 2 s...). A request
/// waits until its weight fits; the waits run on the given clock, so tests use virtual time. Thread-safe.
/// </summary>
public sealed class RestBudget
{
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private long _windowStart;
    private int _used;

    public RestBudget(int capacity, TimeSpan window, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        Capacity = capacity;
        Window = window;
        _time = time ?? TimeProvider.System;
        _windowStart = _time.GetTimestamp();
    }

    public int Capacity { get; }

    public TimeSpan Window { get; }

    /// <summary>Requests that had to wait for the next window.</summary>
    public long Waits { get; private set; }

    /// <summary>Waits until <paramref name="weight"/> fits in the current window, then takes it.</summary>
    public async ValueTask WaitAsync(int weight, CancellationToken cancellationToken)
    {
        weight = Math.Clamp(weight, 1, Capacity);
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                var elapsed = _time.GetElapsedTime(_windowStart);
                if (elapsed >= Window)
                {
                    _windowStart = _time.GetTimestamp();
                    _used = 0;
                    elapsed = TimeSpan.Zero;
                }

                if (_used + weight <= Capacity)
                {
                    _used += weight;
                    return;
                }

                Waits++;
                wait = Window - elapsed;
            }

            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
