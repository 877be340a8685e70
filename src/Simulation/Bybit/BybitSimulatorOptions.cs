using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Ingestion.Venues.Bybit;
using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Market;

namespace Cloudwall.Rx.Simulation.Bybit;

/// <summary>Settings of a <see cref="BybitSimulator"/>. Validated by <see cref="BybitSimulator.StartAsync"/>.</summary>
public sealed class BybitSimulatorOptions : ICheckedOptions
{
    public const string SectionName = "Simulation:Bybit";

    /// <summary>The endpoint's market (<c>/v5/public/spot</c>, <c>/linear</c>, <c>/inverse</c>).</summary>
    public BybitCategory Category { get; set; } = BybitCategory.Linear;

    /// <summary>Port, path and per-connection queue. The path <c>/</c> (the default) becomes <c>/v5/public/{category}</c>.</summary>
    public WebSocketVenueServerOptions Server { get; set; } = new();

    /// <summary>Synthetic instruments. When empty, the category's defaults (<see cref="DefaultInstruments"/>) are used.</summary>
    public List<BybitSyntheticInstrument> Instruments { get; set; } = [];

    public int Seed { get; set; } = 91;

    /// <summary>The shared market to read; null creates a private one seeded with <see cref="Seed"/>.</summary>
    public SyntheticMarket? Market { get; set; }

    public double VenueBasisFraction { get; set; } = 0.00025;

    public double VenueNoiseFraction { get; set; } = 0.00005;

    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary><c>tickers</c> period (Bybit: 100 ms for derivatives, 50 ms for spot).</summary>
    public TimeSpan TickerInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often a ticker delta carries a new <c>fundingRate</c> (derivatives).</summary>
    public TimeSpan FundingInterval { get; set; } = TimeSpan.FromSeconds(1);

    public static IReadOnlyList<BybitSyntheticInstrument> DefaultInstruments(BybitCategory category) => category switch
    {
        BybitCategory.Inverse =>
        [
            new() { Symbol = "BTCUSD", StartPrice = 65_000m, TickSize = 0.5m, TradesPerSecond = 15, MeanTradeSize = 100m },
        ],
        BybitCategory.Spot =>
        [
            new() { Symbol = "BTCUSDT", StartPrice = 65_000m, TickSize = 0.01m, TradesPerSecond = 20, MeanTradeSize = 0.02m },
            new() { Symbol = "ETHUSDT", StartPrice = 3_200m, TickSize = 0.01m, TradesPerSecond = 15, MeanTradeSize = 0.3m },
        ],
        _ =>
        [
            new() { Symbol = "BTCUSDT", StartPrice = 65_000m, TickSize = 0.1m, TradesPerSecond = 30, MeanTradeSize = 0.05m },
            new() { Symbol = "ETHUSDT", StartPrice = 3_200m, TickSize = 0.01m, TradesPerSecond = 20, MeanTradeSize = 0.5m },
        ],
    };

    internal IReadOnlyList<BybitSyntheticInstrument> EffectiveInstruments => Instruments.Count == 0 ? DefaultInstruments(Category) : Instruments;

    internal string EffectivePath => Server.Path == "/" ? "/v5/public/" + Category.ToString().ToLowerInvariant() : Server.Path;

    public IEnumerable<string> Errors()
    {
        const string p = SectionName;
        var errors = new List<string>(Server.Errors(p + ":" + nameof(Server)));
        if (!Enum.IsDefined(Category)) errors.Add($"{p}:{nameof(Category)} must be Spot, Linear or Inverse (was {Category})");
        errors.AddRange(OptionChecks.Positive($"{p}:{nameof(TickInterval)}", TickInterval));
        errors.AddRange(OptionChecks.Positive($"{p}:{nameof(TickerInterval)}", TickerInterval));
        errors.AddRange(OptionChecks.Positive($"{p}:{nameof(FundingInterval)}", FundingInterval));
        errors.AddRange(OptionChecks.VenueSpread(p, VenueBasisFraction, VenueNoiseFraction));
        errors.AddRange(OptionChecks.EachOnce($"{p}:{nameof(Instruments)}", EffectiveInstruments, static x => x.Symbol, "symbol", static (x, key) => x.Errors(key)));
        return errors;
    }
}

/// <summary>One synthetic Bybit symbol (<c>BTCUSDT</c>, <c>BTCUSD</c>).</summary>
public sealed class BybitSyntheticInstrument : SyntheticInstrumentOptions
{
    public string Symbol { get; set; } = "";

    /// <summary>The shared walk it follows; defaults to <c>BASE-USD</c> (<c>BTCUSDT</c> follows <c>BTC-USD</c>).</summary>
    public string? BaseInstrument { get; set; }

    public decimal MeanFundingRate { get; set; } = 0.0001m;

    internal string Walk
    {
        get
        {
            if (BaseInstrument is not null)
            {
                return BaseInstrument;
            }

            foreach (var q in (ReadOnlySpan<string>)["USDT", "USDC", "USD"])
            {
                if (Symbol.Length > q.Length && Symbol.EndsWith(q, StringComparison.Ordinal))
                {
                    return Symbol[..^q.Length] + "-USD";
                }
            }

            return Symbol;
        }
    }

    internal IEnumerable<string> Errors(string key)
    {
        if (string.IsNullOrWhiteSpace(Symbol)) yield return $"{key}:{nameof(Symbol)} is required";
        foreach (var e in TradingErrors(key)) yield return e;
    }
}
