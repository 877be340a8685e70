namespace Cloudwall.Rx.Core;

/// <summary>
/// A break in a venue's sequence for one series: <see cref="Missing"/> numbers between <see cref="LastSeen"/> and
/// <see cref="Received"/> never arrived. A gap is data: it is counted, exported and reported, never hidden.
/// </summary>
public readonly record struct SequenceGap(
    ProviderId Provider,
    VenueId Venue,
    InstrumentId Instrument,
    EventKind Kind,
    long LastSeen,
    long Received,
    long DetectedTimeNs)
{
    public long Missing => Received - LastSeen - 1;
}

/// <summary>
/// A break in a live trade stream that gap-fill could not mend completely (result <c>partial</c>, <c>skipped</c>,
/// <c>dropped</c> or <c>failed</c>): what the quality sidecar alerts on. <see cref="Missing"/> is null when the venue's trade
/// ids do not say how many were lost.
/// </summary>
public readonly record struct BackfillShortfall(
    ProviderId Provider,
    VenueId Venue,
    InstrumentId Instrument,
    string Result,
    long Filled,
    long? Missing,
    string? Detail,
    long DetectedTimeNs);
