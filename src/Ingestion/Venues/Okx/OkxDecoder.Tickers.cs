namespace Cloudwall.Rx.Ingestion.Venues.Okx;

/// <summary>
/// OKX <c>tickers</c> and <c>bbo-tbt</c>: a quote from <c>bidPx</c>/<c>bidSz</c> and <c>askPx</c>/<c>askSz</c> (for <c>bbo-tbt</c>, the
/// first level of <c>bids</c> and <c>asks</c>, <c>[price, size, "0", orders]</c>). A <c>bbo-tbt</c> push (shape of the OKX v5
/// "Order book channel" example, https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel):
/// <code>
/// {"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["65000.1","0.5","0","3"]],"bids":[["64999.9","1.2","0","4"]],"ts":"1765018379085","seqId":123456}]}
/// </code>
/// Recorded <c>tickers</c> (2022-05-13):
/// <code>
/// {"arg":{"channel":"tickers","instId":"BTC-USD-220527"},"data":[{"instType":"FUTURES","instId":"BTC-USD-220527","last":"30218.8","lastSz":"1","askPx":"30220.1","askSz":"3","bidPx":"30210.4","bidSz":"4","open24h":"29571.4","high24h":"31003.3","low24h":"27930.8","sodUtc0":"28935.3","sodUtc8":"30320.5","volCcy24h":"2620.289","vol24h":"779573","ts":"1652459223003"}]}
/// </code>
/// </summary>
public sealed partial class OkxDecoder
{
    private FrameOutcome Quote(ref Fields f, ReadOnlySpan<byte> argInstId, long receiveTimeNs, EventBuffer output)
    {
        if ((!f.Has(Field.BidPx) && !f.Has(Field.AskPx)) || !f.Has(Field.Ts))
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!TryInstrument(ref f, argInstId, out var instrument, out var failure))
        {
            return failure;
        }

        if (!TrySide(f.BidPx, f.BidSz, out var bid, out var bidSize) || !TrySide(f.AskPx, f.AskSz, out var ask, out var askSize))
        {
            return FrameOutcome.Rejected(FrameReason.InvalidPrice);
        }

        if (!VenueTime.TryParseMillis(f.Ts, out var ts))
        {
            return FrameOutcome.Rejected(FrameReason.InvalidTimestamp);
        }

        if (bid == 0 && ask == 0)
        {
            return FrameOutcome.Decoded(0); // an empty book on both sides: nothing to quote
        }

        output.Add(new MarketEvent
        {
            Kind = EventKind.Quote,
            Instrument = instrument,
            Venue = VenueId.Okx,
            Provider = ProviderId.Okx,
            Price = bid,
            Size = bidSize,
            Aux = ask,
            AuxSize = askSize,
            ExchangeTimeNs = ts,
            ReceiveTimeNs = receiveTimeNs,
        });
        return FrameOutcome.Decoded(1);
    }


    /// <summary>One side of a ticker: an empty price means no orders on that side (0); otherwise positive.</summary>
    private static bool TrySide(ReadOnlySpan<byte> px, ReadOnlySpan<byte> sz, out decimal price, out decimal size)
    {
        price = 0;
        size = 0;
        if (px.IsEmpty)
        {
            return true;
        }

        return VenueDecimal.TryParse(px, out price) && price > 0 &&
               (sz.IsEmpty || (VenueDecimal.TryParse(sz, out size) && size >= 0));
    }
}
