using System.Globalization;
using Cloudwall.Rx.Ingestion.Backfill;

namespace Cloudwall.Rx.Ingestion.Venues.Kraken;

/// <summary>
/// Back-fill for Kraken spot: <c>GET /0/public/Trades?pair=&amp;since=&amp;count=</c>, oldest first, paged forwards in time
/// (https://docs.kraken.com/api-reference/market-data/get-recent-trades, checked 2026-12-06). The documentation's example:
/// <code>
/// {"error":[],"result":{"XXBTZUSD":[["30243.40000","0.34507674",1688669597.8277369,"b","m","",61044952],
///   ["30243.30000","0.00376960",1688669598.2804112,"s","l","",61044953]],"last":"1688671969993150842"}}
/// </code>
/// Each trade is <c>[price, volume, time, side, ordType, misc, trade_id]</c>; <c>side</c> is the taker's (<c>b</c>/<c>s</c>).
/// </summary>
/// <remarks>
/// <para><c>since</c> is a Unix time in nanoseconds (https://support.kraken.com/hc/en-us/articles/218198197, checked
/// 2026-12-06); the answer holds the trades after it, up to <c>count</c> (1 to 1,000, default 1,000), and <c>last</c>, the
/// <c>since</c> of the next page. The first page asks from 1 ns before the interval's start, so its first bound comes back.
/// The result is keyed by Kraken's own pair name (<c>XXBTZUSD</c>, or <c>BTC/USD</c> with <c>assetVersion=1</c>), which need
/// not be the name asked for: the one array in <c>result</c> is the pair's. Errors come as HTTP 200 with a non-empty
/// <c>error</c> array (<c>["EQuery:Unknown asset pair"]</c>).</para>
/// <para>v2 trade ids are "sequential" per book (https://docs.kraken.com/exchange/api-reference/spot-websocket, checked
/// 2026-12-06) and REST carries the same <c>trade_id</c>, so <see cref="ConsecutiveIds"/> is true, and the event's
/// <see cref="MarketEvent.Sequence"/> is the trade id, as the live v2 decoder sets it.</para>
/// <para>Public calls to Trades are limited per IP and pair; "1 per second (or less)" stays within the limit
/// (https://support.kraken.com/articles/206548367-what-are-the-api-rate-limits-, checked 2026-12-06): each request weighs 1
/// of a budget of 1 a second.</para>
/// </remarks>
public sealed class KrakenBackfill : IBackfillClient
{
    /// <summary>The documented maximum (and default) of <c>count</c>.</summary>
    public const int MaxPageSize = 1000;

    private const string What = "Kraken Trades";

    private readonly BackfillHttp _http;
    private readonly int _pageSize;

    /// <param name="http">Pointed at <see cref="DefaultRestEndpoint"/> (or a simulator), with <see cref="CreateBudget"/>.</param>
    /// <param name="pageSize">Trades per request, at most <see cref="MaxPageSize"/>.</param>
    public KrakenBackfill(BackfillHttp http, int pageSize = MaxPageSize)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _pageSize = RestTradeJson.PageSize(pageSize, MaxPageSize);
    }

    /// <summary>The production REST root of Kraken spot.</summary>
    public static Uri DefaultRestEndpoint { get; } = new("https://api.kraken.com/");

    /// <summary>The documented safe rate for public market data: one request per second.</summary>
    public static RestBudget CreateBudget(TimeProvider? time = null) => new(1, TimeSpan.FromSeconds(1), time);

    public bool ConsecutiveIds => true;

    public async Task<BackfillFetch> FetchAsync(BackfillRequest request, int maxTrades, long receiveTimeNs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var trades = new List<MarketEvent>();
        var byId = request.FromId.Kind == TradeIdKind.Numeric && request.ToId.Kind == TradeIdKind.Numeric;
        var since = request.FromTimeNs - 1;
        var first = true;
        var reachedStart = true;
        var path = "0/public/Trades?pair=" + Uri.EscapeDataString(request.Symbol) + "&count=" + _pageSize.ToString(CultureInfo.InvariantCulture) + "&since=";
        while (trades.Count < maxTrades)
        {
            var body = await _http.GetAsync(path + since.ToString(CultureInfo.InvariantCulture), weight: 1, cancellationToken).ConfigureAwait(false);
            var (page, last) = Decode(body, request, receiveTimeNs);
            if (page.Count == 0)
            {
                break; // nothing after `since`
            }

            if (first)
            {
                // The oldest trade served after the start is later than the start: what lay between is no longer served.
                var oldest = page[0];
                reachedStart = oldest.ExchangeTimeNs <= request.FromTimeNs || (byId && oldest.TradeId.AsLong <= request.FromId.AsLong + 1);
                first = false;
            }

            foreach (var e in page)
            {
                if (byId ? e.TradeId.AsLong > request.ToId.AsLong : e.ExchangeTimeNs > request.ToTimeNs)
                {
                    return new BackfillFetch(trades, reachedStart);
                }

                if ((!byId || e.TradeId.AsLong >= request.FromId.AsLong) && trades.Count < maxTrades)
                {
                    trades.Add(e);
                }
            }

            if (page.Count < _pageSize || last <= since)
            {
                break; // the present is reached, or the cursor does not move
            }

            since = last;
        }

        return new BackfillFetch(trades, reachedStart);
    }

    /// <summary>One answer: its trades, oldest first as served, and the <c>last</c> cursor.</summary>
    internal static (List<MarketEvent> Trades, long Last) Decode(byte[] body, BackfillRequest request, long receiveTimeNs)
    {
        using var doc = RestTradeJson.Parse(body, What);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Array)
        {
            throw RestTradeJson.Bad(FrameReason.Malformed, What, "expected an object with an \"error\" array", body);
        }

        if (error.GetArrayLength() > 0)
        {
            throw RestTradeJson.Bad(FrameReason.VenueError, What, "venue error " + error.GetRawText(), body);
        }

        if (!root.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Object)
        {
            throw RestTradeJson.Bad(FrameReason.MissingField, What, "no \"result\" object", body);
        }

        JsonElement? rows = null;
        long last = 0;
        foreach (var p in result.EnumerateObject())
        {
            if (p.NameEquals("last"u8))
            {
                last = RestTradeJson.NonNegative(p.Value, "last", What, body);
            }
            else if (p.Value.ValueKind == JsonValueKind.Array)
            {
                rows = rows is null ? p.Value : throw RestTradeJson.Bad(FrameReason.Malformed, What, "more than one pair in the result", body);
            }
        }

        if (rows is not { } list)
        {
            throw RestTradeJson.Bad(FrameReason.MissingField, What, "no trade array in the result", body);
        }

        var events = new List<MarketEvent>(list.GetArrayLength());
        foreach (var t in list.EnumerateArray())
        {
            if (t.ValueKind != JsonValueKind.Array || t.GetArrayLength() < 4)
            {
                throw RestTradeJson.Bad(FrameReason.Malformed, What, "a trade is not [price, volume, time, side, ...]", body);
            }

            // trade_id is the 7th element; answers from before it was added have six.
            var id = t.GetArrayLength() > 6 ? RestTradeJson.NonNegative(t[6], "trade_id", What, body) : (long?)null;
            events.Add(new MarketEvent
            {
                Kind = EventKind.Trade,
                Side = KrakenText.TakerSide(RestTradeJson.Utf8(t[3])),
                Instrument = request.Instrument,
                Venue = request.Venue,
                Provider = request.Provider,
                Price = RestTradeJson.Positive(t[0], "price", What, body),
                Size = RestTradeJson.Positive(t[1], "volume", What, body),
                ExchangeTimeNs = RestTradeJson.Seconds(t[2], "time", What, body),
                ReceiveTimeNs = receiveTimeNs,
                Sequence = id ?? 0,
                TradeId = id is { } n ? TradeId.Numeric(n) : TradeId.None,
            });
        }

        return (events, last);
    }
}
