using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality;
using Cloudwall.Rx.Quality.Alerts;
using Cloudwall.Rx.Quality.Detectors;

namespace Cloudwall.Rx.Tests.Unit.Quality;

/// <summary>
/// The update-rate detector's per-series history keeps one window length while all windows share it, and a length per
/// window once they do not: the trailing counts and spans, and the capacity, are the same either way.
/// </summary>
public sealed class UpdateRateHistoryTests
{
    private static UpdateRateDetector.Series NewSeries()
    {
        var key = new SeriesKey(ProviderId.Kraken, VenueId.Kraken, new InstrumentId(1), DataClass.Trade, MarketType.Spot);
        return new UpdateRateDetector.Series(new AlertKey(DetectorNames.UpdateRate, AlertScope.ForSeries(key)),
            SeriesSettings.Resolve(new QualityOptions(), MarketType.Spot, null));
    }

    [Fact]
    public void Uniform_windows_keep_one_length_and_the_ring_wraps()
    {
        var s = NewSeries();
        for (var i = 1; i <= 130; i++) s.Add(i, 1.0);

        Assert.False(s.KeepsLengths);
        Assert.Equal(120, s.CapacitySeconds, 6);
        Assert.Equal((126L + 127 + 128 + 129 + 130, 5.0), s.Trailing(5));
        Assert.Equal(((130L * 131 / 2) - (10L * 11 / 2), 120.0), s.Trailing(1_000)); // all kept: windows 11..130
    }

    [Fact]
    public void A_window_of_another_length_keeps_lengths_from_then_on_with_the_same_answers()
    {
        var s = NewSeries();
        s.Add(10, 1.0);
        s.Add(20, 1.0);
        s.Add(30, 1.0);
        s.Add(40, 2.0);
        s.Add(50, 0.5);

        Assert.True(s.KeepsLengths);
        Assert.Equal(5.5, s.CapacitySeconds, 6);
        Assert.Equal((90L, 2.5), s.Trailing(2.5));     // 0.5 s then 2 s
        Assert.Equal((120L, 3.5), s.Trailing(3));      // and a 1 s window
        Assert.Equal((150L, 5.5), s.Trailing(100));

        for (var i = 0; i < 120; i++) s.Add(1, 0.5);   // the old lengths leave the ring
        Assert.Equal(60, s.CapacitySeconds, 6);
        Assert.Equal((4L, 2.0), s.Trailing(2));
    }

    [Fact]
    public void Reset_forgets_counts_and_lengths()
    {
        var s = NewSeries();
        s.Add(5, 1.0);
        s.Add(5, 2.0);
        s.Reset();

        Assert.False(s.KeepsLengths);
        Assert.Equal(0, s.CapacitySeconds);
        Assert.Equal((0L, 0.0), s.Trailing(10));
        s.Add(7, 2.0);
        Assert.Equal((7L, 2.0), s.Trailing(10));
        Assert.False(s.KeepsLengths);
    }
}
