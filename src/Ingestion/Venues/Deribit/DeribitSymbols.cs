using System.Globalization;

namespace Cloudwall.Rx.Ingestion.Venues.Deribit;

/// <summary>
/// Deribit instrument names to canonical instruments.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>BTC-PERPETUAL</c> → <c>BTC-USD.PERP</c> (inverse: margined and settled in BTC, quoted in USD);
/// <c>BTC_USDC-PERPETUAL</c> → <c>BTC-USDC.PERP</c> (linear).</item>
/// <item><c>BTC-24SEP21</c> → <c>BTC-USD-20210924.FUT</c>.</item>
/// <item><c>BTC-24SEP21-40000-C</c> → <c>BTC-USD-20210924-40000-C.OPT</c>. Inverse options are <em>priced</em> in BTC,
/// but the key keeps USD: it names what the strike is denominated in (the reference quote), so the BTC and USDC
/// option chains on the same strike stay distinct (<c>BTC_USDC-…</c> → <c>BTC-USDC-….OPT</c>). Prices on the wire are
/// carried as sent; the unit (BTC for inverse options) is a property of the venue, not of the key.</item>
/// <item>Strikes with a fractional part use Deribit's <c>d</c> for the point (<c>XRP_USDC-30JUN23-0d625-C</c> → strike 0.625).</item>
/// <item>Spot pairs <c>BTC_USDC</c> → <c>BTC-USDC.SPOT</c>.</item>
/// <item>Day of month is one or two digits (<c>BTC-4OCT24</c>), month three letters, year two digits (20xx).</item>
/// </list>
/// Combos, future spreads and anything else return null (an unknown symbol).
/// </remarks>
public static class DeribitSymbols
{
    private const string DefaultQuote = "USD";

    private static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

    public static readonly SymbolRule Rule = Derive;

    /// <summary>Installs <see cref="Rule"/> for <see cref="VenueId.Deribit"/>; call once before decoding.</summary>
    public static void Register(ReferenceData refData)
    {
        ArgumentNullException.ThrowIfNull(refData);
        refData.SetRule(VenueId.Deribit, Rule);
    }

    /// <summary>The canonical spec of a Deribit instrument name, or null when the grammar does not know it.</summary>
    public static InstrumentSpec? Derive(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 64)
        {
            return null;
        }

        var parts = name.Split('-');
        if (!TryAssets(parts[0], out var b, out var q, out var linear))
        {
            return null;
        }

        switch (parts.Length)
        {
            case 1:
                // Spot pairs always carry an explicit quote (BTC_USDC); a bare currency is not an instrument.
                return linear ? InstrumentSpec.Spot(b, q) : null;
            case 2 when parts[1] == "PERPETUAL":
                return InstrumentSpec.Perp(b, q);
            case 2:
                return TryExpiry(parts[1], out var fx) ? InstrumentSpec.Future(b, q, fx) : null;
            case 4 when TryExpiry(parts[1], out var ox) && TryStrike(parts[2], out var strike) && parts[3] is "C" or "P":
                return InstrumentSpec.Option(b, q, ox, strike, parts[3] == "C" ? OptionRight.Call : OptionRight.Put);
            default:
                return null;
        }
    }

    /// <summary>The Deribit name of a canonical perpetual, future or option (inverse when the quote is USD).</summary>
    public static string? VenueName(InstrumentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var head = spec.Quote == DefaultQuote ? spec.Base : spec.Base + "_" + spec.Quote;
        return spec.Market switch
        {
            MarketType.Perp => head + "-PERPETUAL",
            MarketType.Future => head + "-" + Expiry(spec.Expiry!.Value),
            MarketType.Option => head + "-" + Expiry(spec.Expiry!.Value) + "-" +
                                 spec.Strike!.Value.ToString(CultureInfo.InvariantCulture).Replace('.', 'd') + "-" + (spec.Right == OptionRight.Call ? "C" : "P"),
            MarketType.Spot when spec.Quote != DefaultQuote => head,
            _ => null,
        };
    }

    /// <summary>Deribit's expiry code, such as <c>24SEP21</c> or <c>4OCT24</c>.</summary>
    public static string Expiry(DateOnly date) =>
        date.Day.ToString(CultureInfo.InvariantCulture) + Months[date.Month - 1] + (date.Year % 100).ToString("D2", CultureInfo.InvariantCulture);

    private static bool TryAssets(string head, out string b, out string q, out bool linear)
    {
        var underscore = head.IndexOf('_');
        linear = underscore >= 0;
        b = linear ? head[..underscore] : head;
        q = linear ? head[(underscore + 1)..] : DefaultQuote;
        return IsAsset(b) && IsAsset(q);
    }

    private static bool IsAsset(string s)
    {
        if (s.Length is < 2 or > 10)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsAsciiLetterUpper(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryExpiry(string s, out DateOnly date)
    {
        date = default;
        // DMMMYY or DDMMMYY
        if (s.Length is not (6 or 7))
        {
            return false;
        }

        var dayLength = s.Length - 5;
        if (!int.TryParse(s.AsSpan(0, dayLength), NumberStyles.None, CultureInfo.InvariantCulture, out var day) ||
            !int.TryParse(s.AsSpan(dayLength + 3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var yy))
        {
            return false;
        }

        var month = Array.IndexOf(Months, s.Substring(dayLength, 3)) + 1;
        var year = 2000 + yy;
        if (month == 0 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        return true;
    }

    private static bool TryStrike(string s, out decimal strike)
    {
        strike = 0;
        if (s.Length is 0 or > 20 || s.Contains('.', StringComparison.Ordinal))
        {
            return false;
        }

        var text = s.Replace('d', '.');
        return decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out strike) && strike > 0;
    }
}
