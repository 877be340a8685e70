using System.Globalization;
using Cloudwall.Rx.Ingestion.Backfill;

namespace Cloudwall.Rx.Ingestion.Venues.Coinbase;

/// <summary>
/// Back-fill for Coinbase Exchange: <c>GET /products/{product_id}/trades</c>, newest first, paged backwards by trade id with
/// <c>after</c> (https://docs.cdp.coinbase.com/api-reference/exchange-api/rest-api/products/get-product-trades and
/// https://docs.cdp.coinbase.com/exchange/rest-api/pagination, checked 2026-12-06). The documentation's example answer:
/// <code>
/// [{"time":"2020-03-20T00:36:59.860Z","trade_id":86327327,"price":"6225.32000000","size":"0.06469797","side":"sell"}]
/// </code>
/// <c>side</c> is the maker's, as on the WebSocket <c>match</c>, so the event carries the opposite.
/// </summary>
/// <remarks>
/// <para><c>after=N</c> answers the trades with ids below N (older), <c>limit</c> at most 1,000 (the default). The venue
/// also returns the cursor in the <c>CB-AFTER</c> header; for trades it is the oldest trade id of the page, which the client
/// reads from the page itself. The first page asks for <c>after=ToId+1</c> (the second bound comes back), and paging stops
/// at the first trade after the break, <c>FromId+1</c>, or the first bound if it shares that page.</para>
/// <para>Trade ids are per product and consecutive, the same ids as the WebSocket <c>match</c> (the recorded feed of
/// 2021-04-17 has no gap in 97 matches over 10 products), so <see cref="ConsecutiveIds"/> is true. REST carries no feed
/// sequence, so <see cref="MarketEvent.Sequence"/> stays 0.</para>
/// <para>Public endpoints are throttled per IP at 10 requests per second, bursts up to 15
/// (https://docs.cdp.coinbase.com/exchange/rest-api/rate-limits, checked 2026-12-06); every request weighs 1.</para>
/// </remarks>
public sealed class CoinbaseBackfill : IBackfillClient
{
    /// <summary>The documented maximum (and default) of <c>limit</c>.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>Public requests per second per IP (bursts up to 15 are tolerated; the sustained rate is kept).</summary>
    public const int RequestsPerSecond = 10;

    private const string What = "Coinbase trades";

    private readonly BackfillHttp _http;
    private readonly int _pageSize;

    /// <param name="http">Pointed at <see cref="DefaultRestEndpoint"/> (or a simulator), with <see cref="CreateBudget"/>.</param>
    /// <param name="pageSize">Trades per request, at most <see cref="MaxPageSize"/>.</param>
    public CoinbaseBackfill(BackfillHttp http, int pageSize = MaxPageSize)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _pageSize = RestTradeJson.PageSize(pageSize, MaxPageSize);
    }

    /// <summary>The production REST root of Coinbase Exchange.</summary>
    public static Uri DefaultRestEndpoint { get; } = new("https://api.exchange.coinbase.com/");

    /// <summary>The documented public limit: 10 requests per second per IP.</summary>
    public static RestBudget CreateBudget(TimeProvider? time = null) => new(RequestsPerSecond, TimeSpan.FromSeconds(1), time);

    public bool ConsecutiveIds => true;

    public async Task<BackfillFetch> FetchAsync(BackfillRequest request, int maxTrades, long receiveTimeNs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var trades = new List<MarketEvent>();
        var byId = request.FromId.Kind == TradeIdKind.Numeric;
        var fromId = byId ? request.FromId.AsLong : long.MinValue;
        long? after = request.ToId.Kind == TradeIdKind.Numeric ? request.ToId.AsLong + 1 : null;
        var path = "products/" + Uri.EscapeDataString(request.Symbol) + "/trades?limit=";
        while (trades.Count < maxTrades)
        {
            // Paging by id, exactly the ids still wanted: [FromId, after).
            var limit = byId && after is { } a ? (int)Math.Clamp(a - fromId, 1, _pageSize) : _pageSize;
            var query = path + limit.ToString(CultureInfo.InvariantCulture)
                + (after is { } c ? "&after=" + c.ToString(CultureInfo.InvariantCulture) : "");
            var body = await _http.GetAsync(query, weight: 1, cancellationToken).ConfigureAwait(false);
            var page = Decode(body, request, receiveTimeNs);
            if (page.Count == 0)
            {
                return new BackfillFetch(trades, ReachedStart: false); // nothing older is served
            }

            var oldestId = long.MaxValue;
            var oldestTime = long.MaxValue;
            foreach (var e in page)
            {
                oldestId = Math.Min(oldestId, e.TradeId.AsLong);
                oldestTime = Math.Min(oldestTime, e.ExchangeTimeNs);
                if (InInterval(e, request, byId) && trades.Count < maxTrades)
                {
                    trades.Add(e);
                }
            }

            // Down to the first trade after the break: the interval is covered (its first bound need not come back).
            if (byId ? oldestId <= fromId + 1 : oldestTime <= request.FromTimeNs)
            {
                return new BackfillFetch(trades);
            }

            if (page.Count < limit)
            {
                return new BackfillFetch(trades, ReachedStart: false); // the venue's history ends before the interval starts
            }

            after = oldestId;
        }

        return new BackfillFetch(trades);
    }

    private static bool InInterval(in MarketEvent e, BackfillRequest request, bool byId)
    {
        if (byId)
        {
            var id = e.TradeId.AsLong;
            return id >= request.FromId.AsLong && (request.ToId.Kind != TradeIdKind.Numeric || id <= request.ToId.AsLong);
        }

        return e.ExchangeTimeNs >= request.FromTimeNs && e.ExchangeTimeNs <= request.ToTimeNs;
    }

    /// <summary>One page: a JSON array of trades; an object (<c>{"message":...}</c>) is the venue's error.</summary>
    internal static List<MarketEvent> Decode(byte[] body, BackfillRequest request, long receiveTimeNs)
    {
        using var doc = RestTradeJson.Parse(body, What);
        var root = doc.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("message", out var message))
        {
            throw RestTradeJson.Bad(FrameReason.VenueError, What, $"venue error \"{message}\"", body);
        }

        if (root.ValueKind != JsonValueKind.Array)
        {
            throw RestTradeJson.Bad(FrameReason.Malformed, What, $"expected an array of trades, got {root.ValueKind}", body);
        }

        var events = new List<MarketEvent>(root.GetArrayLength());
        foreach (var t in root.EnumerateArray())
        {
            var side = RestTradeJson.Required(t, "side", What, body);
            events.Add(new MarketEvent
            {
                Kind = EventKind.Trade,
                Side = CoinbaseExchangeDecoder.TakerSide(RestTradeJson.Utf8(side)),
                Instrument = request.Instrument,
                Venue = request.Venue,
                Provider = request.Provider,
                Price = RestTradeJson.Positive(RestTradeJson.Required(t, "price", What, body), "price", What, body),
                Size = RestTradeJson.Positive(RestTradeJson.Required(t, "size", What, body), "size", What, body),
                ExchangeTimeNs = RestTradeJson.IsoTime(RestTradeJson.Required(t, "time", What, body), "time", What, body),
                ReceiveTimeNs = receiveTimeNs,
                TradeId = TradeId.Numeric(RestTradeJson.NonNegative(RestTradeJson.Required(t, "trade_id", What, body), "trade_id", What, body)),
            });
        }

        return events;
    }
}
