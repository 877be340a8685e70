using System.Globalization;

namespace Cloudwall.Rx.Ingestion.Venues.Okx;

/// <summary>
/// OKX v5 instrument ids to canonical instruments. One grammar covers every market, so OKX uses one symbol space:
/// <list type="bullet">
/// <item><c>BTC-USDT</c> → <c>BTC-USDT.SPOT</c></item>
/// <item><c>BTC-USDT-SWAP</c> → <c>BTC-USDT.PERP</c>, <c>BTC-USD-SWAP</c> → <c>BTC-USD.PERP</c></item>
/// <item><c>BTC-USD-220624</c> → <c>BTC-USD-20220624.FUT</c></item>
/// <item><c>BTC-USD-220624-30000-C</c> → <c>BTC-USD-20220624-30000-C.OPT</c></item>
/// </list>
/// The <c>index-tickers</c> channel names indices with the spot grammar (<c>BTC-USDT</c>), so an index price lands on the
/// spot instrument's key (<c>BTC-USDT.SPOT</c>) with <see cref="EventKind.Index"/>: the kind, not the key, says it is an index.
/// That keeps OKX's index next to the spot and perp prices it underlies in the same instrument family.
/// </summary>
public static class OkxSymbols
{
    private const int MaxAssetLength = 15;

    private static readonly System.Buffers.SearchValues<char> AsciiAlphanumerics =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

    public static readonly SymbolRule Rule = Derive;

    /// <summary>Installs <see cref="Rule"/> for <see cref="VenueId.Okx"/>; call once before decoding.</summary>
    public static void Register(ReferenceData refData)
    {
        ArgumentNullException.ThrowIfNull(refData);
        refData.SetRule(VenueId.Okx, Rule);
    }

    /// <summary>The kind of an OKX instrument id, from its shape alone (null when it is not an OKX id).</summary>
    public static MarketType? MarketOf(string instId) => Derive(instId)?.Market;

    private static InstrumentSpec? Derive(string instId)
    {
        var parts = instId.Split('-');
        if (parts.Length < 2 || !IsAsset(parts[0]) || !IsAsset(parts[1]))
        {
            return null;
        }

        var b = parts[0].ToUpperInvariant();
        var q = parts[1].ToUpperInvariant();
        switch (parts.Length)
        {
            case 2:
                return InstrumentSpec.Spot(b, q);
            case 3 when parts[2].Equals("SWAP", StringComparison.OrdinalIgnoreCase):
                return InstrumentSpec.Perp(b, q);
            case 3 when TryExpiry(parts[2], out var expiry):
                return InstrumentSpec.Future(b, q, expiry);
            case 5 when TryExpiry(parts[2], out var expiry) && parts[4] is "C" or "P" or "c" or "p" &&
                        decimal.TryParse(parts[3], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var strike) && strike > 0:
                return InstrumentSpec.Option(b, q, expiry, strike, parts[4] is "C" or "c" ? OptionRight.Call : OptionRight.Put);
            default:
                return null;
        }
    }

    /// <summary>OKX expiries are <c>yyMMdd</c> (<c>220624</c> is 2022-06-24).</summary>
    private static bool TryExpiry(string s, out DateOnly expiry)
    {
        expiry = default;
        return s.Length == 6 && !s.AsSpan().ContainsAnyExceptInRange('0', '9') &&
               DateOnly.TryParseExact("20" + s, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out expiry);
    }

    private static bool IsAsset(string s) =>
        s.Length is >= 1 and <= MaxAssetLength && !s.AsSpan().ContainsAnyExcept(AsciiAlphanumerics);
}
