using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Market;
using Microsoft.AspNetCore.Http;

namespace Cloudwall.Rx.Simulation.Coinbase;

/// <summary>
/// Coinbase Exchange's public trade history, <c>GET /products/{product_id}/trades</c>, as the venue serves it
/// (https://docs.cdp.coinbase.com/api-reference/exchange-api/rest-api/products/get-product-trades and
/// https://docs.cdp.coinbase.com/exchange/rest-api/pagination, checked 2026-12-06): newest first; <c>limit</c> 1 to 1,000
/// (default 1,000); <c>after=N</c> pages to older trades (ids below N), <c>before=N</c> to newer ones (ids above N, the
/// ones nearest N); the cursors of the page in the <c>CB-BEFORE</c> (newest id) and <c>CB-AFTER</c> (oldest id) headers.
/// Errors are <c>{"message":...}</c>: 404 for an unknown product, 400 for a bad parameter.
/// </summary>
internal sealed class CoinbaseRestApi(CoinbaseProtocol protocol) : IVenueRestApi
{
    public const int MaxLimit = 1000;

    /// <summary>The public limit per IP: 10 a second, bursts up to 15 (https://docs.cdp.coinbase.com/exchange/rest-api/rate-limits).</summary>
    public const int MaxRequestsPerSecond = 15;

    private const string Prefix = "/products/";
    private const string Suffix = "/trades";

    public async Task<bool> TryHandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (!HttpMethods.IsGet(context.Request.Method) || !path.StartsWith(Prefix, StringComparison.Ordinal)
            || !path.EndsWith(Suffix, StringComparison.Ordinal) || path.Length <= Prefix.Length + Suffix.Length)
        {
            return false;
        }

        var product = path[Prefix.Length..^Suffix.Length];
        if (!protocol.ProductIds.Contains(product))
        {
            await RestResponses.WriteJsonAsync(context, CoinbaseWire.RestError("NotFound"), StatusCodes.Status404NotFound).ConfigureAwait(false);
            return true;
        }

        if (!RestResponses.TryLong(context, "limit", MaxLimit, out var limit) || limit is < 1 or > MaxLimit)
        {
            await BadRequest(context, $"limit must be between 1 and {MaxLimit}").ConfigureAwait(false);
            return true;
        }

        if (!RestResponses.TryLong(context, "after", 0, out var after) || !RestResponses.TryLong(context, "before", 0, out var before))
        {
            await BadRequest(context, "Invalid cursor").ConfigureAwait(false);
            return true;
        }

        IReadOnlyList<CoinbaseHistoricTrade> page;
        if (after > 0)
        {
            page = protocol.History.BeforeId(product, after, (int)limit);
        }
        else if (before > 0)
        {
            var newer = protocol.History.FromId(product, before + 1, (int)limit);
            page = [.. newer.Reverse()];
        }
        else
        {
            page = protocol.History.Latest(product, (int)limit);
        }

        if (page.Count > 0)
        {
            context.Response.Headers["CB-BEFORE"] = page[0].Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers["CB-AFTER"] = page[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await RestResponses.WriteJsonAsync(context, CoinbaseWire.RestTrades(page)).ConfigureAwait(false);
        return true;
    }

    private static Task BadRequest(HttpContext context, string message) =>
        RestResponses.WriteJsonAsync(context, CoinbaseWire.RestError(message), StatusCodes.Status400BadRequest);
}
