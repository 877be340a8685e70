using System.Collections.Frozen;
using System.Globalization;

namespace Cloudwall.Rx.Ingestion.Venues.Aggregator;

/// <summary>
/// The aggregator's reference tables: exchange codes to venues, instrument classes to market types, and instrument codes
/// to canonical instruments.
/// </summary>
/// <remarks>
/// <para>Exchange codes (matched case-insensitively):</para>
/// <list type="table">
/// <listheader><term>code</term><description>venue</description></listheader>
/// <item><term>cbse</term><description>coinbase</description></item>
/// <item><term>krkn</term><description>kraken</description></item>
/// <item><term>binc, bnce</term><description>binance for spot; binance-usdm (USDT/USDC-margined) or binance-coinm (USD-quoted) for derivatives</description></item>
/// <item><term>okex</term><description>okx</description></item>
/// <item><term>bybt</term><description>bybit</description></item>
/// <item><term>drbt</term><description>deribit</description></item>
/// </list>
/// <para>Classes and codes: <c>spot btc-usd</c> is <c>BTC-USD.SPOT</c>, <c>perpetual-future btc-usdt</c> is
/// <c>BTC-USDT.PERP</c>, <c>future btc-usd-20261225</c> is <c>BTC-USD-20261225.FUT</c>. Assets are 2 to 10 ASCII letters or
/// digits; canonical keys are upper case. Other classes (options, indices) are not mapped and are rejected as unknown.</para>
/// <para>The aggregator's codes are the same for every exchange, so they are looked up in symbol spaces of the aggregator's
/// own code (<see cref="ProviderId.Aggregator"/>, 64), one space per class, never in a venue's space, where they would
/// collide with that venue's native grammar (Kraken's <c>XBT/USD</c>, Binance's <c>BTCUSDT</c>).</para>
/// </remarks>
public static class AggregatorCodes
{
    public const string Spot = "spot";
    public const string Perpetual = "perpetual-future";
    public const string Future = "future";

    private const int MinAssetLength = 2;
    private const int MaxAssetLength = 10;

    private static readonly System.Buffers.SearchValues<char> AsciiAlphanumerics =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

    private static readonly FrozenDictionary<string, VenueId> Exchanges = new Dictionary<string, VenueId>(StringComparer.OrdinalIgnoreCase)
    {
        ["cbse"] = VenueId.Coinbase,
        ["krkn"] = VenueId.Kraken,
        ["binc"] = VenueId.Binance,
        ["bnce"] = VenueId.Binance,
        ["okex"] = VenueId.Okx,
        ["bybt"] = VenueId.Bybit,
        ["drbt"] = VenueId.Deribit,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, VenueId>.AlternateLookup<ReadOnlySpan<char>> ExchangeLookup =
        Exchanges.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// The aggregator's <c>exchange:class:code</c> key of one instrument on one venue (the inverse of the update's mapping:
    /// binance-usdm and binance-coinm are <c>binc</c>'s derivatives), or null when the venue or class has no code. What the
    /// back-fill asks the aggregator's history for.
    /// </summary>
    public static string? KeyOf(VenueId venue, InstrumentSpec spec)
    {
        var exchange = venue == VenueId.Binance || venue == VenueId.BinanceUsdm || venue == VenueId.BinanceCoinm ? "binc"
            : Exchanges.FirstOrDefault(kv => kv.Value == venue).Key;
        if (exchange is null || ClassOf(spec.Market) is not { } cls)
        {
            return null;
        }

        var code = $"{spec.Base}-{spec.Quote}".ToLowerInvariant();
        return spec.Market == MarketType.Future && spec.Expiry is { } expiry
            ? $"{exchange}:{cls}:{code}-{expiry.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}"
            : $"{exchange}:{cls}:{code}";
    }

    /// <summary>The exchange codes this table knows.</summary>
    public static IEnumerable<string> ExchangeCodes => Exchanges.Keys;

    /// <summary>The venue of an aggregator exchange code, without allocating.</summary>
    public static bool TryVenue(ReadOnlySpan<char> exchange, out VenueId venue) => ExchangeLookup.TryGetValue(exchange, out venue);

    /// <summary>
    /// Binance runs its derivatives as separate venues: USDⓈ-margined contracts on binance-usdm, coin-margined (USD-quoted)
    /// on binance-coinm. An aggregator's single Binance code is split accordingly, so its prices compare with the direct feeds.
    /// </summary>
    public static VenueId MarketVenue(VenueId venue, MarketType market, string quote) =>
        venue == VenueId.Binance && market is MarketType.Perp or MarketType.Future
            ? quote == "USD" ? VenueId.BinanceCoinm : VenueId.BinanceUsdm
            : venue;

    /// <summary>The market type of an instrument class (<c>spot</c>, <c>perpetual-future</c>, <c>future</c>).</summary>
    public static bool TryMarket(ReadOnlySpan<char> instrumentClass, out MarketType market)
    {
        if (instrumentClass.Equals(Spot, StringComparison.OrdinalIgnoreCase))
        {
            market = MarketType.Spot;
            return true;
        }

        if (instrumentClass.Equals(Perpetual, StringComparison.OrdinalIgnoreCase))
        {
            market = MarketType.Perp;
            return true;
        }

        if (instrumentClass.Equals(Future, StringComparison.OrdinalIgnoreCase))
        {
            market = MarketType.Future;
            return true;
        }

        market = default;
        return false;
    }

    /// <summary>The class name the aggregator uses for a market type, or null for one it does not carry.</summary>
    public static string? ClassOf(MarketType market) => market switch
    {
        MarketType.Spot => Spot,
        MarketType.Perp => Perpetual,
        MarketType.Future => Future,
        _ => null,
    };

    /// <summary>Where the codes of one class are looked up in <see cref="ReferenceData"/>.</summary>
    public static SymbolSpace SpaceOf(MarketType market) => new(new VenueId(ProviderId.Aggregator.Code), market switch
    {
        MarketType.Spot => 0,
        MarketType.Perp => 1,
        _ => 2,
    });

    /// <summary>Installs the code grammars for the three classes; call once before converting updates.</summary>
    public static void Register(ReferenceData refData)
    {
        ArgumentNullException.ThrowIfNull(refData);
        refData.SetRule(SpaceOf(MarketType.Spot), static c => Derive(c, MarketType.Spot));
        refData.SetRule(SpaceOf(MarketType.Perp), static c => Derive(c, MarketType.Perp));
        refData.SetRule(SpaceOf(MarketType.Future), static c => Derive(c, MarketType.Future));
    }

    /// <summary>The canonical instrument of a class and code, or null when the code does not fit the class's grammar.</summary>
    public static InstrumentSpec? Derive(string code, MarketType market)
    {
        var parts = code.Split('-');
        switch (market)
        {
            case MarketType.Spot when parts.Length == 2 && IsAsset(parts[0]) && IsAsset(parts[1]):
                return InstrumentSpec.Spot(parts[0].ToUpperInvariant(), parts[1].ToUpperInvariant());
            case MarketType.Perp when parts.Length == 2 && IsAsset(parts[0]) && IsAsset(parts[1]):
                return InstrumentSpec.Perp(parts[0].ToUpperInvariant(), parts[1].ToUpperInvariant());
            case MarketType.Future when parts.Length == 3 && IsAsset(parts[0]) && IsAsset(parts[1]) &&
                                         DateOnly.TryParseExact(parts[2], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var expiry):
                return InstrumentSpec.Future(parts[0].ToUpperInvariant(), parts[1].ToUpperInvariant(), expiry);
            default:
                return null;
        }
    }

    private static bool IsAsset(ReadOnlySpan<char> s) =>
        s.Length is >= MinAssetLength and <= MaxAssetLength && !s.ContainsAnyExcept(AsciiAlphanumerics);
}
