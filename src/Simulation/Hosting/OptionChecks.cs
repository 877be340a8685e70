using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Simulation.Hosting;

/// <summary>
/// The checks every simulator's options share, each throwing an <see cref="ArgumentException"/> that names the bad key
/// (<c>Simulation:Kraken:Pairs:0:TradesPerSecond</c>), so start-up and <see cref="IValidateOptions{TOptions}"/> report alike.
/// </summary>
internal static class OptionChecks
{
    public static void Positive(string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(key, value, "Must be positive.");
        }
    }

    /// <summary>A venue's basis and noise against the shared market (<c>VenueBasisFraction</c>, <c>VenueNoiseFraction</c>).</summary>
    public static void VenueSpread(string section, double basisFraction, double noiseFraction)
    {
        if (basisFraction < 0 || noiseFraction < 0)
        {
            throw new ArgumentOutOfRangeException($"{section}:VenueNoiseFraction", "Venue basis and noise must not be negative.");
        }
    }

    /// <summary>An instrument's <c>StartPrice</c>, <c>TickSize</c> and <c>MeanTradeSize</c>.</summary>
    public static void PricesAndSizes(string key, decimal startPrice, decimal tickSize, decimal meanTradeSize)
    {
        if (startPrice <= 0 || tickSize <= 0 || meanTradeSize <= 0)
        {
            throw new ArgumentOutOfRangeException(key, $"{key}: StartPrice, TickSize and MeanTradeSize must be positive.");
        }
    }

    /// <summary>An instrument's <c>TradesPerSecond</c>.</summary>
    public static void TradeRate(string key, double tradesPerSecond)
    {
        if (!(tradesPerSecond >= 0) || double.IsInfinity(tradesPerSecond))
        {
            throw new ArgumentOutOfRangeException($"{key}:TradesPerSecond", tradesPerSecond, "Must be zero or a positive finite rate.");
        }
    }

    /// <summary>An instrument's <c>VolatilityPerSqrtSecond</c> and <c>SpreadTicks</c>.</summary>
    public static void WalkAndSpread(string key, double volatilityPerSqrtSecond, int spreadTicks)
    {
        if (volatilityPerSqrtSecond < 0 || spreadTicks < 1)
        {
            throw new ArgumentOutOfRangeException(key, $"{key}: VolatilityPerSqrtSecond must not be negative and SpreadTicks must be at least 1.");
        }
    }

    /// <summary>Validates each item of a configured list as <c>{listKey}:{index}</c> and rejects an id that appears twice.</summary>
    /// <param name="noun">What an item is called in the error (<c>pair</c>, <c>instrument</c>).</param>
    public static void EachOnce<T>(string listKey, IReadOnlyList<T> items, Func<T, string> id, string noun, Action<T, string> validate)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var key = $"{listKey}:{i}";
            validate(items[i], key);
            if (!seen.Add(id(items[i])))
            {
                throw new ArgumentException($"{key}: {noun} '{id(items[i])}' appears twice.");
            }
        }
    }
}

/// <summary>Validates bound simulator options on start with the same checks and key names as the simulator's <c>StartAsync</c>.</summary>
public abstract class SimulatorOptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : class
{
    private readonly Action<TOptions> _validate;

    private protected SimulatorOptionsValidator(Action<TOptions> validate) => _validate = validate;

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        try
        {
            _validate(options);
            return ValidateOptionsResult.Success;
        }
        catch (Exception ex) when (ex is ArgumentException or FileNotFoundException)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
