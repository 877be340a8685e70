using Cloudwall.Rx.Core.Configuration;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Simulation.Hosting;

/// <summary>
/// The shell every venue simulator shares: its <see cref="SimulatorFaults"/> wired to the transport (drop, malformed frames),
/// the start sequence (bind the listener, then start the <see cref="FeedLoop"/>, disposing everything if either fails) and
/// the stop sequence (loop first, so no step writes to a closing transport). A venue plugs in its transport and its step.
/// </summary>
public abstract partial class VenueSimulator : IVenueSimulator
{
    private readonly TimeSpan _tickInterval;
    private readonly TimeProvider _time;
    private FeedLoop? _loop;
    private int _disposed;

    private protected VenueSimulator(string venue, TimeSpan tickInterval, TimeProvider time, ILoggerFactory loggerFactory)
    {
        Venue = venue;
        _tickInterval = tickInterval;
        _time = time;
        Log = loggerFactory.CreateLogger(GetType());
        Faults = new SimulatorFaults();
        Faults.DropRequested += OnDropRequested;
        Faults.MalformedRequested += OnMalformedRequested;
    }

    /// <summary>The venue name, as in <see cref="Core.VenueId.Name"/>.</summary>
    public string Venue { get; }

    /// <summary>The address clients connect to on loopback; valid once started.</summary>
    public abstract Uri Endpoint { get; }

    /// <summary>Run-time fault switches; instruments are named as the venue names them.</summary>
    public SimulatorFaults Faults { get; }

    /// <summary>Connections, messages, subscriptions.</summary>
    public abstract SimulatorStats Stats { get; }

    /// <summary>The venue's REST API (recent trades, for back-fill) on loopback, or null when the simulator serves none.</summary>
    public virtual Uri? RestEndpoint => null;

    /// <summary>Feed steps run.</summary>
    public long Steps => _loop?.Steps ?? 0;

    /// <summary>Feed steps that threw (logged; the loop goes on).</summary>
    public long StepFailures => _loop?.StepFailures ?? 0;

    private protected ILogger Log { get; }

    /// <summary>How many instruments the venue serves, for the start log line.</summary>
    private protected abstract int InstrumentCount { get; }

    /// <summary>Binds the listener on 127.0.0.1.</summary>
    private protected abstract Task StartTransportAsync(CancellationToken cancellationToken);

    /// <summary>Advances the venue's market from <paramref name="from"/> to <paramref name="to"/>; run by the feed loop.</summary>
    private protected abstract void Step(DateTimeOffset from, DateTimeOffset to);

    /// <summary>Ends every connection without a close handshake; returns how many.</summary>
    private protected abstract int AbortConnections();

    /// <summary>Sends <paramref name="count"/> broken frames or updates; returns how many went out.</summary>
    private protected abstract int SendMalformed(int count);

    /// <summary>Closes the listener; called once, after the feed loop has stopped.</summary>
    private protected abstract ValueTask StopTransportAsync();

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

        await StopTransportAsync().ConfigureAwait(false);
    }

    /// <summary>Binds the transport and starts the feed loop; a simulator that fails to start is disposed before the error propagates.</summary>
    private protected static async Task<TSimulator> StartAsync<TSimulator>(TSimulator simulator, CancellationToken cancellationToken)
        where TSimulator : VenueSimulator
    {
        try
        {
            await simulator.StartTransportAsync(cancellationToken).ConfigureAwait(false);
            simulator._loop = FeedLoop.Start(simulator.Venue, simulator._tickInterval, simulator._time, simulator.Log, simulator.Step);
            LogStarted(simulator.Log, simulator.Venue, simulator.Endpoint, simulator.InstrumentCount);
            return simulator;
        }
        catch
        {
            await simulator.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void OnDropRequested() => LogDropped(Log, Venue, AbortConnections());

    private void OnMalformedRequested(int count) => Stats.CountMalformedSent(SendMalformed(count));

    [LoggerMessage(EventId = 7011, Level = LogLevel.Information, Message = "{Venue} simulator on {Endpoint}: {InstrumentCount} instruments")]
    private static partial void LogStarted(ILogger logger, string venue, Uri endpoint, int instrumentCount);

    [LoggerMessage(EventId = 7012, Level = LogLevel.Information, Message = "{Venue} simulator fault: dropped {Count} connections")]
    private static partial void LogDropped(ILogger logger, string venue, int count);
}

/// <summary>
/// A venue simulator served by a <see cref="WebSocketVenueServer"/>: the venue's <see cref="IVenueProtocol"/> answers clients,
/// and the venue's malformed frames are what <see cref="SimulatorFaults.SendMalformed"/> broadcasts. A venue builds its protocol
/// from <see cref="VenueSimulator.Faults"/> in its constructor and then calls <see cref="Listen"/>.
/// </summary>
public abstract class WebSocketVenueSimulator : VenueSimulator
{
    private readonly byte[][] _malformed;
    private WebSocketVenueServer? _server;
    private bool _servesRest;

    /// <param name="malformed">Broken frames broadcast in turn by the malformed fault.</param>
    private protected WebSocketVenueSimulator(string venue, TimeSpan tickInterval, TimeProvider time, ILoggerFactory loggerFactory, byte[][] malformed)
        : base(venue, tickInterval, time, loggerFactory)
    {
        _malformed = malformed;
        LoggerFactory = loggerFactory;
        Time = time;
    }

    /// <summary>The WebSocket address, such as <c>ws://127.0.0.1:54321/</c> (with the configured path).</summary>
    public override Uri Endpoint => Server.Endpoint;

    public override SimulatorStats Stats => Server.Stats;

    public override Uri? RestEndpoint => _servesRest ? Server.RestEndpoint : null;

    /// <summary>REST requests received and those refused with 429 (zeros without a REST API).</summary>
    public (long Requests, long Limited) RestStats => Server.RestStats;

    private protected TimeProvider Time { get; }

    private ILoggerFactory LoggerFactory { get; }

    private WebSocketVenueServer Server => _server ?? throw new InvalidOperationException($"{Venue} simulator: {nameof(Listen)} was not called.");

    /// <summary>Creates the server that hands client messages to <paramref name="protocol"/>; call once from the constructor.</summary>
    /// <param name="additionalPaths">Request paths served besides <see cref="WebSocketVenueServerOptions.Path"/>.</param>
    private protected void Listen(IVenueProtocol protocol, WebSocketVenueServerOptions server, IReadOnlyCollection<string>? additionalPaths = null)
    {
        if (_server is not null)
        {
            throw new InvalidOperationException($"{Venue} simulator already listens.");
        }

        _server = new WebSocketVenueServer(Venue, protocol, server, Time, LoggerFactory, additionalPaths);
    }

    /// <summary>Serves the venue's REST API on the same port; call from the constructor, after <see cref="Listen"/>.</summary>
    /// <param name="maxRequestsPerSecond">The venue's request limit, answered with 429 and <c>Retry-After</c> when passed (0: none).</param>
    private protected void ServeRest(IVenueRestApi api, int maxRequestsPerSecond)
    {
        Server.ServeRest(api, Faults, maxRequestsPerSecond);
        _servesRest = true;
    }

    private protected override Task StartTransportAsync(CancellationToken cancellationToken) => Server.StartAsync(cancellationToken);

    private protected override int AbortConnections() => Server.AbortAll();

    private protected override int SendMalformed(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Server.Broadcast(_malformed[i % _malformed.Length]);
        }

        return count;
    }

    private protected override ValueTask StopTransportAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;
}
