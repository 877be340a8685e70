namespace Cloudwall.Rx.Ingestion.Venues.Okx;

/// <summary>
/// OKX <c>trades</c>: one trade per element of <c>data</c>; <c>side</c> is the taker's, <c>tradeId</c> is also the sequence.
/// Recorded (2022-05-13):
/// <code>
/// {"arg":{"channel":"trades","instId":"BTC-USD-220527"},"data":[{"instId":"BTC-USD-220527","tradeId":"7849","px":"30218.8","sz":"1","side":"buy","ts":"1652459199958"}]}
/// </code>
/// </summary>
public sealed partial class OkxDecoder
{
    private FrameOutcome Trade(ref Fields f, ReadOnlySpan<byte> argInstId, long receiveTimeNs, EventBuffer output)
    {
        if (!f.Has(Field.TradeId) || !f.Has(Field.Px) || !f.Has(Field.Sz) || !f.Has(Field.Ts))
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!TryInstrument(ref f, argInstId, out var instrument, out var failure))
        {
            return failure;
        }

        if (!VenueDecimal.TryParse(f.Px, out var price) || price <= 0 || !VenueDecimal.TryParse(f.Sz, out var size) || size <= 0)
        {
            return FrameOutcome.Rejected(FrameReason.InvalidPrice);
        }

        if (!VenueTime.TryParseMillis(f.Ts, out var ts))
        {
            return FrameOutcome.Rejected(FrameReason.InvalidTimestamp);
        }

        if (!TradeId.TryParseUtf8(f.TradeId, out var tradeId))
        {
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }

        output.Add(new MarketEvent
        {
            Kind = EventKind.Trade,
            Side = f.Side.SequenceEqual("buy"u8) ? Side.Buy : f.Side.SequenceEqual("sell"u8) ? Side.Sell : Side.Unknown,
            Instrument = instrument,
            Venue = VenueId.Okx,
            Provider = ProviderId.Okx,
            Price = price,
            Size = size,
            ExchangeTimeNs = ts,
            ReceiveTimeNs = receiveTimeNs,
            Sequence = tradeId.Kind == TradeIdKind.Numeric ? tradeId.AsLong : 0,
            TradeId = tradeId,
        });
        return FrameOutcome.Decoded(1);
    }
}
