namespace Cloudwall.Rx.Ingestion.Venues.Binance;

/// <summary>
/// Which endpoint of a market carries a stream. Only USDⓈ-M routes: spot, COIN-M and Binance.US keep one endpoint.
/// </summary>
/// <remarks>
/// Checked 2026-12-04 against Binance's developer docs:
/// <list type="bullet">
/// <item>USDⓈ-M, "Important WebSocket Change Notice — Base URL Split &amp; Migration"
/// (https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams/Important-WebSocket-Change-Notice)
/// and "Websocket Market Streams" (https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams;
/// the routed text read on its mirror https://developers.binance.info/docs/derivatives/usds-margined-futures/websocket-market-streams):
/// <c>wss://fstream.binance.com/public</c> carries high-frequency public data (<c>@bookTicker</c>, <c>@depth</c>),
/// <c>/market</c> regular market data (<c>@aggTrade</c>, <c>@markPrice</c>, klines, tickers), <c>/private</c> user data;
/// legacy URLs retired 2026-04-23. Combined streams remain supported on the routed bases
/// (<c>wss://fstream.binance.com/market/stream?streams=bnbusdt@aggTrade/btcusdt@markPrice</c>), and so is JSON
/// <c>SUBSCRIBE</c>. A connection without a routed path receives only <c>/public</c> data: <c>@markPrice</c> there is silent.</item>
/// <item>COIN-M, "Websocket Market Streams" (https://developers.binance.com/docs/derivatives/coin-margined-futures/websocket-market-streams):
/// one base <c>wss://dstream.binance.com</c>, combined streams at <c>/stream</c>, 200 streams and 10 incoming messages per
/// second per connection; no split.</item>
/// <item>Spot, "WebSocket Streams for Binance" (https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams):
/// <c>wss://stream.binance.com:9443</c> (or :443), combined streams at <c>/stream</c>; <c>wss://data-stream.binance.vision</c>
/// serves market data only; no split.</item>
/// </list>
/// The USDⓈ-M limits are stated per connection (10 incoming messages per second on the routed page; 200 streams per
/// connection on the page before the split, no other figure given since), so each route's shards keep them on their own.
/// </remarks>
public enum BinanceRoute : byte
{
    /// <summary>The market's one combined-stream endpoint, <c>&lt;base&gt;/stream</c>. On USDⓈ-M it delivers only <see cref="Public"/> streams.</summary>
    Unrouted = 0,

    /// <summary>USDⓈ-M <c>&lt;base&gt;/public/stream</c>: <c>bookTicker</c> and <c>depth</c>.</summary>
    Public = 1,

    /// <summary>USDⓈ-M <c>&lt;base&gt;/market/stream</c>: every other market stream (<c>aggTrade</c>, <c>markPrice</c>, klines, tickers).</summary>
    Market = 2,
}

/// <summary>The one rule of which route carries a stream, and the endpoints derived from a base URL.</summary>
public static class BinanceRoutes
{
    private const string StreamSegment = "/stream";

    /// <summary>True when the market serves its streams on separate routed endpoints (USDⓈ-M since 2026-03-06).</summary>
    public static bool IsRouted(this BinanceMarket market) => market == BinanceMarket.UsdM;

    /// <summary>The route of a stream name such as <c>bookTicker</c>, <c>depth5@100ms</c> or <c>markPrice@1s</c>.</summary>
    public static BinanceRoute RouteOf(this BinanceMarket market, string stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!market.IsRouted())
        {
            return BinanceRoute.Unrouted;
        }

        return stream == "bookTicker" || stream.StartsWith("depth", StringComparison.Ordinal) ? BinanceRoute.Public : BinanceRoute.Market;
    }

    /// <summary>True when a connection on <paramref name="connection"/> receives a stream on <paramref name="stream"/>'s route.</summary>
    public static bool Delivers(this BinanceRoute connection, BinanceRoute stream) =>
        connection == stream || (connection == BinanceRoute.Unrouted && stream == BinanceRoute.Public);

    /// <summary>The combined-stream path of a route under a base path: <c>""</c> → <c>/stream</c>, <c>/public/stream</c>, <c>/market/stream</c>.</summary>
    public static string StreamPath(string basePath, BinanceRoute route)
    {
        ArgumentNullException.ThrowIfNull(basePath);
        var trimmed = basePath.TrimEnd('/');
        return route switch
        {
            BinanceRoute.Unrouted => trimmed + StreamSegment,
            BinanceRoute.Public => trimmed + "/public" + StreamSegment,
            BinanceRoute.Market => trimmed + "/market" + StreamSegment,
            _ => throw new ArgumentOutOfRangeException(nameof(route), route, null),
        };
    }

    /// <summary>
    /// The combined-stream endpoint of a route. <paramref name="configured"/> is a base URL (<c>wss://fstream.binance.com</c>)
    /// or, as configuration has always held, a combined-stream endpoint (<c>.../stream</c>, or a routed <c>.../market/stream</c>):
    /// its <c>/stream</c> and route segments are dropped to find the base.
    /// </summary>
    public static Uri StreamEndpoint(this BinanceMarket market, BinanceRoute route, Uri? configured = null)
    {
        if (route != BinanceRoute.Unrouted && !market.IsRouted())
        {
            throw new ArgumentOutOfRangeException(nameof(route), route, $"{market.Name()} has a single endpoint: no {route} route.");
        }

        var baseUri = configured ?? market.ProductionBase();
        return new UriBuilder(baseUri) { Path = StreamPath(market.BasePath(baseUri.AbsolutePath), route), Query = "" }.Uri;
    }

    /// <summary>The base of an endpoint path: <c>/stream</c>, <c>/market/stream</c> or <c>/public</c> → <c>""</c>; <c>/proxy/stream</c> → <c>/proxy</c>.</summary>
    public static string BasePath(this BinanceMarket market, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        path = path.TrimEnd('/');
        path = path.EndsWith(StreamSegment, StringComparison.Ordinal) ? path[..^StreamSegment.Length] : path;
        foreach (var segment in (ReadOnlySpan<string>)["/public", "/market"])
        {
            path = market.IsRouted() && path.EndsWith(segment, StringComparison.Ordinal) ? path[..^segment.Length] : path;
        }

        return path;
    }

    /// <summary>
    /// The routes a provider of <paramref name="market"/> needs for its streams, each with its own protocol (the route's
    /// streams and limits) and endpoint: one unrouted endpoint for spot, COIN-M and Binance.US; <c>/public</c> and
    /// <c>/market</c> for USDⓈ-M's default streams.
    /// </summary>
    public static IReadOnlyList<WebSocketRoute> Routes(BinanceMarket market, BinanceProtocolOptions? options = null, Uri? configured = null)
    {
        var streams = options?.Streams is { Count: > 0 } configuredStreams ? configuredStreams : market.DefaultStreams();
        return [.. streams.Select(s => market.RouteOf(s)).Distinct().Order()
            .Select(r => new WebSocketRoute(new BinanceProtocol(market, options, r), market.StreamEndpoint(r, configured)))];
    }
}
