using System.Globalization;
using Cloudwall.Rx.Ingestion.Backfill;

namespace Cloudwall.Rx.Ingestion.Venues.CoinbaseAdvanced;

/// <summary>
/// Back-fill for Coinbase Advanced Trade: the public market trades,
/// <c>GET https://api.coinbase.com/api/v3/brokerage/market/products/{product_id}/ticker?limit=&amp;start=&amp;end=</c>
/// (no authentication; the authenticated twin is <c>/api/v3/brokerage/products/{product_id}/ticker</c>,
/// https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/products/get-market-trades, checked 2026-12-06),
/// newest first, paged backwards in time. The documentation's example answer:
/// <code>
/// {"trades":[{"trade_id":"34b080bf-fcfd-445a-832b-46b5ddc65601","product_id":"BTC-USD","price":"140.91","size":"4",
///   "time":"2021-05-31T09:59:59.000Z","side":"&lt;any&gt;","exchange":"&lt;string&gt;"}],"best_bid":"291.13","best_ask":"292.40"}
/// </code>
/// </summary>
/// <remarks>
/// <para><c>start</c> and <c>end</c> are Unix seconds and <c>limit</c> is required. The client asks for the seconds that
/// hold the interval; a full page means older trades may remain, so it asks again with <c>end</c> at the oldest trade's
/// second and drops the trades it already has (a second can straddle two pages).</para>
/// <para><c>side</c> is read as the live <c>market_trades</c> decoder reads it (the maker's side, <c>BUY</c>/<c>SELL</c>),
/// so a trade back-filled and the same trade live agree. Trade ids are strings: the documentation shows a UUID here and
/// <c>"000000000"</c> on the WebSocket, and documents no numbering, so <see cref="ConsecutiveIds"/> is false and gaps are
/// filled by time; <see cref="BackfillFetch.ReachedStart"/> is true (no retention limit is documented).</para>
/// <para>Public REST endpoints: 10 requests per second per IP; weight 1. The venue's page
/// (https://docs.cloud.coinbase.com/advanced-trade/docs/rest-api-rate-limits) is not in the stored documentation; the figure
/// is from third-party summaries of it (ccxt's Coinbase adapter, "10 req/s for public data"; api-evangelist's Coinbase
/// rate-limits file), checked 2026-12-06.</para>
/// <para>The Coinbase simulator serves the Exchange feed only (no Advanced Trade WebSocket), so there is no simulated twin
/// of this endpoint.</para>
/// </remarks>
public sealed class CoinbaseAdvancedBackfill : IBackfillClient
{
    /// <summary>Trades per request.</summary>
    public const int MaxPageSize = 1000;

    private const string What = "Coinbase Advanced market trades";
    private const long NanosPerSecond = 1_000_000_000;

    private readonly BackfillHttp _http;
    private readonly int _pageSize;

    /// <param name="http">Pointed at <see cref="DefaultRestEndpoint"/>, with <see cref="CreateBudget"/>.</param>
    /// <param name="pageSize">Trades per request (<c>limit</c>), at most <see cref="MaxPageSize"/>.</param>
    public CoinbaseAdvancedBackfill(BackfillHttp http, int pageSize = MaxPageSize)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _pageSize = RestTradeJson.PageSize(pageSize, MaxPageSize);
    }

    /// <summary>The production REST root of Advanced Trade.</summary>
    public static Uri DefaultRestEndpoint { get; } = new("https://api.coinbase.com/");

    /// <summary>Public endpoints: 10 requests per second per IP.</summary>
    public static RestBudget CreateBudget(TimeProvider? time = null) => new(10, TimeSpan.FromSeconds(1), time);

    public bool ConsecutiveIds => false;

    public async Task<BackfillFetch> FetchAsync(BackfillRequest request, int maxTrades, long receiveTimeNs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var trades = new List<MarketEvent>();
        var seen = new HashSet<TradeId>();
        var start = request.FromTimeNs / NanosPerSecond;
        var end = request.ToTimeNs / NanosPerSecond + 1;
        var path = "api/v3/brokerage/market/products/" + Uri.EscapeDataString(request.Symbol) + "/ticker?limit="
            + _pageSize.ToString(CultureInfo.InvariantCulture) + "&start=" + start.ToString(CultureInfo.InvariantCulture) + "&end=";
        while (trades.Count < maxTrades)
        {
            var body = await _http.GetAsync(path + end.ToString(CultureInfo.InvariantCulture), weight: 1, cancellationToken).ConfigureAwait(false);
            var page = Decode(body, request, receiveTimeNs);
            var oldest = long.MaxValue;
            foreach (var e in page)
            {
                oldest = Math.Min(oldest, e.ExchangeTimeNs);
                if (e.ExchangeTimeNs >= request.FromTimeNs && e.ExchangeTimeNs <= request.ToTimeNs && trades.Count < maxTrades && seen.Add(e.TradeId))
                {
                    trades.Add(e);
                }
            }

            // A short page is the last; so is one that reaches the start, or one whose oldest second does not move the end.
            var nextEnd = oldest / NanosPerSecond + 1;
            if (page.Count < _pageSize || oldest < request.FromTimeNs || nextEnd >= end)
            {
                break;
            }

            end = nextEnd;
        }

        return new BackfillFetch(trades);
    }

    /// <summary>One page: <c>{"trades":[...]}</c>; <c>{"error":...}</c> is the venue's error.</summary>
    internal static List<MarketEvent> Decode(byte[] body, BackfillRequest request, long receiveTimeNs)
    {
        using var doc = RestTradeJson.Parse(body, What);
        var root = doc.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
        {
            throw RestTradeJson.Bad(FrameReason.VenueError, What, "venue error " + error.GetRawText(), body);
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("trades", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            throw RestTradeJson.Bad(FrameReason.Malformed, What, "expected an object with a \"trades\" array", body);
        }

        var events = new List<MarketEvent>(list.GetArrayLength());
        foreach (var t in list.EnumerateArray())
        {
            var idText = RestTradeJson.Required(t, "trade_id", What, body);
            if (idText.ValueKind != JsonValueKind.String || !TradeId.TryParseUtf8(RestTradeJson.Utf8(idText), out var id))
            {
                throw RestTradeJson.Bad(FrameReason.Malformed, What, $"trade_id {idText.GetRawText()} is not a trade id", body);
            }

            events.Add(new MarketEvent
            {
                Kind = EventKind.Trade,
                Side = t.TryGetProperty("side", out var side) ? CoinbaseAdvancedDecoder.TakerSide(RestTradeJson.Utf8(side)) : Side.Unknown,
                Instrument = request.Instrument,
                Venue = request.Venue,
                Provider = request.Provider,
                Price = RestTradeJson.Positive(RestTradeJson.Required(t, "price", What, body), "price", What, body),
                Size = RestTradeJson.Positive(RestTradeJson.Required(t, "size", What, body), "size", What, body),
                ExchangeTimeNs = RestTradeJson.IsoTime(RestTradeJson.Required(t, "time", What, body), "time", What, body),
                ReceiveTimeNs = receiveTimeNs,
                TradeId = id,
            });
        }

        return events;
    }
}
