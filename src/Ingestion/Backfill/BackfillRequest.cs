namespace Cloudwall.Rx.Ingestion.Backfill;

/// <summary>Why the live stream lost trades.</summary>
public enum BackfillReason : byte
{
    /// <summary>The venue's sequence numbers jumped.</summary>
    SequenceGap = 0,

    /// <summary>The connection broke and came back.</summary>
    Reconnect = 1,
}

/// <summary>
/// One interval of one instrument's trades that the live stream lost: everything strictly between the last trade delivered
/// before the break and the first one delivered after it. Both bounds are given as exchange time and trade id; a venue
/// whose REST API pages by id uses the ids, the others the times (docs/backfill.md).
/// </summary>
/// <param name="Symbol">The venue's own symbol for <paramref name="Instrument"/> (<c>BTCUSDT</c>, <c>BTC-USD</c>), as its REST API names it.</param>
/// <param name="Connection">The index of the connection whose stream broke.</param>
/// <param name="FromTimeNs">Exchange time of the last trade before the break.</param>
/// <param name="FromId">Trade id of the last trade before the break.</param>
/// <param name="ToTimeNs">Exchange time of the first trade after the break.</param>
/// <param name="ToId">Trade id of the first trade after the break.</param>
/// <param name="DetectedNs">When the break was closed (the first trade after it arrived).</param>
public sealed record BackfillRequest(
    ProviderId Provider,
    VenueId Venue,
    InstrumentId Instrument,
    string Symbol,
    int Connection,
    BackfillReason Reason,
    long FromTimeNs,
    TradeId FromId,
    long ToTimeNs,
    TradeId ToId,
    long DetectedNs)
{
    /// <summary>
    /// The trades lost when both bounds are numeric ids of a venue that numbers each instrument's trades consecutively
    /// (<see cref="IBackfillClient.ConsecutiveIds"/>); null when the count is not known in advance.
    /// </summary>
    public long? ExpectedCount(bool consecutiveIds) =>
        consecutiveIds && FromId.Kind == TradeIdKind.Numeric && ToId.Kind == TradeIdKind.Numeric && ToId.AsLong > FromId.AsLong
            ? ToId.AsLong - FromId.AsLong - 1
            : null;

    /// <summary>The length of the break in exchange time.</summary>
    public TimeSpan Span => TimeSpan.FromTicks(Math.Max(0, ToTimeNs - FromTimeNs) / 100);
}
