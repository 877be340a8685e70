using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Simulation.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Simulation.Aggregator;

/// <summary>
/// An aggregator gRPC stream (<c>cloudwall.aggregator.v1.StreamMarketData</c>) on 127.0.0.1, HTTP/2 cleartext: trades of the
/// configured (exchange, class, code) instruments that match each call's criteria (with <c>*</c> wildcards), from a shared
/// <see cref="Market.SyntheticMarket"/>, a contiguous <c>sequence_id</c> per call and a heartbeat every second. Faults switch on
/// at run time through <see cref="Faults"/>, naming instruments as <c>exchange:class:code</c> (<c>cbse:spot:btc-usd</c>):
/// silence (data only: heartbeats go on, so a client's stale watchdog can be tested), drop connections (reset every stream),
/// skip sequence, malformed updates (a price that is not a decimal, an unknown exchange), price offset, spike and latency, and
/// the back-fill faults: <c>DropTrades</c> (withheld trades take their stream sequence numbers, so the gap shows, and
/// <c>GetTrades</c> serves them) and <c>FailRest</c> (<c>GetTrades</c> answers UNAVAILABLE, or RESOURCE_EXHAUSTED for a 429).
/// </summary>
/// <example>
/// <code>
/// await using var sim = await AggregatorSimulator.StartAsync(new AggregatorSimulatorOptions { Token = "t" });
/// // GrpcChannel.ForAddress(sim.Endpoint), call Subscribe with metadata "authorization: Bearer t"
/// </code>
/// </example>
public sealed class AggregatorSimulator : VenueSimulator
{
    public const string VenueName = "aggregator";

    private readonly AggregatorSimulatorOptions _options;
    private readonly AggregatorFeed _feed;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private WebApplication? _app;
    private Uri _endpoint = new("http://127.0.0.1/");

    private AggregatorSimulator(AggregatorSimulatorOptions options, TimeProvider time, ILoggerFactory loggers)
        : base(VenueName, options.TickInterval, time, loggers)
    {
        _options = options;
        _time = time;
        _loggers = loggers;
        _feed = new AggregatorFeed(options, Faults, time);
    }

    /// <summary>The gRPC address, such as <c>http://127.0.0.1:54321</c>.</summary>
    public override Uri Endpoint => _endpoint;

    /// <summary>The historical trades rpc (<c>GetTrades</c>, for back-fill) is served on the same gRPC endpoint.</summary>
    public override Uri? RestEndpoint => _endpoint;

    /// <summary>Streams (as connections: one per call, subscriptions are its criteria), refusals (as protocol errors), malformed updates sent.</summary>
    public override SimulatorStats Stats => _feed.Stats;

    /// <summary>Calls streaming now.</summary>
    public int OpenStreams => _feed.OpenStreams;

    /// <summary>What <c>GetTrades</c> serves, keyed by <c>exchange:class:code</c>.</summary>
    internal Market.TradeHistory<AggregatorHistoricTrade> History => _feed.History;

    /// <summary>The instruments served, as <c>exchange:class:code</c>.</summary>
    public IReadOnlyList<string> Instruments => _feed.Instruments.Select(i => i.Key).ToList();

    private protected override int InstrumentCount => _feed.Instruments.Count;

    /// <summary>Validates <paramref name="options"/>, binds 127.0.0.1 (HTTP/2 only) and starts the feed loop.</summary>
    public static Task<AggregatorSimulator> StartAsync(AggregatorSimulatorOptions options, TimeProvider? time = null,
        ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionsCheck.ThrowIfInvalid(options);
        return StartAsync(new AggregatorSimulator(options, time ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance), cancellationToken);
    }

    private protected override async Task StartTransportAsync(CancellationToken cancellationToken)
    {
        // HTTP/2 only and cleartext: clients speak it with prior knowledge (GrpcChannel does for http:// addresses).
        var builder = LoopbackHost.CreateBuilder(VenueName, _options.Port, TimeSpan.FromSeconds(2), _time, _loggers, l => l.Protocols = HttpProtocols.Http2);
        builder.Services.AddRoutingCore();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new AggregatorService(_feed, _options.Token, Log));

        var app = builder.Build();
        app.UseRouting();
        app.MapGrpcService<AggregatorService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        _endpoint = new Uri($"http://127.0.0.1:{LoopbackHost.BoundPort(app)}");
    }

    private protected override void Step(DateTimeOffset from, DateTimeOffset to) => _feed.Step(from, to);

    /// <summary>Resets every stream.</summary>
    private protected override int AbortConnections() => _feed.AbortAll();

    private protected override int SendMalformed(int count) => _feed.SendMalformed(count);

    private protected override ValueTask StopTransportAsync()
    {
        _feed.AbortAll();
        return LoopbackHost.StopAsync(_app);
    }
}
