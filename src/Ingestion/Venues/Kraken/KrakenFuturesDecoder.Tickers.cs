namespace Cloudwall.Rx.Ingestion.Venues.Kraken;

/// <summary>
/// Kraken Futures <c>ticker</c>: a quote, a mark (<c>markPrice</c>), an index and, for perpetuals, funding
/// (<c>relative_funding_rate</c>, the prediction in Aux); <c>ticker_lite</c>: a quote only. Recorded <c>ticker_lite</c>
/// (2021-07-22):
/// <code>
/// {"feed":"ticker_lite","product_id":"PI_XRPUSD","bid":0.5881,"ask":0.5888,"change":4.086665492337493,"premium":-0.0,"volume":3562602.0,"tag":"perpetual","pair":"XRP:USD","dtm":0,"maturityTime":0}
/// </code>
/// The recording has no full <c>ticker</c>; the documentation's example
/// (https://docs.kraken.com/exchange/api-reference/futures-websocket/ticker, checked 2026-12-06):
/// <code>
/// {"time":1612270825253,"feed":"ticker","product_id":"PI_XBTUSD","bid":34832.5,"ask":34847.5,"bid_size":42864,"ask_size":2300,"volume":262306237,"dtm":0,"leverage":"50x","index":34803.45,"premium":0.1,"last":34852,"change":2.995109121267192,"funding_rate":3.891007752e-9,"funding_rate_prediction":4.2233756e-9,"suspended":false,"tag":"perpetual","pair":"XBT:USD","openInterest":107706940,"markPrice":34844.25,"maturityTime":0,"relative_funding_rate":0.000135046879166667,"relative_funding_rate_prediction":0.000146960125,"next_funding_rate_time":1612281600000}
/// </code>
/// </summary>
public sealed partial class KrakenFuturesDecoder
{
    private FrameOutcome DecodeTicker(ref Fields f, bool lite, long receiveTimeNs, EventBuffer output)
    {
        if (!f.Has(Field.ProductId))
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!RefData.TryResolve(VenueId.KrakenFutures, f.ProductId, out var instrument))
        {
            return FrameOutcome.Rejected(FrameReason.UnknownSymbol);
        }

        long exchangeTimeNs = 0;
        if (f.Has(Field.Time) && !VenueTime.TryParseMillis(f.Time, out exchangeTimeNs))
        {
            return FrameOutcome.Rejected(FrameReason.InvalidTimestamp);
        }

        var hasQuote = f.Has(Field.Bid) && f.Has(Field.Ask);
        decimal bid = 0, ask = 0, bidSize = 0, askSize = 0, mark = 0, index = 0, funding = 0, predicted = 0;
        if ((hasQuote && (!VenueDecimal.TryParsePositive(f.Bid, out bid) || !VenueDecimal.TryParsePositive(f.Ask, out ask))) ||
            (f.Has(Field.BidSize) && (!VenueDecimal.TryParse(f.BidSize, out bidSize) || bidSize < 0)) ||
            (f.Has(Field.AskSize) && (!VenueDecimal.TryParse(f.AskSize, out askSize) || askSize < 0)) ||
            (!lite && f.Has(Field.MarkPrice) && !VenueDecimal.TryParsePositive(f.MarkPrice, out mark)) ||
            (!lite && f.Has(Field.Index) && !VenueDecimal.TryParsePositive(f.Index, out index)) ||
            (!lite && f.Has(Field.RelativeFundingRate) && !VenueDecimal.TryParse(f.RelativeFundingRate, out funding)) ||
            (!lite && f.Has(Field.RelativeFundingRatePrediction) && !VenueDecimal.TryParse(f.RelativeFundingRatePrediction, out predicted)))
        {
            return FrameOutcome.Rejected(FrameReason.InvalidPrice);
        }

        var e = new MarketEvent
        {
            Instrument = instrument,
            Venue = VenueId.KrakenFutures,
            Provider = ProviderId.KrakenFutures,
            ExchangeTimeNs = exchangeTimeNs,
            ReceiveTimeNs = receiveTimeNs,
        };
        var events = 0;
        if (hasQuote)
        {
            output.Add(e with { Kind = EventKind.Quote, Price = bid, Size = bidSize, Aux = ask, AuxSize = askSize });
            events++;
        }

        if (!lite)
        {
            if (mark > 0)
            {
                output.Add(e with { Kind = EventKind.Mark, Price = mark });
                events++;
            }

            if (index > 0)
            {
                output.Add(e with { Kind = EventKind.Index, Price = index });
                events++;
            }

            // A ticker with no price at all and no funding field carries nothing; otherwise a perpetual's missing funding is zero.
            var hasFunding = events > 0 || f.Has(Field.RelativeFundingRate) || f.Has(Field.RelativeFundingRatePrediction);
            if (hasFunding && RefData.TryGet(instrument, out var inst) && inst.Market == MarketType.Perp)
            {
                output.Add(e with { Kind = EventKind.Funding, Price = funding, Aux = predicted });
                events++;
            }
        }

        return events == 0 ? FrameOutcome.Rejected(FrameReason.MissingField) : FrameOutcome.Decoded(events);
    }
}
