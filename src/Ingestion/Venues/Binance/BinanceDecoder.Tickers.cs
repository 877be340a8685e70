namespace Cloudwall.Rx.Ingestion.Venues.Binance;

/// <summary>
/// Binance <c>bookTicker</c>: a quote from <c>b</c>/<c>B</c> and <c>a</c>/<c>A</c>; futures are timed by <c>T</c> (else
/// <c>E</c>), spot sends no time. Recorded (USDⓈ-M futures, 2021-07-22):
/// <code>
/// {"stream":"sushiusdt@bookTicker","data":{"e":"bookTicker","u":600859600576,"s":"SUSHIUSDT","b":"7.6110","B":"2","a":"7.6120","A":"297","T":1626992741012,"E":1626992741017}}
/// </code>
/// </summary>
public sealed partial class BinanceDecoder
{
    private FrameOutcome BuildQuote(ref Fields f, long receiveTimeNs, EventBuffer output)
    {
        if (!f.Has(Field.Symbol) || !f.Has(Field.B) || !f.Has(Field.A) || !f.Has(Field.BidQty) || !f.Has(Field.AskQty))
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!RefData.TryResolve(Venue, f.Symbol, out var instrument))
        {
            return FrameOutcome.Rejected(FrameReason.UnknownSymbol);
        }

        if (!VenueDecimal.TryParse(f.B, out var bid) || bid <= 0 || !VenueDecimal.TryParse(f.A, out var ask) || ask <= 0 ||
            !VenueDecimal.TryParse(f.BidQty, out var bidSize) || bidSize < 0 || !VenueDecimal.TryParse(f.AskQty, out var askSize) || askSize < 0)
        {
            return FrameOutcome.Rejected(FrameReason.InvalidPrice);
        }

        // Spot sends no time at all; futures send the transaction time T and the event time E.
        long exchangeTimeNs = 0;
        if ((f.Has(Field.TimeT) && !VenueTime.TryParseMillis(f.TimeT, out exchangeTimeNs)) ||
            (!f.Has(Field.TimeT) && f.Has(Field.EventTime) && !VenueTime.TryParseMillis(f.EventTime, out exchangeTimeNs)))
        {
            return FrameOutcome.Rejected(FrameReason.InvalidTimestamp);
        }

        output.Add(new MarketEvent
        {
            Kind = EventKind.Quote,
            Instrument = instrument,
            Venue = Venue,
            Provider = Provider,
            Price = bid,
            Size = bidSize,
            Aux = ask,
            AuxSize = askSize,
            ExchangeTimeNs = exchangeTimeNs,
            ReceiveTimeNs = receiveTimeNs,
        });
        return FrameOutcome.Decoded(1);
    }
}
