using System.Runtime.InteropServices;

namespace Cloudwall.Rx.Core;

/// <summary>
/// A per-interval pre-aggregate of one series (instrument × venue × provider × kind): what md.bars.v1 carries instead of
/// the raw events when pre-aggregation is on. Prices are exact decimals; times are UTC nanoseconds since the epoch.
/// </summary>
/// <remarks>
/// For trades the prices are trade prices and <see cref="Volume"/> is the summed size. For other kinds the prices are the
/// event's <see cref="MarketEvent.MidOrPrice"/>, the volume is zero and <see cref="Vwap"/> is the close. VWAP is rounded to
/// four more digits than the finest price of the interval (at most 28).
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public readonly record struct Bar
{
    public InstrumentId Instrument { get; init; }
    public VenueId Venue { get; init; }
    public ProviderId Provider { get; init; }
    public EventKind Kind { get; init; }
    /// <summary>Start of the interval (inclusive), aligned to a multiple of <see cref="IntervalNs"/>.</summary>
    public long StartTimeNs { get; init; }
    public long IntervalNs { get; init; }
    public decimal Open { get; init; }
    public decimal High { get; init; }
    public decimal Low { get; init; }
    public decimal Close { get; init; }
    public decimal Vwap { get; init; }
    public decimal Volume { get; init; }
    /// <summary>Input events in the interval (at least 1).</summary>
    public long Count { get; init; }
    /// <summary>Exchange time of the first and last event (0 when the venue gives none).</summary>
    public long FirstExchangeTimeNs { get; init; }
    public long LastExchangeTimeNs { get; init; }
    /// <summary>
    /// 0 for a bar's first emission; each corrected version of the same series and interval, re-emitted when back-filled
    /// trades changed it, carries the next number. A consumer keeps the highest revision per series and <see cref="StartTimeNs"/>.
    /// </summary>
    public int Revision { get; init; }
    /// <summary>
    /// Receive time of the interval's first input (of a corrected version: of the first back-filled input since the previous
    /// version). Not on the wire: the publisher measures input-to-acknowledgement latency from it.
    /// </summary>
    public long FirstReceiveTimeNs { get; init; }
}
