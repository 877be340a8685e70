using System.Buffers;
using System.Globalization;

namespace Cloudwall.Rx.Ingestion.Venues.Binance;

/// <summary>
/// Binance symbols to canonical instruments, per market:
/// <list type="bullet">
/// <item>spot and Binance.US: <c>BTCUSDT</c> → <c>BTC-USDT.SPOT</c>;</item>
/// <item>USDⓈ-M: <c>BTCUSDT</c> → <c>BTC-USDT.PERP</c>, <c>BTCUSDT_210924</c> → <c>BTC-USDT-20210924.FUT</c>;</item>
/// <item>COIN-M: <c>BTCUSD_PERP</c> → <c>BTC-USD.PERP</c>, <c>BTCUSD_210924</c> → <c>BTC-USD-20210924.FUT</c>.</item>
/// </list>
/// </summary>
/// <remarks>
/// Binance glues base and quote together, so the quote is found by suffix (<see cref="QuoteAssets"/>, longest first). The
/// grammar cannot tell <c>BNB</c>+<c>USD</c> from <c>BN</c>+<c>BUSD</c>; bases known to end in the first letter of a longer
/// quote are listed in <see cref="AmbiguousBases"/>, and anything else can be mapped explicitly with
/// <see cref="ReferenceData.Map"/>, which always wins over the rule.
/// </remarks>
public static class BinanceSymbols
{
    /// <summary>Quote assets recognised as a suffix; checked longest first so <c>USDT</c> wins over <c>USD</c>.</summary>
    public static readonly IReadOnlyList<string> QuoteAssets =
    [
        "FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USDP", "BIDR", "IDRT", "BKRW", "USD", "DAI", "PAX", "VAI", "UST",
        "BTC", "ETH", "BNB", "XRP", "TRX", "DOT", "DOGE", "EUR", "GBP", "AUD", "BRL", "TRY", "RUB", "UAH", "NGN", "ZAR",
        "PLN", "RON", "ARS", "JPY", "MXN", "COP", "CZK",
    ];

    /// <summary>
    /// Bases that end in the letter a longer quote starts with (<c>BNB</c>USD is not <c>BN</c>-<c>BUSD</c>,
    /// <c>DOT</c>USD is not <c>DO</c>-<c>TUSD</c>): when the symbol minus <c>USD</c> is one of these, the quote is <c>USD</c>.
    /// </summary>
    public static readonly IReadOnlySet<string> AmbiguousBases =
        new HashSet<string>(["BNB", "BAT", "DOT", "ANT", "GRT", "QNT", "OXT", "LPT", "JST", "FTT", "ARB", "SNT"], StringComparer.Ordinal);

    private const int MinBaseLength = 2;
    private const int MaxSymbolLength = 32;

    private static readonly string[] QuotesLongestFirst = [.. QuoteAssets.OrderByDescending(q => q.Length)];

    private static readonly SearchValues<char> AsciiAlphanumerics =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");

    /// <summary>The spot grammar (Binance and Binance.US).</summary>
    public static readonly SymbolRule SpotRule = static s => Derive(s, BinanceMarket.Spot);

    /// <summary>The USDⓈ-M grammar.</summary>
    public static readonly SymbolRule UsdMRule = static s => Derive(s, BinanceMarket.UsdM);

    /// <summary>The COIN-M grammar.</summary>
    public static readonly SymbolRule CoinMRule = static s => Derive(s, BinanceMarket.CoinM);

    public static SymbolRule Rule(BinanceMarket market) => market switch
    {
        BinanceMarket.Spot or BinanceMarket.Us => SpotRule,
        BinanceMarket.UsdM => UsdMRule,
        BinanceMarket.CoinM => CoinMRule,
        _ => throw new ArgumentOutOfRangeException(nameof(market), market, null),
    };

    /// <summary>Installs the market's rule for its venue; call once before decoding.</summary>
    public static void Register(ReferenceData refData, BinanceMarket market)
    {
        ArgumentNullException.ThrowIfNull(refData);
        refData.SetRule(market.Venue(), Rule(market));
    }

    /// <summary>Installs the rules of all four markets.</summary>
    public static void RegisterAll(ReferenceData refData)
    {
        foreach (var market in Enum.GetValues<BinanceMarket>())
        {
            Register(refData, market);
        }
    }

    /// <summary>The instrument a symbol stands for on <paramref name="market"/>, or null when the grammar does not know it.</summary>
    public static InstrumentSpec? Derive(string venueSymbol, BinanceMarket market)
    {
        if (string.IsNullOrEmpty(venueSymbol) || venueSymbol.Length > MaxSymbolLength)
        {
            return null;
        }

        // Stream names are lower case, payloads upper case: both map to the same instrument.
        var symbol = venueSymbol.ToUpperInvariant();
        var underscore = symbol.IndexOf('_', StringComparison.Ordinal);
        var pair = underscore < 0 ? symbol : symbol[..underscore];
        var suffix = underscore < 0 ? null : symbol[(underscore + 1)..];
        if (!TrySplitPair(pair, out var b, out var q))
        {
            return null;
        }

        switch (market)
        {
            case BinanceMarket.Spot or BinanceMarket.Us:
                return suffix is null ? InstrumentSpec.Spot(b, q) : null;
            case BinanceMarket.UsdM:
                if (suffix is null)
                {
                    return InstrumentSpec.Perp(b, q);
                }

                return TryExpiry(suffix, out var ux) ? InstrumentSpec.Future(b, q, ux) : null;
            case BinanceMarket.CoinM:
                if (suffix == "PERP")
                {
                    return InstrumentSpec.Perp(b, q);
                }

                return suffix is not null && TryExpiry(suffix, out var cx) ? InstrumentSpec.Future(b, q, cx) : null;
            default:
                return null;
        }
    }

    private static bool TrySplitPair(string pair, out string baseAsset, out string quoteAsset)
    {
        baseAsset = quoteAsset = "";
        if (pair.Length < MinBaseLength + 3 || pair.AsSpan().ContainsAnyExcept(AsciiAlphanumerics))
        {
            return false;
        }

        foreach (var quote in QuotesLongestFirst)
        {
            if (pair.Length - quote.Length < MinBaseLength || !pair.EndsWith(quote, StringComparison.Ordinal))
            {
                continue;
            }

            if (quote.Length == 4 && quote[1..] == "USD" && AmbiguousBases.Contains(pair[..^3]))
            {
                baseAsset = pair[..^3];
                quoteAsset = "USD";
                return true;
            }

            baseAsset = pair[..^quote.Length];
            quoteAsset = quote;
            return true;
        }

        return false;
    }

    /// <summary>Binance delivery suffix <c>yyMMdd</c> (<c>210924</c> is 2021-09-24).</summary>
    private static bool TryExpiry(string suffix, out DateOnly expiry) =>
        DateOnly.TryParseExact("20" + suffix, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out expiry) && suffix.Length == 6;
}
