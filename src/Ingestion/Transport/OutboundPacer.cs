namespace Cloudwall.Rx.Ingestion.Transport;

/// <summary>
/// Keeps a connection's outgoing control frames (subscribe, unsubscribe, connect-time requests) within a venue's message
/// rate (Binance: 5 per second on spot, 10 on futures; more and the venue disconnects). Frames within the budget go out at
/// once; the rest wait in order, in a bounded queue, and a timer sends each as soon as the last second's count allows.
/// </summary>
/// <remarks>
/// <para>The budget is a sliding window: at most <see cref="MessagesPerSecond"/> frames in any <see cref="Window"/>, a second
/// plus a tenth, so that network jitter cannot bunch frames sent a second apart into one second at the venue. Time comes
/// from a <see cref="TimeProvider"/>, so tests drive it with a fake clock.</para>
/// <para>Overflow policy <b>RejectNew</b>: a request that would take the queue past <see cref="MaxQueuedFrames"/> is refused
/// whole with <see cref="InvalidOperationException"/> before anything is queued; a subscription change that large is a
/// configuration error, not something to trickle out over minutes.</para>
/// <para><see cref="Clear"/> drops what is waiting: after a reconnect the connection subscribes its whole current set
/// again, which supersedes every frame queued for the old socket.</para>
/// </remarks>
public sealed class OutboundPacer : IDisposable
{
    public const int MaxQueuedFrames = 10_000;

    /// <summary>The sliding window the budget applies to: the venue's second with a 10% margin for jitter.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(1100);

    private readonly Action<string> _send;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Queue<string> _waiting = new();
    private readonly long[] _sentAt; // ring of the last MessagesPerSecond send times (timestamp ticks)
    private readonly ITimer _timer;
    private int _next;
    private bool _disposed;

    public OutboundPacer(int messagesPerSecond, Action<string> send, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(messagesPerSecond, 1);
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(time);
        MessagesPerSecond = messagesPerSecond;
        _send = send;
        _time = time;
        _sentAt = new long[messagesPerSecond];
        Array.Fill(_sentAt, long.MinValue);
        _timer = time.CreateTimer(static s => ((OutboundPacer)s!).Drain(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public int MessagesPerSecond { get; }

    /// <summary>Frames waiting for budget.</summary>
    public int Queued
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>Sends the frames in order: now while the budget lasts, the rest as it frees up.</summary>
    /// <exception cref="InvalidOperationException">The queue would exceed <see cref="MaxQueuedFrames"/> (RejectNew).</exception>
    public void Send(IReadOnlyList<string> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_waiting.Count + frames.Count > MaxQueuedFrames)
            {
                throw new InvalidOperationException(
                    $"{frames.Count} frames would take the outgoing queue past {MaxQueuedFrames} (policy RejectNew); split the change");
            }

            foreach (var f in frames)
            {
                _waiting.Enqueue(f);
            }

            DrainLocked();
        }
    }

    /// <summary>Drops every frame still waiting (see remarks).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _waiting.Clear();
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _waiting.Clear();
        }

        _timer.Dispose();
    }

    private void Drain()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                DrainLocked();
            }
        }
    }

    private void DrainLocked()
    {
        var window = _time.TimestampFrequency * Window.Ticks / TimeSpan.TicksPerSecond;
        while (_waiting.Count > 0)
        {
            var now = _time.GetTimestamp();
            var oldest = _sentAt[_next]; // the send MessagesPerSecond frames ago
            if (oldest != long.MinValue && now - oldest < window)
            {
                var wait = _time.GetElapsedTime(now, oldest + window);
                _timer.Change(wait > TimeSpan.Zero ? wait : TimeSpan.FromTicks(1), Timeout.InfiniteTimeSpan);
                return;
            }

            _send(_waiting.Dequeue());
            _sentAt[_next] = now;
            _next = (_next + 1) % _sentAt.Length;
        }
    }
}
