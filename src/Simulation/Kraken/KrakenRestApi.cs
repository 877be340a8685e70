using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Market;
using Microsoft.AspNetCore.Http;

namespace Cloudwall.Rx.Simulation.Kraken;

/// <summary>
/// Kraken spot's public trade history, <c>GET /0/public/Trades?pair=&amp;since=&amp;count=</c>, as the venue serves it
/// (https://docs.kraken.com/api-reference/market-data/get-recent-trades, checked 2026-12-06): the trades after
/// <c>since</c> (Unix nanoseconds), oldest first, at most <c>count</c> (1 to 1,000, default 1,000), or the latest ones
/// without <c>since</c>; <c>last</c> is the time of the last trade served, the next page's <c>since</c>. Errors are HTTP
/// 200 with an <c>error</c> array: <c>EQuery:Unknown asset pair</c>, <c>EGeneral:Invalid arguments</c>.
/// </summary>
/// <remarks>
/// A pair is found by its v2 symbol (<c>BTC/USD</c>) or its REST altname (<c>XBTUSD</c>, <c>BTCUSD</c>), in any case; the
/// result is keyed by the v2 symbol, as Kraken keys it with <c>assetVersion=1</c> (its default key is the internal name,
/// <c>XXBTZUSD</c>, which a client must not rely on).
/// </remarks>
internal sealed class KrakenRestApi(KrakenProtocol protocol) : IVenueRestApi
{
    public const int MaxCount = 1000;

    /// <summary>Kraken advises at most one public call a second per pair; the simulator refuses only past five.</summary>
    public const int MaxRequestsPerSecond = 5;

    public async Task<bool> TryHandleAsync(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method) || !string.Equals(context.Request.Path.Value, "/0/public/Trades", StringComparison.Ordinal))
        {
            return false;
        }

        var asked = context.Request.Query["pair"].ToString();
        if (asked.Length == 0 || !RestResponses.TryLong(context, "count", MaxCount, out var count) || count is < 1 or > MaxCount
            || !RestResponses.TryLong(context, "since", -1, out var since))
        {
            await RestResponses.WriteJsonAsync(context, KrakenWire.RestError("EGeneral:Invalid arguments")).ConfigureAwait(false);
            return true;
        }

        if (Find(asked) is not { } symbol)
        {
            await RestResponses.WriteJsonAsync(context, KrakenWire.RestError("EQuery:Unknown asset pair")).ConfigureAwait(false);
            return true;
        }

        IReadOnlyList<KrakenHistoricTrade> page = since < 0
            ? [.. protocol.History.Latest(symbol, (int)count).Reverse()]
            : protocol.History.Between(symbol, since + 1, long.MaxValue, (int)count);
        var last = page.Count > 0 ? page[^1].TimeNs : Math.Max(since, 0);
        await RestResponses.WriteJsonAsync(context, KrakenWire.RestTrades(symbol, page, last)).ConfigureAwait(false);
        return true;
    }

    private string? Find(string asked)
    {
        var key = Altname(asked);
        foreach (var symbol in protocol.Symbols)
        {
            if (string.Equals(Altname(symbol), key, StringComparison.Ordinal))
            {
                return symbol;
            }
        }

        return null;
    }

    /// <summary><c>BTC/USD</c>, <c>btcusd</c> and <c>XBTUSD</c> alike become <c>XBTUSD</c>.</summary>
    private static string Altname(string pair)
    {
        var s = pair.Replace("/", "", StringComparison.Ordinal).ToUpperInvariant();
        return s.StartsWith("BTC", StringComparison.Ordinal) ? "XBT" + s[3..] : s.StartsWith("DOGE", StringComparison.Ordinal) ? "XDG" + s[4..] : s;
    }
}
