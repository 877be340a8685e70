namespace Cloudwall.Rx.Ingestion.Venues.Coinbase;

/// <summary>Coinbase Exchange product ids (<c>BTC-USD</c>) to canonical spot instruments (<c>BTC-USD.SPOT</c>).</summary>
public static class CoinbaseSymbols
{
    private const int MinAssetLength = 2;
    private const int MaxAssetLength = 10;

    private static readonly System.Buffers.SearchValues<char> AsciiAlphanumerics =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

    /// <summary>
    /// <c>BASE-QUOTE</c>, each 2 to 10 ASCII letters or digits, is a spot pair; anything else is not a Coinbase product.
    /// Canonical keys are upper case, so a lower-case id maps to the same instrument.
    /// </summary>
    public static readonly SymbolRule Rule = Derive;

    /// <summary>Installs <see cref="Rule"/> for <see cref="VenueId.Coinbase"/>; call once before decoding.</summary>
    public static void Register(ReferenceData refData)
    {
        ArgumentNullException.ThrowIfNull(refData);
        refData.SetRule(VenueId.Coinbase, Rule);
    }

    private static InstrumentSpec? Derive(string venueSymbol)
    {
        var dash = venueSymbol.IndexOf('-');
        if (dash < 0)
        {
            return null;
        }

        var b = venueSymbol.AsSpan(0, dash);
        var q = venueSymbol.AsSpan(dash + 1);
        return IsAsset(b) && IsAsset(q) ? InstrumentSpec.Spot(b.ToString().ToUpperInvariant(), q.ToString().ToUpperInvariant()) : null;
    }

    private static bool IsAsset(ReadOnlySpan<char> s) =>
        s.Length is >= MinAssetLength and <= MaxAssetLength && !s.ContainsAnyExcept(AsciiAlphanumerics);
}
