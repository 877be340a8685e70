using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Pricing;

/// <summary>Why a source did or did not contribute to a fair price.</summary>
public enum SourceStatus : byte
{
    /// <summary>Eligible and within the outlier band: it has a weight.</summary>
    Used = 0,
    /// <summary>Eligible but excluded as an outlier (or not yet re-admitted: hysteresis).</summary>
    Outlier = 1,
    /// <summary>No update within the staleness limit.</summary>
    Stale = 2,
    /// <summary>No positive price yet.</summary>
    NoPrice = 3,
    /// <summary>Composite only: the quote-currency rate (e.g. USDT-USD) is unknown or stale.</summary>
    NoRate = 4,
    /// <summary>Eligible but beyond the critical deviation from the reference (a gross error): excluded at once, at any source count.</summary>
    Gross = 5,
    /// <summary>Fresh, but its price has not changed for far longer than usual while others moved: excluded until it changes.</summary>
    Frozen = 6,
    /// <summary>One of two sources that disagree when nothing could tell which is right: neither is used (status Conflict).</summary>
    Disputed = 7,
}

/// <summary>
/// One source's part in an emitted fair price, for the quality layer (<c>cloudwall_md_price_ratio</c>).
/// <see cref="Market"/> is the instrument the source quotes: the fair price's own instrument, or a constituent of a composite.
/// </summary>
public readonly record struct SourceDetail(
    InstrumentId Market,
    ProviderId Provider,
    VenueId Venue,
    decimal Price,
    decimal Ratio,
    decimal WeightShare,
    SourceStatus Status,
    long LastUpdateNs);

/// <summary>
/// Called on the partition thread on every emission, with every known source of that fair price. The span is only valid
/// during the call; copy what you keep. Must not throw and must not block.
/// </summary>
public delegate void FairPriceDetailHandler(in FairPrice price, ReadOnlySpan<SourceDetail> sources);
