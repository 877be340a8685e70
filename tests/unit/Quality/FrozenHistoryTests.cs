using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality;
using Cloudwall.Rx.Quality.Alerts;
using Cloudwall.Rx.Quality.Detectors;

namespace Cloudwall.Rx.Tests.Unit.Quality;

/// <summary>
/// The frozen detector's per-series price history, kept compact (millisecond offsets from a base, float prices): the
/// peers' largest move since a time is what it was with 64-bit times and prices, across a rebase.
/// </summary>
public sealed class FrozenHistoryTests
{
    private const long Second = 1_000_000_000;
    private static readonly long Start = new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000;

    private static FrozenDetector.Series NewSeries()
    {
        var key = new SeriesKey(ProviderId.Kraken, VenueId.Kraken, new InstrumentId(1), DataClass.Trade, MarketType.Spot);
        return new FrozenDetector.Series(key, new AlertKey(DetectorNames.Frozen, AlertScope.ForSeries(key)));
    }

    [Fact]
    public void The_largest_move_counts_from_the_first_price_at_or_after_the_time()
    {
        var s = NewSeries();
        Assert.Null(s.MaxMoveSince(Start));
        double[] prices = [100, 101, 100.5, 99, 100.2];
        for (var i = 0; i < prices.Length; i++) s.Push(Start + (i * Second), prices[i]);

        Assert.Equal(0.01, s.MaxMoveSince(Start)!.Value, 6);            // from 100: 101 is +1 %
        Assert.Equal(Math.Abs((99 / 101.0) - 1), s.MaxMoveSince(Start + Second)!.Value, 6); // from 101: 99
        Assert.Equal(Math.Abs((99 / 100.5) - 1), s.MaxMoveSince(Start + 1_500_000_000)!.Value, 6); // first at or after 1.5 s is 100.5
        Assert.Equal(0, s.MaxMoveSince(Start + (4 * Second))!.Value);
        Assert.Null(s.MaxMoveSince(Start + (5 * Second)));
    }

    [Fact]
    public void Weeks_of_windows_rebase_the_offsets_and_keep_the_answers()
    {
        var s = NewSeries();
        var t = Start;
        // Thirty days of 10 s windows: past the int's range of milliseconds twice over, the ring wrapping all along.
        for (var i = 0; i < 30 * 24 * 360; i++, t += 10 * Second) s.Push(t, 100 + (i % 7));

        var last = t - (10 * Second);
        s.Push(t, 120);
        Assert.Equal((120 / (100.0 + (((30 * 24 * 360) - 1) % 7))) - 1, s.MaxMoveSince(last)!.Value, 5);
        Assert.Equal(0, s.MaxMoveSince(t)!.Value);
        Assert.Null(s.MaxMoveSince(t + 1_000_000)); // a millisecond later: nothing (the granularity kept)
    }
}
