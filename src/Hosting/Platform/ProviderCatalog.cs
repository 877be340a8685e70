using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Transport;
using Cloudwall.Rx.Ingestion.Venues.Aggregator;
using Cloudwall.Rx.Ingestion.Venues.Binance;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;
using Cloudwall.Rx.Simulation;
using Cloudwall.Rx.Simulation.Aggregator;
using Cloudwall.Rx.Simulation.Binance;
using Cloudwall.Rx.Simulation.Coinbase;
using Cloudwall.Rx.Ingestion.Venues.Bybit;
using Cloudwall.Rx.Ingestion.Venues.Deribit;
using Cloudwall.Rx.Ingestion.Venues.Kraken;
using Cloudwall.Rx.Ingestion.Venues.Kit;
using Cloudwall.Rx.Ingestion.Venues.Okx;
using Cloudwall.Rx.Simulation.Bybit;
using Cloudwall.Rx.Simulation.Deribit;
using Cloudwall.Rx.Simulation.Kraken;
using Cloudwall.Rx.Simulation.Market;
using Cloudwall.Rx.Simulation.Okx;

namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>
/// What a provider needs from the platform: reference data, the bad-input and gap sinks, time and logging, and its gap-fill
/// (null: off, or no REST client for the venue).
/// </summary>
public sealed record ProviderContext(ReferenceData RefData, IDeadLetterSink DeadLetters, ISequenceGapSink Gaps, TimeProvider Time, ILoggerFactory Loggers)
{
    public Ingestion.Backfill.BackfillSetup? Backfill { get; init; }
}

/// <summary>What a venue's back-fill client is built from: the provider's options, the REST root and the HTTP settings.</summary>
public sealed record BackfillClientContext(ProviderOptions Options, Uri? RestEndpoint, Ingestion.Backfill.BackfillHttpOptions Http, TimeProvider Time, ReferenceData RefData)
{
    /// <summary>The HTTP side on <see cref="RestEndpoint"/>, or on the venue's production root when none is set.</summary>
    public Ingestion.Backfill.BackfillHttp Client(Uri production, Ingestion.Backfill.RestBudget budget) =>
        new(RestEndpoint ?? production, budget, Http, Time);
}

/// <summary>What a simulator needs: the one synthetic market every venue shares, plus the run's rate and mode.</summary>
public sealed record SimulatorContext(SyntheticMarket Market, SimulationOptions Options, TimeProvider Time, ILoggerFactory Loggers);

/// <summary>One kind of provider the platform can run: its default subscriptions, how to connect it, how to simulate it.</summary>
public sealed record ProviderKind(
    string Name,
    IReadOnlyList<string> DefaultSymbols,
    Action<ReferenceData> RegisterSymbols,
    Func<ProviderContext, ProviderOptions, Uri?, IMarketDataProvider> Create,
    Func<SimulatorContext, ProviderOptions, CancellationToken, Task<IVenueSimulator>> Simulate)
{
    /// <summary>The provider's own symbol for a canonical instrument (the inverse of its symbol rule), or null.</summary>
    public Func<InstrumentSpec, string?> VenueSymbol { get; init; } = static _ => null;

    /// <summary>What its simulator offers (and trades) beyond the configured symbols: the simulator's default products.</summary>
    public IReadOnlyList<string> SimulatorSymbols { get; init; } = [];

    /// <summary>
    /// The venue's REST client for gap-fill (docs/backfill.md), or null when the kind has none: its gaps are still detected,
    /// counted and alerted, but nothing is fetched.
    /// </summary>
    public Func<BackfillClientContext, Ingestion.Backfill.IBackfillClient?> BackfillClient { get; init; } = static _ => null;

    /// <summary>The data levels the venue offers (<c>Providers:&lt;name&gt;:Level</c>), the default first (docs/venues.md, "Data levels").</summary>
    public IReadOnlyList<ProviderLevel> Levels { get; init; } = [ProviderLevel.Trades];

    /// <summary>The level of that name (case-insensitive), or null when the venue does not offer it.</summary>
    public ProviderLevel? Level(string? name) =>
        name is null ? Levels[0] : Levels.FirstOrDefault(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// One level of data a provider sells (issue 18): which channels it subscribes, what it carries and what it loses against
/// the venue's finest level. Fair price and quality work at every level; a level without trades prices from quote mids.
/// </summary>
/// <param name="Name"><c>trades</c>, <c>aggregated</c>, <c>quotes</c>, <c>throttled</c> or <c>bars</c>.</param>
/// <param name="Carries">What the level's channels deliver, in the venue's terms.</param>
/// <param name="Loses">What it loses against the finest level.</param>
public sealed record ProviderLevel(string Name, string Carries, string Loses)
{
    public const string TradesName = VenueLevels.Trades;
    public const string AggregatedName = VenueLevels.Aggregated;
    public const string QuotesName = VenueLevels.Quotes;
    public const string ThrottledName = VenueLevels.Throttled;
    public const string BarsName = VenueLevels.Bars;

    /// <summary>Every trade and the best bid and offer: the finest level, and the default where nothing else is said.</summary>
    public static ProviderLevel Trades { get; } = new(TradesName, "every trade, best bid and offer", "nothing");
}

/// <summary>Every provider kind, by the name used under <c>Providers:&lt;name&gt;:Type</c>. One place to add a venue.</summary>
public static class ProviderCatalog
{
    private static readonly Dictionary<string, ProviderKind> Kinds = new(StringComparer.OrdinalIgnoreCase);

    static ProviderCatalog()
    {
        Add(new ProviderKind("coinbase", ["BTC-USD", "ETH-USD", "SOL-USD"], CoinbaseSymbols.Register,
            (ctx, o, endpoint) => Ws(ctx, o, endpoint, new CoinbaseExchangeProtocol(o.MaxSymbolsPerConnection ?? 100, o.Level)),
            async (sim, o, ct) => await CoinbaseSimulator.StartAsync(new CoinbaseSimulatorOptions
            {
                Source = sim.Options.Mode == "replay" ? CoinbaseFeedSource.Replay : CoinbaseFeedSource.Synthetic,
                ReplayFile = sim.Options.Mode == "replay" ? sim.Options.ReplayFile : null,
                Seed = sim.Options.Seed,
                Market = sim.Market,
                Products = [.. o.Symbols.Union(CoinbaseSimulatorOptions.DefaultProducts.Select(p => p.ProductId)).Select(s => CoinbaseProduct(s, sim.Options.TradesPerSecond))],
            }, sim.Time, sim.Loggers, ct))
        {
            BackfillClient = b => new CoinbaseBackfill(b.Client(CoinbaseBackfill.DefaultRestEndpoint, CoinbaseBackfill.CreateBudget(b.Time))),
            SimulatorSymbols = [.. CoinbaseSimulatorOptions.DefaultProducts.Select(p => p.ProductId)],
            // Channels per level: CoinbaseExchangeProtocol.LevelChannels (docs/venues.md, "Data levels", Coinbase).
            Levels =
            [
                new(ProviderLevel.TradesName, "matches (every trade) and ticker (best bid and ask with sizes, on every match)", "nothing"),
                new(ProviderLevel.QuotesName, "ticker only: best bid and ask with sizes, on every match (cascades batched)",
                    "every trade: no Trade events, so no trade volume; fair price from mids"),
                new(ProviderLevel.ThrottledName, "ticker_batch: the latest ticker (best bid and ask) every 5 s when it changed",
                    "trades and every quote between batches: one quote per product per 5 s at most; fair price from mids"),
            ],
        });

        AddBinance("binance", BinanceMarket.Spot, ["BTCUSDT", "ETHUSDT", "SOLUSDT"]);
        AddBinance("binance-usdm", BinanceMarket.UsdM, ["BTCUSDT", "ETHUSDT"]);
        AddBinance("binance-coinm", BinanceMarket.CoinM, ["BTCUSD_PERP", "ETHUSD_PERP"]);

        Add(new ProviderKind("kraken", ["BTC/USD", "ETH/USD", "SOL/USD"], KrakenSymbols.Register,
            (ctx, o, endpoint) => Ws(ctx, o, endpoint, new KrakenV2Protocol(o.MaxSymbolsPerConnection ?? 100, level: o.Level)),
            async (sim, o, ct) => await KrakenSimulator.StartAsync(new KrakenSimulatorOptions
            {
                Seed = sim.Options.Seed + 2,
                Market = sim.Market,
                Pairs = Pick(KrakenSimulatorOptions.DefaultPairs, p => p.Symbol, o, s => new KrakenSyntheticPair { Symbol = s }, p => p.TradesPerSecond = sim.Options.TradesPerSecond),
            }, sim.Time, sim.Loggers, ct))
        {
            BackfillClient = b => new KrakenBackfill(b.Client(KrakenBackfill.DefaultRestEndpoint, KrakenBackfill.CreateBudget(b.Time))),
            SimulatorSymbols = [.. KrakenSimulatorOptions.DefaultPairs.Select(p => p.Symbol)],
            // Subscriptions per level: KrakenV2Protocol.LevelChannels (docs/venues.md, "Data levels", Kraken).
            Levels =
            [
                new(ProviderLevel.TradesName, "trade (every trade) and ticker on every trade (best bid and ask with sizes)", "nothing"),
                new(ProviderLevel.QuotesName, "ticker with event_trigger bbo: best bid and ask with sizes on every change of either",
                    "every trade: no Trade events, so no trade volume; fair price from mids"),
            ],
        });

        Add(new ProviderKind("okx", ["BTC-USDT", "ETH-USDT", "BTC-USDT-SWAP", "ETH-USDT-SWAP", "BTC-USD-SWAP"], OkxSymbols.Register,
            // trades-all is served on /ws/v5/business, the rest on /ws/v5/public: one shard set per route (OkxLevels).
            (ctx, o, endpoint) => Ws(ctx, o, OkxLevels.Routes(o.Level, o.MaxSymbolsPerConnection ?? 100, endpoint)),
            async (sim, o, ct) => await OkxSimulator.StartAsync(new OkxSimulatorOptions
            {
                Seed = sim.Options.Seed + 7,
                Market = sim.Market,
                Instruments = Pick(OkxSimulatorOptions.DefaultInstruments, i => i.InstId, o, s => new OkxSyntheticInstrument { InstId = s }, i => i.TradesPerSecond = sim.Options.TradesPerSecond),
            }, sim.Time, sim.Loggers, ct))
        {
            // Only the trades level (trades-all) is filled: at the default aggregated level OKX merges one taker order's fills
            // into one push whose ids skip, so a skip is no loss, and REST would hand the merged fills back one by one (docs/backfill.md).
            BackfillClient = b => b.Options.Level == ProviderLevel.TradesName
                ? new OkxBackfill(b.Client(OkxBackfill.DefaultRestEndpoint, OkxBackfill.CreateBudget(b.Time)), b.Options.Level)
                : null,
            SimulatorSymbols = [.. OkxSimulatorOptions.DefaultInstruments.Select(i => i.InstId)],
            // Channels per level: OkxLevels.LevelChannels (docs/venues.md, "Data levels", OKX). Marks and funding at every level.
            Levels =
            [
                new(ProviderLevel.AggregatedName, "trades (fills of one taker order at one price merged, with their count) and tickers (best bid and ask)",
                    "the individual fills inside a taker order (same volume and VWAP); trade ids skip where fills were merged"),
                new(ProviderLevel.TradesName, "trades-all on /ws/v5/business (every fill, one per push) and tickers on /ws/v5/public", "nothing"),
                new(ProviderLevel.QuotesName, "bbo-tbt: best bid and ask with sizes on every change",
                    "every trade: no Trade events, so no trade volume; fair price from mids"),
                new(ProviderLevel.ThrottledName, "tickers: best bid and ask (and the last trade) at most every 100 ms",
                    "trades, and the quotes between two pushes; fair price from mids"),
            ],
        });

        AddBybit("bybit-spot", BybitCategory.Spot, ["BTCUSDT", "ETHUSDT"]);
        AddBybit("bybit-linear", BybitCategory.Linear, ["BTCUSDT", "ETHUSDT"]);
        AddBybit("bybit-inverse", BybitCategory.Inverse, ["BTCUSD"]);

        // docs/venues.md, "Data levels", Deribit: no raw level, which needs an authorized connection (DeribitProtocol's remarks).
        IReadOnlyList<(ProviderLevel Level, bool QuotesOnly)> deribitLevels =
        [
            (new(ProviderLevel.ThrottledName, "every trade, batched per 100 ms (trades.100ms); ticker every 100 ms: best bid and offer, mark, index, funding",
                "up to 100 ms of delay; quote changes between ticker pushes"), false),
            (new(ProviderLevel.QuotesName, "best bid and offer with amounts on every change (quote.{instrument})",
                "trades and trade volume; mark, index and funding"), true),
        ];
        Add(new ProviderKind("deribit", ["BTC-PERPETUAL", "ETH-PERPETUAL", "BTC-25DEC26", "BTC-25DEC26-70000-C"], DeribitSymbols.Register,
            (ctx, o, endpoint) => Ws(ctx, o, endpoint, new DeribitProtocol(o.MaxSymbolsPerConnection ?? 100, quotesOnly: ChannelsOf(deribitLevels, o))),
            async (sim, o, ct) => await DeribitSimulator.StartAsync(new DeribitSimulatorOptions
            {
                RawRequiresAuthorization = true, // as production treats our anonymous connector
                Seed = sim.Options.Seed + 8,
                Market = sim.Market,
                Instruments = Pick(DeribitSimulatorOptions.DefaultInstruments, i => i.InstrumentName, o, s => new DeribitSyntheticInstrument { InstrumentName = s }, i => i.TradesPerSecond = sim.Options.TradesPerSecond),
            }, sim.Time, sim.Loggers, ct))
        {
            BackfillClient = b => new DeribitBackfill(b.Client(DeribitBackfill.DefaultRestEndpoint, DeribitBackfill.CreateBudget(b.Time))),
            SimulatorSymbols = [.. DeribitSimulatorOptions.DefaultInstruments.Select(i => i.InstrumentName)],
            Levels = [.. deribitLevels.Select(l => l.Level)],
        });

        // docs/venues.md, "Data levels", Aggregator: trades on Subscribe; 1 s OHLCV/VWAP bars on SubscribeAggregates.
        IReadOnlyList<(ProviderLevel Level, string? Aggregate)> aggregatorLevels =
        [
            (ProviderLevel.Trades with { Carries = "every trade of every selected exchange (Subscribe)" }, null),
            (new(ProviderLevel.BarsName, "1 s OHLCV and VWAP per instrument and exchange (SubscribeAggregates), priced as one VWAP trade per bar",
                "individual trades (sides, ids, prices within the second); up to 1 s of delay; open, high, low and close stay off md.events.v1"),
                AggregatorDecoder.OneSecond),
        ];
        Add(new ProviderKind("aggregator", ["cbse:spot:btc-usd", "cbse:spot:eth-usd", "krkn:spot:btc-usd", "krkn:spot:eth-usd",
                "binc:perpetual-future:btc-usdt", "binc:perpetual-future:eth-usdt"], AggregatorCodes.Register,
            (ctx, o, endpoint) => new AggregatorProvider(new AggregatorProviderOptions
            {
                Endpoint = endpoint ?? new Uri(AggregatorProviderOptions.DefaultEndpoint),
                ApiToken = o.ApiToken,
                StaleAfter = o.StaleAfter,
                ReconnectDelay = o.ReconnectDelay,
                MaxCriteriaPerStream = o.MaxSymbolsPerConnection ?? 16,
                Aggregate = ChannelsOf(aggregatorLevels, o),
                Bounds = o.ToBounds(),
            }, o.Symbols, ctx.RefData, ctx.DeadLetters.OnDeadLetter, ctx.Gaps.OnSequenceGap, ctx.Time, ctx.Loggers, ctx.Backfill),
            async (sim, o, ct) => await AggregatorSimulator.StartAsync(new AggregatorSimulatorOptions
            {
                Token = o.ApiToken,
                Seed = sim.Options.Seed + 64,
                Market = sim.Market,
                Instruments = Pick(AggregatorSimulatorOptions.DefaultInstruments, i => i.Key, o, AggregatorInstrument,
                    i => i.TradesPerSecond = sim.Options.TradesPerSecond),
            }, sim.Time, sim.Loggers, ct))
        {
            // The historical rpc of our proto on the aggregator's own endpoint (its REST root does not apply: it is gRPC).
            BackfillClient = b => b.Options.Level == ProviderLevel.BarsName ? null : new AggregatorBackfill(new AggregatorProviderOptions
            {
                Endpoint = string.IsNullOrEmpty(b.Options.Endpoint) ? b.RestEndpoint ?? AggregatorBackfill.DefaultRestEndpoint : new Uri(b.Options.Endpoint),
                ApiToken = b.Options.ApiToken,
            }, b.RefData, AggregatorBackfill.CreateBudget(b.Time), b.Http, b.Time),
            SimulatorSymbols = [.. AggregatorSimulatorOptions.DefaultInstruments.Select(i => i.Key)],
            Levels = [.. aggregatorLevels.Select(l => l.Level)],
        });
    }

    public static IReadOnlyCollection<string> Names => Kinds.Keys;

    /// <summary>How each kind spells a canonical instrument: the inverse of the venue grammars, for control-plane subscribes.</summary>
    private static readonly Dictionary<string, Func<InstrumentSpec, string?>> Spellings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["coinbase"] = s => s.Market == MarketType.Spot ? $"{s.Base}-{s.Quote}" : null,
        ["kraken"] = s => s.Market == MarketType.Spot ? $"{s.Base}/{s.Quote}" : null,
        ["binance"] = s => s.Market == MarketType.Spot ? $"{s.Base}{s.Quote}" : null,
        ["binance-usdm"] = s => s.Market == MarketType.Perp ? $"{s.Base}{s.Quote}" : null,
        ["binance-coinm"] = s => s.Market == MarketType.Perp ? $"{s.Base}{s.Quote}_PERP" : null,
        ["okx"] = s => s.Market switch
        {
            MarketType.Spot => $"{s.Base}-{s.Quote}",
            MarketType.Perp => $"{s.Base}-{s.Quote}-SWAP",
            MarketType.Future => $"{s.Base}-{s.Quote}-{s.Expiry!.Value:yyMMdd}",
            _ => null,
        },
        ["bybit-spot"] = s => s.Market == MarketType.Spot ? $"{s.Base}{s.Quote}" : null,
        ["bybit-linear"] = s => s.Market == MarketType.Perp ? $"{s.Base}{s.Quote}" : null,
        ["bybit-inverse"] = s => s.Market == MarketType.Perp ? $"{s.Base}{s.Quote}" : null,
        ["deribit"] = DeribitSymbols.VenueName,
        ["aggregator"] = s => AggregatorCodes.ClassOf(s.Market) is { } cls && s.Market != MarketType.Future
            ? $"*:{cls}:{s.Base.ToLowerInvariant()}-{s.Quote.ToLowerInvariant()}"
            : null,
    };

    public static bool TryGet(string name, out ProviderKind kind) => Kinds.TryGetValue(name, out kind!);

    /// <summary>The providers <c>run</c> starts when configuration names none: enough venues that BTC and ETH spot and
    /// perpetuals each trade on three or more, so fair prices are genuinely cross-provider.</summary>
    public static IReadOnlyList<string> DefaultProviders { get; } =
        ["coinbase", "kraken", "binance", "binance-usdm", "binance-coinm", "okx", "bybit-spot", "bybit-linear", "deribit", "aggregator"];

    private static void Add(ProviderKind kind) =>
        Kinds[kind.Name] = Spellings.TryGetValue(kind.Name, out var spell) ? kind with { VenueSymbol = spell } : kind;

    private static void AddBinance(string name, BinanceMarket market, IReadOnlyList<string> symbols) =>
        Add(new ProviderKind(name, symbols, r => BinanceSymbols.Register(r, market),
            // USDⓈ-M routes bookTicker to <endpoint base>/public and aggTrade/markPrice to /market: one shard set per route.
            (ctx, o, endpoint) => Ws(ctx, o, BinanceRoutes.Routes(market,
                new BinanceProtocolOptions { Streams = VenueLevels.ChannelsOf(market.LevelStreams(), o.Level, name) }, configured: endpoint)),
            async (sim, o, ct) => await BinanceSimulator.StartAsync(new BinanceSimulatorOptions
            {
                Segment = market,
                Seed = sim.Options.Seed + (int)market + 10,
                Market = sim.Market,
                // A venue lists more products than we subscribe: the simulator offers all its defaults, so live subscribes find them.
                Symbols = Pick(BinanceSimulatorOptions.DefaultSymbolsFor(market), s => s.Symbol, o,
                    s => new BinanceSyntheticSymbol { Symbol = s.ToUpperInvariant(), SizeDecimals = market.IsFutures() ? 3 : 8 },
                    s => s.TradesPerSecond = sim.Options.TradesPerSecond),
            }, sim.Time, sim.Loggers, ct))
        {
            BackfillClient = b => CarriesTrades(b.Options)
                ? new BinanceBackfill(b.Client(BinanceBackfill.DefaultRestEndpointOf(market), BinanceBackfill.CreateBudget(market, b.Time)), market, b.Options.Level)
                : null,
            SimulatorSymbols = [.. BinanceSimulatorOptions.DefaultSymbolsFor(market).Select(s => s.Symbol)],
            Levels = BinanceLevels(market),
        });

    /// <summary>Binance's levels (docs/venues.md, "Data levels", Binance; the streams in <see cref="BinanceMarkets.LevelStreams"/>).</summary>
    private static IReadOnlyList<ProviderLevel> BinanceLevels(BinanceMarket market) => [.. market.Levels().Select(name => name switch
    {
        ProviderLevel.TradesName => new ProviderLevel(name, "trade (every fill) and bookTicker", "nothing"),
        ProviderLevel.AggregatedName when market.IsFutures() => new ProviderLevel(name,
            "aggTrade (fills at one price and taker side per 100 ms), bookTicker and markPrice@1s (mark, index, funding)", "nothing: futures have no raw-trade stream"),
        ProviderLevel.AggregatedName => new ProviderLevel(name, "aggTrade (the fills of one taker order at one price) and bookTicker",
            "the individual fills and their trade ids (volume and VWAP are unchanged)"),
        _ when market.IsFutures() => new ProviderLevel(name, "bookTicker and markPrice@1s (mark, index, funding)",
            "every trade: no trade volume or VWAP; fair price from quote mids"),
        _ => new ProviderLevel(name, "bookTicker (best bid and offer)", "every trade: no trade volume or VWAP; fair price from quote mids"),
    })];

    private static void AddBybit(string name, BybitCategory category, IReadOnlyList<string> symbols)
    {
        // docs/venues.md, "Data levels", Bybit: the topics of each level (BybitProtocol names them, with the pages checked).
        var spot = category == BybitCategory.Spot;
        IReadOnlyList<(ProviderLevel Level, IReadOnlyList<string> Topics)> levels =
        [
            (spot
                ? new(ProviderLevel.TradesName, "every trade (publicTrade)", "the best bid and offer (spot tickers carry none)")
                : ProviderLevel.Trades, BybitProtocol.DefaultTopics(category)),
            (new(ProviderLevel.QuotesName, "best bid and offer from the level-1 book (orderbook.1, 10 ms)",
                spot ? "trades and trade volume" : "trades and trade volume; mark, index and funding"), BybitProtocol.QuotesTopics),
            .. spot ? [] : new[]
            {
                (new ProviderLevel(ProviderLevel.ThrottledName, "tickers every 100 ms: best bid and offer, mark, index, funding",
                    "trades and trade volume; quote changes between 100 ms pushes"), BybitProtocol.ThrottledTopics),
            },
        ];
        Add(new ProviderKind(name, symbols, BybitSymbols.Register,
            (ctx, o, endpoint) => Ws(ctx, o, endpoint, new BybitProtocol(category, o.MaxSymbolsPerConnection ?? 100, ChannelsOf(levels, o))),
            async (sim, o, ct) => await BybitSimulator.StartAsync(new BybitSimulatorOptions
            {
                Category = category,
                Seed = sim.Options.Seed + 9 + (int)category,
                Market = sim.Market,
                Instruments = Pick(BybitSimulatorOptions.DefaultInstruments(category), i => i.Symbol, o, s => new BybitSyntheticInstrument { Symbol = s }, i => i.TradesPerSecond = sim.Options.TradesPerSecond),
            }, sim.Time, sim.Loggers, ct))
        {
            BackfillClient = b => CarriesTrades(b.Options) ? new BybitBackfill(b.Client(BybitBackfill.DefaultRestEndpoint, BybitBackfill.CreateBudget(b.Time)), category) : null,
            SimulatorSymbols = [.. BybitSimulatorOptions.DefaultInstruments(category).Select(i => i.Symbol)],
            Levels = [.. levels.Select(l => l.Level)],
        });
    }

    /// <summary>False for a level without trades (quotes, or tickers alone): it has no trade stream to fill.</summary>
    private static bool CarriesTrades(ProviderOptions o) => o.Level is not (ProviderLevel.QuotesName or ProviderLevel.ThrottledName);

    /// <summary>What the configured level subscribes: the one lookup the venue protocols use (<see cref="VenueLevels"/>).</summary>
    private static T ChannelsOf<T>(IReadOnlyList<(ProviderLevel Level, T Channels)> levels, ProviderOptions o) =>
        VenueLevels.ChannelsOf([.. levels.Select(l => (l.Level.Name, l.Channels))], o.Level, o.Type ?? "this provider");

    /// <summary>
    /// The simulator's default instruments, copied (defaults are shared) and adjusted, then one generic instrument (start
    /// price 100, the venue's default sizes) for each configured symbol the defaults lack. A venue lists more products than
    /// we subscribe, so the simulator offers all of them and a live subscribe finds its product; and a configuration that
    /// names other symbols (<c>cloudwall-rx bench --instruments</c>) finds them on the simulator too.
    /// </summary>
    private static List<T> Pick<T>(IEnumerable<T> defaults, Func<T, string> symbol, ProviderOptions o, Func<string, T> create, Action<T> adjust)
    {
        var picked = new List<T>();
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in defaults)
        {
            var copy = System.Text.Json.JsonSerializer.Deserialize<T>(System.Text.Json.JsonSerializer.Serialize(d))!;
            adjust(copy);
            picked.Add(copy);
            known.Add(symbol(copy));
        }

        foreach (var configured in o.Symbols)
        {
            var extra = create(configured);
            if (known.Add(symbol(extra)))
            {
                adjust(extra);
                picked.Add(extra);
            }
        }

        return picked;
    }

    /// <summary>
    /// A generic aggregator instrument for a configured <c>exchange:class:code</c>; a wildcard exchange (<c>*</c>, every
    /// exchange) is simulated on Coinbase (<c>cbse</c>). It follows the base asset's USD walk, as the defaults do.
    /// </summary>
    private static AggregatorSyntheticInstrument AggregatorInstrument(string criteria)
    {
        var parts = SimulatedCriteria(criteria).Split(':');
        if (parts.Length != 3)
        {
            return new AggregatorSyntheticInstrument { Code = criteria };
        }

        var code = parts[2];
        var dash = code.IndexOf('-', StringComparison.Ordinal);
        return new AggregatorSyntheticInstrument
        {
            Exchange = parts[0], Class = parts[1], Code = code,
            BaseInstrument = dash > 0 ? code[..dash].ToUpperInvariant() + "-USD" : null,
        };
    }

    /// <summary>The aggregator simulator's instrument for configured criteria: a wildcard exchange (<c>*</c>) is simulated on <c>cbse</c>.</summary>
    internal static string SimulatedCriteria(string criteria) => criteria.StartsWith("*:", StringComparison.Ordinal) ? "cbse" + criteria[1..] : criteria;

    private static WebSocketProvider Ws(ProviderContext ctx, ProviderOptions o, Uri? endpoint, IVenueProtocol protocol) =>
        Ws(ctx, o, [new WebSocketRoute(protocol, endpoint ?? protocol.DefaultEndpoint)]);

    private static WebSocketProvider Ws(ProviderContext ctx, ProviderOptions o, IReadOnlyList<WebSocketRoute> routes) =>
        new(routes, o.Symbols, ctx.RefData, ctx.DeadLetters.OnDeadLetter,
            new ConnectionOptions { StaleAfter = o.StaleAfter, ReconnectDelay = o.ReconnectDelay, MaxMessageBytes = o.MaxMessageBytes, Bounds = o.ToBounds() }, ctx.Time, ctx.Loggers, ctx.Gaps.OnSequenceGap,
            ctx.Backfill);

    private static CoinbaseSyntheticProduct CoinbaseProduct(string symbol, double rate)
    {
        var known = CoinbaseSimulatorOptions.DefaultProducts.FirstOrDefault(p => p.ProductId == symbol);
        return new CoinbaseSyntheticProduct
        {
            ProductId = symbol,
            StartPrice = known?.StartPrice ?? 100m,
            TickSize = known?.TickSize ?? 0.01m,
            MeanTradeSize = known?.MeanTradeSize ?? 1m,
            TradesPerSecond = rate,
        };
    }
}
