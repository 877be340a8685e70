using System.Collections.Frozen;

namespace Cloudwall.Rx.Core;

/// <summary>
/// A venue (exchange). Codes are stable and part of the wire format (docs/wire-format.md): never renumber.
/// </summary>
public readonly record struct VenueId(byte Code)
{
    public static readonly VenueId None = new(0);
    public static readonly VenueId Coinbase = new(1);
    public static readonly VenueId Kraken = new(2);
    public static readonly VenueId Binance = new(3);
    public static readonly VenueId BinanceUsdm = new(4);
    public static readonly VenueId BinanceCoinm = new(5);
    public static readonly VenueId Bybit = new(6);
    public static readonly VenueId Okx = new(7);
    public static readonly VenueId Deribit = new(8);
    public static readonly VenueId KrakenFutures = new(9);
    public static readonly VenueId BinanceUs = new(10);

    private static readonly string[] Names =
        ["none", "coinbase", "kraken", "binance", "binance-usdm", "binance-coinm", "bybit", "okx", "deribit", "kraken-futures", "binance-us"];

    private static readonly FrozenDictionary<string, VenueId> ByName =
        Enumerable.Range(1, Names.Length - 1).ToFrozenDictionary(i => Names[i], i => new VenueId((byte)i));

    public static IReadOnlyList<string> AllNames => Names.AsSpan(1).ToArray();

    public bool IsKnown => Code > 0 && Code < Names.Length;

    public string Name => Code < Names.Length ? Names[Code] : "venue-" + Code;

    public static bool TryParse(string name, out VenueId venue) => ByName.TryGetValue(name, out venue);

    public static VenueId Parse(string name) =>
        TryParse(name, out var v) ? v : throw new FormatException($"unknown venue '{name}'; known: {string.Join(", ", AllNames)}");

    public override string ToString() => Name;
}

/// <summary>
/// A data provider (who delivered the data): a direct venue connection or an aggregator. Stable wire codes.
/// Direct venue connections use the venue's own code; aggregators start at 64.
/// </summary>
public readonly record struct ProviderId(byte Code)
{
    public static readonly ProviderId None = new(0);
    public static readonly ProviderId Coinbase = new(1);
    public static readonly ProviderId Kraken = new(2);
    public static readonly ProviderId Binance = new(3);
    public static readonly ProviderId BinanceUsdm = new(4);
    public static readonly ProviderId BinanceCoinm = new(5);
    public static readonly ProviderId Bybit = new(6);
    public static readonly ProviderId Okx = new(7);
    public static readonly ProviderId Deribit = new(8);
    public static readonly ProviderId KrakenFutures = new(9);
    public static readonly ProviderId BinanceUs = new(10);
    /// <summary>The gRPC aggregator-style provider (modelled on Kaiko's Stream API).</summary>
    public static readonly ProviderId Aggregator = new(64);

    public static ProviderId Direct(VenueId venue) => new(venue.Code);

    public bool IsKnown => Code == Aggregator.Code || new VenueId(Code).IsKnown;

    public string Name => Code == Aggregator.Code ? "aggregator" : Code == 0 ? "none" : new VenueId(Code).Name;

    public static bool TryParse(string name, out ProviderId provider)
    {
        if (name == "aggregator")
        {
            provider = Aggregator;
            return true;
        }

        provider = VenueId.TryParse(name, out var v) ? Direct(v) : None;
        return provider.Code != 0;
    }

    public override string ToString() => Name;
}

/// <summary>An interned canonical instrument. The number is process-local; the canonical key is what travels.</summary>
public readonly record struct InstrumentId(int Value)
{
    public static readonly InstrumentId None = new(0);

    public bool IsNone => Value == 0;

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
