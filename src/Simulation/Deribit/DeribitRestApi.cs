using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Market;
using Microsoft.AspNetCore.Http;

namespace Cloudwall.Rx.Simulation.Deribit;

/// <summary>One trade the Deribit simulator printed; REST pages by its <c>trade_seq</c> (the per-instrument sequence) or its time.</summary>
internal sealed record DeribitHistoricTrade(DeribitTrade Trade) : IHistoricTrade
{
    public long Id => Trade.TradeSeq;

    public long TimeNs => Trade.TimestampMs * 1_000_000;
}

/// <summary>
/// Deribit <c>GET /api/v2/public/get_last_trades_by_instrument</c> (https://docs.deribit.com/api-reference/market-data/public-get_last_trades_by_instrument,
/// checked 2026-12-06) over HTTP: <c>instrument_name</c> (required), <c>start_seq</c>/<c>end_seq</c> or
/// <c>start_timestamp</c>/<c>end_timestamp</c> (inclusive), <c>count</c> 1..1000 (default 10), <c>sorting</c> <c>asc</c>,
/// <c>desc</c> or <c>default</c> (= desc). Answers <c>{"jsonrpc":"2.0","result":{"trades":[..],"has_more":..},"usIn":..}</c>;
/// a bad or unknown parameter is HTTP 400 with the JSON-RPC error <c>-32602</c> "Invalid params" and its <c>param</c> and <c>reason</c>.
/// </summary>
internal sealed class DeribitRestApi(TradeHistory<DeribitHistoricTrade> history, Func<string, bool> isInstrument, TimeProvider time) : IVenueRestApi
{
    public const string Path = "/api/v2/public/get_last_trades_by_instrument";
    public const int DefaultCount = 10;
    public const int MaxCount = 1000;

    /// <summary>No <c>end_timestamp</c>: far enough ahead (year 2255) that its nanoseconds still fit a long.</summary>
    private const long NoEndMs = 9_000_000_000_000;

    public async Task<bool> TryHandleAsync(HttpContext context)
    {
        if (context.Request.Path != Path)
        {
            return false;
        }

        var usIn = Micros();
        var name = context.Request.Query["instrument_name"].ToString();
        var (param, reason) = name.Length == 0 ? ("instrument_name", "must be present")
            : !isInstrument(name) ? ("instrument_name", "wrong format")
            : default((string?, string?));
        long count = DefaultCount, startSeq = 0, endSeq = 0, startMs = 0, endMs = 0;
        var sorting = context.Request.Query["sorting"].ToString();
        if (param is null)
        {
            (param, reason) =
                !RestResponses.TryLong(context, "count", DefaultCount, out count) || count is < 1 or > MaxCount ? ("count", "must be between 1 and 1000")
                : !RestResponses.TryLong(context, "start_seq", long.MinValue, out startSeq) ? ("start_seq", "wrong format")
                : !RestResponses.TryLong(context, "end_seq", long.MaxValue, out endSeq) ? ("end_seq", "wrong format")
                : !RestResponses.TryLong(context, "start_timestamp", 0, out startMs) ? ("start_timestamp", "wrong format")
                : !RestResponses.TryLong(context, "end_timestamp", NoEndMs, out endMs) ? ("end_timestamp", "wrong format")
                : sorting is not ("" or "asc" or "desc" or "default") ? ("sorting", "wrong format")
                : default((string?, string?));
        }

        if (param is not null)
        {
            await RestResponses.WriteJsonAsync(context, DeribitWire.Error(null, -32602, "Invalid params", param, reason, usIn, Micros()),
                StatusCodes.Status400BadRequest).ConfigureAwait(false);
            return true;
        }

        var ascending = sorting == "asc";
        var limit = (int)count + 1; // one more than asked says has_more
        var startNs = startMs * 1_000_000;
        var endNs = endMs * 1_000_000 + 999_999;
        IEnumerable<DeribitHistoricTrade> rows = startSeq != long.MinValue || endSeq != long.MaxValue
            ? ascending
                ? history.FromId(name, startSeq, limit).Where(t => t.Id <= endSeq)
                : history.BeforeId(name, endSeq == long.MaxValue ? long.MaxValue : endSeq + 1, limit).Where(t => t.Id >= startSeq)
            : history.Between(name, startNs, endNs, limit, newestFirst: !ascending);
        if (startSeq != long.MinValue || endSeq != long.MaxValue)
        {
            rows = rows.Where(t => t.TimeNs >= startNs && t.TimeNs <= endNs);
        }

        var page = rows.ToList();
        var hasMore = page.Count > count;
        var body = DeribitWire.Result(null, usIn, Micros(), w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("trades"u8);
            foreach (var row in page.Take((int)count))
            {
                DeribitWire.WriteTrade(w, name, row.Trade);
            }

            w.WriteEndArray();
            w.WriteBoolean("has_more"u8, hasMore);
            w.WriteEndObject();
        });
        await RestResponses.WriteJsonAsync(context, body).ConfigureAwait(false);
        return true;
    }

    private long Micros() => time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
}
