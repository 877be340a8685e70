using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Ingestion.Venues.Binance;
using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Market;

namespace Cloudwall.Rx.Simulation.Binance;

/// <summary>Settings of a <see cref="BinanceSimulator"/>: one server for one Binance market. Validated by <see cref="BinanceSimulator.StartAsync"/>.</summary>
public sealed class BinanceSimulatorOptions : ICheckedOptions
{
    public const string SectionName = "Simulation:Binance";

    /// <summary>Which Binance market this server speaks for: spot, USDⓈ-M, COIN-M or Binance.US.</summary>
    public BinanceMarket Segment { get; set; } = BinanceMarket.Spot;

    /// <summary>Port, path and per-connection queue. The path defaults to <c>/stream</c>, the combined-stream endpoint.</summary>
    public WebSocketVenueServerOptions Server { get; set; } = new() { Path = "/stream" };

    /// <summary>Synthetic symbols. When empty, <see cref="DefaultSymbols"/> for the segment is used.</summary>
    public List<BinanceSyntheticSymbol> Symbols { get; set; } = [];

    /// <summary>Seed of the venue's random source (sides, sizes, noise).</summary>
    public int Seed { get; set; } = 43;

    /// <summary>The shared market to read; null creates a private one seeded with <see cref="Seed"/>.</summary>
    public SyntheticMarket? Market { get; set; }

    /// <summary>Standard deviation of this venue's fixed basis against the shared market.</summary>
    public double VenueBasisFraction { get; set; } = 0.0002;

    /// <summary>Standard deviation of the per-trade noise against the shared market.</summary>
    public double VenueNoiseFraction { get; set; } = 0.00005;

    /// <summary>The feed loop's step: trades due in a step are generated and sent together.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>bookTicker updates: null sends one after every trade; a value sends one per symbol at that interval.</summary>
    public TimeSpan? BookTickerInterval { get; set; }

    /// <summary>Interval of <c>markPrice@1s</c>; <c>markPrice</c> runs at three times this (Binance: 1 s and 3 s).</summary>
    public TimeSpan MarkPriceInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Fills per taker order on average (1 or more): each fill is a <c>trade</c>, each order one <c>aggTrade</c> at one price.
    /// <see cref="SyntheticInstrumentOptions.TradesPerSecond"/> counts fills, so the <c>aggTrade</c> rate is that over this.
    /// </summary>
    public double MeanFillsPerTakerOrder { get; set; } = 2.0;

    /// <summary>Funding rate printed for perpetuals (a fraction per 8 hours).</summary>
    public decimal FundingRate { get; set; } = 0.0001m;

    public static IReadOnlyList<BinanceSyntheticSymbol> DefaultSymbolsFor(BinanceMarket segment) => segment == BinanceMarket.CoinM
        ?
        [
            new() { Symbol = "BTCUSD_PERP", StartPrice = 65_000m, TickSize = 0.1m, TradesPerSecond = 20, MeanTradeSize = 10m, SizeDecimals = 0 },
            new() { Symbol = "ETHUSD_PERP", StartPrice = 3_200m, TickSize = 0.01m, TradesPerSecond = 15, MeanTradeSize = 20m, SizeDecimals = 0 },
            new() { Symbol = "SOLUSD_PERP", StartPrice = 150m, TickSize = 0.01m, TradesPerSecond = 10, MeanTradeSize = 20m, SizeDecimals = 0 },
        ]
        :
        [
            new() { Symbol = "BTCUSDT", StartPrice = 65_000m, TickSize = 0.01m, TradesPerSecond = 20, MeanTradeSize = 0.02m, SizeDecimals = segment.IsFutures() ? 3 : 8 },
            new() { Symbol = "ETHUSDT", StartPrice = 3_200m, TickSize = 0.01m, TradesPerSecond = 15, MeanTradeSize = 0.3m, SizeDecimals = segment.IsFutures() ? 3 : 8 },
            new() { Symbol = "SOLUSDT", StartPrice = 150m, TickSize = 0.01m, TradesPerSecond = 10, MeanTradeSize = 5m, SizeDecimals = segment.IsFutures() ? 2 : 8 },
        ];

    /// <summary>The default symbols of <see cref="Segment"/>: BTCUSDT, ETHUSDT and SOLUSDT (COIN-M: the <c>_PERP</c> contracts).</summary>
    public IReadOnlyList<BinanceSyntheticSymbol> DefaultSymbols => DefaultSymbolsFor(Segment);

    internal IReadOnlyList<BinanceSyntheticSymbol> EffectiveSymbols => Symbols.Count == 0 ? DefaultSymbols : Symbols;

    public IEnumerable<string> Errors()
    {
        const string p = SectionName;
        var errors = new List<string>();
        if (!Enum.IsDefined(Segment)) errors.Add($"{p}:{nameof(Segment)} must be Spot, UsdM, CoinM or Us (was {Segment})");
        errors.AddRange(Server.Errors(p + ":" + nameof(Server)));
        errors.AddRange(OptionChecks.Positive($"{p}:{nameof(TickInterval)}", TickInterval));
        if (BookTickerInterval is { } bi && bi <= TimeSpan.Zero)
            errors.Add($"{p}:{nameof(BookTickerInterval)} must be positive, or null for a bookTicker after every trade (was {bi})");
        errors.AddRange(OptionChecks.Positive($"{p}:{nameof(MarkPriceInterval)}", MarkPriceInterval));
        if (!(MeanFillsPerTakerOrder >= 1 && MeanFillsPerTakerOrder <= 10))
            errors.Add($"{p}:{nameof(MeanFillsPerTakerOrder)} must be 1 to 10 (was {MeanFillsPerTakerOrder})");
        errors.AddRange(OptionChecks.VenueSpread(p, VenueBasisFraction, VenueNoiseFraction));
        errors.AddRange(OptionChecks.EachOnce($"{p}:{nameof(Symbols)}", EffectiveSymbols, static x => x.Symbol, "symbol", (x, key) => x.Errors(key, Segment)));
        return errors;
    }
}

/// <summary>One synthetic Binance symbol.</summary>
public sealed class BinanceSyntheticSymbol : SyntheticInstrumentOptions
{
    /// <summary>Binance symbol as payloads print it, upper case: <c>BTCUSDT</c>, <c>BTCUSD_PERP</c>.</summary>
    public string Symbol { get; set; } = "";

    /// <summary>
    /// The <see cref="SyntheticMarket"/> instrument it follows. Defaults to the base asset against USD (<c>BTCUSDT</c> and
    /// <c>BTCUSD_PERP</c> follow <c>BTC-USD</c>, the walk Coinbase's <c>BTC-USD</c> follows), so all venues share one BTC walk.
    /// </summary>
    public string? BaseInstrument { get; set; }

    /// <summary>Decimals of printed quantities (8 on spot; futures fewer; COIN-M contracts 0).</summary>
    public int SizeDecimals { get; set; } = 8;

    /// <summary>The stream-name form of the symbol (lower case).</summary>
    internal string StreamSymbol => Symbol.ToLowerInvariant();

    internal string Instrument(BinanceMarket segment) =>
        BaseInstrument ?? (BinanceSymbols.Derive(Symbol, segment) is { } spec ? spec.Base + "-USD" : Symbol);

    /// <summary>A dated COIN-M or USDⓈ-M contract: no funding.</summary>
    internal bool IsDelivery(BinanceMarket segment) =>
        segment.IsFutures() && BinanceSymbols.Derive(Symbol, segment)?.Market == Core.MarketType.Future;

    internal IEnumerable<string> Errors(string key, BinanceMarket segment)
    {
        if (string.IsNullOrWhiteSpace(Symbol) || Symbol != Symbol.ToUpperInvariant()) yield return $"{key}:{nameof(Symbol)} is required, in upper case (BTCUSDT)";
        else if (BinanceSymbols.Derive(Symbol, segment) is null) yield return $"{key}:{nameof(Symbol)} '{Symbol}' is not a {segment} symbol";
        if (SizeDecimals is < 0 or > 8) yield return $"{key}:{nameof(SizeDecimals)} must be 0 to 8 (was {SizeDecimals})";
        foreach (var e in TradingErrors(key)) yield return e;
    }
}
