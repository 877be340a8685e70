using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Ingestion.Venues.Aggregator;
using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Market;

namespace Cloudwall.Rx.Simulation.Aggregator;

/// <summary>Settings of an <see cref="AggregatorSimulator"/>. Validated by <see cref="AggregatorSimulator.StartAsync"/>.</summary>
public sealed class AggregatorSimulatorOptions : ICheckedOptions
{
    public const string SectionName = "Simulation:Aggregator";

    /// <summary>The loopback port; 0 lets the system choose.</summary>
    public int Port { get; set; }

    /// <summary>The bearer token clients must send; null or empty accepts any caller.</summary>
    public string? Token { get; set; } = "sim-token";

    /// <summary>The instruments streamed. When empty, <see cref="DefaultInstruments"/>.</summary>
    public List<AggregatorSyntheticInstrument> Instruments { get; set; } = [];

    public int Seed { get; set; } = 7;

    /// <summary>The shared market to read (so BTC moves together across simulators); null creates a private one seeded with <see cref="Seed"/>.</summary>
    public SyntheticMarket? Market { get; set; }

    /// <summary>Standard deviation of each exchange's fixed basis against the shared market.</summary>
    public double ExchangeBasisFraction { get; set; } = 0.0002;

    /// <summary>Standard deviation of the per-trade noise against the shared market.</summary>
    public double ExchangeNoiseFraction { get; set; } = 0.00005;

    /// <summary>The feed loop's step: trades due in a step are generated together.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Heartbeat period per stream.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Messages queued per stream for a slow client; past it updates are dropped (and their sequence numbers skipped).</summary>
    public int StreamQueueCapacity { get; set; } = 10_000;

    public static IReadOnlyList<AggregatorSyntheticInstrument> DefaultInstruments { get; } =
    [
        new() { Exchange = "cbse", Class = AggregatorCodes.Spot, Code = "btc-usd", BaseInstrument = "BTC-USD", StartPrice = 65_000m, TradesPerSecond = 10, MeanTradeSize = 0.02m },
        new() { Exchange = "cbse", Class = AggregatorCodes.Spot, Code = "eth-usd", BaseInstrument = "ETH-USD", StartPrice = 3_200m, TradesPerSecond = 8, MeanTradeSize = 0.3m },
        new() { Exchange = "krkn", Class = AggregatorCodes.Spot, Code = "btc-usd", BaseInstrument = "BTC-USD", StartPrice = 65_000m, TickSize = 0.1m, TradesPerSecond = 6, MeanTradeSize = 0.02m },
        new() { Exchange = "krkn", Class = AggregatorCodes.Spot, Code = "eth-usd", BaseInstrument = "ETH-USD", StartPrice = 3_200m, TradesPerSecond = 5, MeanTradeSize = 0.3m },
        new() { Exchange = "binc", Class = AggregatorCodes.Perpetual, Code = "btc-usdt", BaseInstrument = "BTC-USD", StartPrice = 65_000m, TickSize = 0.1m, TradesPerSecond = 15, MeanTradeSize = 0.01m },
        new() { Exchange = "binc", Class = AggregatorCodes.Perpetual, Code = "eth-usdt", BaseInstrument = "ETH-USD", StartPrice = 3_200m, TradesPerSecond = 12, MeanTradeSize = 0.2m },
    ];

    internal IReadOnlyList<AggregatorSyntheticInstrument> EffectiveInstruments => Instruments.Count == 0 ? DefaultInstruments : Instruments;

    public IEnumerable<string> Errors()
    {
        const string p = SectionName;
        var errors = new List<string>();
        if (Port is < 0 or > 65535) errors.Add($"{p}:{nameof(Port)} must be 0 (any) or a TCP port (was {Port})");
        errors.AddRange(OptionChecks.Positive($"{p}:{nameof(TickInterval)}", TickInterval));
        errors.AddRange(OptionChecks.Positive($"{p}:{nameof(HeartbeatInterval)}", HeartbeatInterval));
        if (ExchangeBasisFraction < 0 || ExchangeNoiseFraction < 0) errors.Add($"{p}:{nameof(ExchangeNoiseFraction)}: exchange basis and noise must not be negative");
        if (StreamQueueCapacity < 1) errors.Add($"{p}:{nameof(StreamQueueCapacity)} must be at least 1 (was {StreamQueueCapacity})");
        errors.AddRange(OptionChecks.EachOnce($"{p}:{nameof(Instruments)}", EffectiveInstruments, static x => x.Key, "instrument", static (x, key) => x.Errors(key)));
        return errors;
    }
}

/// <summary>One instrument the aggregator streams: (exchange, class, code) and how it trades.</summary>
public sealed class AggregatorSyntheticInstrument
{
    /// <summary>Aggregator exchange code, such as <c>cbse</c>.</summary>
    public string Exchange { get; set; } = "cbse";

    /// <summary><c>spot</c>, <c>perpetual-future</c> or <c>future</c>.</summary>
    public string Class { get; set; } = AggregatorCodes.Spot;

    /// <summary>Instrument code, such as <c>btc-usd</c>.</summary>
    public string Code { get; set; } = "btc-usd";

    /// <summary>
    /// The <see cref="SyntheticMarket"/> walk it follows, named as the Coinbase simulator names them (its product id, <c>BTC-USD</c>),
    /// so BTC moves together on every simulator. Defaults to the code's first two parts upper-cased (<c>btc-usdt</c> → <c>BTC-USDT</c>,
    /// a walk of its own): set it to <c>BTC-USD</c> to follow the shared BTC walk.
    /// </summary>
    public string? BaseInstrument { get; set; }

    public decimal StartPrice { get; set; } = 100m;

    public decimal TickSize { get; set; } = 0.01m;

    public double TradesPerSecond { get; set; } = 10;

    /// <summary>Mean of the exponential trade size (printed with 8 decimals).</summary>
    public decimal MeanTradeSize { get; set; } = 0.01m;

    public double VolatilityPerSqrtSecond { get; set; } = 0.0005;

    /// <summary><c>exchange:class:code</c>: the fault switches' instrument name.</summary>
    public string Key => $"{Exchange}:{Class}:{Code}";

    internal string Instrument
    {
        get
        {
            if (BaseInstrument is { Length: > 0 } b)
            {
                return b;
            }

            var parts = Code.Split('-');
            return parts.Length >= 2 ? (parts[0] + "-" + parts[1]).ToUpperInvariant() : Code.ToUpperInvariant();
        }
    }

    internal IEnumerable<string> Errors(string key)
    {
        if (string.IsNullOrWhiteSpace(Exchange) || string.IsNullOrWhiteSpace(Class) || string.IsNullOrWhiteSpace(Code) ||
            Exchange == "*" || Class == "*" || Code == "*")
            yield return $"{key}: {nameof(Exchange)}, {nameof(Class)} and {nameof(Code)} are required and must not be wildcards";
        foreach (var e in OptionChecks.PricesAndSizes(key, StartPrice, TickSize, MeanTradeSize)) yield return e;
        foreach (var e in OptionChecks.TradeRate(key, TradesPerSecond)) yield return e;
        if (VolatilityPerSqrtSecond < 0) yield return $"{key}:{nameof(VolatilityPerSqrtSecond)} must not be negative (was {VolatilityPerSqrtSecond})";
    }
}
