using System.Runtime.InteropServices;

namespace Cloudwall.Rx.Core;

/// <summary>
/// One normalized market-data event. A small immutable value: money is <see cref="decimal"/>, never binary floating point,
/// and times are UTC nanoseconds since the Unix epoch.
/// </summary>
/// <remarks>
/// Field meaning by <see cref="Kind"/>:
/// <list type="bullet">
/// <item>Trade: <see cref="Price"/>, <see cref="Size"/>, <see cref="Side"/> (taker), <see cref="TradeId"/>.</item>
/// <item>Quote: bid in <see cref="Price"/>/<see cref="Size"/>, ask in <see cref="Aux"/>/<see cref="AuxSize"/>.</item>
/// <item>Mark: mark price in <see cref="Price"/>; for options the mark implied volatility (percent) in <see cref="Aux"/>.</item>
/// <item>Index: index price in <see cref="Price"/>.</item>
/// <item>Funding: current funding rate in <see cref="Price"/>; predicted next rate in <see cref="Aux"/> when published.</item>
/// </list>
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public readonly record struct MarketEvent
{
    public EventKind Kind { get; init; }
    public Side Side { get; init; }
    public InstrumentId Instrument { get; init; }
    public VenueId Venue { get; init; }
    public ProviderId Provider { get; init; }
    public decimal Price { get; init; }
    public decimal Size { get; init; }
    public decimal Aux { get; init; }
    public decimal AuxSize { get; init; }
    /// <summary>Exchange timestamp, UTC nanoseconds since the epoch (0 when the venue gives none).</summary>
    public long ExchangeTimeNs { get; init; }
    /// <summary>Local receive timestamp, UTC nanoseconds since the epoch.</summary>
    public long ReceiveTimeNs { get; init; }
    /// <summary>The venue's sequence number for this series (0 when the venue gives none).</summary>
    public long Sequence { get; init; }
    public TradeId TradeId { get; init; }

    /// <summary>What kind of delivery this is: live (none), history sent on (re)subscribe (<see cref="EventFlags.Snapshot"/>), or fetched back after a gap (<see cref="EventFlags.Backfill"/>).</summary>
    public EventFlags Flags { get; init; }

    /// <summary>
    /// True for history the venue sent on (re)subscribe (Coinbase <c>last_match</c>, Kraken Futures <c>trade_snapshot</c>, ...):
    /// published for back-fill, but never priced or counted as a live update.
    /// </summary>
    public bool IsSnapshot => (Flags & EventFlags.Snapshot) != 0;

    /// <summary>True for a trade fetched back over REST after a gap or a reconnect (<see cref="EventFlags.Backfill"/>).</summary>
    public bool IsBackfill => (Flags & EventFlags.Backfill) != 0;

    /// <summary>History of either kind (snapshot or back-fill): published, but never priced or counted as a live update.</summary>
    public bool IsHistory => Flags != EventFlags.None;

    /// <summary>The quote mid, or the price for other kinds.</summary>
    public decimal MidOrPrice => Kind == EventKind.Quote && Price > 0 && Aux > 0 ? (Price + Aux) / 2m : Price;

    public DateTime ExchangeTime => UnixTime.ToDateTime(ExchangeTimeNs);

    public DateTime ReceiveTime => UnixTime.ToDateTime(ReceiveTimeNs);
}
