using Cloudwall.Rx.Simulation.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Simulation.Coinbase;

/// <summary>
/// A Coinbase Exchange WebSocket feed (<c>wss://ws-feed.exchange.coinbase.com</c>) on 127.0.0.1: <c>matches</c>,
/// <c>ticker</c> and <c>heartbeat</c> channels, from a synthetic market or a recorded file replayed in a loop, with faults
/// switchable at run time through <see cref="Faults"/>.
/// </summary>
/// <example>
/// <code>
/// await using var sim = await CoinbaseSimulator.StartAsync(new CoinbaseSimulatorOptions());
/// // connect a ClientWebSocket to sim.Endpoint and send
/// // {"type":"subscribe","product_ids":["BTC-USD"],"channels":["matches","ticker"]}
/// </code>
/// </example>
public sealed partial class CoinbaseSimulator : IVenueSimulator
{
    public const string VenueName = "coinbase";

    public string Venue => VenueName;

    private readonly WebSocketVenueServer _server;
    private readonly CoinbaseProtocol _protocol;
    private readonly ICoinbaseFeed _feed;
    private readonly CoinbaseSimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private FeedLoop? _loop;
    private int _disposed;

    private CoinbaseSimulator(CoinbaseSimulatorOptions options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _options = options;
        _time = time;
        _log = loggerFactory.CreateLogger<CoinbaseSimulator>();
        Faults = new SimulatorFaults();
        _protocol = new CoinbaseProtocol(Faults, time, _log);
        var start = time.GetUtcNow();
        _feed = options.Source == CoinbaseFeedSource.Replay
            ? new ReplayCoinbaseFeed(options, _protocol, Faults, start)
            : new SyntheticCoinbaseFeed(options, _protocol, Faults, start);
        _server = new WebSocketVenueServer(VenueName, _protocol, options.Server, time, loggerFactory);
        _protocol.Stats = _server.Stats;
        Faults.DropRequested += OnDropRequested;
        Faults.MalformedRequested += OnMalformedRequested;
    }

    /// <summary>The WebSocket address, such as <c>ws://127.0.0.1:54321/</c>.</summary>
    public Uri Endpoint => _server.Endpoint;

    /// <summary>Run-time fault switches.</summary>
    public SimulatorFaults Faults { get; }

    /// <summary>Connections, messages, subscriptions.</summary>
    public SimulatorStats Stats => _server.Stats;

    /// <summary>The products a client may subscribe to.</summary>
    public IReadOnlyCollection<string> ProductIds => _protocol.ProductIds;

    /// <summary>Feed steps run, and steps that threw (logged; the loop goes on).</summary>
    public long Steps => _loop?.Steps ?? 0;

    public long StepFailures => _loop?.StepFailures ?? 0;

    /// <summary>Validates <paramref name="options"/>, binds 127.0.0.1 and starts the feed loop.</summary>
    /// <param name="time">Clock for timestamps and the feed loop; tests pass a FakeTimeProvider.</param>
    public static async Task<CoinbaseSimulator> StartAsync(
        CoinbaseSimulatorOptions options,
        TimeProvider? time = null,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var sim = new CoinbaseSimulator(options, time ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance);
        try
        {
            await sim._server.StartAsync(cancellationToken).ConfigureAwait(false);
            sim._loop = FeedLoop.Start(sim.Venue, sim._options.TickInterval, sim._time, sim._log, sim._feed.Step);
            LogStarted(sim._log, sim.Endpoint, options.Source, sim.ProductIds.Count);
            return sim;
        }
        catch
        {
            await sim.DisposeAsync().ConfigureAwait(false);
            throw;
        }
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
            _server.Broadcast(CoinbaseWire.Malformed[i % CoinbaseWire.Malformed.Length]);
        }

        Stats.CountMalformedSent(count);
    }

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Coinbase simulator on {Endpoint}: {Source} feed, {ProductCount} products")]
    private static partial void LogStarted(ILogger logger, Uri endpoint, CoinbaseFeedSource source, int productCount);

    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "Coinbase simulator fault: dropped {Count} connections")]
    private static partial void LogDropped(ILogger logger, int count);
}
