namespace Cloudwall.Rx.Core;

/// <summary>What a <see cref="MarketEvent"/> reports. Values are part of the wire format: never renumber.</summary>
public enum EventKind : byte
{
    Unknown = 0,
    Trade = 1,
    /// <summary>Best bid and offer: Price/Size are the bid, Aux/AuxSize the ask.</summary>
    Quote = 2,
    /// <summary>Venue mark price in Price; for options the mark implied volatility in Aux.</summary>
    Mark = 3,
    Index = 4,
    /// <summary>Funding rate (a fraction per funding interval) in Price; predicted next rate in Aux when published.</summary>
    Funding = 5,
}

/// <summary>The taker (aggressor) side, normalized across venues. Values are part of the wire format.</summary>
public enum Side : byte
{
    Unknown = 0,
    Buy = 1,
    Sell = 2,
}

/// <summary>How an event was delivered. A bit set; values are part of the wire format (version 2): never renumber.</summary>
[Flags]
public enum EventFlags : byte
{
    /// <summary>A live update.</summary>
    None = 0,
    /// <summary>History the venue sent on (re)subscribe, not a live update: kept for back-fill, never priced as live.</summary>
    Snapshot = 1,
    /// <summary>
    /// A trade fetched back over the venue's REST API after a reconnect or a sequence gap lost it on the live stream: published
    /// (in exchange-time order within its gap), never priced or counted as a live update. docs/backfill.md.
    /// </summary>
    Backfill = 2,
}

/// <summary>Instrument class. Values are part of the reference-data format.</summary>
public enum MarketType : byte
{
    Spot = 0,
    Perp = 1,
    Future = 2,
    Option = 3,
    Index = 4,
    Composite = 5,
}

public static class EnumText
{
    public static string ToText(this EventKind kind) => kind switch
    {
        EventKind.Trade => "trade",
        EventKind.Quote => "quote",
        EventKind.Mark => "mark",
        EventKind.Index => "index",
        EventKind.Funding => "funding",
        _ => "unknown",
    };

    public static string ToText(this Side side) => side switch
    {
        Side.Buy => "buy",
        Side.Sell => "sell",
        _ => "unknown",
    };

    public static string ToText(this MarketType market) => market switch
    {
        MarketType.Spot => "spot",
        MarketType.Perp => "perp",
        MarketType.Future => "future",
        MarketType.Option => "option",
        MarketType.Index => "index",
        MarketType.Composite => "composite",
        _ => "unknown",
    };

    /// <summary>The suffix of a canonical instrument key, e.g. <c>.SPOT</c>.</summary>
    public static string KeySuffix(this MarketType market) => market switch
    {
        MarketType.Spot => "SPOT",
        MarketType.Perp => "PERP",
        MarketType.Future => "FUT",
        MarketType.Option => "OPT",
        MarketType.Index => "INDEX",
        MarketType.Composite => "COMPOSITE",
        _ => "UNKNOWN",
    };

    public static bool TryParseKind(ReadOnlySpan<char> text, out EventKind kind)
    {
        kind = text switch
        {
            "trade" => EventKind.Trade,
            "quote" => EventKind.Quote,
            "mark" => EventKind.Mark,
            "index" => EventKind.Index,
            "funding" => EventKind.Funding,
            _ => EventKind.Unknown,
        };
        return kind != EventKind.Unknown;
    }
}
