using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Ingestion.Venues.Bybit;
using Cloudwall.Rx.Simulation.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Simulation.Bybit;

/// <summary>
/// One Bybit v5 public endpoint (<c>wss://stream.bybit.com/v5/public/{spot|linear|inverse}</c>) on 127.0.0.1, the category
/// taken from <see cref="BybitSimulatorOptions.Category"/> (run one simulator per category, sharing one
/// <see cref="Market.SyntheticMarket"/>): <c>publicTrade</c> and <c>tickers</c> topics, <c>{"op":"ping"}</c> keep-alives, and
/// faults switchable at run time through <see cref="Faults"/> (instruments are Bybit symbols such as <c>BTCUSDT</c>;
/// <see cref="SimulatorFaults.DropTrades"/> counts single trades). <c>GET /v5/market/recent-trade</c> for back-fill is served
/// on the same port (<see cref="VenueSimulator.RestEndpoint"/>, <see cref="BybitRestApi"/>).
/// </summary>
/// <example>
/// <code>
/// await using var linear = await BybitSimulator.StartAsync(new BybitSimulatorOptions { Category = BybitCategory.Linear, Market = shared });
/// // linear.Endpoint is ws://127.0.0.1:&lt;port&gt;/v5/public/linear; send {"op":"subscribe","args":["publicTrade.BTCUSDT"]}
/// </code>
/// </example>
public sealed class BybitSimulator : WebSocketVenueSimulator
{
    public const string VenueName = "bybit";

    /// <summary>Bybit's HTTP IP limit, 600 requests per 5 seconds, as a rate.</summary>
    public const int MaxRestRequestsPerSecond = 120;

    private readonly BybitSimulatorProtocol _protocol;
    private readonly BybitRestApi _rest;

    private BybitSimulator(BybitSimulatorOptions options, TimeProvider time, ILoggerFactory loggerFactory)
        : base(VenueName, options.TickInterval, time, loggerFactory, BybitWire.Malformed)
    {
        Category = options.Category;
        _rest = new BybitRestApi(options.Category, options.EffectiveInstruments.Select(i => i.Symbol).ToHashSet(StringComparer.Ordinal), time);
        _protocol = new BybitSimulatorProtocol(options, Faults, _rest, time, Log);
        var server = new WebSocketVenueServerOptions
        {
            Port = options.Server.Port,
            Path = options.EffectivePath,
            SendQueueCapacity = options.Server.SendQueueCapacity,
            SendQueueFullMode = options.Server.SendQueueFullMode,
            MaxReceiveMessageBytes = options.Server.MaxReceiveMessageBytes,
            ShutdownTimeout = options.Server.ShutdownTimeout,
        };
        Listen(_protocol, server);
        ServeRest(_rest, MaxRestRequestsPerSecond);
        _protocol.Stats = Stats;
    }

    /// <summary>The REST recent-trade endpoint and the history behind it (tests compare a back-fill with it).</summary>
    internal BybitRestApi RestApi => _rest;

    /// <summary>The symbols a client may subscribe to.</summary>
    public IReadOnlyCollection<string> Symbols => _protocol.Symbols;

    public BybitCategory Category { get; }

    private protected override int InstrumentCount => Symbols.Count;

    /// <summary>Validates <paramref name="options"/>, binds 127.0.0.1 and starts the feed loop.</summary>
    /// <param name="time">Clock for timestamps and the feed loop; tests pass a FakeTimeProvider.</param>
    public static Task<BybitSimulator> StartAsync(BybitSimulatorOptions options, TimeProvider? time = null, ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionsCheck.ThrowIfInvalid(options);
        return StartAsync(new BybitSimulator(options, time ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance), cancellationToken);
    }

    private protected override void Step(DateTimeOffset from, DateTimeOffset to) => _protocol.Step(from, to);
}
