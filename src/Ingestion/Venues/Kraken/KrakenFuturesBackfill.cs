using System.Globalization;
using Cloudwall.Rx.Ingestion.Backfill;

namespace Cloudwall.Rx.Ingestion.Venues.Kraken;

/// <summary>
/// Back-fill for Kraken Futures: the History API's public executions,
/// <c>GET https://futures.kraken.com/api/history/v3/market/{tradeable}/executions?since=&amp;before=&amp;sort=asc&amp;count=</c>
/// (https://docs.kraken.com/api/docs/futures-api/history/get-public-execution-events, checked 2026-12-06), paged by time with
/// the answer's <c>continuationToken</c>. The documentation's example (from the schema, trimmed to what is read):
/// <code>
/// {"len":1,"elements":[{"uid":"string","timestamp":1604937694000,"event":{"execution":{"execution":{
///   "uid":"3fa85f64-5717-4562-b3fc-2c963f66afa6","makerOrder":{"direction":"Buy",...},"takerOrder":{"direction":"Buy",...},
///   "timestamp":1604937694000,"quantity":"1234.56789","price":"1234.56789","markPrice":"1234.56789",...}}}}],
///   "continuationToken":"aSDinaTvuI8gbWludGxpZnk="}
/// </code>
/// The taker's side is <c>takerOrder.direction</c>; the trade id is the execution's <c>uid</c>, a UUID, as the WebSocket
/// <c>trade</c>'s <c>uid</c>.
/// </summary>
/// <remarks>
/// <para>Why this endpoint and not <c>GET /derivatives/api/v3/history?symbol=&amp;lastTime=</c>: that one returns at most
/// 100 trades, only from the last 7 days or since the last trading-engine restart, whichever is sooner
/// (https://docs.kraken.com/api-reference/market-data/get-trade-history, checked 2026-12-06), and the Derivatives REST API it
/// belongs to is to be decommissioned on 1 March 2027 (docs/venues.md, Kraken Futures). The History API pages by time with a
/// continuation token, up to 1,000 executions a page, and reaches back to 27 May 2021, so
/// <see cref="BackfillFetch.ReachedStart"/> is always true.</para>
/// <para>Trade ids are UUIDs: <see cref="ConsecutiveIds"/> is false and the gap is filled by time, <c>since</c> the first
/// bound's millisecond up to (<c>before</c>) the millisecond after the second's. REST carries no <c>seq</c>, so
/// <see cref="MarketEvent.Sequence"/> stays 0.</para>
/// <para>"Public endpoints do not have a cost and therefore do not count against any rate limiting budget"
/// (https://docs.kraken.com/exchange/guides/futures/ratelimits, checked 2026-12-06); <see cref="CreateBudget"/> is our own
/// cap of one request a second.</para>
/// </remarks>
public sealed class KrakenFuturesBackfill : IBackfillClient
{
    /// <summary>Executions per request; the documentation's upper bound is "a global limit" (1,000 in its earlier version).</summary>
    public const int MaxPageSize = 1000;

    private const string What = "Kraken Futures executions";
    private const long NanosPerMilli = 1_000_000;

    private readonly BackfillHttp _http;
    private readonly int _pageSize;

    /// <param name="http">Pointed at <see cref="DefaultRestEndpoint"/>, with <see cref="CreateBudget"/>.</param>
    /// <param name="pageSize">Executions per request, at most <see cref="MaxPageSize"/>.</param>
    public KrakenFuturesBackfill(BackfillHttp http, int pageSize = MaxPageSize)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _pageSize = RestTradeJson.PageSize(pageSize, MaxPageSize);
    }

    /// <summary>The production REST root of Kraken Futures (the History API lives under <c>api/history/v3/</c>).</summary>
    public static Uri DefaultRestEndpoint { get; } = new("https://futures.kraken.com/");

    /// <summary>Public endpoints have no documented cost; one request a second is our own restraint.</summary>
    public static RestBudget CreateBudget(TimeProvider? time = null) => new(1, TimeSpan.FromSeconds(1), time);

    public bool ConsecutiveIds => false;

    public async Task<BackfillFetch> FetchAsync(BackfillRequest request, int maxTrades, long receiveTimeNs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var trades = new List<MarketEvent>();
        var query = "api/history/v3/market/" + Uri.EscapeDataString(request.Symbol) + "/executions?sort=asc"
            + "&since=" + (request.FromTimeNs / NanosPerMilli).ToString(CultureInfo.InvariantCulture)
            + "&before=" + (request.ToTimeNs / NanosPerMilli + 1).ToString(CultureInfo.InvariantCulture)
            + "&count=" + _pageSize.ToString(CultureInfo.InvariantCulture);
        string? token = null;
        do
        {
            var path = token is null ? query : query + "&continuation_token=" + Uri.EscapeDataString(token);
            var body = await _http.GetAsync(path, weight: 1, cancellationToken).ConfigureAwait(false);
            var (page, next) = Decode(body, request, receiveTimeNs);
            foreach (var e in page)
            {
                if (e.ExchangeTimeNs >= request.FromTimeNs && e.ExchangeTimeNs <= request.ToTimeNs && trades.Count < maxTrades)
                {
                    trades.Add(e);
                }
            }

            token = page.Count == 0 || string.IsNullOrEmpty(next) ? null : next;
        }
        while (token is not null && trades.Count < maxTrades);

        return new BackfillFetch(trades);
    }

    /// <summary>One page: its executions as trades, and the continuation token (null or empty at the end).</summary>
    internal static (List<MarketEvent> Trades, string? Next) Decode(byte[] body, BackfillRequest request, long receiveTimeNs)
    {
        using var doc = RestTradeJson.Parse(body, What);
        var root = doc.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
        {
            throw RestTradeJson.Bad(FrameReason.VenueError, What, "venue error " + error.GetRawText(), body);
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("elements", out var elements) || elements.ValueKind != JsonValueKind.Array)
        {
            throw RestTradeJson.Bad(FrameReason.Malformed, What, "expected an object with an \"elements\" array", body);
        }

        var events = new List<MarketEvent>(elements.GetArrayLength());
        foreach (var element in elements.EnumerateArray())
        {
            var x = Execution(RestTradeJson.Required(element, "event", What, body), body);
            var taker = RestTradeJson.Required(RestTradeJson.Required(x, "takerOrder", What, body), "direction", What, body);
            var uid = RestTradeJson.Required(x, "uid", What, body);
            if (!TradeId.TryParseUtf8(RestTradeJson.Utf8(uid), out var id))
            {
                throw RestTradeJson.Bad(FrameReason.Malformed, What, $"uid {uid.GetRawText()} is not a trade id", body);
            }

            // "Buy"/"Sell" on this API, "buy"/"sell" on the live feed: one spelling for the one rule.
            var direction = RestTradeJson.Utf8(taker);
            System.Text.Ascii.ToLowerInPlace(direction, out _);
            events.Add(new MarketEvent
            {
                Kind = EventKind.Trade,
                Side = KrakenText.TakerSide(direction),
                Instrument = request.Instrument,
                Venue = request.Venue,
                Provider = request.Provider,
                Price = RestTradeJson.Positive(RestTradeJson.Required(x, "price", What, body), "price", What, body),
                Size = RestTradeJson.Positive(RestTradeJson.Required(x, "quantity", What, body), "quantity", What, body),
                ExchangeTimeNs = RestTradeJson.Millis(RestTradeJson.Required(x, "timestamp", What, body), "timestamp", What, body),
                ReceiveTimeNs = receiveTimeNs,
                TradeId = id,
            });
        }

        var next = root.TryGetProperty("continuationToken", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        return (events, next);
    }

    /// <summary><c>event.execution.execution</c> (spelt <c>Execution</c> on some of the venue's pages): the trade itself.</summary>
    private static JsonElement Execution(JsonElement @event, byte[] body)
    {
        if (@event.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in @event.EnumerateObject())
            {
                if (string.Equals(p.Name, "execution", StringComparison.OrdinalIgnoreCase))
                {
                    return RestTradeJson.Required(p.Value, "execution", What, body);
                }
            }
        }

        throw RestTradeJson.Bad(FrameReason.MissingField, What, "an element's event is not an execution", body);
    }
}
