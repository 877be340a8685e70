using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Quality;

public enum DataClass : byte { Trade, Quote, Mark, Index, Funding }

/// A series: provider × venue × instrument × data class × market.
public readonly record struct SeriesKey(ProviderId Provider, VenueId Venue, InstrumentId Instrument, DataClass DataClass, MarketType Market);

/// One second (or configured window) of one series.
public sealed record SeriesWindow(SeriesKey Key, long WindowStartNs, long WindowEndNs, long Count, decimal? LastPrice, decimal? Vwap,
    LatencyStats ExchangeToReceive, LatencyStats ReceiveToPublish, long SequenceGaps, long MissingSequences, long LastExchangeTimeNs,
    int ActiveSubscriptions, decimal? FairPrice /* instrument fair price at window end, when known */);

public readonly record struct LatencyStats(double MinSeconds, double MeanSeconds, double MaxSeconds, double P99Seconds, long Samples);
