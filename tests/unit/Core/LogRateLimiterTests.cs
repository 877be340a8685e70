using Cloudwall.Rx.Core;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Unit.Core;

public sealed class LogRateLimiterTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void One_line_per_key_per_interval_and_the_next_line_carries_the_count()
    {
        var limit = new LogRateLimiter(2, _time, TimeSpan.FromSeconds(5));
        Assert.True(limit.TryAcquire(0, out var suppressed));
        Assert.Equal(0, suppressed);
        Assert.False(limit.TryAcquire(0, out _));
        Assert.False(limit.TryAcquire(0, out _));
        Assert.True(limit.TryAcquire(1, out _)); // another key has its own interval

        _time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        Assert.False(limit.TryAcquire(0, out _));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.True(limit.TryAcquire(0, out suppressed));
        Assert.Equal(3, suppressed);
    }

    [Fact]
    public void Concurrent_callers_lose_no_occurrence()
    {
        var limit = new LogRateLimiter(1, _time);
        long logged = 0;
        Parallel.For(0, 10_000, _ =>
        {
            if (limit.TryAcquire(0, out _))
            {
                Interlocked.Increment(ref logged);
            }
        });

        _time.Advance(LogRateLimiter.DefaultInterval);
        Assert.True(limit.TryAcquire(0, out var suppressed));
        Assert.Equal(1, logged);
        Assert.Equal(9_999, suppressed);
    }
}
