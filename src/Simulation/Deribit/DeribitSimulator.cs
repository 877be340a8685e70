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
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private long _steps;
    private long _stepFailures;
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

    public long Steps => Interlocked.Read(ref _steps);

    public long StepFailures => Interlocked.Read(ref _stepFailures);

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
            sim._loop = Task.Run(sim.RunLoopAsync, CancellationToken.None);
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
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false); // never throws: the loop catches
        await _server.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunLoopAsync()
    {
        try
        {
            using var timer = new PeriodicTimer(_options.TickInterval, _time);
            var last = _time.GetUtcNow();
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                var now = _time.GetUtcNow();
                try
                {
                    _feed.Step(last, now);
                    Interlocked.Increment(ref _steps);
                }
                catch (Exception ex)
                {
                    // One bad step must not stop the market: count it, log it, carry on from here.
                    Interlocked.Increment(ref _stepFailures);
                    LogStepFailed(_log, ex);
                }

                last = now;
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (Exception ex)
        {
            LogLoopFailed(_log, ex);
        }
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

    [LoggerMessage(EventId = 312, Level = LogLevel.Error, Message = "Deribit simulator feed step failed")]
    private static partial void LogStepFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 313, Level = LogLevel.Critical, Message = "Deribit simulator feed loop ended unexpectedly")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 314, Level = LogLevel.Information, Message = "Deribit simulator fault: dropped {Count} connections")]
    private static partial void LogDropped(ILogger logger, int count);
}
