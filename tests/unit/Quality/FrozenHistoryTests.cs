using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality;
using Cloudwall.Rx.Quality.Alerts;
using Cloudwall.Rx.Quality.Detectors;

namespace Cloudwall.Rx.Tests.Unit.Quality;

/// <summary>
/// The frozen detector's per-series price history, kept compact (a float per window, times implied by the ring): the
/// peers' largest move since a time is what it was with 64-bit times and prices, over windows that never came and across
/// a change of window length.
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
        for (var i = 0; i < prices.Length; i++) s.Push(Start + ((i - 1) * Second), Start + (i * Second), prices[i]);

        Assert.Equal(0.01, s.MaxMoveSince(Start)!.Value, 6);            // from 100: 101 is +1 %
        Assert.Equal(Math.Abs((99 / 101.0) - 1), s.MaxMoveSince(Start + Second)!.Value, 6); // from 101: 99
        Assert.Equal(Math.Abs((99 / 100.5) - 1), s.MaxMoveSince(Start + 1_500_000_000)!.Value, 6); // first at or after 1.5 s is 100.5
        Assert.Equal(0, s.MaxMoveSince(Start + (4 * Second))!.Value);
        Assert.Null(s.MaxMoveSince(Start + (5 * Second)));
    }

    [Fact]
    public void Weeks_of_windows_wrap_the_ring_and_keep_the_answers()
    {
        var s = NewSeries();
        var t = Start;
        // Thirty days of 10 s windows, the ring wrapping all along.
        for (var i = 0; i < 30 * 24 * 360; i++, t += 10 * Second) s.Push(t - (10 * Second), t, 100 + (i % 7));

        var last = t - (10 * Second);
        s.Push(last, t, 120);
        Assert.Equal((120 / (100.0 + (((30 * 24 * 360) - 1) % 7))) - 1, s.MaxMoveSince(last)!.Value, 5);
        Assert.Equal(0, s.MaxMoveSince(t)!.Value);
        Assert.Null(s.MaxMoveSince(t + 1_000_000)); // a millisecond later: nothing
        Assert.Equal(0.2, s.MaxMoveSince(t - (600 * 10 * Second))!.Value, 5); // 600 windows back: from the oldest kept (100) to 120
    }

    [Fact]
    public void Windows_that_never_came_are_skipped_not_filled()
    {
        var s = NewSeries();
        s.Push(Start - Second, Start, 100);
        s.Push(Start + (3 * Second), Start + (4 * Second), 102); // three windows missing
        s.Push(Start + (4 * Second), Start + (5 * Second), 101);

        Assert.Equal(0.02, s.MaxMoveSince(Start)!.Value, 6);
        // The first price at or after 2 s is the window ending at 4 s, not a missing one.
        Assert.Equal(Math.Abs((101 / 102.0) - 1), s.MaxMoveSince(Start + (2 * Second))!.Value, 6);
    }

    [Fact]
    public void A_repeated_window_replaces_its_price_and_an_older_one_is_ignored()
    {
        var s = NewSeries();
        s.Push(Start - Second, Start, 100);
        s.Push(Start, Start + Second, 105);
        s.Push(Start, Start + Second, 101);     // the newest window again: its price is the newer
        s.Push(Start - Second, Start, 50);      // older than the newest: nowhere to put it

        Assert.Equal(0.01, s.MaxMoveSince(Start)!.Value, 6);
    }

    [Fact]
    public void A_new_window_length_or_a_gap_longer_than_the_ring_starts_afresh()
    {
        var s = NewSeries();
        s.Push(Start - Second, Start, 100);
        s.Push(Start, Start + Second, 110);
        s.Push(Start + Second, Start + (3 * Second), 111); // 2 s windows from here: the 1 s history is gone

        Assert.Equal(0, s.MaxMoveSince(Start)!.Value);
        s.Push(Start + (3 * Second), Start + (5 * Second), 122.1);
        Assert.Equal(0.1, s.MaxMoveSince(Start)!.Value, 5);

        s.Push(Start + (2000 * Second), Start + (2002 * Second), 50); // more than 600 windows later
        Assert.Equal(0, s.MaxMoveSince(Start)!.Value);
    }
}
