namespace Cloudwall.Rx.Core;

/// <summary>Status of a fair price (values are part of the wire format).</summary>
public enum FairPriceStatus : byte
{
    Ok = 0,
    /// <summary>Fewer than the minimum number of sources are eligible.</summary>
    Degraded = 1,
    /// <summary>No source is eligible: the last value is held.</summary>
    Stale = 2,
    /// <summary>
    /// Sources are eligible but disagree and nothing settles which is right (two sources, or all judged gross): the last good
    /// value is held. Unlike <see cref="Stale"/> the held value is recent and may be used.
    /// </summary>
    Conflict = 3,
}

/// <summary>Which input class a fair price is built from (values are part of the wire format, v2 on).</summary>
public enum FairPriceMethod : byte
{
    /// <summary>From the venues' trades (window VWAP) and quote mids: spot, composites, perpetuals and futures.</summary>
    TradeBased = 0,
    /// <summary>From the venues' own mark prices: perpetuals and futures (second record), options (only record).</summary>
    MarkBased = 1,
}

/// <summary>A cross-provider fair price for one instrument at one moment.</summary>
/// <remarks>
/// A derivative has up to two records per instrument, told apart by <see cref="Method"/>. The optional fields are null
/// when they do not apply: <see cref="Basis"/> and <see cref="FundingRate"/> for perpetuals and futures, <see cref="MarkIv"/>
/// for options.
/// </remarks>
public readonly record struct FairPrice
{
    public InstrumentId Instrument { get; init; }
    public decimal Price { get; init; }
    public FairPriceStatus Status { get; init; }
    public FairPriceMethod Method { get; init; }
    /// <summary>Half-width of the confidence band, in price units.</summary>
    public decimal Confidence { get; init; }
    public int SourcesUsed { get; init; }
    public int SourcesKnown { get; init; }
    /// <summary>Newest exchange time among the inputs, UTC ns.</summary>
    public long NewestInputTimeNs { get; init; }
    /// <summary>When this value was computed, UTC ns.</summary>
    public long ComputedTimeNs { get; init; }
    /// <summary>The version of the method's parameters that produced it.</summary>
    public int ParametersVersion { get; init; }
    /// <summary>Bit i set when source slot i contributed (slot order is the per-instrument source order).</summary>
    public ulong SourcesMask { get; init; }
    /// <summary>Derivatives: this price minus the underlying spot fair price, in price units; null when unknown.</summary>
    public decimal? Basis { get; init; }
    /// <summary>Perpetuals: the median of the venues' current funding rates (fraction per interval); null when none published.</summary>
    public decimal? FundingRate { get; init; }
    /// <summary>Options: the median of the venues' mark implied volatilities, in percent; null otherwise.</summary>
    public decimal? MarkIv { get; init; }
}

public static class FairPriceStatusText
{
    public static string ToText(this FairPriceStatus s) => s switch
    {
        FairPriceStatus.Ok => "ok",
        FairPriceStatus.Degraded => "degraded",
        FairPriceStatus.Stale => "stale",
        FairPriceStatus.Conflict => "conflict",
        _ => "unknown",
    };

    public static string ToText(this FairPriceMethod m) => m switch
    {
        FairPriceMethod.TradeBased => "trade",
        FairPriceMethod.MarkBased => "mark",
        _ => "unknown",
    };
}
