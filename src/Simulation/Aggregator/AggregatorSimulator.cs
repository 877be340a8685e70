using System.Net;
using Cloudwall.Rx.Simulation.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Simulation.Aggregator;

/// <summary>
/// An aggregator gRPC stream (<c>cloudwall.aggregator.v1.StreamMarketData</c>) on 127.0.0.1, HTTP/2 cleartext: trades of the
/// configured (exchange, class, code) instruments that match each call's criteria (with <c>*</c> wildcards), from a shared
/// <see cref="Market.SyntheticMarket"/>, a contiguous <c>sequence_id</c> per call and a heartbeat every second. Faults switch on
/// at run time through <see cref="Faults"/>, naming instruments as <c>exchange:class:code</c> (<c>cbse:spot:btc-usd</c>):
/// silence (data only: heartbeats go on, so a client's stale watchdog can be tested), drop connections (reset every stream),
/// skip sequence, malformed updates (a price that is not a decimal, an unknown exchange), price offset, spike and latency.
/// </summary>
/// <example>
/// <code>
/// await using var sim = await AggregatorSimulator.StartAsync(new AggregatorSimulatorOptions { Token = "t" });
/// // GrpcChannel.ForAddress(sim.Endpoint), call Subscribe with metadata "authorization: Bearer t"
/// </code>
/// </example>
public sealed partial class AggregatorSimulator : IVenueSimulator
{
    public const string VenueName = "aggregator";

    private readonly AggregatorSimulatorOptions _options;
    private readonly AggregatorFeed _feed;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;
    private WebApplication? _app;
    private FeedLoop? _loop;
    private int _disposed;

    private AggregatorSimulator(AggregatorSimulatorOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        _options = options;
        _time = time;
        _loggers = loggers;
        _log = loggers.CreateLogger<AggregatorSimulator>();
        Faults = new SimulatorFaults();
        _feed = new AggregatorFeed(options, Faults, time);
        Faults.DropRequested += OnDropRequested;
        Faults.MalformedRequested += OnMalformedRequested;
    }

    public string Venue => VenueName;

    /// <summary>The gRPC address, such as <c>http://127.0.0.1:54321</c>.</summary>
    public Uri Endpoint { get; private set; } = new("http://127.0.0.1/");

    public SimulatorFaults Faults { get; }

    /// <summary>Streams (as connections: one per call, subscriptions are its criteria), refusals (as protocol errors), malformed updates sent.</summary>
    public SimulatorStats Stats => _feed.Stats;

    /// <summary>Calls streaming now.</summary>
    public int OpenStreams => _feed.OpenStreams;

    /// <summary>The instruments served, as <c>exchange:class:code</c>.</summary>
    public IReadOnlyList<string> Instruments => _feed.Instruments.Select(i => i.Key).ToList();

    public long StepFailures => _loop?.StepFailures ?? 0;

    /// <summary>Validates <paramref name="options"/>, binds 127.0.0.1 (HTTP/2 only) and starts the feed loop.</summary>
    public static async Task<AggregatorSimulator> StartAsync(AggregatorSimulatorOptions options, TimeProvider? time = null,
        ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var sim = new AggregatorSimulator(options, time ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance);
        try
        {
            await sim.StartServerAsync(cancellationToken).ConfigureAwait(false);
            sim._loop = FeedLoop.Start(sim.Venue, sim._options.TickInterval, sim._time, sim._log, sim._feed.Step);
            LogStarted(sim._log, sim.Endpoint, sim._feed.Instruments.Count);
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
        _feed.AbortAll();
        if (_app is not null)
        {
            try
            {
                await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                await _app.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        // The empty builder reads no environment variables or appsettings, so ASPNETCORE_URLS cannot move the socket.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "Cloudwall.Rx.Simulation." + VenueName });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // HTTP/2 only and cleartext: clients speak it with prior knowledge (GrpcChannel does for http:// addresses).
            k.Listen(IPAddress.Loopback, _options.Port, l => l.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new AggregatorService(_feed, _options.Token, _log));
        builder.Services.AddSingleton(_time);
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(_loggers));
        builder.Logging.SetMinimumLevel(LogLevel.Warning); // Kestrel and gRPC stay quiet.

        var app = builder.Build();
        app.UseRouting();
        app.MapGrpcService<AggregatorService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no bound address.");
        Endpoint = new Uri($"http://127.0.0.1:{new Uri(address).Port}");
    }

    private void OnDropRequested() => LogDropped(_log, _feed.AbortAll());

    private void OnMalformedRequested(int count) => Stats.CountMalformedSent(_feed.SendMalformed(count));

    [LoggerMessage(EventId = 311, Level = LogLevel.Information, Message = "Aggregator simulator on {Endpoint}: {Count} instruments")]
    private static partial void LogStarted(ILogger logger, Uri endpoint, int count);

    [LoggerMessage(EventId = 314, Level = LogLevel.Information, Message = "Aggregator simulator fault: reset {Count} streams")]
    private static partial void LogDropped(ILogger logger, int count);

    /// <summary>Sends Kestrel's and gRPC's log lines to the caller's factory; the host's Warning minimum filters them first.</summary>
    private sealed class ForwardingLoggerProvider(ILoggerFactory target) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => target.CreateLogger(categoryName);

        public void Dispose()
        {
            // The target factory belongs to the caller.
        }
    }
}
