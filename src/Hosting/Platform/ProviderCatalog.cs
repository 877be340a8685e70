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
using Cloudwall.Rx.Simulation.Market;

namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>What a provider needs from the platform: reference data, the bad-input and gap sinks, time and logging.</summary>
public sealed record ProviderContext(ReferenceData RefData, Action<DeadLetter> DeadLetters, Action<SequenceGap> Gaps, TimeProvider Time, ILoggerFactory Loggers);

/// <summary>What a simulator needs: the one synthetic market every venue shares, plus the run's rate and mode.</summary>
public sealed record SimulatorContext(SyntheticMarket Market, SimulationOptions Options, TimeProvider Time, ILoggerFactory Loggers);

/// <summary>One kind of provider the platform can run: its default subscriptions, how to connect it, how to simulate it.</summary>
public sealed record ProviderKind(
    string Name,
    IReadOnlyList<string> DefaultSymbols,
    Action<ReferenceData> RegisterSymbols,
    Func<ProviderContext, ProviderOptions, Uri?, IMarketDataProvider> Create,
    Func<SimulatorContext, ProviderOptions, CancellationToken, Task<IVenueSimulator>> Simulate);

/// <summary>Every provider kind, by the name used under <c>Providers:&lt;name&gt;:Type</c>. One place to add a venue.</summary>
public static class ProviderCatalog
{
    private static readonly Dictionary<string, ProviderKind> Kinds = new(StringComparer.OrdinalIgnoreCase);

    static ProviderCatalog()
    {
        Add(new ProviderKind("coinbase", ["BTC-USD", "ETH-USD", "SOL-USD"], CoinbaseSymbols.Register,
            (ctx, o, endpoint) => Ws(ctx, o, endpoint, new CoinbaseExchangeProtocol(o.MaxSymbolsPerConnection ?? 100)),
            async (sim, o, ct) => await CoinbaseSimulator.StartAsync(new CoinbaseSimulatorOptions
            {
                Source = sim.Options.Mode == "replay" ? CoinbaseFeedSource.Replay : CoinbaseFeedSource.Synthetic,
                ReplayFile = sim.Options.Mode == "replay" ? sim.Options.ReplayFile : null,
                Seed = sim.Options.Seed,
                Market = sim.Market,
                Products = [.. o.Symbols.Select(s => CoinbaseProduct(s, sim.Options.TradesPerSecond))],
            }, sim.Time, sim.Loggers, ct)));

        AddBinance("binance", BinanceMarket.Spot, ["BTCUSDT", "ETHUSDT", "SOLUSDT"]);
        AddBinance("binance-usdm", BinanceMarket.UsdM, ["BTCUSDT", "ETHUSDT"]);
        AddBinance("binance-coinm", BinanceMarket.CoinM, ["BTCUSD_PERP", "ETHUSD_PERP"]);

        Add(new ProviderKind("aggregator", ["cbse:spot:btc-usd", "cbse:spot:eth-usd", "krkn:spot:btc-usd", "krkn:spot:eth-usd",
                "binc:perpetual-future:btc-usdt", "binc:perpetual-future:eth-usdt"], AggregatorCodes.Register,
            (ctx, o, endpoint) => new AggregatorProvider(new AggregatorProviderOptions
            {
                Endpoint = endpoint ?? new Uri(AggregatorProviderOptions.DefaultEndpoint),
                ApiToken = o.ApiToken,
                StaleAfter = o.StaleAfter,
                ReconnectDelay = o.ReconnectDelay,
                MaxCriteriaPerStream = o.MaxSymbolsPerConnection ?? 16,
            }, o.Symbols, ctx.RefData, ctx.DeadLetters, ctx.Gaps, ctx.Time, ctx.Loggers),
            async (sim, o, ct) => await AggregatorSimulator.StartAsync(new AggregatorSimulatorOptions
            {
                Token = o.ApiToken,
                Seed = sim.Options.Seed + 64,
                Market = sim.Market,
                Instruments = [.. AggregatorSimulatorOptions.DefaultInstruments.Select(i => new AggregatorSyntheticInstrument
                {
                    Exchange = i.Exchange, Class = i.Class, Code = i.Code, BaseInstrument = i.BaseInstrument, StartPrice = i.StartPrice,
                    TickSize = i.TickSize, MeanTradeSize = i.MeanTradeSize, TradesPerSecond = sim.Options.TradesPerSecond,
                })],
            }, sim.Time, sim.Loggers, ct)));
    }

    public static IReadOnlyCollection<string> Names => Kinds.Keys;

    public static bool TryGet(string name, out ProviderKind kind) => Kinds.TryGetValue(name, out kind!);

    /// <summary>The providers <c>run</c> starts when configuration names none: enough venues that BTC and ETH spot and
    /// perpetuals each trade on three or more, so fair prices are genuinely cross-provider.</summary>
    public static IReadOnlyList<string> DefaultProviders { get; } = ["coinbase", "binance", "binance-usdm", "binance-coinm", "aggregator"];

    private static void Add(ProviderKind kind) => Kinds[kind.Name] = kind;

    private static void AddBinance(string name, BinanceMarket market, IReadOnlyList<string> symbols) =>
        Add(new ProviderKind(name, symbols, r => BinanceSymbols.Register(r, market),
            (ctx, o, endpoint) => Ws(ctx, o, endpoint, new BinanceProtocol(market)),
            async (sim, o, ct) => await BinanceSimulator.StartAsync(new BinanceSimulatorOptions
            {
                Segment = market,
                Seed = sim.Options.Seed + (int)market + 10,
                Market = sim.Market,
                Symbols = [.. BinanceSimulatorOptions.DefaultSymbolsFor(market).Where(s => o.Symbols.Contains(s.Symbol)).Select(s => new BinanceSyntheticSymbol
                {
                    Symbol = s.Symbol, BaseInstrument = s.BaseInstrument, StartPrice = s.StartPrice, TickSize = s.TickSize,
                    SizeDecimals = s.SizeDecimals, MeanTradeSize = s.MeanTradeSize, TradesPerSecond = sim.Options.TradesPerSecond,
                })],
            }, sim.Time, sim.Loggers, ct)));

    private static WebSocketProvider Ws(ProviderContext ctx, ProviderOptions o, Uri? endpoint, IVenueProtocol protocol) =>
        new(protocol, endpoint, o.Symbols, ctx.RefData, ctx.DeadLetters,
            new ConnectionOptions { StaleAfter = o.StaleAfter, ReconnectDelay = o.ReconnectDelay }, ctx.Time, ctx.Loggers, ctx.Gaps);

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
