using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Ingestion.Venues.Deribit;
using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Market;

namespace Cloudwall.Rx.Simulation.Deribit;

/// <summary>Settings of a <see cref="DeribitSimulator"/>. Validated by <see cref="DeribitSimulator.StartAsync"/>.</summary>
public sealed class DeribitSimulatorOptions : ICheckedOptions
{
    public const string SectionName = "Simulation:Deribit";

    /// <summary>Port, path and per-connection queue.</summary>
    public WebSocketVenueServerOptions Server { get; set; } = new();

    /// <summary>Synthetic instruments. When empty, <see cref="DefaultInstruments"/> is used.</summary>
    public List<DeribitSyntheticInstrument> Instruments { get; set; } = [];

    /// <summary>Seed of the venue's random source (directions, amounts, noise).</summary>
    public int Seed { get; set; } = 43;

    /// <summary>The shared market to read (so BTC walks are shared with the other venues); null creates a private one.</summary>
    public SyntheticMarket? Market { get; set; }

    /// <summary>Standard deviation of this venue's fixed basis against the shared market.</summary>
    public double VenueBasisFraction { get; set; } = 0.0003;

    /// <summary>Standard deviation of the per-read noise against the shared market.</summary>
    public double VenueNoiseFraction { get; set; } = 0.00005;

    /// <summary>The feed loop's step; the trades of one instrument due in a step go out as one notification (Deribit batches).</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Ticker period per instrument (the venue's aggregated ticker is 100 ms).</summary>
    public TimeSpan TickerInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The smallest <c>public/set_heartbeat</c> interval accepted. The venue's is 10 s; tests lower it.</summary>
    public TimeSpan MinHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Refuse <c>raw</c> channels as the venue refuses them on an unauthorized connection (error 13778); the simulator has no
    /// authentication, so this refuses every raw subscribe. Off by default (tests use raw channels freely); the platform's
    /// embedded simulator turns it on, as production behaves for our anonymous connector.
    /// </summary>
    public bool RawRequiresAuthorization { get; set; }

    /// <summary>What <c>public/test</c> reports as the API version.</summary>
    public string ApiVersion { get; set; } = "1.2.26";

    public static IReadOnlyList<DeribitSyntheticInstrument> DefaultInstruments { get; } =
    [
        new() { InstrumentName = "BTC-PERPETUAL", StartPrice = 65_000m, TickSize = 0.5m, TradesPerSecond = 20, MeanAmount = 2_000m, AmountStep = 10m, FundingRate = 0.0001m },
        new() { InstrumentName = "ETH-PERPETUAL", StartPrice = 3_200m, TickSize = 0.05m, TradesPerSecond = 15, MeanAmount = 500m, AmountStep = 1m, FundingRate = 0.00005m },
        new() { InstrumentName = "BTC-25DEC26", StartPrice = 65_000m, TickSize = 2.5m, TradesPerSecond = 3, MeanAmount = 1_000m, AmountStep = 10m, FutureBasis = 0.005m },
        new() { InstrumentName = "BTC-25DEC26-70000-C", StartPrice = 65_000m, TickSize = 0.0005m, TradesPerSecond = 1, MeanAmount = 1m, AmountStep = 0.1m, MarkIv = 55m },
    ];

    internal IReadOnlyList<DeribitSyntheticInstrument> EffectiveInstruments => Instruments.Count == 0 ? DefaultInstruments : Instruments;

    public IEnumerable<string> Errors()
    {
        const string p = SectionName;
        var errors = new List<string>(Server.Errors(p + ":" + nameof(Server)));
        errors.AddRange(OptionChecks.Positive($"{p}:{nameof(TickInterval)}", TickInterval));
        errors.AddRange(OptionChecks.Positive($"{p}:{nameof(TickerInterval)}", TickerInterval));
        errors.AddRange(OptionChecks.Positive($"{p}:{nameof(MinHeartbeatInterval)}", MinHeartbeatInterval));
        errors.AddRange(OptionChecks.VenueSpread(p, VenueBasisFraction, VenueNoiseFraction));
        errors.AddRange(OptionChecks.EachOnce($"{p}:{nameof(Instruments)}", EffectiveInstruments, static x => x.InstrumentName, "instrument", static (x, key) => x.Errors(key)));
        return errors;
    }
}

/// <summary>One synthetic Deribit instrument: a perpetual, a dated future or an option, by its Deribit name.</summary>
public sealed class DeribitSyntheticInstrument
{
    /// <summary>Deribit name such as <c>BTC-PERPETUAL</c>, <c>BTC-25DEC26</c> or <c>BTC-25DEC26-70000-C</c>.</summary>
    public string InstrumentName { get; set; } = "";

    /// <summary>The <see cref="SyntheticMarket"/> instrument of the underlying; defaults to <c>BASE-QUOTE</c> (<c>BTC-USD</c>).</summary>
    public string? BaseInstrument { get; set; }

    /// <summary>Start price of the underlying (USD for inverse instruments).</summary>
    public decimal StartPrice { get; set; } = 100m;

    /// <summary>Price increment in the instrument's price unit (USD for perpetuals and futures, BTC for inverse options).</summary>
    public decimal TickSize { get; set; } = 0.5m;

    public double TradesPerSecond { get; set; } = 5;

    /// <summary>Mean of the exponential trade amount (USD contracts for inverse perpetuals and futures, base currency for options).</summary>
    public decimal MeanAmount { get; set; } = 100m;

    /// <summary>Amounts are whole multiples of this (10 USD for BTC contracts, 0.1 for BTC options).</summary>
    public decimal AmountStep { get; set; } = 1m;

    public double VolatilityPerSqrtSecond { get; set; } = 0.0005;

    public int SpreadTicks { get; set; } = 1;

    /// <summary>Perpetuals: the base funding rate per 8 h; the current rate also follows the premium to the index.</summary>
    public decimal FundingRate { get; set; } = 0.0001m;

    /// <summary>Dated futures: the premium of the future over the index.</summary>
    public decimal FutureBasis { get; set; } = 0.005m;

    /// <summary>Options: the mark implied volatility, in percent.</summary>
    public decimal MarkIv { get; set; } = 55m;

    internal InstrumentSpec Spec => DeribitSymbols.Derive(InstrumentName)!;

    internal string Underlying => BaseInstrument ?? Spec.Base + "-" + Spec.Quote;

    internal IEnumerable<string> Errors(string key)
    {
        if (string.IsNullOrWhiteSpace(InstrumentName) || DeribitSymbols.Derive(InstrumentName) is not { Market: MarketType.Perp or MarketType.Future or MarketType.Option })
            yield return $"{key}:{nameof(InstrumentName)} '{InstrumentName}' is not a Deribit perpetual, future or option name";
        if (StartPrice <= 0 || TickSize <= 0 || MeanAmount <= 0 || AmountStep <= 0 || MarkIv <= 0)
            yield return $"{key}: {nameof(StartPrice)}, {nameof(TickSize)}, {nameof(MeanAmount)}, {nameof(AmountStep)} and {nameof(MarkIv)} must be positive";
        foreach (var e in OptionChecks.TradeRate(key, TradesPerSecond)) yield return e;
        foreach (var e in OptionChecks.WalkAndSpread(key, VolatilityPerSqrtSecond, SpreadTicks)) yield return e;
    }
}
