namespace Cloudwall.Rx.Simulation.Market;

/// <summary>
/// The one synthetic market all venue simulators share: a geometric random walk per base instrument (for example
/// <c>BTC-USD</c>), advanced lazily to the time asked for. Venues read it through a <see cref="SyntheticVenueView"/>
/// that adds their own basis and noise, so the venues disagree a little, as real ones do, around a common fair price.
/// Seeded, so a run with the same seed and the same sequence of calls is reproducible. Thread-safe.
/// </summary>
/// <remarks>
/// The walk is a model, not money: it runs in <see cref="double"/> log-price space. Venues round the mid to their tick
/// size as an exact <see cref="decimal"/> before anything reaches the wire.
/// </remarks>
public sealed class SyntheticMarket
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Walk> _walks = new(StringComparer.Ordinal);
    private readonly Random _random;

    public SyntheticMarket(int seed = 1) => _random = new Random(seed);

    /// <summary>Adds an instrument; a second call for the same instrument keeps the first walk.</summary>
    /// <param name="volatilityPerSqrtSecond">Standard deviation of the log-price over one second (0.0005 is about 0.05 %).</param>
    public void AddInstrument(string instrument, decimal startPrice, double volatilityPerSqrtSecond, DateTimeOffset start)
    {
        ArgumentException.ThrowIfNullOrEmpty(instrument);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(startPrice);
        ArgumentOutOfRangeException.ThrowIfNegative(volatilityPerSqrtSecond);
        lock (_gate)
        {
            _walks.TryAdd(instrument, new Walk(Math.Log((double)startPrice), volatilityPerSqrtSecond, start));
        }
    }

    public bool Contains(string instrument)
    {
        lock (_gate)
        {
            return _walks.ContainsKey(instrument);
        }
    }

    /// <summary>The mid at <paramref name="at"/>; the walk only moves forward (an earlier time returns the current mid).</summary>
    public double Mid(string instrument, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (!_walks.TryGetValue(instrument, out var walk))
            {
                throw new KeyNotFoundException($"Synthetic instrument '{instrument}' was never added.");
            }

            var dt = (at - walk.Time).TotalSeconds;
            if (dt > 0)
            {
                // One Gaussian step for the whole interval is exact for Brownian motion, so tick size does not change the law.
                walk.LogPrice += walk.Volatility * Math.Sqrt(dt) * Gaussian(_random) - 0.5 * walk.Volatility * walk.Volatility * dt;
                walk.Time = at;
            }

            return Math.Exp(walk.LogPrice);
        }
    }

    /// <summary>A venue's view: a fixed basis drawn once (standard deviation <paramref name="basisFraction"/>) plus per-read noise.</summary>
    public SyntheticVenueView ForVenue(string venue, double basisFraction, double noiseFraction, int seed) =>
        new(this, venue, basisFraction, noiseFraction, seed);

    internal static double Gaussian(Random random)
    {
        // Box-Muller; 1 - NextDouble() keeps the logarithm away from zero.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private sealed class Walk(double logPrice, double volatility, DateTimeOffset time)
    {
        public double LogPrice = logPrice;
        public readonly double Volatility = volatility;
        public DateTimeOffset Time = time;
    }
}

/// <summary>One venue's reading of a <see cref="SyntheticMarket"/>. Not thread-safe: one per venue feed loop.</summary>
public sealed class SyntheticVenueView
{
    private readonly SyntheticMarket _market;
    private readonly Random _random;
    private readonly double _basis;
    private readonly double _noise;

    internal SyntheticVenueView(SyntheticMarket market, string venue, double basisFraction, double noiseFraction, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(basisFraction);
        ArgumentOutOfRangeException.ThrowIfNegative(noiseFraction);
        _market = market;
        Venue = venue;
        _random = new Random(seed);
        _basis = basisFraction * SyntheticMarket.Gaussian(_random);
        _noise = noiseFraction;
    }

    public string Venue { get; }

    public SyntheticMarket Market => _market;

    /// <summary>This venue's mid for the instrument at <paramref name="at"/>.</summary>
    public double Mid(string instrument, DateTimeOffset at) =>
        _market.Mid(instrument, at) * (1.0 + _basis + _noise * SyntheticMarket.Gaussian(_random));

    /// <summary>The venue's own random source, for sides and sizes.</summary>
    public Random Random => _random;
}
