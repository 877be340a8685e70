using Cloudwall.Rx.Ingestion.Venues.Bybit;
using Cloudwall.Rx.Simulation.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Simulation.Bybit;

/// <summary>
/// One Bybit v5 public endpoint (<c>wss://stream.bybit.com/v5/public/{spot|linear|inverse}</c>) on 127.0.0.1, the category
/// taken from <see cref="BybitSimulatorOptions.Category"/> (run one simulator per category, sharing one
/// <see cref="Market.SyntheticMarket"/>): <c>publicTrade</c> and <c>tickers</c> topics, <c>{"op":"ping"}</c> keep-alives, and
/// faults switchable at run time through <see cref="Faults"/> (instruments are Bybit symbols such as <c>BTCUSDT</c>).
/// </summary>
/// <example>
/// <code>
/// await using var linear = await BybitSimulator.StartAsync(new BybitSimulatorOptions { Category = BybitCategory.Linear, Market = shared });
/// // linear.Endpoint is ws://127.0.0.1:&lt;port&gt;/v5/public/linear; send {"op":"subscribe","args":["publicTrade.BTCUSDT"]}
/// </code>
/// </example>
public sealed partial class BybitSimulator : IVenueSimulator
{
    public const string VenueName = "bybit";

    private readonly WebSocketVenueServer _server;
    private readonly BybitSimulatorProtocol _protocol;
    private readonly BybitSimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private FeedLoop? _loop;
    private int _disposed;

    private BybitSimulator(BybitSimulatorOptions options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _options = options;
        _time = time;
        _log = loggerFactory.CreateLogger<BybitSimulator>();
        Faults = new SimulatorFaults();
        _protocol = new BybitSimulatorProtocol(options, Faults, time, _log);
        var server = new WebSocketVenueServerOptions
        {
            Port = options.Server.Port,
            Path = options.EffectivePath,
            SendQueueCapacity = options.Server.SendQueueCapacity,
            SendQueueFullMode = options.Server.SendQueueFullMode,
            MaxReceiveMessageBytes = options.Server.MaxReceiveMessageBytes,
            ShutdownTimeout = options.Server.ShutdownTimeout,
        };
        _server = new WebSocketVenueServer(VenueName, _protocol, server, time, loggerFactory);
        _protocol.Stats = _server.Stats;
        Faults.DropRequested += OnDropRequested;
        Faults.MalformedRequested += OnMalformedRequested;
    }

    public string Venue => VenueName;

    /// <summary>The WebSocket address, such as <c>ws://127.0.0.1:54321/v5/public/linear</c>.</summary>
    public Uri Endpoint => _server.Endpoint;

    public SimulatorFaults Faults { get; }

    public SimulatorStats Stats => _server.Stats;

    /// <summary>The symbols a client may subscribe to.</summary>
    public IReadOnlyCollection<string> Symbols => _protocol.Symbols;

    public BybitCategory Category => _options.Category;

    public long Steps => _loop?.Steps ?? 0;

    public long StepFailures => _loop?.StepFailures ?? 0;

    /// <summary>Validates <paramref name="options"/>, binds 127.0.0.1 and starts the feed loop.</summary>
    public static async Task<BybitSimulator> StartAsync(BybitSimulatorOptions options, TimeProvider? time = null, ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var sim = new BybitSimulator(options, time ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance);
        try
        {
            await sim._server.StartAsync(cancellationToken).ConfigureAwait(false);
            sim._loop = FeedLoop.Start(sim.Venue, sim._options.TickInterval, sim._time, sim._log, sim._protocol.Step);
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

    private void OnDropRequested() => LogDropped(_log, _server.AbortAll());

    private void OnMalformedRequested(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _server.Broadcast(BybitWire.Malformed[i % BybitWire.Malformed.Length]);
        }

        Stats.CountMalformedSent(count);
    }

    [LoggerMessage(EventId = 411, Level = LogLevel.Information, Message = "Bybit simulator on {Endpoint}: {Count} symbols")]
    private static partial void LogStarted(ILogger logger, Uri endpoint, int count);

    [LoggerMessage(EventId = 414, Level = LogLevel.Information, Message = "Bybit simulator fault: dropped {Count} connections")]
    private static partial void LogDropped(ILogger logger, int count);
}
