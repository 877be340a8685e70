namespace Cloudwall.Rx.Ingestion.Transport;

/// <summary>
/// Keeps a connection's outgoing control frames (subscribe, unsubscribe, connect-time requests) within a venue's message
/// rate (Binance: 5 per second on spot, 10 on futures; more and the venue disconnects). Frames are sent in order by one
/// loop: each as soon as the budget allows, the rest waiting in a bounded queue.
/// </summary>
/// <remarks>
/// <para>The budget is a sliding window: at most <see cref="MessagesPerSecond"/> frames in any <see cref="Window"/>, a second
/// and a half. Each frame's time is taken when its send has <i>completed</i>, not when it was queued, so a send delayed
/// by a busy machine cannot bunch with the ones after it. The margin covers jitter on the way and on the venue's side,
/// which counts a frame when it reads it: a read delayed there bunches frames that left far enough apart. A quarter of a
/// second was not enough against our simulator in the loaded test run (CI: the Binance burst test disconnected). Time comes from a
/// <see cref="TimeProvider"/>, so tests drive it with a fake clock.</para>
/// <para>Full-queue mode <b>DropWrite</b> (as <c>BoundedChannelFullMode</c> names it: the write is dropped, what is queued
/// stays), reported rather than silent: a request that would take the queue past <see cref="MaxQueuedFrames"/> is refused
/// whole with <see cref="InvalidOperationException"/> before anything is queued; a subscription change that large is a
/// configuration error, not something to trickle out over minutes.</para>
/// <para><see cref="Clear"/> drops what is waiting: after a reconnect the connection subscribes its whole current set
/// again, which supersedes every frame queued for the old socket. A send that fails (the socket just closed) is dropped for
/// the same reason.</para>
/// </remarks>
public sealed class OutboundPacer : IDisposable
{
    public const int MaxQueuedFrames = 10_000;

    /// <summary>The sliding window the budget applies to: the venue's second with a 50% margin for jitter.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(1500);

    private readonly Func<string, Task> _send;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Queue<string> _waiting = new();
    private readonly long[] _sentAt; // ring of the last MessagesPerSecond send completions (timestamp ticks)
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _next;
    private long _sent;
    private long _failed;

    public OutboundPacer(int messagesPerSecond, Func<string, Task> send, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(messagesPerSecond, 1);
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(time);
        MessagesPerSecond = messagesPerSecond;
        _send = send;
        _time = time;
        _sentAt = new long[messagesPerSecond];
        Array.Fill(_sentAt, long.MinValue);
        _loop = Task.Run(RunAsync);
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

    /// <summary>Frames sent so far.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Frames whose send failed (dropped; see remarks).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Queues the frames, in order, for sending as the budget allows.</summary>
    /// <exception cref="InvalidOperationException">The queue would exceed <see cref="MaxQueuedFrames"/> (DropWrite).</exception>
    public void Send(IReadOnlyList<string> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        lock (_gate)
        {
            if (_waiting.Count + frames.Count > MaxQueuedFrames)
            {
                throw new InvalidOperationException(
                    $"{frames.Count} frames would take the outgoing queue past {MaxQueuedFrames} (full mode DropWrite); split the change");
            }

            foreach (var f in frames)
            {
                _waiting.Enqueue(f);
            }
        }

        _wake.Release();
    }

    /// <summary>Drops every frame still waiting (see remarks).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _waiting.Clear();
        }
    }

    public void Dispose()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _stop.Cancel();
        Clear();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // The loop ends by cancellation.
        }

        _stop.Dispose();
        _wake.Dispose();
    }

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        var window = _time.TimestampFrequency * Window.Ticks / TimeSpan.TicksPerSecond;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                bool any;
                lock (_gate)
                {
                    any = _waiting.Count > 0;
                }

                if (!any)
                {
                    await _wake.WaitAsync(ct).ConfigureAwait(false);
                    continue;
                }

                var oldest = _sentAt[_next]; // the send MessagesPerSecond frames ago
                var now = _time.GetTimestamp();
                if (oldest != long.MinValue && now - oldest < window)
                {
                    await Task.Delay(_time.GetElapsedTime(now, oldest + window), _time, ct).ConfigureAwait(false);
                    continue;
                }

                string frame;
                lock (_gate)
                {
                    if (!_waiting.TryDequeue(out frame!))
                    {
                        continue; // cleared meanwhile
                    }
                }

                try
                {
                    await _send(frame).ConfigureAwait(false);
                    Interlocked.Increment(ref _sent);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Interlocked.Increment(ref _failed);
                }

                _sentAt[_next] = _time.GetTimestamp();
                _next = (_next + 1) % _sentAt.Length;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Disposed.
        }
    }
}
