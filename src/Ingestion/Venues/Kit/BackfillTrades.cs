using Cloudwall.Rx.Ingestion.Backfill;

namespace Cloudwall.Rx.Ingestion.Venues.Kit;

/// <summary>
/// The one rule for turning a REST trade's fields into a back-filled trade, as the live decoders check theirs: a positive
/// exact price and size, epoch-millisecond time; anything else is a <see cref="BackfillException"/> carrying the page.
/// </summary>
internal static class BackfillTrades
{
    public static MarketEvent Create(BackfillRequest request, TradeId id, long sequence, Side side, ReadOnlySpan<byte> price, ReadOnlySpan<byte> size,
        ReadOnlySpan<byte> timeMs, long receiveTimeNs, byte[] body)
    {
        if (!VenueDecimal.TryParse(price, out var p) || p <= 0 || !VenueDecimal.TryParse(size, out var q) || q <= 0)
        {
            throw new BackfillException(FrameReason.InvalidPrice, $"trade {id}: price or size is not a positive decimal", body);
        }

        if (!VenueTime.TryParseMillis(timeMs, out var exchangeTimeNs))
        {
            throw new BackfillException(FrameReason.InvalidTimestamp, $"trade {id}: time is not epoch milliseconds", body);
        }

        return new MarketEvent
        {
            Kind = EventKind.Trade,
            Side = side,
            Instrument = request.Instrument,
            Venue = request.Venue,
            Provider = request.Provider,
            Price = p,
            Size = q,
            ExchangeTimeNs = exchangeTimeNs,
            ReceiveTimeNs = receiveTimeNs,
            Sequence = sequence,
            TradeId = id,
        };
    }
}
