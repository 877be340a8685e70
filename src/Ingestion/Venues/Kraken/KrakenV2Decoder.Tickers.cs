namespace Cloudwall.Rx.Ingestion.Venues.Kraken;

/// <summary>
/// Kraken v2 <c>ticker</c>: a quote per <c>data</c> item from <c>bid</c>/<c>bid_qty</c> and <c>ask</c>/<c>ask_qty</c>, timed by
/// <c>timestamp</c> when sent. The recordings are of v1; the documentation's "Snapshot" example
/// (https://docs.kraken.com/exchange/api-reference/spot-websocket-v2/ticker, checked 2026-12-06):
/// <code>
/// {"channel":"ticker","type":"snapshot","data":[{"symbol":"ALGO/USD","bid":0.10025,"bid_qty":740.0,"ask":0.10036,"ask_qty":1361.44813783,"last":0.10035,"volume":997038.98383185,"vwap":0.10148,"low":0.09979,"high":0.10285,"change":-0.00017,"change_pct":-0.17,"timestamp":"2023-09-25T09:04:31.742648Z"}]}
/// </code>
/// </summary>
public sealed partial class KrakenV2Decoder
{
    /// <summary>One item's event, from the fields <see cref="ReadItem"/> read; <see cref="FrameReason.None"/> when added.</summary>
    private FrameReason AddTicker(ref Item f, long receiveTimeNs, EventBuffer output)
    {
        if (!f.Has(Field.Symbol) || !f.Has(Field.Bid) || !f.Has(Field.Ask))
        {
            return FrameReason.MissingField;
        }

        if (!RefData.TryResolve(VenueId.Kraken, f.Symbol, out var instrument))
        {
            return FrameReason.UnknownSymbol;
        }

        decimal bidQty = 0, askQty = 0;
        if (!VenueDecimal.TryParsePositive(f.Bid, out var bid) || !VenueDecimal.TryParsePositive(f.Ask, out var ask) ||
            (f.Has(Field.BidQty) && (!VenueDecimal.TryParse(f.BidQty, out bidQty) || bidQty < 0)) ||
            (f.Has(Field.AskQty) && (!VenueDecimal.TryParse(f.AskQty, out askQty) || askQty < 0)))
        {
            return FrameReason.InvalidPrice;
        }

        long exchangeTimeNs = 0;
        if (f.Has(Field.Timestamp) && !VenueTime.TryParseIso(f.Timestamp, out exchangeTimeNs))
        {
            return FrameReason.InvalidTimestamp;
        }

        output.Add(new MarketEvent
        {
            Kind = EventKind.Quote,
            Instrument = instrument,
            Venue = VenueId.Kraken,
            Provider = ProviderId.Kraken,
            Price = bid,
            Size = bidQty,
            Aux = ask,
            AuxSize = askQty,
            ExchangeTimeNs = exchangeTimeNs,
            ReceiveTimeNs = receiveTimeNs,
        });
        return FrameReason.None;
    }
}
