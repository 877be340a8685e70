using Cloudwall.Rx.Simulation.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Simulation.Okx;

/// <summary>
/// An OKX v5 public WebSocket (<c>wss://ws.okx.com:8443/ws/v5/public</c>) on 127.0.0.1: <c>trades</c>, <c>tickers</c>,
/// <c>mark-price</c>, <c>index-tickers</c> and <c>funding-rate</c> from a <see cref="Market.SyntheticMarket"/>, text
/// <c>ping</c>/<c>pong</c>, and faults switchable at run time through <see cref="Faults"/> (instruments are OKX ids such as
/// <c>BTC-USDT-SWAP</c>; a sequence skip skips trade ids).
/// </summary>
/// <example>
/// <code>
/// await using var sim = await OkxSimulator.StartAsync(new OkxSimulatorOptions { Market = sharedMarket });
/// // sim.Endpoint is ws://127.0.0.1:&lt;port&gt;/ws/v5/public; send {"op":"subscribe","args":[{"channel":"trades","instId":"BTC-USDT"}]}
/// </code>
/// </example>
public sealed partial class OkxSimulator : IVenueSimulator
{
    public const string VenueName = "okx";

    private readonly WebSocketVenueServer _server;
    private readonly OkxSimulatorProtocol _protocol;
    private readonly OkxSimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private FeedLoop? _loop;
    private int _disposed;

    private OkxSimulator(OkxSimulatorOptions options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _options = options;
        _time = time;
        _log = loggerFactory.CreateLogger<OkxSimulator>();
        Faults = new SimulatorFaults();
        _protocol = new OkxSimulatorProtocol(options, Faults, time.GetUtcNow(), _log);
        _server = new WebSocketVenueServer(VenueName, _protocol, options.Server, time, loggerFactory);
        _protocol.Stats = _server.Stats;
        Faults.DropRequested += OnDropRequested;
        Faults.MalformedRequested += OnMalformedRequested;
    }

    public string Venue => VenueName;

    /// <summary>The WebSocket address, such as <c>ws://127.0.0.1:54321/ws/v5/public</c>.</summary>
    public Uri Endpoint => _server.Endpoint;

    public SimulatorFaults Faults { get; }

    public SimulatorStats Stats => _server.Stats;

    /// <summary>The instrument ids a client may subscribe to.</summary>
    public IReadOnlyCollection<string> InstIds => _protocol.InstIds;

    public long Steps => _loop?.Steps ?? 0;

    public long StepFailures => _loop?.StepFailures ?? 0;

    /// <summary>The last trade id printed for an instrument.</summary>
    public long LastTradeId(string instId) => _protocol.LastTradeId(instId);

    /// <summary>Validates <paramref name="options"/>, binds 127.0.0.1 and starts the feed loop.</summary>
    public static async Task<OkxSimulator> StartAsync(OkxSimulatorOptions options, TimeProvider? time = null, ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var sim = new OkxSimulator(options, time ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance);
        try
        {
            await sim._server.StartAsync(cancellationToken).ConfigureAwait(false);
            sim._loop = FeedLoop.Start(sim.Venue, sim._options.TickInterval, sim._time, sim._log, sim._protocol.Step);
            LogStarted(sim._log, sim.Endpoint, sim.InstIds.Count);
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
            _server.Broadcast(OkxWire.Malformed[i % OkxWire.Malformed.Length]);
        }

        Stats.CountMalformedSent(count);
    }

    [LoggerMessage(EventId = 311, Level = LogLevel.Information, Message = "OKX simulator on {Endpoint}: {Count} instruments")]
    private static partial void LogStarted(ILogger logger, Uri endpoint, int count);

    [LoggerMessage(EventId = 314, Level = LogLevel.Information, Message = "OKX simulator fault: dropped {Count} connections")]
    private static partial void LogDropped(ILogger logger, int count);
}
