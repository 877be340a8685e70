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
