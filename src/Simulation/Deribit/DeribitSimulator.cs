using Cloudwall.Rx.Simulation.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Simulation.Deribit;

/// <summary>
/// A Deribit API v2 JSON-RPC WebSocket (<c>wss://www.deribit.com/ws/api/v2</c>) on 127.0.0.1: <c>trades.*</c> and
/// <c>ticker.*</c> channels for synthetic perpetuals, futures and options read from a shared <see cref="Market.SyntheticMarket"/>,
/// the venue's heartbeat (<c>public/set_heartbeat</c> → <c>test_request</c> → <c>public/test</c>, closing connections
/// that do not answer), and faults switchable at run time through <see cref="Faults"/> (instruments are Deribit names).
/// </summary>
/// <example>
/// <code>
/// await using var sim = await DeribitSimulator.StartAsync(new DeribitSimulatorOptions { Market = sharedMarket });
/// // {"jsonrpc":"2.0","id":1,"method":"public/subscribe","params":{"channels":["trades.BTC-PERPETUAL.raw"]}}
/// </code>
/// </example>
public sealed partial class DeribitSimulator : IVenueSimulator
{
    public const string VenueName = "deribit";

    private readonly WebSocketVenueServer _server;
    private readonly DeribitRpcProtocol _protocol;
    private readonly SyntheticDeribitFeed _feed;
    private readonly DeribitSimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private FeedLoop? _loop;
    private int _disposed;

    private DeribitSimulator(DeribitSimulatorOptions options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _options = options;
        _time = time;
        _log = loggerFactory.CreateLogger<DeribitSimulator>();
        Faults = new SimulatorFaults();
        _protocol = new DeribitRpcProtocol(options, time, _log);
        _feed = new SyntheticDeribitFeed(options, _protocol, Faults, time.GetUtcNow());
        _server = new WebSocketVenueServer(VenueName, _protocol, options.Server, time, loggerFactory);
        _protocol.Stats = _server.Stats;
        Faults.DropRequested += OnDropRequested;
        Faults.MalformedRequested += OnMalformedRequested;
    }

    public string Venue => VenueName;

    /// <summary>The WebSocket address, such as <c>ws://127.0.0.1:54321/</c>.</summary>
    public Uri Endpoint => _server.Endpoint;

    public SimulatorFaults Faults { get; }

    public SimulatorStats Stats => _server.Stats;

    /// <summary>The instrument names a client may subscribe to.</summary>
    public IReadOnlyCollection<string> InstrumentNames => _protocol.Instruments;

    /// <summary>Connections closed because a <c>test_request</c> went unanswered.</summary>
    public long HeartbeatCloses => _protocol.HeartbeatCloses;

    public long Steps => _loop?.Steps ?? 0;

    public long StepFailures => _loop?.StepFailures ?? 0;

    /// <summary>Validates <paramref name="options"/>, binds 127.0.0.1 and starts the feed loop.</summary>
    public static async Task<DeribitSimulator> StartAsync(
        DeribitSimulatorOptions options,
        TimeProvider? time = null,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var sim = new DeribitSimulator(options, time ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance);
        try
        {
            await sim._server.StartAsync(cancellationToken).ConfigureAwait(false);
            sim._loop = FeedLoop.Start(sim.Venue, sim._options.TickInterval, sim._time, sim._log, sim._feed.Step);
            LogStarted(sim._log, sim.Endpoint, sim.InstrumentNames.Count);
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

    private void OnDropRequested() => LogDropped(_log, _server.AbortAll());

    private void OnMalformedRequested(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _server.Broadcast(DeribitWire.Malformed[i % DeribitWire.Malformed.Length]);
        }

        Stats.CountMalformedSent(count);
    }

    [LoggerMessage(EventId = 311, Level = LogLevel.Information, Message = "Deribit simulator on {Endpoint}: {InstrumentCount} instruments")]
    private static partial void LogStarted(ILogger logger, Uri endpoint, int instrumentCount);

    [LoggerMessage(EventId = 314, Level = LogLevel.Information, Message = "Deribit simulator fault: dropped {Count} connections")]
    private static partial void LogDropped(ILogger logger, int count);
}
