using System.Collections.Concurrent;
using Cloudwall.Rx.Ingestion.Transport;
using Cloudwall.Rx.Ingestion.Venues.Binance;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Unit.Ingestion;

/// <summary>
/// Outgoing control frames stay within a venue's messages-per-second limit, in order, under virtual time. The pacer's loop
/// runs on the thread pool, so the tests step the fake clock and wait (with a real deadline) for the sends it allows.
/// </summary>
public sealed class OutboundPacerTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-26T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly ConcurrentQueue<(string Frame, DateTimeOffset At)> _sent = new();

    private OutboundPacer Pacer(int rate, Func<string, Task>? send = null) => new(rate, send ?? Record, _time);

    private static string[] Frames(int n, string prefix = "f") => [.. Enumerable.Range(0, n).Select(i => $"{prefix}{i}")];

    /// <summary>Steps virtual time until <paramref name="count"/> frames went out; returns the virtual time it took.</summary>
    private async Task<TimeSpan> RunUntilSentAsync(int count, TimeSpan virtualCap)
    {
        var start = _time.GetUtcNow();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (_sent.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {_sent.Count} of {count} frames were sent");
            if (_time.GetUtcNow() - start < virtualCap)
            {
                _time.Advance(Step);
            }

            await Task.Delay(1);
        }

        return _time.GetUtcNow() - start;
    }

    private void AssertNoWindowHoldsMoreThan(int rate)
    {
        var sent = _sent.ToArray();
        for (var i = rate; i < sent.Length; i++)
        {
            Assert.True(sent[i].At - sent[i - rate].At >= OutboundPacer.Window, $"frame {i} breaks the rate");
        }
    }

    [Fact]
    public async Task A_burst_goes_out_at_the_venue_rate_in_order()
    {
        using var pacer = Pacer(5);
        pacer.Send(Frames(12));

        var first = await RunUntilSentAsync(5, TimeSpan.Zero); // the first window's budget without the clock moving
        Assert.Equal(TimeSpan.Zero, first);
        var all = await RunUntilSentAsync(12, TimeSpan.FromSeconds(10));

        Assert.Equal(Frames(12), _sent.Select(s => s.Frame));
        AssertNoWindowHoldsMoreThan(5);
        Assert.True(all >= 2 * OutboundPacer.Window && all < 3 * OutboundPacer.Window, $"took {all}"); // two waits, not three
        Assert.Equal(0, pacer.Queued);
        Assert.Equal(12, pacer.Sent);
    }

    [Fact]
    public async Task Frames_spread_over_time_use_a_sliding_window()
    {
        using var pacer = Pacer(5);
        pacer.Send(Frames(3, "a"));
        await RunUntilSentAsync(3, TimeSpan.Zero);
        _time.Advance(TimeSpan.FromMilliseconds(600));
        pacer.Send(Frames(4, "b")); // two fit in this window, two wait until the a-frames are a window old

        await RunUntilSentAsync(5, TimeSpan.Zero);
        await RunUntilSentAsync(7, TimeSpan.FromSeconds(5));

        Assert.Equal(["a0", "a1", "a2", "b0", "b1", "b2", "b3"], _sent.Select(s => s.Frame));
        var sent = _sent.ToArray();
        Assert.True(sent[5].At - sent[0].At >= OutboundPacer.Window);
        Assert.True(sent[5].At - sent[0].At < 2 * OutboundPacer.Window); // waited for the a-frames, not for the b-frames
    }

    [Fact]
    public async Task Clear_drops_what_waits_for_the_old_socket()
    {
        using var pacer = Pacer(5);
        pacer.Send(Frames(8));
        await RunUntilSentAsync(5, TimeSpan.Zero);
        pacer.Clear();
        pacer.Send(Frames(1, "after"));

        await RunUntilSentAsync(6, TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(5));
        await Task.Delay(20);

        Assert.Equal([.. Frames(5), "after0"], _sent.Select(s => s.Frame));
    }

    [Fact]
    public async Task The_budget_counts_from_when_a_send_completes_not_when_it_was_queued()
    {
        // The first send takes 800 ms (a busy socket): the sixth frame must wait a window from its completion.
        var slow = new TaskCompletionSource();
        var calls = 0;
        using var pacer = Pacer(5, async f =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                await slow.Task;
            }

            _sent.Enqueue((f, _time.GetUtcNow()));
        });
        pacer.Send(Frames(6));
        await Task.Delay(20);
        _time.Advance(TimeSpan.FromMilliseconds(800));
        slow.SetResult();

        await RunUntilSentAsync(6, TimeSpan.FromSeconds(5));

        var sent = _sent.ToArray();
        Assert.True(sent[5].At - sent[0].At >= OutboundPacer.Window, $"{sent[5].At - sent[0].At}");
    }

    [Fact]
    public void A_change_past_the_queue_bound_is_refused_whole()
    {
        using var pacer = Pacer(5, _ => new TaskCompletionSource().Task); // sends never complete: everything queues
        pacer.Send(Frames(1));
        var error = Assert.Throws<InvalidOperationException>(() => pacer.Send(Frames(OutboundPacer.MaxQueuedFrames + 1)));

        Assert.Contains("DropWrite", error.Message, StringComparison.Ordinal);
        Assert.True(pacer.Queued <= 1);
    }

    [Fact]
    public async Task A_failed_send_is_counted_and_dropped_and_the_rest_still_go()
    {
        using var pacer = Pacer(5, f => f == "f1" ? Task.FromException(new InvalidOperationException("closed")) : Record(f));
        pacer.Send(Frames(3));

        await RunUntilSentAsync(2, TimeSpan.Zero);

        Assert.Equal(["f0", "f2"], _sent.Select(s => s.Frame));
        Assert.Equal(1, pacer.Failed);
    }

    [Theory]
    [InlineData(BinanceMarket.Spot, 5)]
    [InlineData(BinanceMarket.UsdM, 10)]
    [InlineData(BinanceMarket.CoinM, 10)]
    public void Binance_declares_its_documented_message_rate(BinanceMarket market, int rate)
    {
        Assert.Equal(rate, new BinanceProtocol(market).MaxMessagesPerSecond);
    }

    private Task Record(string f)
    {
        _sent.Enqueue((f, _time.GetUtcNow()));
        return Task.CompletedTask;
    }
}
