using System.Globalization;
using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Market;
using Microsoft.AspNetCore.Http;

namespace Cloudwall.Rx.Simulation.Okx;

/// <summary>One fill the OKX simulator printed, as <c>history-trades</c> serves it: the id is the instrument's trade id.</summary>
internal sealed record OkxHistoricTrade(OkxWire.Trade Trade) : IHistoricTrade
{
    public long Id => Trade.TradeId;

    public long TimeNs => Trade.TimeMs * 1_000_000;
}

/// <summary>
/// OKX v5 <c>GET /api/v5/market/history-trades</c> (https://www.okx.com/docs-v5/en/#order-book-trading-market-data-get-trades-history,
/// checked 2026-12-06): <c>instId</c> (required), <c>type</c> 1 (by tradeId, the default) or 2 (by ts), <c>after</c> (older than),
/// <c>before</c> (newer than; by tradeId only), <c>limit</c> 1..100 (default 100); rows newest first. Errors as OKX sends them:
/// <c>{"code":"50014","msg":"Parameter instId can not be empty","data":[]}</c> (HTTP 400), <c>51001</c> "Instrument ID does not
/// exist" and <c>51000</c> "Parameter {name} error" (HTTP 200 with the code, as OKX answers business errors).
/// </summary>
internal sealed class OkxRestApi(TradeHistory<OkxHistoricTrade> history, Func<string, bool> isInstrument) : IVenueRestApi
{
    public const string Path = "/api/v5/market/history-trades";
    public const int MaxLimit = 100;

    public async Task<bool> TryHandleAsync(HttpContext context)
    {
        if (context.Request.Path != Path)
        {
            return false;
        }

        var instId = context.Request.Query["instId"].ToString();
        if (instId.Length == 0)
        {
            await RestResponses.WriteJsonAsync(context, Error("50014", "Parameter instId can not be empty"), StatusCodes.Status400BadRequest).ConfigureAwait(false);
            return true;
        }

        if (!isInstrument(instId))
        {
            await RestResponses.WriteJsonAsync(context, Error("51001", "Instrument ID does not exist")).ConfigureAwait(false);
            return true;
        }

        if (!RestResponses.TryLong(context, "type", 1, out var type) || type is not (1 or 2))
        {
            await RestResponses.WriteJsonAsync(context, Error("51000", "Parameter type error")).ConfigureAwait(false);
            return true;
        }

        if (!RestResponses.TryLong(context, "limit", MaxLimit, out var limit) || limit is < 1 or > MaxLimit)
        {
            await RestResponses.WriteJsonAsync(context, Error("51000", "Parameter limit error")).ConfigureAwait(false);
            return true;
        }

        if (!RestResponses.TryLong(context, "after", long.MaxValue, out var after) || !RestResponses.TryLong(context, "before", long.MinValue, out var before))
        {
            await RestResponses.WriteJsonAsync(context, Error("51000", "Parameter after or before error")).ConfigureAwait(false);
            return true;
        }

        var rows = type == 1
            ? [.. history.BeforeId(instId, after, (int)limit).Where(t => t.Id > before)]
            : history.Between(instId, long.MinValue, after == long.MaxValue ? long.MaxValue : after * 1_000_000 - 1, (int)limit, newestFirst: true);
        await RestResponses.WriteJsonAsync(context, Page(instId, rows)).ConfigureAwait(false);
        return true;
    }

    private static byte[] Page(string instId, IReadOnlyList<OkxHistoricTrade> rows)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("code"u8, "0"u8);
        w.WriteString("msg"u8, ""u8);
        w.WriteStartArray("data"u8);
        foreach (var row in rows)
        {
            var t = row.Trade;
            w.WriteStartObject();
            w.WriteString("instId"u8, instId);
            w.WriteString("side"u8, t.TakerBuys ? "buy"u8 : "sell"u8);
            w.WriteString("sz"u8, SimDecimals.Text(t.Size));
            w.WriteString("px"u8, SimDecimals.Text(t.Price));
            w.WriteString("tradeId"u8, t.TradeId.ToString(CultureInfo.InvariantCulture));
            w.WriteString("ts"u8, t.TimeMs.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        return WireFrame.End(w);
    }

    private static byte[] Error(string code, string msg)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteString("code"u8, code);
        w.WriteString("msg"u8, msg);
        w.WriteStartArray("data"u8);
        w.WriteEndArray();
        w.WriteEndObject();
        return WireFrame.End(w);
    }
}
