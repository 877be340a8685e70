using System.Globalization;
using Cloudwall.Rx.Ingestion.Backfill;

namespace Cloudwall.Rx.Ingestion.Venues.Okx;

/// <summary>
/// OKX v5 "Get trades history", <c>GET /api/v5/market/history-trades</c>: an instrument's fills of the last 3 months, newest
/// first, at most 100 per page, paged backwards by trade id (<c>type=1</c>, <c>after</c> = "records earlier than the requested
/// tradeId"). Each row is one fill with the taker's <c>side</c>; <c>tradeId</c> is the instrument's trade id, the same id the
/// live <c>trades</c>/<c>trades-all</c> channels print. Example (the documentation's):
/// <code>
/// {"code":"0","msg":"","data":[{"instId":"BTC-USDT","side":"sell","sz":"0.00001","px":"29963.2","tradeId":"242720720","ts":"1654161646974"}]}
/// </code>
/// Errors come as <c>{"code":"51001","msg":"Instrument ID does not exist","data":[]}</c> (HTTP 200 or 4xx).
/// </summary>
/// <remarks>
/// Checked 2026-12-06: https://www.okx.com/docs-v5/en/#order-book-trading-market-data-get-trades-history (rate limit 20 requests
/// per 2 seconds per IP; <c>type</c> 1 = tradeId, 2 = timestamp, default 1; <c>after</c>/<c>before</c>; <c>limit</c> max and
/// default 100). The stored copy of okx.com/docs-v5 holds only its overview, so the parameters were read from copies of that
/// page: https://perpo.gitbook.io/api/market/trades-history (a verbatim reprint of its parameter and rate-limit tables) and the
/// okxr client (https://rdrr.io/cran/okxr/man/get_market_history_trades.html).
/// <para>Ids: at the <c>trades</c> level the live stream is <c>trades-all</c>, one push per fill, so live and REST list the same
/// consecutive per-instrument ids (<see cref="ConsecutiveIds"/>). At the <c>aggregated</c> level the live <c>trades</c> channel
/// merges the fills of one taker order into one row carrying the last fill's id and a <c>count</c>: live ids skip, REST lists
/// each fill, so the count lost is not known from the live ids and <see cref="ConsecutiveIds"/> is false.</para>
/// </remarks>
public sealed class OkxBackfill : IBackfillClient
{
    public const string Path = "api/v5/market/history-trades";

    /// <summary>Rows per page: the documented maximum (and default).</summary>
    public const int PageLimit = 100;

    /// <summary>Requests per <see cref="BudgetWindow"/> per IP (20 per 2 s).</summary>
    public const int RequestsPerWindow = 20;

    private const string What = "OKX history-trades";

    private static readonly RestTradeNames Names = new("px", "sz", "ts", "side");

    private readonly BackfillHttp _http;

    /// <param name="level">The provider's data level (<c>Providers:&lt;name&gt;:Level</c>); null is the default, <c>aggregated</c>.</param>
    public OkxBackfill(BackfillHttp http, string? level = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
        ConsecutiveIds = string.Equals(level, VenueLevels.Trades, StringComparison.OrdinalIgnoreCase);
    }

    public static TimeSpan BudgetWindow { get; } = TimeSpan.FromSeconds(2);

    /// <summary>The production REST root (every market: spot, swaps, futures, options).</summary>
    public static Uri DefaultRestEndpoint { get; } = new("https://www.okx.com/");

    public bool ConsecutiveIds { get; }

    /// <summary>OKX's public REST limit for this endpoint: 20 requests per 2 seconds per IP, each request weight 1.</summary>
    public static RestBudget CreateBudget(TimeProvider? time = null) => new(RequestsPerWindow, BudgetWindow, time);

    public async Task<BackfillFetch> FetchAsync(BackfillRequest request, int maxTrades, long receiveTimeNs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var fromId = request.FromId.Kind == TradeIdKind.Numeric ? request.FromId.AsLong : (long?)null;
        var toId = request.ToId.Kind == TradeIdKind.Numeric ? request.ToId.AsLong : (long?)null;
        var trades = new List<MarketEvent>();
        long? after = toId + 1; // the newest page holds the interval's end (bounds included)
        while (trades.Count < maxTrades)
        {
            var query = string.Create(CultureInfo.InvariantCulture,
                $"{Path}?instId={Uri.EscapeDataString(request.Symbol)}&type=1&limit={PageLimit}{(after is { } a ? $"&after={a}" : "")}");
            var body = await _http.GetAsync(query, 1, cancellationToken).ConfigureAwait(false);
            var page = Decode(body, request, receiveTimeNs);
            foreach (var trade in page)
            {
                var id = trade.TradeId.AsLong;
                if (fromId is { } start ? id < start : trade.ExchangeTimeNs < request.FromTimeNs)
                {
                    return new BackfillFetch(trades); // past the start: the interval is covered
                }

                if ((toId is null || id <= toId) && trade.ExchangeTimeNs <= request.ToTimeNs && trades.Count < maxTrades)
                {
                    trades.Add(trade);
                }

                if (id == fromId)
                {
                    return new BackfillFetch(trades);
                }
            }

            if (page.Count < PageLimit)
            {
                return new BackfillFetch(trades, ReachedStart: false); // the venue's history ends after the interval's start
            }

            after = page[^1].TradeId.AsLong;
        }

        return new BackfillFetch(trades);
    }

    /// <summary>Decodes one page, newest first as served; any bad row fails the page.</summary>
    internal static List<MarketEvent> Decode(byte[] body, BackfillRequest request, long receiveTimeNs)
    {
        using var doc = RestTradeJson.Parse(body, What);
        var root = doc.RootElement;
        var code = RestTradeJson.Field(root, "code");
        if (code.IsEmpty)
        {
            throw new BackfillException(FrameReason.Malformed, $"{What}: no \"code\"", body);
        }

        if (!code.SequenceEqual("0"u8))
        {
            var msg = root.TryGetProperty("msg", out var m) ? m.ToString() : "";
            throw new BackfillException(FrameReason.VenueError, $"{What}: code {System.Text.Encoding.UTF8.GetString(code)} {msg}", body);
        }

        var data = RestTradeJson.Array(root, "data", body, What);
        var trades = new List<MarketEvent>(data.GetArrayLength());
        var symbol = System.Text.Encoding.UTF8.GetBytes(request.Symbol);
        long previous = long.MaxValue;
        foreach (var row in data.EnumerateArray())
        {
            if (!RestTradeJson.Field(row, "instId").SequenceEqual(symbol))
            {
                throw new BackfillException(FrameReason.UnknownSymbol, $"{What}: a row of another instrument than {request.Symbol}", body);
            }

            if (!TradeId.TryParseUtf8(RestTradeJson.Field(row, "tradeId"), out var tradeId) || tradeId.Kind != TradeIdKind.Numeric)
            {
                throw new BackfillException(FrameReason.Malformed, $"{What}: \"tradeId\" is not numeric", body);
            }

            if (tradeId.AsLong >= previous)
            {
                throw new BackfillException(FrameReason.Malformed, $"{What}: rows not newest first by trade id", body);
            }

            previous = tradeId.AsLong;
            trades.Add(RestTradeJson.Trade(row, Names, request, tradeId, tradeId.AsLong, receiveTimeNs, body, What)); // the id is the sequence, as live
        }

        return trades;
    }
}
