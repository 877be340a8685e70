using System.Globalization;
using Cloudwall.Rx.Ingestion.Venues.Bybit;
using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Market;
using Cloudwall.Rx.Simulation.Okx;
using Microsoft.AspNetCore.Http;

namespace Cloudwall.Rx.Simulation.Bybit;

/// <summary>A trade kept for REST: its wire record, numbered in publishing order (Bybit's <c>execId</c>s are UUIDs on derivatives).</summary>
internal readonly record struct BybitHistoricTrade(long Id, BybitWire.Trade Trade) : IHistoricTrade
{
    public long TimeNs => Trade.TimeMs * 1_000_000;
}

/// <summary>
/// Bybit v5 <c>GET /v5/market/recent-trade</c> for the simulator's category, as the venue serves it (docs/venues.md, Bybit
/// "Back-fill"): <c>category</c> and <c>symbol</c> required, <c>limit</c> spot 1–60 (default 60), others 1–1000 (default 500,
/// larger values capped), the newest trades first, no paging. Errors are HTTP 200 with <c>retCode</c> 10001 and a
/// <c>retMsg</c>, as Bybit answers bad parameters.
/// </summary>
internal sealed class BybitRestApi(BybitCategory category, IReadOnlySet<string> symbols, TimeProvider time) : IVenueRestApi
{
    public const string Path = "/v5/market/recent-trade";

    private readonly string _category = BybitBackfill.CategoryName(category);
    private long _number;

    public TradeHistory<BybitHistoricTrade> Trades { get; } = new();

    /// <summary>The most trades one answer holds: 60 on spot, 1000 on linear and inverse.</summary>
    public int MaxLimit { get; } = category == BybitCategory.Spot ? BybitBackfill.SpotMaxLimit : BybitBackfill.DerivativesMaxLimit;

    public int DefaultLimit => category == BybitCategory.Spot ? BybitBackfill.SpotMaxLimit : 500;

    /// <summary>Records a trade the feed generated, unless the drop fault lost it.</summary>
    public void Record(string symbol, in BybitWire.Trade trade, TradeDrop drop) =>
        Trades.Record(symbol, new BybitHistoricTrade(Interlocked.Increment(ref _number), trade), drop);

    public async Task<bool> TryHandleAsync(HttpContext context)
    {
        if (context.Request.Path.Value != Path)
        {
            return false;
        }

        var query = context.Request.Query;
        var requested = query["category"].ToString();
        if (requested is not ("spot" or "linear" or "inverse" or "option"))
        {
            await Error(context, "Illegal category").ConfigureAwait(false);
            return true;
        }

        var symbol = query["symbol"].ToString();
        if (symbol.Length == 0)
        {
            await Error(context, "params error: symbol is required").ConfigureAwait(false);
            return true;
        }

        if (requested != _category || !symbols.Contains(symbol))
        {
            await Error(context, "params error: Symbol Is Invalid").ConfigureAwait(false);
            return true;
        }

        if (!RestResponses.TryLong(context, "limit", DefaultLimit, out var limit) || limit < 1)
        {
            await Error(context, "params error: limit").ConfigureAwait(false);
            return true;
        }

        var list = Trades.Latest(symbol, (int)Math.Min(limit, MaxLimit));
        await RestResponses.WriteJsonAsync(context, RecentTrades(symbol, list)).ConfigureAwait(false);
        return true;
    }

    private byte[] RecentTrades(string symbol, IReadOnlyList<BybitHistoricTrade> trades)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteNumber("retCode"u8, 0);
        w.WriteString("retMsg"u8, "OK"u8);
        w.WriteStartObject("result"u8);
        w.WriteString("category"u8, _category);
        w.WriteStartArray("list"u8);
        foreach (var (_, t) in trades)
        {
            w.WriteStartObject();
            w.WriteString("execId"u8, t.Id);
            w.WriteString("symbol"u8, symbol);
            w.WriteString("price"u8, SimDecimals.Text(t.Price));
            w.WriteString("size"u8, SimDecimals.Text(t.Size));
            w.WriteString("side"u8, t.TakerBuys ? "Buy"u8 : "Sell"u8);
            w.WriteString("time"u8, t.TimeMs.ToString(CultureInfo.InvariantCulture));
            w.WriteBoolean("isBlockTrade"u8, false);
            w.WriteBoolean("isRPITrade"u8, false);
            w.WriteString("seq"u8, t.Seq.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        EndEnvelope(w);
        return WireFrame.End(w);
    }

    /// <summary>Every v5 answer ends with <c>"retExtInfo":{},"time":..</c>.</summary>
    private void EndEnvelope(System.Text.Json.Utf8JsonWriter w)
    {
        w.WriteStartObject("retExtInfo"u8);
        w.WriteEndObject();
        w.WriteNumber("time"u8, time.GetUtcNow().ToUnixTimeMilliseconds());
        w.WriteEndObject();
    }

    private Task Error(HttpContext context, string message)
    {
        var w = WireFrame.Begin();
        w.WriteStartObject();
        w.WriteNumber("retCode"u8, 10001);
        w.WriteString("retMsg"u8, message);
        w.WriteStartObject("result"u8);
        w.WriteEndObject();
        EndEnvelope(w);
        return RestResponses.WriteJsonAsync(context, WireFrame.End(w));
    }
}
