namespace Cloudwall.Rx.Ingestion.Venues.Kraken;

/// <summary>
/// Kraken v2 <c>trade</c>: one trade per <c>data</c> item; <c>side</c> is the taker's, <c>trade_id</c> also the sequence. The
/// recordings are of v1; the documentation's "Update" example
/// (https://docs.kraken.com/exchange/api-reference/spot-websocket-v2/trade, checked 2026-12-06):
/// <code>
/// {"channel":"trade","type":"update","data":[{"symbol":"MATIC/USD","side":"sell","price":0.5117,"qty":40.0,"ord_type":"market","trade_id":4665906,"timestamp":"2023-09-25T07:49:37.708706Z"}]}
/// </code>
/// </summary>
public sealed partial class KrakenV2Decoder
{
    /// <summary>One item's event, from the fields <see cref="ReadItem"/> read; <see cref="FrameReason.None"/> when added.</summary>
    private FrameReason AddTrade(ref Item f, long receiveTimeNs, EventBuffer output)
    {
        if (!f.Has(Field.Symbol) || !f.Has(Field.Price) || !f.Has(Field.Qty) || !f.Has(Field.Timestamp) || !f.Has(Field.Side))
        {
            return FrameReason.MissingField;
        }

        if (!RefData.TryResolve(VenueId.Kraken, f.Symbol, out var instrument))
        {
            return FrameReason.UnknownSymbol;
        }

        if (!VenueDecimal.TryParsePositive(f.Price, out var price) || !VenueDecimal.TryParsePositive(f.Qty, out var qty))
        {
            return FrameReason.InvalidPrice;
        }

        if (!VenueTime.TryParseIso(f.Timestamp, out var exchangeTimeNs))
        {
            return FrameReason.InvalidTimestamp;
        }

        long tradeId = 0;
        if (f.Has(Field.TradeId) && !VenueInteger.TryParseNonNegative(f.TradeId, out tradeId))
        {
            return FrameReason.Malformed;
        }

        output.Add(new MarketEvent
        {
            Kind = EventKind.Trade,
            Side = KrakenText.TakerSide(f.Side),
            Instrument = instrument,
            Venue = VenueId.Kraken,
            Provider = ProviderId.Kraken,
            Price = price,
            Size = qty,
            ExchangeTimeNs = exchangeTimeNs,
            ReceiveTimeNs = receiveTimeNs,
            Sequence = tradeId,
            TradeId = f.Has(Field.TradeId) ? TradeId.Numeric(tradeId) : TradeId.None,
        });
        return FrameReason.None;
    }
}
