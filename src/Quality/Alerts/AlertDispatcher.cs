using System.Net;
using System.Net.Http.Headers;
using System.Threading.Channels;
using Cloudwall.Rx.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Quality.Alerts;

/// <summary>Delivery counters per sink.</summary>
public readonly record struct SinkStats(string Sink, long Enqueued, long Delivered, long Retries, long Failed, long Dropped)
{
    /// <summary>Notifications given up at shutdown, when the bounded drain ran out of time (queued or in flight).</summary>
    public long Abandoned { get; init; }
}

/// <summary>A failed HTTP delivery; carries the status and the receiver's <c>Retry-After</c>, never the URL.</summary>
public sealed class AlertDeliveryException(HttpStatusCode status, RetryConditionHeaderValue? retryAfter = null)
    : Exception($"alert delivery failed with HTTP {(int)status}")
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>The response's <c>Retry-After</c> (seconds or a date), e.g. Slack's 429.</summary>
    public RetryConditionHeaderValue? RetryAfter { get; } = retryAfter;
}

internal static class AlertDelivery
{
    public static void EnsureSuccess(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode) throw new AlertDeliveryException(response.StatusCode, response.Headers.RetryAfter);
    }

    /// <summary>How long <c>Retry-After</c> asks to wait from <paramref name="now"/>, within [0, <paramref name="cap"/>].</summary>
    public static TimeSpan RetryDelay(RetryConditionHeaderValue retryAfter, DateTimeOffset now, TimeSpan cap)
    {
        var wait = retryAfter.Delta ?? (retryAfter.Date is { } at ? at - now : TimeSpan.Zero);
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > cap ? cap : wait;
    }
}

/// <summary>
/// Fans notifications out to sinks through one bounded channel per sink (a slow Slack never delays Kafka). Enqueueing
/// never blocks: a full queue drops by the configured mode and counts the drop. Each sink's worker retries with
/// exponential backoff and jitter on the <see cref="TimeProvider"/>, and counts final failures. A response's
/// <c>Retry-After</c> (Slack's 429) holds the sink's next attempt — a retry or the next notification — until that much
/// time has passed, capped at <see cref="DeliveryOptions.MaxBackoff"/>. Stopping is bounded (<see cref="StopAsync"/>): a
/// dead endpoint costs shutdown at most <see cref="DrainLimit"/>.
/// </summary>
public sealed partial class AlertDispatcher : IAlertNotifier, IAsyncDisposable
{
    private readonly Lane[] _lanes;
    private readonly DeliveryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _stopGate = new();
    private Task? _stopping;

    /// <summary>The longest a shutdown waits for queued alerts: past it they are abandoned, so the pod's other work is not held up.</summary>
    public static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(5);

    public AlertDispatcher(IReadOnlyList<IAlertSink> sinks, DeliveryOptions options, TimeProvider time, ILogger<AlertDispatcher>? logger = null)
    {
        _options = options;
        _time = time;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _lanes = new Lane[sinks.Count];
        for (var i = 0; i < sinks.Count; i++)
        {
            var lane = new Lane(sinks[i]);
            var channelOptions = new BoundedChannelOptions(options.QueueCapacity) { FullMode = options.FullMode, SingleReader = true };
            lane.Channel = Channel.CreateBounded<AlertNotification>(channelOptions, lane.OnDropped);
            lane.Worker = Task.Run(() => RunAsync(lane));
            _lanes[i] = lane;
        }
    }

    public IReadOnlyList<SinkStats> Stats
    {
        get
        {
            var list = new SinkStats[_lanes.Length];
            for (var i = 0; i < _lanes.Length; i++) list[i] = _lanes[i].Snapshot();
            return list;
        }
    }

    public void Notify(AlertNotification notification)
    {
        foreach (var lane in _lanes)
        {
            if (!lane.Sink.Accepts(notification)) continue;
            // Count before writing: the drop callback (which may evict this very item) runs inside TryWrite.
            Interlocked.Increment(ref lane.Pending);
            if (lane.Channel.Writer.TryWrite(notification)) Interlocked.Increment(ref lane.Enqueued);
            else lane.OnDropped(notification); // completed (disposing)
        }
    }

    /// <summary>Stops as <see cref="StopAsync"/> does, within <see cref="DrainLimit"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(DrainLimit, CancellationToken.None).ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>
    /// Stops accepting and lets the workers deliver what is queued for at most <paramref name="limit"/> (on the
    /// <see cref="TimeProvider"/>) or until <paramref name="ct"/> is cancelled. Then it gives up: sends in flight are
    /// cancelled and what is still queued is counted as abandoned. Never throws for the bound or the token. Idempotent.
    /// </summary>
    public Task StopAsync(TimeSpan limit, CancellationToken ct)
    {
        lock (_stopGate)
        {
            return _stopping ??= StopCoreAsync(limit, ct);
        }
    }

    private async Task StopCoreAsync(TimeSpan limit, CancellationToken ct)
    {
        foreach (var lane in _lanes) lane.Channel.Writer.TryComplete();
        LogDraining(_logger, _lanes.Sum(l => Interlocked.Read(ref l.Pending)), limit.TotalSeconds);
        var workers = Task.WhenAll(_lanes.Select(l => l.Worker));
        try
        {
            await workers.WaitAsync(limit, _time, ct).ConfigureAwait(false);
            return;
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            LogDrainAbandoned(_logger, _lanes.Sum(l => Interlocked.Read(ref l.Pending)), limit.TotalSeconds, ex is TimeoutException ? "time limit" : "stop token");
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await workers.ConfigureAwait(false); // prompt now: every send observes _stop and the rest of each queue is only counted
    }

    /// <summary>Waits until every queue is empty and idle (tests and shutdown).</summary>
    public async Task DrainAsync()
    {
        foreach (var lane in _lanes)
        {
            while (Interlocked.Read(ref lane.Pending) > 0) await Task.Yield();
        }
    }

    private async Task RunAsync(Lane lane)
    {
        var reader = lane.Channel.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var n))
            {
                if (_stop.IsCancellationRequested) Interlocked.Increment(ref lane.Abandoned);
                else await DeliverAsync(lane, n).ConfigureAwait(false);
                Interlocked.Decrement(ref lane.Pending);
            }
        }
    }

    private async Task DeliverAsync(Lane lane, AlertNotification n)
    {
        for (var attempt = 1; ; attempt++)
        {
            var hold = lane.NotBefore - _time.GetUtcNow();
            if (hold > TimeSpan.Zero) await Task.Delay(hold, _time).ConfigureAwait(false);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(_options.AttemptTimeout);
                await lane.Sink.SendAsync(n, timeout.Token).ConfigureAwait(false);
                Interlocked.Increment(ref lane.Delivered);
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Catch everything: one bad delivery must not end the worker. Log the sink and the error kind only.
                if (_stop.IsCancellationRequested)
                {
                    Interlocked.Increment(ref lane.Abandoned); // shutdown gave up on it; not the sink's failure
                    return;
                }

                if (ex is AlertDeliveryException { RetryAfter: { } retryAfter })
                {
                    var now = _time.GetUtcNow();
                    lane.NotBefore = now + AlertDelivery.RetryDelay(retryAfter, now, _options.MaxBackoff);
                }

                if (attempt >= _options.MaxAttempts)
                {
                    Interlocked.Increment(ref lane.Failed);
                    LogDeliveryFailed(_logger, lane.Sink.Name, n.Detector, attempt, ex.GetType().Name, (ex as AlertDeliveryException)?.Status is { } s ? (int)s : 0);
                    return;
                }

                Interlocked.Increment(ref lane.Retries);
            }

            var delay = Backoff.Delay(attempt, _options.InitialBackoff, _options.MaxBackoff, Random.Shared.NextDouble(), BackoffJitter.Proportional);
            if (delay <= TimeSpan.Zero) continue;
            try
            {
                await Task.Delay(delay, _time, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref lane.Abandoned);
                return;
            }
        }
    }

    [LoggerMessage(EventId = 4200, Level = LogLevel.Warning,
        Message = "Alert delivery to {Sink} failed for {Detector} after {Attempts} attempts: {ErrorKind} (HTTP {Status})")]
    private static partial void LogDeliveryFailed(ILogger logger, string sink, string detector, int attempts, string errorKind, int status);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "Draining alert queues: {Pending} notification(s), up to {LimitSeconds} s")]
    private static partial void LogDraining(ILogger logger, long pending, double limitSeconds);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning,
        Message = "Alert drain gave up with {Pending} notification(s) undelivered ({Reason}, limit {LimitSeconds} s)")]
    private static partial void LogDrainAbandoned(ILogger logger, long pending, double limitSeconds, string reason);

    private sealed class Lane(IAlertSink sink)
    {
        public readonly IAlertSink Sink = sink;
        public Channel<AlertNotification> Channel = null!;
        public Task Worker = Task.CompletedTask;
        public long Enqueued;
        public long Delivered;
        public long Retries;
        public long Failed;
        public long Dropped;
        public long Abandoned;
        public long Pending;

        /// <summary>No attempt before this (a receiver's Retry-After). Only the lane's worker reads and writes it.</summary>
        public DateTimeOffset NotBefore;

        public void OnDropped(AlertNotification _)
        {
            Interlocked.Increment(ref Dropped);
            Interlocked.Decrement(ref Pending);
        }

        public SinkStats Snapshot() => new(Sink.Name, Interlocked.Read(ref Enqueued), Interlocked.Read(ref Delivered), Interlocked.Read(ref Retries),
            Interlocked.Read(ref Failed), Interlocked.Read(ref Dropped)) { Abandoned = Interlocked.Read(ref Abandoned) };
    }
}
