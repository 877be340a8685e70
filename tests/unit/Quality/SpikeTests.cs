using Cloudwall.Rx.Quality.Detectors;

namespace Cloudwall.Rx.Tests.Unit.Quality;

public sealed class SpikeTests
{
    private const int Window = 64;
    private const int MinPoints = 32;

    /// <summary>Streams the series through the scorer (each point judged on arrival, as the detector does).</summary>
    private static List<int> Flagged(double[] series, double minDeviation, bool relative)
    {
        var scorer = new SpikeScorer();
        var flagged = new List<int>();
        for (var i = MinPoints - 1; i < series.Length; i++)
        {
            var from = Math.Max(0, i - Window + 1);
            if (scorer.Score(series.AsSpan(from, i - from + 1), 3, 6, minDeviation, relative).IsSpike) flagged.Add(i);
        }

        return flagged;
    }

    private static double[] RatioSeries(int n, int seed)
    {
        var r = new Random(seed);
        var s = new double[n];
        for (var i = 0; i < n; i++) s[i] = 1 + (r.NextDouble() - 0.5) * 4e-4;
        return s;
    }

    [Fact]
    public void Known_spikes_in_a_price_ratio_are_flagged_at_their_index()
    {
        var s = RatioSeries(300, 7);
        s[100] *= 1.03;
        s[180] *= 0.95;
        s[250] *= 1.01;
        Assert.Equal([100, 180, 250], Flagged(s, 0.005, relative: false));
    }

    [Fact]
    public void Known_spikes_in_an_update_rate_are_flagged_at_their_index()
    {
        var r = new Random(11);
        var s = new double[300];
        for (var i = 0; i < s.Length; i++) s[i] = 20 + r.Next(-2, 3);
        s[90] = 80;
        s[200] = 2;
        Assert.Equal([90, 200], Flagged(s, 0.5, relative: true));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_clean_random_walk_stays_quiet(int seed)
    {
        var r = new Random(seed);
        var s = new double[2000];
        s[0] = 1;
        for (var i = 1; i < s.Length; i++) s[i] = s[i - 1] * (1 + (r.NextDouble() - 0.5) * 1e-3);
        Assert.Empty(Flagged(s, 0.005, relative: false));
    }

    [Fact]
    public void Spectral_residual_scores_the_spike_highest_even_at_the_series_end()
    {
        var s = RatioSeries(64, 3);
        s[63] = 1.05;
        var scores = new double[64];
        new SpectralResidual().Score(s, scores);
        Assert.Equal(63, Array.IndexOf(scores, scores.Max()));
        Assert.True(scores[63] > 3, $"score {scores[63]}");
    }

    [Fact]
    public void Average_filter_and_extrapolation_follow_ml_net()
    {
        var result = new double[5];
        SpectralResidual.AverageFilter([1, 2, 3, 4, 5], result, 3);
        Assert.Equal([1, 1.5, 2, 3, 4], result);
        // A straight line extrapolates along itself: from 1..6 the mean gradient to the last point is 1, so next = 2 + 5 = 7.
        Assert.Equal(7, SpectralResidual.PredictNext([1, 2, 3, 4, 5, 6]), 9);
    }

    [Fact]
    public void Median_and_mad()
    {
        double[] v = [1, 2, 3, 4, 100];
        var (median, mad) = RobustStats.MedianMad(v);
        Assert.Equal(3, median);
        Assert.Equal(1, mad);
    }
}
