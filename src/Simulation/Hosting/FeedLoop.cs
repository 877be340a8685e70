using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Simulation.Hosting;

/// <summary>
/// The market loop every simulator runs: a periodic timer on the simulator's clock calling its feed's step with the time
/// span just elapsed. A step that throws is counted and logged and the loop goes on; disposing stops the loop and waits.
/// </summary>
public sealed partial class FeedLoop : IAsyncDisposable
{
    private readonly string _venue;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Action<DateTimeOffset, DateTimeOffset> _step;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _steps;
    private long _stepFailures;
    private int _disposed;

    private FeedLoop(string venue, TimeSpan interval, TimeProvider time, ILogger log, Action<DateTimeOffset, DateTimeOffset> step)
    {
        _venue = venue;
        _interval = interval;
        _time = time;
        _log = log;
        _step = step;
        _loop = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>Feed steps run.</summary>
    public long Steps => Interlocked.Read(ref _steps);

    /// <summary>Feed steps that threw (logged; the loop went on).</summary>
    public long StepFailures => Interlocked.Read(ref _stepFailures);

    /// <summary>Starts stepping <paramref name="step"/>(from, to) every <paramref name="interval"/> of <paramref name="time"/>.</summary>
    public static FeedLoop Start(string venue, TimeSpan interval, TimeProvider time, ILogger log, Action<DateTimeOffset, DateTimeOffset> step) =>
        new(venue, interval, time, log, step);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false); // never throws: the loop catches
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        try
        {
            using var timer = new PeriodicTimer(_interval, _time);
            var last = _time.GetUtcNow();
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                var now = _time.GetUtcNow();
                try
                {
                    _step(last, now);
                    Interlocked.Increment(ref _steps);
                }
                catch (Exception ex)
                {
                    // One bad step must not stop the market: count it, log it, carry on from here.
                    Interlocked.Increment(ref _stepFailures);
                    LogStepFailed(_log, _venue, ex);
                }

                last = now;
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (Exception ex)
        {
            LogLoopFailed(_log, _venue, ex);
        }
    }

    [LoggerMessage(EventId = 7021, Level = LogLevel.Error, Message = "{Venue} simulator feed step failed")]
    private static partial void LogStepFailed(ILogger logger, string venue, Exception exception);

    [LoggerMessage(EventId = 7022, Level = LogLevel.Critical, Message = "{Venue} simulator feed loop ended unexpectedly")]
    private static partial void LogLoopFailed(ILogger logger, string venue, Exception exception);
}
