using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Ingestion.Venues.Binance;
using Cloudwall.Rx.Simulation.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Simulation.Binance;

/// <summary>
/// A Binance combined-stream endpoint (<c>wss://stream.binance.com:9443/stream</c>, or the USDⓈ-M, COIN-M or Binance.US one,
/// chosen by <see cref="BinanceSimulatorOptions.Segment"/>) on 127.0.0.1: <c>trade</c>, <c>aggTrade</c>, <c>bookTicker</c>
/// and, on futures, <c>markPrice</c> / <c>markPrice@1s</c>, from the shared synthetic market, with faults switchable at run
/// time through <see cref="Faults"/>. Fault instruments are Binance symbols (<c>BTCUSDT</c>); <see cref="SimulatorFaults.DropTrades"/>
/// counts taker orders (each one <c>aggTrade</c> and its fills as <c>trade</c>s). The REST trade lists of a back-fill are served
/// on the same port (<see cref="VenueSimulator.RestEndpoint"/>, <see cref="BinanceRestApi"/>).
/// </summary>
/// <example>
/// <code>
/// await using var sim = await BinanceSimulator.StartAsync(new BinanceSimulatorOptions { Segment = BinanceMarket.UsdM });
/// // connect to sim.RouteEndpoint(BinanceRoute.Market) (ws://127.0.0.1:port/market/stream) and send
/// // {"method":"SUBSCRIBE","params":["btcusdt@aggTrade","btcusdt@markPrice@1s"],"id":1}
/// // (bookTicker is on /public/stream; the unrouted /stream serves only public streams, as the venue does)
/// </code>
/// </example>
public sealed class BinanceSimulator : WebSocketVenueSimulator
{
    private readonly BinanceSimProtocol _protocol;
    private readonly SyntheticBinanceFeed _feed;
    private readonly BinanceRestApi _rest;

    /// <summary>
    /// The REST request rate served before 429: Binance limits weight, 6,000 a minute on spot (2,400 on futures), which is
    /// about 25 of spot's weight-4 aggregate lists (5 on futures at weight 20) a second; 20 keeps a paging client honest.
    /// </summary>
    public const int MaxRestRequestsPerSecond = 20;

    private BinanceSimulator(BinanceSimulatorOptions options, TimeProvider time, ILoggerFactory loggerFactory)
        : base(options.Segment.Name(), options.TickInterval, time, loggerFactory, BinanceWire.Malformed)
    {
        Segment = options.Segment;
        var routes = RoutePaths(options);
        _protocol = new BinanceSimProtocol(options.Segment, routes, Log);
        _rest = new BinanceRestApi(options.Segment, options.EffectiveSymbols.Select(s => s.Symbol).ToHashSet(StringComparer.Ordinal));
        _feed = new SyntheticBinanceFeed(options, _protocol, _rest, Faults, time.GetUtcNow());
        Listen(_protocol, options.Server, [.. routes.Keys]);
        ServeRest(_rest, MaxRestRequestsPerSecond);
        _protocol.Stats = Stats;
    }

    /// <summary>The venue segment; <see cref="VenueSimulator.Venue"/> is its name: <c>binance</c>, <c>binance-usdm</c>, <c>binance-coinm</c> or <c>binance-us</c>.</summary>
    public BinanceMarket Segment { get; }

    /// <summary>
    /// The combined-stream address of a route: <c>ws://127.0.0.1:54321/market/stream</c> on USDⓈ-M. <see cref="VenueSimulator.Endpoint"/>
    /// is the unrouted one (<c>ws://127.0.0.1:54321/stream</c>), which on USDⓈ-M serves only <see cref="BinanceRoute.Public"/> streams,
    /// as the venue does. Providers configured with it derive the routes from it (<see cref="BinanceRoutes.StreamEndpoint"/>).
    /// </summary>
    public Uri RouteEndpoint(BinanceRoute route) => route == BinanceRoute.Unrouted ? Endpoint : Segment.StreamEndpoint(route, Endpoint);

    /// <summary>The REST trade lists and the history behind them (tests compare a back-fill with it).</summary>
    internal BinanceRestApi RestApi => _rest;

    /// <summary>The symbols a client may subscribe to (upper case, as payloads print them).</summary>
    public IReadOnlyCollection<string> Symbols => _protocol.Symbols;

    private protected override int InstrumentCount => Symbols.Count;

    /// <summary>Validates <paramref name="options"/>, binds 127.0.0.1 and starts the feed loop.</summary>
    /// <param name="time">Clock for timestamps and the feed loop; tests pass a FakeTimeProvider.</param>
    public static Task<BinanceSimulator> StartAsync(BinanceSimulatorOptions options, TimeProvider? time = null, ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionsCheck.ThrowIfInvalid(options);
        return StartAsync(new BinanceSimulator(options, time ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance), cancellationToken);
    }

    /// <summary>The route of each request path: the configured path is the unrouted one; USDⓈ-M adds <c>/public/stream</c> and <c>/market/stream</c> beside it.</summary>
    private static Dictionary<string, BinanceRoute> RoutePaths(BinanceSimulatorOptions options)
    {
        var paths = new Dictionary<string, BinanceRoute>(StringComparer.Ordinal) { [options.Server.Path] = BinanceRoute.Unrouted };
        if (options.Segment.IsRouted())
        {
            var basePath = options.Segment.BasePath(options.Server.Path);
            paths[BinanceRoutes.StreamPath(basePath, BinanceRoute.Public)] = BinanceRoute.Public;
            paths[BinanceRoutes.StreamPath(basePath, BinanceRoute.Market)] = BinanceRoute.Market;
        }

        return paths;
    }

    private protected override void Step(DateTimeOffset from, DateTimeOffset to) => _feed.Step(from, to);
}
