using Cloudwall.Rx.Simulation.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Simulation.Kraken;

/// <summary>
/// A Kraken spot WebSocket v2 feed (<c>wss://ws.kraken.com/v2</c>) on 127.0.0.1: <c>status</c> on connect, <c>trade</c> and
/// <c>ticker</c> channels with JSON-number prices, heartbeats once a second, <c>ping</c>/<c>pong</c>, from a synthetic market
/// (shared with the other simulators through <see cref="KrakenSimulatorOptions.Market"/>), with faults switchable at run time
/// through <see cref="Faults"/>. Fault instrument names are Kraken symbols (<c>BTC/USD</c>); a sequence skip jumps the pair's
/// <c>trade_id</c>.
/// </summary>
/// <example>
/// <code>
/// await using var sim = await KrakenSimulator.StartAsync(new KrakenSimulatorOptions());
/// // connect to sim.Endpoint and send {"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"]}}
/// </code>
/// </example>
public sealed partial class KrakenSimulator : IVenueSimulator
{
    public const string VenueName = "kraken";

    private readonly WebSocketVenueServer _server;
    private readonly KrakenProtocol _protocol;
    private readonly SyntheticKrakenFeed _feed;
    private readonly KrakenSimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private FeedLoop? _loop;
    private int _disposed;

    private KrakenSimulator(KrakenSimulatorOptions options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _options = options;
        _time = time;
        _log = loggerFactory.CreateLogger<KrakenSimulator>();
        Faults = new SimulatorFaults();
        _protocol = new KrakenProtocol(Faults, time, _log);
        _feed = new SyntheticKrakenFeed(options, _protocol, Faults, time.GetUtcNow());
        _server = new WebSocketVenueServer(VenueName, _protocol, options.Server, time, loggerFactory);
        _protocol.Stats = _server.Stats;
        Faults.DropRequested += OnDropRequested;
        Faults.MalformedRequested += OnMalformedRequested;
    }

    public string Venue => VenueName;

    /// <summary>The WebSocket address, such as <c>ws://127.0.0.1:54321/</c>.</summary>
    public Uri Endpoint => _server.Endpoint;

    /// <summary>Run-time fault switches; instruments are Kraken symbols (<c>BTC/USD</c>).</summary>
    public SimulatorFaults Faults { get; }

    /// <summary>Connections, messages, subscriptions (<c>trade:BTC/USD</c>).</summary>
    public SimulatorStats Stats => _server.Stats;

    /// <summary>The symbols a client may subscribe to.</summary>
    public IReadOnlyCollection<string> Symbols => _protocol.Symbols;

    /// <summary>Feed steps run, and steps that threw (logged; the loop goes on).</summary>
    public long Steps => _loop?.Steps ?? 0;

    public long StepFailures => _loop?.StepFailures ?? 0;

    /// <summary>Validates <paramref name="options"/>, binds 127.0.0.1 and starts the feed loop.</summary>
    /// <param name="time">Clock for timestamps and the feed loop; tests pass a FakeTimeProvider.</param>
    public static async Task<KrakenSimulator> StartAsync(
        KrakenSimulatorOptions options,
        TimeProvider? time = null,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var sim = new KrakenSimulator(options, time ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance);
        try
        {
            await sim._server.StartAsync(cancellationToken).ConfigureAwait(false);
            sim._loop = FeedLoop.Start(sim.Venue, sim._options.TickInterval, sim._time, sim._log, sim._feed.Step);
            LogStarted(sim._log, sim.Endpoint, sim.Symbols.Count);
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
            _server.Broadcast(KrakenWire.Malformed[i % KrakenWire.Malformed.Length]);
        }

        Stats.CountMalformedSent(count);
    }

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Kraken v2 simulator on {Endpoint}: {PairCount} pairs")]
    private static partial void LogStarted(ILogger logger, Uri endpoint, int pairCount);

    [LoggerMessage(EventId = 404, Level = LogLevel.Information, Message = "Kraken simulator fault: dropped {Count} connections")]
    private static partial void LogDropped(ILogger logger, int count);
}
