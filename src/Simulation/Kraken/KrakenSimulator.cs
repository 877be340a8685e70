using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Simulation.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Simulation.Kraken;

/// <summary>
/// A Kraken spot WebSocket v2 feed (<c>wss://ws.kraken.com/v2</c>) on 127.0.0.1: <c>status</c> on connect, <c>trade</c> and
/// <c>ticker</c> channels with JSON-number prices, heartbeats once a second, <c>ping</c>/<c>pong</c>, from a synthetic market
/// (shared with the other simulators through <see cref="KrakenSimulatorOptions.Market"/>), with faults switchable at run time
/// through <see cref="Faults"/>. Fault instrument names are Kraken symbols (<c>BTC/USD</c>); a sequence skip jumps the pair's
/// <c>trade_id</c>. Its REST trade history, <c>GET /0/public/Trades</c>, is served on the same port
/// (<see cref="VenueSimulator.RestEndpoint"/>).
/// </summary>
/// <example>
/// <code>
/// await using var sim = await KrakenSimulator.StartAsync(new KrakenSimulatorOptions());
/// // connect to sim.Endpoint and send {"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"]}}
/// </code>
/// </example>
public sealed class KrakenSimulator : WebSocketVenueSimulator
{
    public const string VenueName = "kraken";

    private readonly KrakenProtocol _protocol;
    private readonly SyntheticKrakenFeed _feed;

    private KrakenSimulator(KrakenSimulatorOptions options, TimeProvider time, ILoggerFactory loggerFactory)
        : base(VenueName, options.TickInterval, time, loggerFactory, KrakenWire.Malformed)
    {
        _protocol = new KrakenProtocol(Faults, time, Log);
        _feed = new SyntheticKrakenFeed(options, _protocol, Faults, time.GetUtcNow());
        Listen(_protocol, options.Server);
        ServeRest(new KrakenRestApi(_protocol), KrakenRestApi.MaxRequestsPerSecond);
        _protocol.Stats = Stats;
    }

    /// <summary>The symbols a client may subscribe to (Kraken symbols, <c>BTC/USD</c>; so are fault instrument names).</summary>
    public IReadOnlyCollection<string> Symbols => _protocol.Symbols;

    private protected override int InstrumentCount => Symbols.Count;

    /// <summary>What the REST trade history holds, for tests that compare a back-fill with it.</summary>
    internal Market.TradeHistory<KrakenHistoricTrade> History => _protocol.History;

    /// <summary>Validates <paramref name="options"/>, binds 127.0.0.1 and starts the feed loop.</summary>
    /// <param name="time">Clock for timestamps and the feed loop; tests pass a FakeTimeProvider.</param>
    public static Task<KrakenSimulator> StartAsync(KrakenSimulatorOptions options, TimeProvider? time = null, ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionsCheck.ThrowIfInvalid(options);
        return StartAsync(new KrakenSimulator(options, time ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance), cancellationToken);
    }

    private protected override void Step(DateTimeOffset from, DateTimeOffset to) => _feed.Step(from, to);
}
