namespace Cloudwall.Rx.Simulation.Hosting;

/// <summary>
/// The rules every simulator's options share, each error naming the bad key (<c>Simulation:Kraken:Pairs:0:TradesPerSecond</c>),
/// for the options' <see cref="Core.Configuration.ICheckedOptions.Errors"/>.
/// </summary>
internal static class OptionChecks
{
    public static IEnumerable<string> Positive(string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero) yield return $"{key} must be positive (was {value})";
    }

    /// <summary>A venue's basis and noise against the shared market (<c>VenueBasisFraction</c>, <c>VenueNoiseFraction</c>).</summary>
    public static IEnumerable<string> VenueSpread(string section, double basisFraction, double noiseFraction)
    {
        if (basisFraction < 0 || noiseFraction < 0) yield return $"{section}:VenueNoiseFraction: venue basis and noise must not be negative";
    }

    /// <summary>An instrument's <c>StartPrice</c>, <c>TickSize</c> and <c>MeanTradeSize</c>.</summary>
    public static IEnumerable<string> PricesAndSizes(string key, decimal startPrice, decimal tickSize, decimal meanTradeSize)
    {
        if (startPrice <= 0 || tickSize <= 0 || meanTradeSize <= 0) yield return $"{key}: StartPrice, TickSize and MeanTradeSize must be positive";
    }

    /// <summary>An instrument's <c>TradesPerSecond</c>.</summary>
    public static IEnumerable<string> TradeRate(string key, double tradesPerSecond)
    {
        if (!(tradesPerSecond >= 0) || double.IsInfinity(tradesPerSecond))
            yield return $"{key}:TradesPerSecond must be zero or a positive finite rate (was {tradesPerSecond})";
    }

    /// <summary>An instrument's <c>VolatilityPerSqrtSecond</c> and <c>SpreadTicks</c>.</summary>
    public static IEnumerable<string> WalkAndSpread(string key, double volatilityPerSqrtSecond, int spreadTicks)
    {
        if (volatilityPerSqrtSecond < 0 || spreadTicks < 1)
            yield return $"{key}: VolatilityPerSqrtSecond must not be negative and SpreadTicks must be at least 1";
    }

    /// <summary>Checks each item of a configured list as <c>{listKey}:{index}</c> and refuses an id that appears twice.</summary>
    /// <param name="noun">What an item is called in the error (<c>pair</c>, <c>instrument</c>).</param>
    public static IEnumerable<string> EachOnce<T>(string listKey, IReadOnlyList<T> items, Func<T, string> id, string noun, Func<T, string, IEnumerable<string>> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var key = $"{listKey}:{i}";
            foreach (var e in errors(items[i], key)) yield return e;
            if (!seen.Add(id(items[i]))) yield return $"{key}: {noun} '{id(items[i])}' appears twice";
        }
    }
}
