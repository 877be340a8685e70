using Cloudwall.Rx.Ingestion.Venues.Binance;
using Cloudwall.Rx.Simulation.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Simulation.Binance;

/// <summary>
/// A Binance combined-stream endpoint (<c>wss://stream.binance.com:9443/stream</c>, or the USDⓈ-M, COIN-M or Binance.US one,
/// chosen by <see cref="BinanceSimulatorOptions.Segment"/>) on 127.0.0.1: <c>trade</c>, <c>aggTrade</c>, <c>bookTicker</c>
/// and, on futures, <c>markPrice</c> / <c>markPrice@1s</c>, from the shared synthetic market, with faults switchable at run
/// time through <see cref="Faults"/>. Fault instruments are Binance symbols (<c>BTCUSDT</c>).
/// </summary>
/// <example>
/// <code>
/// await using var sim = await BinanceSimulator.StartAsync(new BinanceSimulatorOptions { Segment = BinanceMarket.UsdM });
/// // connect to sim.RouteEndpoint(BinanceRoute.Market) (ws://127.0.0.1:port/market/stream) and send
/// // {"method":"SUBSCRIBE","params":["btcusdt@aggTrade","btcusdt@markPrice@1s"],"id":1}
/// // (bookTicker is on /public/stream; the unrouted /stream serves only public streams, as the venue does)
/// </code>
/// </example>
public sealed partial class BinanceSimulator : IVenueSimulator
{
    private readonly WebSocketVenueServer _server;
    private readonly BinanceSimProtocol _protocol;
    private readonly SyntheticBinanceFeed _feed;
    private readonly BinanceSimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private FeedLoop? _loop;
    private int _disposed;

    private BinanceSimulator(BinanceSimulatorOptions options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _options = options;
        _time = time;
        _log = loggerFactory.CreateLogger<BinanceSimulator>();
        Faults = new SimulatorFaults();
        var routes = RoutePaths(options);
        _protocol = new BinanceSimProtocol(options.Segment, routes, _log);
        _feed = new SyntheticBinanceFeed(options, _protocol, Faults, time.GetUtcNow());
        _server = new WebSocketVenueServer(options.Segment.Name(), _protocol, options.Server, time, loggerFactory, [.. routes.Keys]);
        _protocol.Stats = _server.Stats;
        Faults.DropRequested += OnDropRequested;
        Faults.MalformedRequested += OnMalformedRequested;
    }

    /// <summary>The venue name: <c>binance</c>, <c>binance-usdm</c>, <c>binance-coinm</c> or <c>binance-us</c>.</summary>
    public string Venue => _options.Segment.Name();

    public BinanceMarket Segment => _options.Segment;

    /// <summary>
    /// The unrouted combined-stream address, such as <c>ws://127.0.0.1:54321/stream</c>. On USDⓈ-M it serves only
    /// <see cref="BinanceRoute.Public"/> streams, as the venue does; connect to <see cref="RouteEndpoint"/> for the others.
    /// Providers configured with it derive the routes from it (<see cref="BinanceRoutes.StreamEndpoint"/>).
    /// </summary>
    public Uri Endpoint => _server.Endpoint;

    /// <summary>The combined-stream address of a route: <c>ws://127.0.0.1:54321/market/stream</c> on USDⓈ-M.</summary>
    public Uri RouteEndpoint(BinanceRoute route) => route == BinanceRoute.Unrouted ? Endpoint : Segment.StreamEndpoint(route, Endpoint);

    public SimulatorFaults Faults { get; }

    public SimulatorStats Stats => _server.Stats;

    /// <summary>The symbols a client may subscribe to (upper case, as payloads print them).</summary>
    public IReadOnlyCollection<string> Symbols => _protocol.Symbols;

    /// <summary>Feed steps run, and steps that threw (logged; the loop goes on).</summary>
    public long Steps => _loop?.Steps ?? 0;

    public long StepFailures => _loop?.StepFailures ?? 0;

    /// <summary>Validates <paramref name="options"/>, binds 127.0.0.1 and starts the feed loop.</summary>
    /// <param name="time">Clock for timestamps and the feed loop; tests pass a FakeTimeProvider.</param>
    public static async Task<BinanceSimulator> StartAsync(
        BinanceSimulatorOptions options,
        TimeProvider? time = null,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var sim = new BinanceSimulator(options, time ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance);
        try
        {
            await sim._server.StartAsync(cancellationToken).ConfigureAwait(false);
            sim._loop = FeedLoop.Start(sim.Venue, sim._options.TickInterval, sim._time, sim._log, sim._feed.Step);
            LogStarted(sim._log, sim.Venue, sim.Endpoint, sim.Symbols.Count);
            return sim;
        }
        catch
        {
            await sim.DisposeAsync().ConfigureAwait(false);
            throw;
        }
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

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Faults.DropRequested -= OnDropRequested;
        Faults.MalformedRequested -= OnMalformedRequested;
        if (_loop is not null)
        {
            await _loop.DisposeAsync().ConfigureAwait(false);
        }
        await _server.DisposeAsync().ConfigureAwait(false);
    }

    private void OnDropRequested()
    {
        var n = _server.AbortAll();
        LogDropped(_log, n);
    }

    private void OnMalformedRequested(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _server.Broadcast(BinanceWire.Malformed[i % BinanceWire.Malformed.Length]);
        }

        Stats.CountMalformedSent(count);
    }

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Binance simulator ({Venue}) on {Endpoint}: {SymbolCount} symbols")]
    private static partial void LogStarted(ILogger logger, string venue, Uri endpoint, int symbolCount);

    [LoggerMessage(EventId = 404, Level = LogLevel.Information, Message = "Binance simulator fault: dropped {Count} connections")]
    private static partial void LogDropped(ILogger logger, int count);
}
