using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Market;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Simulation.Deribit;

/// <summary>
/// A Deribit API v2 JSON-RPC WebSocket (<c>wss://www.deribit.com/ws/api/v2</c>) on 127.0.0.1: <c>trades.*</c> and
/// <c>ticker.*</c> channels for synthetic perpetuals, futures and options read from a shared <see cref="Market.SyntheticMarket"/>,
/// the venue's heartbeat (<c>public/set_heartbeat</c> → <c>test_request</c> → <c>public/test</c>, closing connections
/// that do not answer), and faults switchable at run time through <see cref="Faults"/> (instruments are Deribit names). Its
/// REST API on the same port serves <c>GET /api/v2/public/get_last_trades_by_instrument</c> (<see cref="DeribitRestApi"/>).
/// </summary>
/// <example>
/// <code>
/// await using var sim = await DeribitSimulator.StartAsync(new DeribitSimulatorOptions { Market = sharedMarket });
/// // {"jsonrpc":"2.0","id":1,"method":"public/subscribe","params":{"channels":["trades.BTC-PERPETUAL.raw"]}}
/// </code>
/// </example>
public sealed class DeribitSimulator : WebSocketVenueSimulator
{
    public const string VenueName = "deribit";

    /// <summary>Deribit's sustained rate for non-matching-engine requests (10,000 credits/s refill, 500 credits a request).</summary>
    private const int RestRequestsPerSecond = 20;

    private readonly DeribitRpcProtocol _protocol;
    private readonly SyntheticDeribitFeed _feed;

    private DeribitSimulator(DeribitSimulatorOptions options, TimeProvider time, ILoggerFactory loggerFactory)
        : base(VenueName, options.TickInterval, time, loggerFactory, DeribitWire.Malformed)
    {
        _protocol = new DeribitRpcProtocol(options, time, Log);
        _feed = new SyntheticDeribitFeed(options, _protocol, Faults, time.GetUtcNow());
        Listen(_protocol, options.Server);
        ServeRest(new DeribitRestApi(_feed.History, name => _protocol.Instruments.Contains(name), time), RestRequestsPerSecond);
        _protocol.Stats = Stats;
    }

    /// <summary>What <c>GET /api/v2/public/get_last_trades_by_instrument</c> serves (on <see cref="VenueSimulator.RestEndpoint"/>).</summary>
    internal TradeHistory<DeribitHistoricTrade> History => _feed.History;

    /// <summary>The instrument names a client may subscribe to.</summary>
    public IReadOnlyCollection<string> InstrumentNames => _protocol.Instruments;

    /// <summary>Connections closed because a <c>test_request</c> went unanswered.</summary>
    public long HeartbeatCloses => _protocol.HeartbeatCloses;

    private protected override int InstrumentCount => InstrumentNames.Count;

    /// <summary>Validates <paramref name="options"/>, binds 127.0.0.1 and starts the feed loop.</summary>
    /// <param name="time">Clock for timestamps and the feed loop; tests pass a FakeTimeProvider.</param>
    public static Task<DeribitSimulator> StartAsync(DeribitSimulatorOptions options, TimeProvider? time = null, ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionsCheck.ThrowIfInvalid(options);
        return StartAsync(new DeribitSimulator(options, time ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance), cancellationToken);
    }

    private protected override void Step(DateTimeOffset from, DateTimeOffset to) => _feed.Step(from, to);
}
