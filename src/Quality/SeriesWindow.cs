using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Quality;

/// A series: provider × venue × instrument × data class × market.
public readonly record struct SeriesKey(ProviderId Provider, VenueId Venue, InstrumentId Instrument, DataClass DataClass, MarketType Market);

/// One second (or configured window) of one series. <see cref="LastExchangeTimeNs"/> is the newest effective time
/// (<see cref="EventTime"/>: the exchange time bounded by the receive time), so it is never ahead of our clock.
/// Exchange-to-receive latencies are never negative; <see cref="ClockOffset"/> carries the skew instead (the provider ×
/// venue estimate at window end; null when the window's producer had no sample, or is older than the field).
/// <see cref="LastEventNs"/> is when the series' newest event was processed (our clock, any window; 0 when unknown): silence
/// is measured from it, so a lagging venue clock is never mistaken for silence. <see cref="PriceChanges"/> counts the events
/// whose price (for quotes, bid or ask) differed from the series' previous event: updates that keep coming with no change
/// are a frozen feed. Both are -1 / 0 when the window's producer is older than the fields.
public sealed record SeriesWindow(SeriesKey Key, long WindowStartNs, long WindowEndNs, long Count, decimal? LastPrice, decimal? Vwap,
    LatencyStats ExchangeToReceive, LatencyStats ReceiveToPublish, long SequenceGaps, long MissingSequences, long LastExchangeTimeNs,
    int ActiveSubscriptions, decimal? FairPrice /* instrument fair price at window end, when known */, ClockOffset? ClockOffset = null,
    long LastEventNs = 0, long PriceChanges = -1);

public readonly record struct LatencyStats(double MinSeconds, double MeanSeconds, double MaxSeconds, double P99Seconds, long Samples);

/// <summary>A venue's clock minus ours, in seconds (positive: the venue runs ahead), estimated from <paramref name="Samples"/> events.</summary>
public readonly record struct ClockOffset(double Seconds, int Samples);
