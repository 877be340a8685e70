namespace Cloudwall.Rx.Ingestion.Venues.Binance;

/// <summary>
/// Binance <c>trade</c> and <c>aggTrade</c>: one trade, its id (<c>t</c> or <c>a</c>) also the sequence, timed by <c>T</c>;
/// <c>m</c> true means the taker sold. Recorded (spot, combined stream, 2021-10-12):
/// <code>
/// {"stream":"nknusdt@aggTrade","data":{"e":"aggTrade","E":1633998523963,"s":"NKNUSDT","a":15683430,"p":"0.35280000","q":"58.00000000","f":19862790,"l":19862790,"T":1633998523963,"m":false,"M":true}}
/// </code>
/// </summary>
public sealed partial class BinanceDecoder
{
    private FrameOutcome BuildTrade(ref Fields f, bool aggregate, long receiveTimeNs, EventBuffer output)
    {
        var idField = aggregate ? Field.A : Field.TradeId;
        if (!f.Has(Field.Symbol) || !f.Has(Field.P) || !f.Has(Field.Q) || !f.Has(Field.TimeT) || !f.Has(idField))
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!RefData.TryResolve(Venue, f.Symbol, out var instrument))
        {
            return FrameOutcome.Rejected(FrameReason.UnknownSymbol);
        }

        if (!VenueDecimal.TryParse(f.P, out var price) || price <= 0 || !VenueDecimal.TryParse(f.Q, out var size) || size <= 0)
        {
            return FrameOutcome.Rejected(FrameReason.InvalidPrice);
        }

        if (!VenueTime.TryParseMillis(f.TimeT, out var exchangeTimeNs))
        {
            return FrameOutcome.Rejected(FrameReason.InvalidTimestamp);
        }

        if (!VenueInteger.TryParseNonNegative(aggregate ? f.A : f.TradeId, out var id))
        {
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }

        output.Add(new MarketEvent
        {
            Kind = EventKind.Trade,
            Side = !f.HasMaker ? Side.Unknown : f.BuyerIsMaker ? Side.Sell : Side.Buy,
            Instrument = instrument,
            Venue = Venue,
            Provider = Provider,
            Price = price,
            Size = size,
            ExchangeTimeNs = exchangeTimeNs,
            ReceiveTimeNs = receiveTimeNs,
            Sequence = id,
            TradeId = TradeId.Numeric(id),
        });
        return FrameOutcome.Decoded(1);
    }
}
