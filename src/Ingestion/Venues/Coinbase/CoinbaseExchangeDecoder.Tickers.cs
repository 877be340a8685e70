namespace Cloudwall.Rx.Ingestion.Venues.Coinbase;

/// <summary>
/// Coinbase Exchange <c>ticker</c>: a quote from <c>best_bid</c>/<c>best_ask</c> (and their sizes when sent). Recorded
/// (2021-04-17):
/// <code>
/// {"type":"ticker","sequence":333938798,"product_id":"BAND-GBP","price":"14.7775","open_24h":"14.6647","volume_24h":"94381.28000000","low_24h":"14.3691","high_24h":"16.55","volume_30d":"2295579.57000000","best_bid":"14.7550","best_ask":"14.8060","side":"buy","time":"2021-04-17T16:43:30.244075Z","trade_id":881613,"last_size":"0.04"}
/// </code>
/// </summary>
public sealed partial class CoinbaseExchangeDecoder
{
    private FrameOutcome BuildQuote(ref Fields f, long receiveTimeNs, EventBuffer output)
    {
        if (!f.Has(Field.ProductId) || !f.Has(Field.BestBid) || !f.Has(Field.BestAsk) || !f.Has(Field.Time))
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!RefData.TryResolve(VenueId.Coinbase, f.ProductId, out var instrument))
        {
            return FrameOutcome.Rejected(FrameReason.UnknownSymbol);
        }

        decimal bidSize = 0, askSize = 0;
        if (!VenueDecimal.TryParse(f.BestBid, out var bid) || bid <= 0 || !VenueDecimal.TryParse(f.BestAsk, out var ask) || ask <= 0 ||
            (f.Has(Field.BestBidSize) && (!VenueDecimal.TryParse(f.BestBidSize, out bidSize) || bidSize < 0)) ||
            (f.Has(Field.BestAskSize) && (!VenueDecimal.TryParse(f.BestAskSize, out askSize) || askSize < 0)))
        {
            return FrameOutcome.Rejected(FrameReason.InvalidPrice);
        }

        if (!VenueTime.TryParseIso(f.Time, out var exchangeTimeNs))
        {
            return FrameOutcome.Rejected(FrameReason.InvalidTimestamp);
        }

        if (!TryParseSequence(ref f, out var sequence))
        {
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }

        output.Add(new MarketEvent
        {
            Kind = EventKind.Quote,
            Instrument = instrument,
            Venue = VenueId.Coinbase,
            Provider = ProviderId.Coinbase,
            Price = bid,
            Size = bidSize,
            Aux = ask,
            AuxSize = askSize,
            ExchangeTimeNs = exchangeTimeNs,
            ReceiveTimeNs = receiveTimeNs,
            Sequence = sequence,
        });
        return FrameOutcome.Decoded(1);
    }
}
