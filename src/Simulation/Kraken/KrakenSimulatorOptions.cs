using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Market;

namespace Cloudwall.Rx.Simulation.Kraken;

/// <summary>Settings of a <see cref="KrakenSimulator"/>. Validated by <see cref="KrakenSimulator.StartAsync"/>.</summary>
public sealed class KrakenSimulatorOptions : ICheckedOptions
{
    public const string SectionName = "Simulation:Kraken";

    /// <summary>Port, path and per-connection queue.</summary>
    public WebSocketVenueServerOptions Server { get; set; } = new();

    /// <summary>Synthetic pairs. When empty, <see cref="DefaultPairs"/> is used.</summary>
    public List<KrakenSyntheticPair> Pairs { get; set; } = [];

    /// <summary>Seed of the venue's random source (sides, sizes, noise).</summary>
    public int Seed { get; set; } = 43;

    /// <summary>The shared market to read; null creates a private one seeded with <see cref="Seed"/>.</summary>
    public SyntheticMarket? Market { get; set; }

    /// <summary>Standard deviation of this venue's fixed basis against the shared market.</summary>
    public double VenueBasisFraction { get; set; } = 0.0002;

    /// <summary>Standard deviation of the per-trade noise against the shared market.</summary>
    public double VenueNoiseFraction { get; set; } = 0.00005;

    /// <summary>The feed loop's step: a pair's trades due in a step go out together as one batched <c>trade</c> message.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Tickers: null sends one per pair after each step with trades (Kraken's default <c>event_trigger</c> is trades); a value sends one per pair at that interval.</summary>
    public TimeSpan? TickerInterval { get; set; }

    /// <summary>Heartbeat period (Kraken v2: about once a second) to every connection with a subscription.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    public static IReadOnlyList<KrakenSyntheticPair> DefaultPairs { get; } =
    [
        new() { Symbol = "BTC/USD", StartPrice = 65_000m, TickSize = 0.1m, TradesPerSecond = 15, MeanTradeSize = 0.02m },
        new() { Symbol = "ETH/USD", StartPrice = 3_200m, TickSize = 0.01m, TradesPerSecond = 10, MeanTradeSize = 0.3m },
        new() { Symbol = "SOL/USD", StartPrice = 150m, TickSize = 0.01m, TradesPerSecond = 8, MeanTradeSize = 5m },
    ];

    internal IReadOnlyList<KrakenSyntheticPair> EffectivePairs => Pairs.Count == 0 ? DefaultPairs : Pairs;

    public IEnumerable<string> Errors()
    {
        const string p = SectionName;
        var errors = new List<string>(Server.Errors(p + ":" + nameof(Server)));
        errors.AddRange(OptionChecks.Positive($"{p}:{nameof(TickInterval)}", TickInterval));
        if (TickerInterval is { } ti && ti <= TimeSpan.Zero)
            errors.Add($"{p}:{nameof(TickerInterval)} must be positive, or null for a ticker after each batch of trades (was {ti})");
        errors.AddRange(OptionChecks.Positive($"{p}:{nameof(HeartbeatInterval)}", HeartbeatInterval));
        errors.AddRange(OptionChecks.VenueSpread(p, VenueBasisFraction, VenueNoiseFraction));
        errors.AddRange(OptionChecks.EachOnce($"{p}:{nameof(Pairs)}", EffectivePairs, static x => x.Symbol, "pair", static (x, key) => x.Errors(key)));
        return errors;
    }
}

/// <summary>One synthetic Kraken v2 pair.</summary>
public sealed class KrakenSyntheticPair : SyntheticInstrumentOptions
{
    /// <summary>Kraken v2 symbol, such as <c>BTC/USD</c>.</summary>
    public string Symbol { get; set; } = "";

    /// <summary>
    /// The <see cref="SyntheticMarket"/> instrument it follows; defaults to the symbol with <c>-</c> for <c>/</c> (<c>BTC-USD</c>),
    /// the name the Coinbase simulator uses, so both venues walk around the same price.
    /// </summary>
    public string? BaseInstrument { get; set; }

    internal string Instrument => BaseInstrument ?? Symbol.Replace('/', '-');

    internal IEnumerable<string> Errors(string key)
    {
        if (string.IsNullOrWhiteSpace(Symbol) || Symbol.IndexOf('/', StringComparison.Ordinal) <= 0)
            yield return $"{key}:{nameof(Symbol)} is required, as BASE/QUOTE";
        foreach (var e in TradingErrors(key)) yield return e;
    }
}
