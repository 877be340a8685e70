using Cloudwall.Rx.Ingestion.Venues.Binance;
using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Market;
using Microsoft.AspNetCore.Http;

namespace Cloudwall.Rx.Simulation.Binance;

/// <summary>
/// The Binance trade lists a back-fill reads, as the venue serves them (docs/venues.md, Binance "Back-fill"): spot and
/// Binance.US <c>GET /api/v3/historicalTrades</c> (raw trades by <c>fromId</c>) and <c>GET /api/v3/aggTrades</c>; USDⓈ-M
/// <c>GET /fapi/v1/aggTrades</c>; COIN-M <c>GET /dapi/v1/aggTrades</c>. Aggregate lists take <c>fromId</c> or
/// <c>startTime</c>/<c>endTime</c> (less than an hour apart); without either, the newest. <c>limit</c> defaults to 500 and is
/// capped at 1000; answers are oldest first. Errors are Binance's <c>{"code":..,"msg":..}</c> with HTTP 400.
/// </summary>
/// <remarks>
/// The feed records every taker order here: its fills in <see cref="Trades"/> (ids <c>t</c>) and the order in
/// <see cref="AggTrades"/> (id <c>a</c>). <see cref="SimulatorFaults.DropTrades"/> counts taker orders, so a dropped range
/// is the same on both streams: whole orders, their fills and their aggregate trade together.
/// </remarks>
internal sealed class BinanceRestApi(BinanceMarket segment, IReadOnlySet<string> symbols) : IVenueRestApi
{
    public const int DefaultLimit = 500;
    public const int MaxLimit = 1000;

    private static readonly long HourMs = (long)TimeSpan.FromHours(1).TotalMilliseconds;

    public TradeHistory<BinanceTrade> Trades { get; } = new();

    public TradeHistory<BinanceAggTrade> AggTrades { get; } = new();

    /// <summary>Records one taker order (its fills and its aggregate) unless the drop fault lost it.</summary>
    public void Record(string symbol, ReadOnlySpan<BinanceTrade> fills, in BinanceAggTrade order, TradeDrop drop)
    {
        foreach (var fill in fills)
        {
            Trades.Record(symbol, fill, drop);
        }

        AggTrades.Record(symbol, order, drop);
    }

    public async Task<bool> TryHandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        bool raw;
        if (!segment.IsFutures() && path == "/api/v3/historicalTrades")
        {
            raw = true;
        }
        else if (path == AggTradesPath(segment))
        {
            raw = false;
        }
        else
        {
            return false;
        }

        var symbol = context.Request.Query["symbol"].ToString();
        if (symbol.Length == 0)
        {
            await Error(context, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.").ConfigureAwait(false);
            return true;
        }

        if (!symbols.Contains(symbol))
        {
            await Error(context, -1121, "Invalid symbol.").ConfigureAwait(false);
            return true;
        }

        foreach (var name in raw ? (string[])["limit", "fromId"] : ["limit", "fromId", "startTime", "endTime"])
        {
            if (!RestResponses.TryLong(context, name, 0, out _))
            {
                await Error(context, -1100, $"Illegal characters found in parameter '{name}'; legal range is '^-?[0-9]{{1,20}}$'.").ConfigureAwait(false);
                return true;
            }
        }

        RestResponses.TryLong(context, "limit", DefaultLimit, out var limitParam);
        var limit = (int)Math.Clamp(limitParam <= 0 ? DefaultLimit : limitParam, 1, MaxLimit);
        RestResponses.TryLong(context, "fromId", -1, out var fromId);
        if (raw)
        {
            var list = fromId >= 0 ? Trades.FromId(symbol, fromId, limit) : Trades.Latest(symbol, limit).Reverse();
            await RestResponses.WriteJsonAsync(context, BinanceWire.RestTrades(list)).ConfigureAwait(false);
            return true;
        }

        RestResponses.TryLong(context, "startTime", -1, out var startMs);
        RestResponses.TryLong(context, "endTime", -1, out var endMs);
        IEnumerable<BinanceAggTrade> aggs;
        if (fromId >= 0)
        {
            aggs = AggTrades.FromId(symbol, fromId, limit);
        }
        else if (startMs >= 0 || endMs >= 0)
        {
            startMs = startMs >= 0 ? startMs : endMs - HourMs + 1;
            endMs = endMs >= 0 ? endMs : startMs + HourMs - 1;
            if (endMs - startMs >= HourMs || endMs < startMs)
            {
                await Error(context, -1127, "More than 1 hours between startTime and endTime.").ConfigureAwait(false);
                return true;
            }

            aggs = AggTrades.Between(symbol, startMs * 1_000_000, endMs * 1_000_000 + 999_999, limit);
        }
        else
        {
            aggs = AggTrades.Latest(symbol, limit).Reverse();
        }

        await RestResponses.WriteJsonAsync(context, BinanceWire.RestAggTrades(aggs, segment)).ConfigureAwait(false);
        return true;
    }

    /// <summary>The aggregate-trade path of a market.</summary>
    public static string AggTradesPath(BinanceMarket segment) => segment switch
    {
        BinanceMarket.UsdM => "/fapi/v1/aggTrades",
        BinanceMarket.CoinM => "/dapi/v1/aggTrades",
        _ => "/api/v3/aggTrades",
    };

    private static Task Error(HttpContext context, int code, string message) =>
        RestResponses.WriteJsonAsync(context, BinanceWire.RestError(code, message), StatusCodes.Status400BadRequest);
}
