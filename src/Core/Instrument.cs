using System.Globalization;

namespace Cloudwall.Rx.Core;

/// <summary>Call or put, for options.</summary>
public enum OptionRight : byte
{
    None = 0,
    Call = 1,
    Put = 2,
}

/// <summary>
/// What defines a canonical instrument, before it is interned. The canonical key is derived, never typed by hand:
/// <c>BTC-USD.SPOT</c>, <c>BTC-USDT.PERP</c>, <c>BTC-USD-20261225.FUT</c>, <c>BTC-USD-20261225-50000-C.OPT</c>.
/// </summary>
public sealed record InstrumentSpec(string Base, string Quote, MarketType Market, DateOnly? Expiry = null, decimal? Strike = null, OptionRight Right = OptionRight.None)
{
    public string Key
    {
        get
        {
            var head = Base + "-" + Quote;
            return Market switch
            {
                MarketType.Future => $"{head}-{Expiry!.Value:yyyyMMdd}.FUT",
                MarketType.Option => $"{head}-{Expiry!.Value:yyyyMMdd}-{Strike!.Value.ToString(CultureInfo.InvariantCulture)}-{(Right == OptionRight.Call ? 'C' : 'P')}.OPT",
                _ => $"{head}.{Market.KeySuffix()}",
            };
        }
    }

    /// <summary>The spot instrument this derivative settles against, e.g. BTC-USD.SPOT for BTC-USD.PERP.</summary>
    public string UnderlyingSpotKey => $"{Base}-{Quote}.SPOT";

    public static InstrumentSpec Spot(string b, string q) => new(b, q, MarketType.Spot);

    public static InstrumentSpec Perp(string b, string q) => new(b, q, MarketType.Perp);

    public static InstrumentSpec Future(string b, string q, DateOnly expiry) => new(b, q, MarketType.Future, expiry);

    public static InstrumentSpec Option(string b, string q, DateOnly expiry, decimal strike, OptionRight right) =>
        new(b, q, MarketType.Option, expiry, strike, right);

    /// <summary>Parses a canonical key back into its spec.</summary>
    public static bool TryParseKey(string key, out InstrumentSpec? spec)
    {
        spec = null;
        var dot = key.LastIndexOf('.');
        if (dot <= 0)
        {
            return false;
        }

        var parts = key[..dot].Split('-');
        var suffix = key[(dot + 1)..];
        if (parts.Length < 2 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            return false;
        }

        switch (suffix)
        {
            case "SPOT" when parts.Length == 2:
                spec = Spot(parts[0], parts[1]);
                return true;
            case "PERP" when parts.Length == 2:
                spec = Perp(parts[0], parts[1]);
                return true;
            case "INDEX" when parts.Length == 2:
                spec = new InstrumentSpec(parts[0], parts[1], MarketType.Index);
                return true;
            case "COMPOSITE" when parts.Length == 2:
                spec = new InstrumentSpec(parts[0], parts[1], MarketType.Composite);
                return true;
            case "FUT" when parts.Length == 3 && TryDate(parts[2], out var fx):
                spec = Future(parts[0], parts[1], fx);
                return true;
            case "OPT" when parts.Length == 5 && TryDate(parts[2], out var ox) &&
                            decimal.TryParse(parts[3], NumberStyles.Number, CultureInfo.InvariantCulture, out var strike) &&
                            parts[4] is "C" or "P":
                spec = Option(parts[0], parts[1], ox, strike, parts[4] == "C" ? OptionRight.Call : OptionRight.Put);
                return true;
            default:
                return false;
        }
    }

    private static bool TryDate(string s, out DateOnly d) =>
        DateOnly.TryParseExact(s, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out d);
}

/// <summary>An interned instrument: its process-local id plus its spec and metadata.</summary>
public sealed record Instrument(InstrumentId Id, string Key, InstrumentSpec Spec)
{
    public MarketType Market => Spec.Market;

    /// <summary>Tick size when reference data gives one.</summary>
    public decimal? TickSize { get; init; }

    /// <summary>Contract size or multiplier for derivatives when reference data gives one.</summary>
    public decimal? ContractSize { get; init; }
}
