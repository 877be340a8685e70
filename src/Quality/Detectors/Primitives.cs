namespace Cloudwall.Rx.Quality.Detectors;

/// <summary>An exponentially weighted moving average. A mutable struct: keep it in a field, never copy it.</summary>
public struct Ewma
{
    public double Value { get; private set; }

    public bool HasValue { get; private set; }

    public long Samples { get; private set; }

    public void Update(double sample, double alpha)
    {
        Value = HasValue ? Value + alpha * (sample - Value) : sample;
        HasValue = true;
        Samples++;
    }
}

/// <summary>
/// The adaptive no-data threshold: Multiplier × learned interval, clamped to [floor, ceiling]; the ceiling until learned
/// from at least <see cref="MinSamples"/> samples (one burst on subscribe teaches nothing about a series' rhythm).
/// </summary>
public static class AdaptiveThreshold
{
    public const int MinSamples = 3;

    public static long Compute(in Ewma intervalSeconds, double multiplier, long floorNs, long ceilingNs)
    {
        if (!intervalSeconds.HasValue || intervalSeconds.Samples < MinSamples || double.IsNaN(intervalSeconds.Value)) return ceilingNs;
        var ns = intervalSeconds.Value * multiplier * 1e9;
        if (!(ns > floorNs)) return floorNs; // also catches NaN
        return ns >= ceilingNs ? ceilingNs : (long)ns;
    }
}

/// <summary>
/// "Held for a duration" with hysteresis: becomes active once the condition has been true for <c>forNs</c>,
/// and inactive once it has been false for <c>clearNs</c>. Observations are explicit timestamps (virtual time).
/// </summary>
public struct SustainedCondition
{
    private long _trueSinceNs;
    private long _falseSinceNs;

    public bool Active { get; private set; }

    /// <summary>When the current true run began (valid while true or active).</summary>
    public long SinceNs => _trueSinceNs;

    public bool IsTrue { get; private set; }

    /// <summary>Feeds one observation. Returns <see cref="Active"/>.</summary>
    public bool Observe(bool condition, long nowNs, long forNs, long clearNs)
    {
        if (condition)
        {
            if (!IsTrue) _trueSinceNs = nowNs;
            IsTrue = true;
            if (!Active && nowNs - _trueSinceNs >= forNs) Active = true;
        }
        else
        {
            if (IsTrue || _falseSinceNs == 0) _falseSinceNs = nowNs;
            IsTrue = false;
            if (Active && nowNs - _falseSinceNs >= clearNs) Active = false;
        }

        return Active;
    }
}

/// <summary>Median and MAD over a scratch buffer (sorted in place).</summary>
public static class RobustStats
{
    /// <summary>Consistency constant: MAD × 1.4826 estimates σ for normal data, i.e. z = 0.6745 (x − median) / MAD.</summary>
    public const double MadToSigma = 1.4826;

    public static double Median(Span<double> values)
    {
        if (values.Length == 0) return double.NaN;
        values.Sort();
        var mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    /// <summary>Median and median absolute deviation of <paramref name="values"/>; the span is overwritten.</summary>
    public static (double Median, double Mad) MedianMad(Span<double> values)
    {
        var median = Median(values);
        for (var i = 0; i < values.Length; i++) values[i] = Math.Abs(values[i] - median);
        return (median, Median(values));
    }
}
