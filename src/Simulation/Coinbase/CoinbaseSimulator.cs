using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Simulation.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Simulation.Coinbase;

/// <summary>
/// A Coinbase Exchange WebSocket feed (<c>wss://ws-feed.exchange.coinbase.com</c>) on 127.0.0.1: <c>matches</c>,
/// <c>ticker</c>, <c>ticker_batch</c> and <c>heartbeat</c> channels (every data level's), from a synthetic market or a recorded file replayed in a loop, with faults
/// switchable at run time through <see cref="Faults"/>. Its REST trade history, <c>GET /products/{product_id}/trades</c>,
/// is served on the same port (<see cref="VenueSimulator.RestEndpoint"/>); fault instrument names are product ids (<c>BTC-USD</c>).
/// </summary>
/// <example>
/// <code>
/// await using var sim = await CoinbaseSimulator.StartAsync(new CoinbaseSimulatorOptions());
/// // connect a ClientWebSocket to sim.Endpoint and send
/// // {"type":"subscribe","product_ids":["BTC-USD"],"channels":["matches","ticker"]}
/// </code>
/// </example>
public sealed class CoinbaseSimulator : WebSocketVenueSimulator
{
    public const string VenueName = "coinbase";

    private readonly CoinbaseProtocol _protocol;
    private readonly ICoinbaseFeed _feed;

    private CoinbaseSimulator(CoinbaseSimulatorOptions options, TimeProvider time, ILoggerFactory loggerFactory)
        : base(VenueName, options.TickInterval, time, loggerFactory, CoinbaseWire.Malformed)
    {
        _protocol = new CoinbaseProtocol(Faults, time, Log, options.TickerBatchInterval);
        var start = time.GetUtcNow();
        _feed = options.Source == CoinbaseFeedSource.Replay
            ? new ReplayCoinbaseFeed(options, _protocol, Faults, start)
            : new SyntheticCoinbaseFeed(options, _protocol, Faults, start);
        Listen(_protocol, options.Server);
        ServeRest(new CoinbaseRestApi(_protocol), CoinbaseRestApi.MaxRequestsPerSecond);
        _protocol.Stats = Stats;
    }

    /// <summary>The products a client may subscribe to.</summary>
    public IReadOnlyCollection<string> ProductIds => _protocol.ProductIds;

    private protected override int InstrumentCount => ProductIds.Count;

    /// <summary>What the REST trade history holds, for tests that compare a back-fill with it.</summary>
    internal Market.TradeHistory<CoinbaseHistoricTrade> History => _protocol.History;

    /// <summary>Validates <paramref name="options"/>, binds 127.0.0.1 and starts the feed loop.</summary>
    /// <param name="time">Clock for timestamps and the feed loop; tests pass a FakeTimeProvider.</param>
    public static Task<CoinbaseSimulator> StartAsync(CoinbaseSimulatorOptions options, TimeProvider? time = null, ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionsCheck.ThrowIfInvalid(options);
        return StartAsync(new CoinbaseSimulator(options, time ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance), cancellationToken);
    }

    private protected override void Step(DateTimeOffset from, DateTimeOffset to)
    {
        _feed.Step(from, to);
        _protocol.PublishTickerBatches(to);
    }
}
