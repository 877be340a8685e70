namespace Cloudwall.Rx.Ingestion.Venues.Bybit;

/// <summary>
/// Bybit v5 <c>publicTrade.{symbol}</c> and legacy <c>trade.{symbol}</c>: one trade per element of <c>data</c>, the taker's
/// side. Recorded (legacy API, 2021-04-17):
/// <code>
/// {"topic":"trade.BCHUSDT","data":[{"symbol":"BCHUSDT","tick_direction":"MinusTick","price":"1053.90","size":0.14,"timestamp":"2021-04-17T16:43:05.000Z","trade_time_ms":"1618677785116","side":"Buy","trade_id":"01cacfe9-8d1c-5ee4-995d-d79a43f955a6"}]}
/// </code>
/// </summary>
public sealed partial class BybitDecoder
{
    private FrameOutcome Trade(ref Fields f, ref Envelope env, ref Context ctx)
    {
        if (!f.Has(Field.Price) || !f.Has(Field.Size) || !f.Has(Field.TradeId))
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!TryInstrument(ref f, ref ctx, out var instrument, out var failure))
        {
            return failure;
        }

        if (!VenueDecimal.TryParse(f.Price, out var price) || price <= 0 || !VenueDecimal.TryParse(f.Size, out var size) || size <= 0)
        {
            return FrameOutcome.Rejected(FrameReason.InvalidPrice);
        }

        long ts;
        bool timeOk;
        if (f.Has(Field.TimeMs))
        {
            timeOk = VenueTime.TryParseMillis(f.TimeMs, out ts);
        }
        else if (f.Has(Field.TimeIso))
        {
            timeOk = VenueTime.TryParseIso(f.TimeIso, out ts);
        }
        else if (!env.Ts.IsEmpty)
        {
            timeOk = VenueTime.TryParseMillis(env.Ts, out ts);
        }
        else
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!timeOk)
        {
            return FrameOutcome.Rejected(FrameReason.InvalidTimestamp);
        }

        if (!TradeId.TryParseUtf8(f.TradeId, out var tradeId))
        {
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }

        VenueInteger.TryParse(f.Seq, out var seq);
        ctx.Output.Add(new MarketEvent
        {
            Kind = EventKind.Trade,
            Side = f.Side.SequenceEqual("Buy"u8) ? Side.Buy : f.Side.SequenceEqual("Sell"u8) ? Side.Sell : Side.Unknown,
            Instrument = instrument,
            Venue = VenueId.Bybit,
            Provider = ProviderId.Bybit,
            Price = price,
            Size = size,
            ExchangeTimeNs = ts,
            ReceiveTimeNs = ctx.ReceiveTimeNs,
            Sequence = seq,
            TradeId = tradeId,
        });
        ctx.Events++;
        return FrameOutcome.Decoded(1);
    }
}
