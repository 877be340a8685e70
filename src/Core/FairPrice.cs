namespace Cloudwall.Rx.Core;

/// <summary>Status of a fair price (values are part of the wire format).</summary>
public enum FairPriceStatus : byte
{
    Ok = 0,
    /// <summary>Fewer than the minimum number of sources are eligible.</summary>
    Degraded = 1,
    /// <summary>No source is eligible: the last value is held.</summary>
    Stale = 2,
}

/// <summary>A cross-provider fair price for one instrument at one moment.</summary>
public readonly record struct FairPrice
{
    public InstrumentId Instrument { get; init; }
    public decimal Price { get; init; }
    public FairPriceStatus Status { get; init; }
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
}

public static class FairPriceStatusText
{
    public static string ToText(this FairPriceStatus s) => s switch
    {
        FairPriceStatus.Ok => "ok",
        FairPriceStatus.Degraded => "degraded",
        FairPriceStatus.Stale => "stale",
        _ => "unknown",
    };
}
