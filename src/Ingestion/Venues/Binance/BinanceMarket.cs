using Cloudwall.Rx.Ingestion.Venues.Kit;

namespace Cloudwall.Rx.Ingestion.Venues.Binance;

/// <summary>
/// The Binance market an endpoint serves. Each has its own host and its own symbol grammar, and maps to its own
/// <see cref="VenueId"/>, so <c>BTCUSDT</c> on spot and <c>BTCUSDT</c> on USDⓈ-M never collide.
/// </summary>
public enum BinanceMarket : byte
{
    /// <summary>Binance spot (<c>stream.binance.com</c>): <c>BTCUSDT</c> is <c>BTC-USDT.SPOT</c>.</summary>
    Spot = 0,

    /// <summary>USDⓈ-M futures (<c>fstream.binance.com</c>): <c>BTCUSDT</c> is a perpetual, <c>BTCUSDT_210924</c> a dated future.</summary>
    UsdM = 1,

    /// <summary>COIN-M futures (<c>dstream.binance.com</c>): <c>BTCUSD_PERP</c> is a perpetual, <c>BTCUSD_210924</c> a dated future.</summary>
    CoinM = 2,

    /// <summary>Binance.US spot (<c>stream.binance.us</c>): the spot grammar under <see cref="VenueId.BinanceUs"/>.</summary>
    Us = 3,
}

/// <summary>Per-market constants: venue, provider, endpoint and documented limits.</summary>
public static class BinanceMarkets
{
    public static VenueId Venue(this BinanceMarket market) => market switch
    {
        BinanceMarket.Spot => VenueId.Binance,
        BinanceMarket.UsdM => VenueId.BinanceUsdm,
        BinanceMarket.CoinM => VenueId.BinanceCoinm,
        BinanceMarket.Us => VenueId.BinanceUs,
        _ => throw new ArgumentOutOfRangeException(nameof(market), market, null),
    };

    public static ProviderId Provider(this BinanceMarket market) => ProviderId.Direct(market.Venue());

    /// <summary>True for the futures markets (USDⓈ-M and COIN-M).</summary>
    public static bool IsFutures(this BinanceMarket market) => market is BinanceMarket.UsdM or BinanceMarket.CoinM;

    /// <summary>
    /// The production base URL: the market's combined-stream endpoint is this plus <c>/stream</c> (USDⓈ-M: plus the route,
    /// see <see cref="BinanceRoutes"/>).
    /// </summary>
    public static Uri ProductionBase(this BinanceMarket market) => market switch
    {
        BinanceMarket.Spot => new Uri("wss://stream.binance.com:9443"),
        BinanceMarket.UsdM => new Uri("wss://fstream.binance.com"),
        BinanceMarket.CoinM => new Uri("wss://dstream.binance.com"),
        BinanceMarket.Us => new Uri("wss://stream.binance.us:9443"),
        _ => throw new ArgumentOutOfRangeException(nameof(market), market, null),
    };

    /// <summary>Documented maximum streams per connection: 1024 on spot, 200 on the futures endpoints (on each USDⓈ-M route).</summary>
    public static int StreamLimit(this BinanceMarket market) => market.IsFutures() ? 200 : 1024;

    /// <summary>Documented maximum incoming (client to server) messages per second per connection: 5 on spot, 10 on futures.</summary>
    public static int IncomingMessagesPerSecond(this BinanceMarket market) => market.IsFutures() ? 10 : 5;

    /// <summary>The streams subscribed per symbol by default: trades and best bid/offer; futures add the mark price.</summary>
    public static IReadOnlyList<string> DefaultStreams(this BinanceMarket market) =>
        market.IsFutures() ? ["aggTrade", "bookTicker", "markPrice@1s"] : ["trade", "bookTicker"];

    /// <summary>
    /// The streams per symbol of each data level (<c>Providers:&lt;name&gt;:Level</c>), the default first: the market's first
    /// level is its <see cref="DefaultStreams"/>.
    /// </summary>
    /// <remarks>
    /// Checked 2026-12-06 against Binance's developer docs. Spot, "WebSocket Streams for Binance"
    /// (https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams): <c>&lt;symbol&gt;@trade</c> pushes raw
    /// trades ("each trade has a unique buyer and seller"), <c>&lt;symbol&gt;@aggTrade</c> "trade information that is aggregated
    /// for a single taker order" (<c>a</c>, <c>p</c>, <c>q</c>, <c>f</c>, <c>l</c>, <c>T</c>, <c>m</c>), <c>&lt;symbol&gt;@bookTicker</c>
    /// the best bid and offer in real time. USDⓈ-M, "Aggregate Trade Streams"
    /// (https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams/Aggregate-Trade-Streams):
    /// fills "with same price and taking side every 100 milliseconds", and COIN-M likewise
    /// (https://developers.binance.com/docs/derivatives/coin-margined-futures/websocket-market-streams/Aggregate-Trade-Streams);
    /// the futures market-stream pages list no raw-trade stream, so futures have no <c>trades</c> level: <c>aggregated</c>
    /// (today's default) is their finest.
    /// </remarks>
    public static IReadOnlyList<(string Level, IReadOnlyList<string> Streams)> LevelStreams(this BinanceMarket market) => market.IsFutures()
        ?
        [
            (VenueLevels.Aggregated, market.DefaultStreams()),
            (VenueLevels.Quotes, ["bookTicker", "markPrice@1s"]),
        ]
        :
        [
            (VenueLevels.Trades, market.DefaultStreams()),
            (VenueLevels.Aggregated, ["aggTrade", "bookTicker"]),
            (VenueLevels.Quotes, ["bookTicker"]),
        ];

    /// <summary>The streams of one level of <see cref="LevelStreams(BinanceMarket)"/>, or null when the market does not offer it.</summary>
    public static IReadOnlyList<string>? LevelStreams(this BinanceMarket market, string level) =>
        market.LevelStreams().FirstOrDefault(l => l.Level == level).Streams;

    /// <summary>The level names Binance offers, finest first: spot <c>trades</c>, <c>aggregated</c>, <c>quotes</c>; futures from <c>aggregated</c>.</summary>
    public static IReadOnlyList<string> Levels(this BinanceMarket market) => [.. market.LevelStreams().Select(l => l.Level)];

    /// <summary>The replay and configuration name: the venue name (<c>binance</c>, <c>binance-usdm</c>, ...).</summary>
    public static string Name(this BinanceMarket market) => market.Venue().Name;
}
