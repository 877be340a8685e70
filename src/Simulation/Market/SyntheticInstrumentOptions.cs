using Cloudwall.Rx.Simulation.Hosting;

namespace Cloudwall.Rx.Simulation.Market;

/// <summary>How a synthetic instrument trades, the same on every venue: its start price, tick, trade rate and size, walk and spread.</summary>
public abstract class SyntheticInstrumentOptions
{
    private protected SyntheticInstrumentOptions()
    {
    }

    public decimal StartPrice { get; set; } = 100m;

    /// <summary>Price increment; prices are printed with its number of decimals.</summary>
    public decimal TickSize { get; set; } = 0.01m;

    /// <summary>Average trade rate; trades due in a step go out in that step.</summary>
    public double TradesPerSecond { get; set; } = 10;

    /// <summary>Mean of the exponential trade size (sizes print with 8 decimals).</summary>
    public decimal MeanTradeSize { get; set; } = 0.01m;

    /// <summary>Standard deviation of the log-price over one second.</summary>
    public double VolatilityPerSqrtSecond { get; set; } = 0.0005;

    /// <summary>Quoted spread in ticks.</summary>
    public int SpreadTicks { get; set; } = 1;

    /// <summary>Prices and sizes positive, the rate finite and not negative, the walk not negative, the spread at least a tick.</summary>
    private protected IEnumerable<string> TradingErrors(string key) =>
        OptionChecks.PricesAndSizes(key, StartPrice, TickSize, MeanTradeSize)
            .Concat(OptionChecks.TradeRate(key, TradesPerSecond))
            .Concat(OptionChecks.WalkAndSpread(key, VolatilityPerSqrtSecond, SpreadTicks));
}
