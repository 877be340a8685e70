namespace Cloudwall.Rx.Ingestion.Venues.Coinbase;

/// <summary>
/// Coinbase Exchange <c>matches</c>: each <c>match</c> is a trade (<c>last_match</c>, sent once on subscribe, a snapshot);
/// <c>side</c> is the maker's, so the event carries the opposite. Recorded (2021-04-17):
/// <code>
/// {"type":"match","trade_id":280232,"maker_order_id":"2a0da34e-61f7-4c36-88e5-c9dd15927b16","taker_order_id":"3c82abaa-c01e-4608-be59-6a1e69742891","side":"sell","size":"985","price":"0.00001305","product_id":"SKL-BTC","sequence":177100030,"time":"2021-04-17T16:43:37.089723Z"}
/// {"type":"last_match","trade_id":881613,"maker_order_id":"27fff20b-af29-4f45-8744-56dd1ef57dc0","taker_order_id":"1da6ce16-c8da-4732-9f71-6049f4c6aaf8","side":"sell","size":"0.04","price":"14.7775","product_id":"BAND-GBP","sequence":333938798,"time":"2021-04-17T16:43:30.244075Z"}
/// </code>
/// </summary>
public sealed partial class CoinbaseExchangeDecoder
{
    private FrameOutcome BuildTrade(ref Fields f, long receiveTimeNs, EventFlags flags, EventBuffer output)
    {
        if (!f.Has(Field.ProductId) || !f.Has(Field.Price) || !f.Has(Field.Size) || !f.Has(Field.Time) || !f.Has(Field.TradeId))
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!RefData.TryResolve(VenueId.Coinbase, f.ProductId, out var instrument))
        {
            return FrameOutcome.Rejected(FrameReason.UnknownSymbol);
        }

        if (!VenueDecimal.TryParse(f.Price, out var price) || price <= 0 || !VenueDecimal.TryParse(f.Size, out var size) || size <= 0)
        {
            return FrameOutcome.Rejected(FrameReason.InvalidPrice);
        }

        if (!VenueTime.TryParseIso(f.Time, out var exchangeTimeNs))
        {
            return FrameOutcome.Rejected(FrameReason.InvalidTimestamp);
        }

        if (!TradeId.TryParseUtf8(f.TradeId, out var tradeId) || !TryParseSequence(ref f, out var sequence))
        {
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }

        output.Add(new MarketEvent
        {
            Kind = EventKind.Trade,
            Side = TakerSide(f.Side),
            Instrument = instrument,
            Venue = VenueId.Coinbase,
            Provider = ProviderId.Coinbase,
            Price = price,
            Size = size,
            ExchangeTimeNs = exchangeTimeNs,
            ReceiveTimeNs = receiveTimeNs,
            Sequence = sequence,
            TradeId = tradeId,
            Flags = flags,
        });
        return FrameOutcome.Decoded(1);
    }

    /// <summary>The maker's side on the wire (WebSocket <c>match</c> and REST trades alike), the taker's side in the event.</summary>
    internal static Side TakerSide(ReadOnlySpan<byte> makerSide) =>
        makerSide.SequenceEqual("sell"u8) ? Side.Buy : makerSide.SequenceEqual("buy"u8) ? Side.Sell : Side.Unknown;
}
