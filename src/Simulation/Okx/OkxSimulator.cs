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
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private long _steps;
    private long _stepFailures;
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

    public long Steps => Interlocked.Read(ref _steps);

    public long StepFailures => Interlocked.Read(ref _stepFailures);

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
            sim._loop = Task.Run(sim.RunLoopAsync, CancellationToken.None);
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
                    _protocol.Step(last, now);
                    Interlocked.Increment(ref _steps);
                }
                catch (Exception ex)
                {
                    // One bad step must not stop the market: count it, log it, carry on.
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
            _server.Broadcast(OkxWire.Malformed[i % OkxWire.Malformed.Length]);
        }

        Stats.CountMalformedSent(count);
    }

    [LoggerMessage(EventId = 311, Level = LogLevel.Information, Message = "OKX simulator on {Endpoint}: {Count} instruments")]
    private static partial void LogStarted(ILogger logger, Uri endpoint, int count);

    [LoggerMessage(EventId = 312, Level = LogLevel.Error, Message = "OKX simulator feed step failed")]
    private static partial void LogStepFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 313, Level = LogLevel.Critical, Message = "OKX simulator feed loop ended unexpectedly")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 314, Level = LogLevel.Information, Message = "OKX simulator fault: dropped {Count} connections")]
    private static partial void LogDropped(ILogger logger, int count);
}
