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

    /// <summary>The replay and configuration name: the venue name (<c>binance</c>, <c>binance-usdm</c>, ...).</summary>
    public static string Name(this BinanceMarket market) => market.Venue().Name;
}
