using System.Globalization;
using Cloudwall.Rx.Ingestion.Backfill;

namespace Cloudwall.Rx.Ingestion.Venues.Deribit;

/// <summary>
/// Deribit <c>GET /api/v2/public/get_last_trades_by_instrument</c> (JSON-RPC over HTTP, no authentication): an instrument's
/// trades by time (<c>start_timestamp</c>/<c>end_timestamp</c>, inclusive) or by <c>trade_seq</c> (<c>start_seq</c>/<c>end_seq</c>),
/// up to <c>count</c> 1000 a page, <c>sorting=asc</c>, with <c>has_more</c>. The first page asks for the interval's times; later
/// pages continue by <c>trade_seq</c> (the instrument's consecutive sequence) from the last one seen, so trades sharing a
/// millisecond are neither skipped nor repeated. Rows are those of the live <c>trades.{instrument}.100ms</c> channel, decoded the
/// same way: <see cref="MarketEvent.TradeId"/> is <c>trade_id</c>, <see cref="MarketEvent.Sequence"/> is <c>trade_seq</c>,
/// <c>direction</c> is the taker's side, <c>amount</c> the size. Example (the shape of the documentation's example):
/// <code>
/// {"jsonrpc":"2.0","id":9267,"result":{"trades":[{"trade_seq":1966056,"trade_id":"ETH-2696083","timestamp":1590483938456,"tick_direction":0,"price":203.3,"mark_price":203.28,"instrument_name":"ETH-PERPETUAL","index_price":203.33,"direction":"buy","amount":10}],"has_more":true}}
/// </code>
/// Errors: <c>{"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params","data":{..}}}</c> (HTTP 400).
/// </summary>
/// <remarks>
/// Checked 2026-12-06: https://docs.deribit.com/api-reference/market-data/public-get_last_trades_by_instrument (the stored docs
/// hold its sibling https://docs.deribit.com/api-reference/market-data/public-get_last_trades_by_instrument_and_time.md and the
/// response schema <c>PublicTradesHistoryResponse</c>: <c>result.trades</c> + <c>result.has_more</c>; <c>count</c> default 10,
/// maximum 1000); rate limits https://docs.deribit.com/articles/rate-limits (credits: a non-matching-engine request costs 500,
/// 10,000 refill per second, so 20 requests per second sustained).
/// <para><see cref="ConsecutiveIds"/> is false: the live decoder's trade id is <c>trade_id</c>, which Deribit numbers across
/// a currency's instruments, so the ids of one instrument skip. The per-instrument consecutive number is <c>trade_seq</c>, kept
/// as the events' <see cref="MarketEvent.Sequence"/>: holes in it show what the venue did not serve.</para>
/// </remarks>
public sealed class DeribitBackfill : IBackfillClient
{
    public const string Path = "api/v2/public/get_last_trades_by_instrument";

    /// <summary>Trades per page: the documented maximum of <c>count</c>.</summary>
    public const int PageCount = 1000;

    /// <summary>Sustained public requests per second (10,000 credits/s over 500 credits a request).</summary>
    public const int RequestsPerSecond = 20;

    private const string What = "Deribit get_last_trades_by_instrument";

    private static readonly RestTradeNames Names = new("price", "amount", "timestamp", "direction");

    private readonly BackfillHttp _http;

    public DeribitBackfill(BackfillHttp http)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
    }

    /// <summary>The production REST root (<c>https://www.deribit.com/api/v2/...</c>).</summary>
    public static Uri DefaultRestEndpoint { get; } = new("https://www.deribit.com/");

    public bool ConsecutiveIds => false;

    /// <summary>Deribit's sustained limit for non-matching-engine requests: 20 a second, each request weight 1.</summary>
    public static RestBudget CreateBudget(TimeProvider? time = null) => new(RequestsPerSecond, TimeSpan.FromSeconds(1), time);

    public async Task<BackfillFetch> FetchAsync(BackfillRequest request, int maxTrades, long receiveTimeNs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var instrument = Uri.EscapeDataString(request.Symbol);
        var query = string.Create(CultureInfo.InvariantCulture,
            $"{Path}?instrument_name={instrument}&start_timestamp={request.FromTimeNs / 1_000_000}&end_timestamp={request.ToTimeNs / 1_000_000}&count={PageCount}&sorting=asc");
        var trades = new List<MarketEvent>();
        bool? reachedStart = null;
        var last = long.MinValue; // the last trade_seq taken: a page that repeats it makes no progress
        while (true)
        {
            var (page, hasMore) = Decode(await _http.GetAsync(query, 1, cancellationToken).ConfigureAwait(false), request, receiveTimeNs);
            reachedStart ??= page.Count > 0 && page[0].ExchangeTimeNs <= request.FromTimeNs;
            if (page.Count == 0 || page[^1].Sequence <= last)
            {
                return new BackfillFetch(trades, reachedStart.Value);
            }

            foreach (var trade in page)
            {
                if (trade.ExchangeTimeNs > request.ToTimeNs || trades.Count >= maxTrades)
                {
                    return new BackfillFetch(trades, reachedStart.Value);
                }

                if (trade.ExchangeTimeNs >= request.FromTimeNs && trade.Sequence > last)
                {
                    trades.Add(trade);
                }
            }

            last = page[^1].Sequence;
            if ((!hasMore && page.Count < PageCount) || trades.Count >= maxTrades)
            {
                return new BackfillFetch(trades, reachedStart.Value);
            }

            var next = last + 1;
            query = string.Create(CultureInfo.InvariantCulture,
                $"{Path}?instrument_name={instrument}&start_seq={next}&end_seq={next + PageCount - 1}&count={PageCount}&sorting=asc");
        }
    }

    /// <summary>Decodes one page, oldest first as asked; any bad row fails the page.</summary>
    internal static (List<MarketEvent> Trades, bool HasMore) Decode(byte[] body, BackfillRequest request, long receiveTimeNs)
    {
        using var doc = RestTradeJson.Parse(body, What);
        var root = doc.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error))
        {
            throw new BackfillException(FrameReason.VenueError, $"{What}: error {error}", body);
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Object)
        {
            throw new BackfillException(FrameReason.Malformed, $"{What}: no \"result\" object", body);
        }

        var rows = RestTradeJson.Array(result, "trades", body, What);
        var hasMore = result.TryGetProperty("has_more", out var more) && more.ValueKind == JsonValueKind.True;
        var trades = new List<MarketEvent>(rows.GetArrayLength());
        var symbol = System.Text.Encoding.UTF8.GetBytes(request.Symbol);
        var previous = long.MinValue;
        foreach (var row in rows.EnumerateArray())
        {
            if (!RestTradeJson.Field(row, "instrument_name").SequenceEqual(symbol))
            {
                throw new BackfillException(FrameReason.UnknownSymbol, $"{What}: a row of another instrument than {request.Symbol}", body);
            }

            if (!DeribitDecoder.TryParseTradeId(RestTradeJson.Field(row, "trade_id"), out var tradeId))
            {
                throw new BackfillException(FrameReason.Malformed, $"{What}: \"trade_id\" is not a Deribit trade id", body);
            }

            var sequence = RestTradeJson.WholeField(row, "trade_seq", body, What);
            if (sequence <= previous)
            {
                throw new BackfillException(FrameReason.Malformed, $"{What}: rows not in ascending trade_seq", body);
            }

            previous = sequence;
            trades.Add(RestTradeJson.Trade(row, Names, request, tradeId, sequence, receiveTimeNs, body, What));
        }

        return (trades, hasMore);
    }
}
