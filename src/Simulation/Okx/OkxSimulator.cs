using Cloudwall.Rx.Ingestion.Venues.Okx;
using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Market;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Simulation.Okx;

/// <summary>
/// An OKX v5 public WebSocket (<c>wss://ws.okx.com:8443/ws/v5/public</c>) on 127.0.0.1: <c>trades</c>, <c>tickers</c>,
/// <c>bbo-tbt</c>, <c>mark-price</c>, <c>index-tickers</c> and <c>funding-rate</c> from a <see cref="Market.SyntheticMarket"/>, and
/// beside it the business endpoint (<c>/ws/v5/business</c>, <see cref="BusinessEndpoint"/>) with <c>trades-all</c>; text
/// <c>ping</c>/<c>pong</c>, and faults switchable at run time through <see cref="Faults"/> (instruments are OKX ids such as
/// <c>BTC-USDT-SWAP</c>; a sequence skip skips trade ids). Its REST API on the same port serves
/// <c>GET /api/v5/market/history-trades</c> (<see cref="OkxRestApi"/>) from every fill printed, for back-fill.
/// </summary>
/// <example>
/// <code>
/// await using var sim = await OkxSimulator.StartAsync(new OkxSimulatorOptions { Market = sharedMarket });
/// // sim.Endpoint is ws://127.0.0.1:&lt;port&gt;/ws/v5/public; send {"op":"subscribe","args":[{"channel":"trades","instId":"BTC-USDT"}]}
/// </code>
/// </example>
public sealed class OkxSimulator : WebSocketVenueSimulator
{
    public const string VenueName = "okx";

    /// <summary>history-trades' limit, 20 requests per 2 s per IP, as a per-second rate.</summary>
    private const int OkxRestRequestsPerSecond = 10;

    private readonly OkxSimulatorProtocol _protocol;

    private OkxSimulator(OkxSimulatorOptions options, TimeProvider time, ILoggerFactory loggerFactory)
        : base(VenueName, options.TickInterval, time, loggerFactory, OkxWire.Malformed)
    {
        var business = OkxLevels.PathOf(options.Server.Path, OkxRoute.Business);
        _protocol = new OkxSimulatorProtocol(options, Faults, time.GetUtcNow(), Log, business);
        Listen(_protocol, options.Server, [business]);
        ServeRest(new OkxRestApi(_protocol.History, _protocol.IsInstrument), OkxRestRequestsPerSecond);
        _protocol.Stats = Stats;
    }

    /// <summary>The business endpoint beside <see cref="VenueSimulator.Endpoint"/>: <c>ws://127.0.0.1:&lt;port&gt;/ws/v5/business</c>, serving <c>trades-all</c>.</summary>
    public Uri BusinessEndpoint => OkxLevels.Endpoint(OkxRoute.Business, Endpoint);

    /// <summary>The instrument ids a client may subscribe to.</summary>
    public IReadOnlyCollection<string> InstIds => _protocol.InstIds;

    private protected override int InstrumentCount => InstIds.Count;

    /// <summary>What <c>GET /api/v5/market/history-trades</c> serves (on <see cref="VenueSimulator.RestEndpoint"/>).</summary>
    internal TradeHistory<OkxHistoricTrade> History => _protocol.History;

    /// <summary>The last trade id printed for an instrument.</summary>
    public long LastTradeId(string instId) => _protocol.LastTradeId(instId);

    /// <summary>Validates <paramref name="options"/>, binds 127.0.0.1 and starts the feed loop.</summary>
    /// <param name="time">Clock for timestamps and the feed loop; tests pass a FakeTimeProvider.</param>
    public static Task<OkxSimulator> StartAsync(OkxSimulatorOptions options, TimeProvider? time = null, ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionsCheck.ThrowIfInvalid(options);
        return StartAsync(new OkxSimulator(options, time ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance), cancellationToken);
    }

    private protected override void Step(DateTimeOffset from, DateTimeOffset to) => _protocol.Step(from, to);
}
