namespace Cloudwall.Rx.Ingestion.Venues.Okx;

/// <summary>Which OKX v5 endpoint carries a channel: <c>/ws/v5/public</c>, or <c>/ws/v5/business</c> (<c>trades-all</c>).</summary>
public enum OkxRoute : byte
{
    Public = 0,
    Business = 1,
}

/// <summary>The channels one route subscribes per instrument id, by the market its id names.</summary>
public sealed record OkxRouteChannels(OkxRoute Route, IReadOnlyList<string> Spot, IReadOnlyList<string> Swap, IReadOnlyList<string> Future,
    IReadOnlyList<string> Option)
{
    /// <summary>The same channels for every market.</summary>
    public OkxRouteChannels(OkxRoute route, params string[] all)
        : this(route, all, all, all, all)
    {
    }

    /// <summary>One quote channel plus each derivative's marks (and the swaps' funding), as every level carries them.</summary>
    internal static OkxRouteChannels QuotesAndMarks(string quotes) =>
        new(OkxRoute.Public, [quotes], [quotes, OkxProtocol.MarkPrice, OkxProtocol.FundingRate], [quotes, OkxProtocol.MarkPrice],
            [quotes, OkxProtocol.MarkPrice]);
}

/// <summary>
/// OKX's data levels (<c>Providers:&lt;name&gt;:Level</c>) and the routes each needs, each route with its own protocol and endpoint.
/// </summary>
/// <remarks>
/// Checked 2026-12-06. The official pages (https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-trades-channel,
/// <c>#…-ws-all-trades-channel</c>, <c>#…-ws-order-book-channel</c>, <c>#…-ws-tickers-channel</c>) are not in the stored copy
/// of okx.com/docs-v5 (it holds only the overview), so the routing and channel semantics rest on third-party copies of them:
/// an "Order Book Trading - Market Data" digest of the OKX docs (<c>trades</c> and <c>tickers</c> on <c>/ws/v5/public</c>,
/// <c>trades-all</c> on <c>/ws/v5/business</c>, <c>bbo-tbt</c> "Best bid/ask, push tick-by-tick" on <c>/public</c>), NautilusTrader's
/// OKX adapter (<c>trades</c> "aggregated trades (one update per taker order)", <c>trades-all</c> on the business URL), and ccxt
/// (<c>bbo-tbt</c> "tick-by-tick Level 1 data", open to all users). Every level keeps <c>mark-price</c> (futures, swaps,
/// options) and <c>funding-rate</c> (swaps): they carry no trades and feed the mark-based fair price.
/// <list type="bullet">
/// <item><c>aggregated</c> (the default, today's subscription): <c>trades</c> (fills of one taker order at one price merged,
/// with their <c>count</c>) + <c>tickers</c>.</item>
/// <item><c>trades</c>: <c>trades-all</c> on <c>/business</c> (every fill, one per push) + <c>tickers</c> on <c>/public</c>.</item>
/// <item><c>quotes</c>: <c>bbo-tbt</c>, the best bid and ask on every change.</item>
/// <item><c>throttled</c>: <c>tickers</c> alone (best bid and ask with the last trade, at most one push per 100 ms).</item>
/// </list>
/// </remarks>
public static class OkxLevels
{
    public const string TradesAll = "trades-all";
    public const string BboTbt = "bbo-tbt";

    private const string PublicSegment = "/public";
    private const string BusinessSegment = "/business";

    public static readonly IReadOnlyList<(string Level, OkxRouteChannels[] Routes)> LevelChannels =
    [
        (VenueLevels.Aggregated, [new(OkxRoute.Public, OkxProtocol.DefaultSpotChannels, OkxProtocol.DefaultSwapChannels, OkxProtocol.DefaultFutureChannels,
            OkxProtocol.DefaultOptionChannels)]),
        (VenueLevels.Trades, [new(OkxRoute.Business, TradesAll), OkxRouteChannels.QuotesAndMarks(OkxProtocol.Tickers)]),
        (VenueLevels.Quotes, [OkxRouteChannels.QuotesAndMarks(BboTbt)]),
        (VenueLevels.Throttled, [OkxRouteChannels.QuotesAndMarks(OkxProtocol.Tickers)]),
    ];

    /// <summary>
    /// The routes of <paramref name="level"/> (null: the default), each a protocol subscribing that route's channels and the
    /// route's endpoint, derived from <paramref name="configured"/> (the public endpoint; default production).
    /// </summary>
    public static IReadOnlyList<WebSocketRoute> Routes(string? level, int maxSymbolsPerConnection = 100, Uri? configured = null) =>
        [.. VenueLevels.ChannelsOf(LevelChannels, level, "OKX").Select(r => new WebSocketRoute(
            new OkxProtocol(maxSymbolsPerConnection, r.Spot, r.Swap, r.Future, r.Option), Endpoint(r.Route, configured)))];

    /// <summary>A route's endpoint: the configured public endpoint (<c>…/ws/v5/public</c>) with its last segment swapped.</summary>
    public static Uri Endpoint(OkxRoute route, Uri? configured = null)
    {
        var publicEndpoint = configured ?? OkxProtocol.ProductionEndpoint;
        return route == OkxRoute.Public ? publicEndpoint : new UriBuilder(publicEndpoint) { Path = PathOf(publicEndpoint.AbsolutePath, route) }.Uri;
    }

    /// <summary>A route's path beside a public path: <c>/ws/v5/public</c> → <c>/ws/v5/business</c>; a path without <c>/public</c> gains the segment.</summary>
    public static string PathOf(string publicPath, OkxRoute route)
    {
        ArgumentNullException.ThrowIfNull(publicPath);
        if (route == OkxRoute.Public)
        {
            return publicPath;
        }

        var trimmed = publicPath.TrimEnd('/');
        var basePath = trimmed.EndsWith(PublicSegment, StringComparison.Ordinal) ? trimmed[..^PublicSegment.Length] : trimmed;
        return basePath + BusinessSegment;
    }
}
