using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality;
using Cloudwall.Rx.Quality.Alerts;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Unit.Quality;

/// <summary>Stopping the alert queues is bounded: a sink that never answers costs shutdown at most the drain limit.</summary>
public sealed class AlertDrainTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30); // a hang fails the test instead of the run

    private static AlertNotification Alert(int i) => new(
        $"no_data|venue|aggregator|kraken|||{i}", DetectorNames.NoData, AlertStatus.Firing, AlertSeverity.Critical, AlertLevel.Venue,
        new AlertLabels("aggregator", "kraken", null, null, null), "no data", 0, 0, 5, 5, "s");

    // Attempts never time out on their own here: only the drain's bound or the stop token can end them.
    private static readonly DeliveryOptions Patient = new() { AttemptTimeout = TimeSpan.FromMinutes(5), MaxAttempts = 5 };

    [Fact]
    public async Task The_drain_gives_up_on_a_dead_sink_at_its_limit_in_virtual_time_and_counts_what_it_abandoned()
    {
        var time = new FakeTimeProvider();
        var sink = new HangingSink();
        var d = new AlertDispatcher([sink], Patient, time);
        for (var i = 0; i < 3; i++) d.Notify(Alert(i));
        await sink.Called.Task.WaitAsync(Guard);

        var stop = d.StopAsync(AlertDispatcher.DrainLimit, CancellationToken.None);
        time.Advance(AlertDispatcher.DrainLimit - TimeSpan.FromMilliseconds(1));
        Assert.False(stop.IsCompleted, "the drain ended before its limit");
        time.Advance(TimeSpan.FromMilliseconds(1));
        await stop.WaitAsync(Guard);

        Assert.True(sink.Cancelled, "the send in flight was not cancelled");
        var s = Assert.Single(d.Stats);
        Assert.Equal((3L, 0L, 0L, 0L, 3L), (s.Enqueued, s.Delivered, s.Failed, s.Dropped, s.Abandoned));
        Assert.Equal(TimeSpan.FromSeconds(5), AlertDispatcher.DrainLimit);
        await d.DisposeAsync(); // already stopped: returns at once
    }

    [Fact]
    public async Task The_stop_token_ends_the_drain_before_its_limit()
    {
        var time = new FakeTimeProvider();
        var sink = new HangingSink();
        var d = new AlertDispatcher([sink], Patient, time);
        d.Notify(Alert(1));
        await sink.Called.Task.WaitAsync(Guard);
        using var cts = new CancellationTokenSource();

        var stop = d.StopAsync(AlertDispatcher.DrainLimit, cts.Token);
        Assert.False(stop.IsCompleted);
        await cts.CancelAsync();
        await stop.WaitAsync(Guard); // no virtual time passed

        Assert.Equal(1, Assert.Single(d.Stats).Abandoned);
        await d.DisposeAsync();
    }

    [Fact]
    public async Task A_retry_waiting_out_its_backoff_is_abandoned_too()
    {
        var time = new FakeTimeProvider();
        var sink = new FailingSink();
        var d = new AlertDispatcher([sink], new DeliveryOptions { InitialBackoff = TimeSpan.FromSeconds(10), MaxBackoff = TimeSpan.FromSeconds(30) }, time);
        d.Notify(Alert(1));
        await sink.Called.Task.WaitAsync(Guard); // first attempt failed; now in a 10 s back-off on virtual time

        var stop = d.StopAsync(AlertDispatcher.DrainLimit, CancellationToken.None);
        time.Advance(AlertDispatcher.DrainLimit);
        await stop.WaitAsync(Guard);

        var s = Assert.Single(d.Stats);
        Assert.Equal((0L, 0L, 1L), (s.Delivered, s.Failed, s.Abandoned));
        await d.DisposeAsync();
    }

    [Fact]
    public async Task A_healthy_sink_is_drained_completely()
    {
        var sink = new FailingSink(failures: 0);
        var d = new AlertDispatcher([sink], new DeliveryOptions(), new FakeTimeProvider());
        for (var i = 0; i < 5; i++) d.Notify(Alert(i));

        await d.StopAsync(AlertDispatcher.DrainLimit, CancellationToken.None).WaitAsync(Guard);

        var s = Assert.Single(d.Stats);
        Assert.Equal((5L, 0L), (s.Delivered, s.Abandoned));
        await d.DisposeAsync();
    }

    /// <summary>An endpoint that accepts and never answers.</summary>
    private sealed class HangingSink : IAlertSink
    {
        public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Cancelled { get; private set; }

        public string Name => "webhook";

        public bool Accepts(AlertNotification notification) => true;

        public async Task SendAsync(AlertNotification notification, CancellationToken cancellationToken)
        {
            Called.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Cancelled = true;
                throw;
            }
        }
    }

    private sealed class FailingSink(int failures = int.MaxValue) : IAlertSink
    {
        private int _calls;

        public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "failing";

        public bool Accepts(AlertNotification notification) => true;

        public Task SendAsync(AlertNotification notification, CancellationToken cancellationToken)
        {
            Called.TrySetResult();
            return Interlocked.Increment(ref _calls) <= failures ? Task.FromException(new HttpRequestException("refused")) : Task.CompletedTask;
        }
    }
}
