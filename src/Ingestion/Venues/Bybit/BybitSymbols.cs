namespace Cloudwall.Rx.Ingestion.Venues.Bybit;

/// <summary>A Bybit v5 market, one public endpoint each (<c>/v5/public/spot</c>, <c>/linear</c>, <c>/inverse</c>).</summary>
public enum BybitCategory
{
    Spot = 0,
    Linear = 1,
    Inverse = 2,
}

/// <summary>
/// Bybit symbols to canonical instruments. Bybit reuses a symbol across markets (<c>BTCUSDT</c> is a spot pair on the spot
/// endpoint and a perpetual on the linear one), so each category has its own <see cref="SymbolSpace"/>: 0 spot, 1 linear,
/// 2 inverse.
/// <list type="bullet">
/// <item>Spot: <c>BTCUSDT</c> → <c>BTC-USDT.SPOT</c> (the quote is the longest known quote-coin suffix).</item>
/// <item>Linear: <c>BTCUSDT</c> → <c>BTC-USDT.PERP</c>, <c>BTCPERP</c> → <c>BTC-USDC.PERP</c> (USDC perpetuals),
/// <c>BTCUSDT-26DEC25</c> → <c>BTC-USDT-20251226.FUT</c>, <c>BTC-26DEC25</c> → <c>BTC-USDC-20251226.FUT</c> (USDC futures).</item>
/// <item>Inverse: <c>BTCUSD</c> → <c>BTC-USD.PERP</c>, <c>BTCUSDZ25</c> → <c>BTC-USD-20251226.FUT</c>.</item>
/// </list>
/// </summary>
/// <remarks>
/// Inverse futures carry only a month code and year (<c>H</c> March, <c>M</c> June, <c>U</c> September, <c>Z</c> December, and
/// the other CME letters). Bybit delivers them at 08:00 UTC on the last Friday of that month, so the rule derives that
/// date. The instruments-info REST response gives <c>deliveryTime</c> exactly; a host that has it should
/// <see cref="ReferenceData.Map"/> the symbol explicitly, which overrides this rule.
/// </remarks>
public static class BybitSymbols
{
    public static readonly SymbolSpace SpotSpace = new(VenueId.Bybit, 0);
    public static readonly SymbolSpace LinearSpace = new(VenueId.Bybit, 1);
    public static readonly SymbolSpace InverseSpace = new(VenueId.Bybit, 2);

    private const int MaxAssetLength = 16;

    /// <summary>Spot quote coins, longest match first.</summary>
    private static readonly string[] SpotQuotes = ["USDT", "USDC", "USDE", "USD1", "EUR", "BTC", "ETH", "DAI", "BRZ", "BRL", "TRY", "PLN", "MNT", "USD"];

    private static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

    /// <summary>CME month codes: F Jan, G Feb, H Mar, J Apr, K May, M Jun, N Jul, Q Aug, U Sep, V Oct, X Nov, Z Dec.</summary>
    private const string MonthCodes = "FGHJKMNQUVXZ";

    private static readonly System.Buffers.SearchValues<char> UpperAlphanumerics =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");

    public static readonly SymbolRule SpotRule = DeriveSpot;
    public static readonly SymbolRule LinearRule = DeriveLinear;
    public static readonly SymbolRule InverseRule = DeriveInverse;

    /// <summary>Installs the three rules; call once before decoding.</summary>
    public static void Register(ReferenceData refData)
    {
        ArgumentNullException.ThrowIfNull(refData);
        refData.SetRule(SpotSpace, SpotRule);
        refData.SetRule(LinearSpace, LinearRule);
        refData.SetRule(InverseSpace, InverseRule);
    }

    public static SymbolSpace SpaceOf(BybitCategory category) => category switch
    {
        BybitCategory.Spot => SpotSpace,
        BybitCategory.Linear => LinearSpace,
        BybitCategory.Inverse => InverseSpace,
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, null),
    };

    /// <summary>
    /// For a derivatives symbol whose endpoint is unknown (the legacy recordings, <c>bybit</c> replays): settled in USDT or USDC
    /// (<c>BTCUSDT</c>, <c>BTCPERP</c>, <c>BTC-26DEC25</c>) is linear, anything else (<c>BTCUSD</c>, <c>BTCUSDZ25</c>) inverse.
    /// </summary>
    public static SymbolSpace DerivativeSpaceOf(ReadOnlySpan<byte> symbol) =>
        symbol.EndsWith("USDT"u8) || symbol.EndsWith("USDC"u8) || symbol.EndsWith("PERP"u8) || symbol.IndexOf((byte)'-') >= 0
            ? LinearSpace
            : InverseSpace;

    private static InstrumentSpec? DeriveSpot(string symbol)
    {
        if (!IsSymbol(symbol))
        {
            return null;
        }

        foreach (var q in SpotQuotes)
        {
            if (symbol.Length > q.Length && symbol.EndsWith(q, StringComparison.Ordinal))
            {
                return InstrumentSpec.Spot(symbol[..^q.Length], q);
            }
        }

        return null;
    }

    private static InstrumentSpec? DeriveLinear(string symbol)
    {
        var dash = symbol.IndexOf('-');
        if (dash >= 0)
        {
            // BTCUSDT-26DEC25 (USDT future) or BTC-26DEC25 (USDC future).
            var head = symbol[..dash];
            if (!IsSymbol(head) || !TryDayMonthYear(symbol.AsSpan(dash + 1), out var expiry))
            {
                return null;
            }

            return head.Length > 4 && head.EndsWith("USDT", StringComparison.Ordinal)
                ? InstrumentSpec.Future(head[..^4], "USDT", expiry)
                : head.Length > 4 && head.EndsWith("USDC", StringComparison.Ordinal)
                    ? InstrumentSpec.Future(head[..^4], "USDC", expiry)
                    : InstrumentSpec.Future(head, "USDC", expiry);
        }

        if (!IsSymbol(symbol))
        {
            return null;
        }

        if (symbol.Length > 4 && (symbol.EndsWith("USDT", StringComparison.Ordinal) || symbol.EndsWith("USDC", StringComparison.Ordinal)))
        {
            return InstrumentSpec.Perp(symbol[..^4], symbol[^4..]);
        }

        return symbol.Length > 4 && symbol.EndsWith("PERP", StringComparison.Ordinal) ? InstrumentSpec.Perp(symbol[..^4], "USDC") : null;
    }

    private static InstrumentSpec? DeriveInverse(string symbol)
    {
        if (!IsSymbol(symbol))
        {
            return null;
        }

        if (symbol.Length > 3 && symbol.EndsWith("USD", StringComparison.Ordinal))
        {
            return InstrumentSpec.Perp(symbol[..^3], "USD");
        }

        // BTCUSDZ25: base, USD, month code, two-digit year.
        if (symbol.Length > 6 && symbol.AsSpan(symbol.Length - 6, 3).SequenceEqual("USD") &&
            MonthCodes.IndexOf(symbol[^3]) is var m and >= 0 &&
            char.IsAsciiDigit(symbol[^2]) && char.IsAsciiDigit(symbol[^1]))
        {
            var year = 2000 + (symbol[^2] - '0') * 10 + (symbol[^1] - '0');
            return InstrumentSpec.Future(symbol[..^6], "USD", LastFriday(year, m + 1));
        }

        return null;
    }

    /// <summary>The last Friday of a month: Bybit's inverse futures delivery day.</summary>
    public static DateOnly LastFriday(int year, int month)
    {
        var d = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        return d.AddDays(-(((int)d.DayOfWeek - (int)DayOfWeek.Friday + 7) % 7));
    }

    /// <summary><c>26DEC25</c> or <c>3JAN25</c>.</summary>
    private static bool TryDayMonthYear(ReadOnlySpan<char> s, out DateOnly date)
    {
        date = default;
        if (s.Length is not (6 or 7) || !char.IsAsciiDigit(s[^1]) || !char.IsAsciiDigit(s[^2]))
        {
            return false;
        }

        var dayText = s[..^5];
        var monthText = s.Slice(s.Length - 5, 3);
        var day = 0;
        foreach (var c in dayText)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            day = day * 10 + (c - '0');
        }

        var month = 0;
        for (var i = 0; i < Months.Length && month == 0; i++)
        {
            if (monthText.Equals(Months[i], StringComparison.OrdinalIgnoreCase))
            {
                month = i + 1;
            }
        }

        var year = 2000 + (s[^2] - '0') * 10 + (s[^1] - '0');
        if (month == 0 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        return true;
    }

    private static bool IsSymbol(string s) => s.Length is >= 2 and <= 2 * MaxAssetLength && !s.AsSpan().ContainsAnyExcept(UpperAlphanumerics);
}
