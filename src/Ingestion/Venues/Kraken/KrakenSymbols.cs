using System.Globalization;

namespace Cloudwall.Rx.Ingestion.Venues.Kraken;

/// <summary>
/// Kraken symbols to canonical instruments. Spot pairs (WebSocket v1 <c>XBT/USD</c>, v2 <c>BTC/USD</c>) become
/// <c>BTC-USD.SPOT</c>; Kraken Futures product ids become perpetuals (<c>PI_XBTUSD</c>, <c>PF_XBTUSD</c> → <c>BTC-USD.PERP</c>)
/// or dated futures (<c>FI_XBTUSD_210924</c> → <c>BTC-USD-20210924.FUT</c>). Kraken's legacy asset codes are normalized:
/// <c>XBT</c> → <c>BTC</c>, <c>XDG</c> → <c>DOGE</c>.
/// </summary>
/// <remarks>
/// Kraken Futures prefixes (docs.kraken.com, futures "Tickers" and product naming): <c>PI_</c> perpetual inverse (margined in the
/// base coin, quoted in USD), <c>PF_</c> perpetual multi-collateral linear, <c>PV_</c> perpetual vanilla, <c>FI_</c> fixed-maturity
/// inverse, <c>FF_</c> fixed-maturity linear. All of them quote in the suffix currency (USD for every listed product), so an
/// inverse and a linear perpetual on the same pair share one canonical key (<c>BTC-USD.PERP</c>); the venue symbol keeps them apart.
/// </remarks>
public static class KrakenSymbols
{
    private const int MaxAssetLength = 16;

    /// <summary>Quote currencies recognized at the end of a futures product id, longest first.</summary>
    private static readonly string[] FuturesQuotes = ["USDT", "USDC", "USD", "EUR", "GBP", "CHF", "JPY", "AUD", "CAD"];

    private static readonly System.Buffers.SearchValues<char> AsciiAlphanumerics =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

    /// <summary><c>BASE/QUOTE</c> (1 to 16 ASCII letters or digits each) is a spot pair; case-insensitive.</summary>
    public static readonly SymbolRule SpotRule = DeriveSpot;

    /// <summary>Kraken Futures product ids (<c>PI_</c>, <c>PF_</c>, <c>PV_</c>, <c>FI_</c>, <c>FF_</c>); case-insensitive.</summary>
    public static readonly SymbolRule FuturesRule = DeriveFutures;

    /// <summary>Installs <see cref="SpotRule"/> for <see cref="VenueId.Kraken"/> (WebSocket v1 and v2 share it).</summary>
    public static void Register(ReferenceData refData)
    {
        ArgumentNullException.ThrowIfNull(refData);
        refData.SetRule(VenueId.Kraken, SpotRule);
    }

    /// <summary>Installs <see cref="FuturesRule"/> for <see cref="VenueId.KrakenFutures"/>.</summary>
    public static void RegisterFutures(ReferenceData refData)
    {
        ArgumentNullException.ThrowIfNull(refData);
        refData.SetRule(VenueId.KrakenFutures, FuturesRule);
    }

    /// <summary>Kraken's legacy asset codes to the common ones; other codes are upper-cased.</summary>
    public static string NormalizeAsset(ReadOnlySpan<char> asset)
    {
        var upper = asset.ToString().ToUpperInvariant();
        return upper switch
        {
            "XBT" => "BTC",
            "XDG" => "DOGE",
            _ => upper,
        };
    }

    private static InstrumentSpec? DeriveSpot(string venueSymbol)
    {
        var slash = venueSymbol.IndexOf('/');
        if (slash < 0)
        {
            return null;
        }

        var b = venueSymbol.AsSpan(0, slash);
        var q = venueSymbol.AsSpan(slash + 1);
        return IsAsset(b) && IsAsset(q) ? InstrumentSpec.Spot(NormalizeAsset(b), NormalizeAsset(q)) : null;
    }

    private static InstrumentSpec? DeriveFutures(string venueSymbol)
    {
        var s = venueSymbol.AsSpan();
        if (s.Length < 6 || s[2] != '_')
        {
            return null;
        }

        var kind = s[..2].ToString().ToUpperInvariant();
        var rest = s[3..];
        var perpetual = kind is "PI" or "PF" or "PV";
        if (!perpetual && kind is not ("FI" or "FF"))
        {
            return null;
        }

        DateOnly expiry = default;
        if (!perpetual)
        {
            // FI_XBTUSD_210924: the maturity is the last 6 characters, yymmdd.
            var us = rest.LastIndexOf('_');
            if (us <= 0 || !DateOnly.TryParseExact(rest[(us + 1)..], "yyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out expiry))
            {
                return null;
            }

            rest = rest[..us];
        }

        if (!IsAsset(rest))
        {
            return null;
        }

        foreach (var quote in FuturesQuotes)
        {
            if (rest.Length > quote.Length + 1 && rest.EndsWith(quote, StringComparison.OrdinalIgnoreCase))
            {
                var b = NormalizeAsset(rest[..^quote.Length]);
                return perpetual ? InstrumentSpec.Perp(b, quote) : InstrumentSpec.Future(b, quote, expiry);
            }
        }

        return null;
    }

    private static bool IsAsset(ReadOnlySpan<char> s) =>
        s.Length is >= 1 and <= MaxAssetLength && !s.ContainsAnyExcept(AsciiAlphanumerics);
}
