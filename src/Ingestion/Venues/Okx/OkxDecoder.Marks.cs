namespace Cloudwall.Rx.Ingestion.Venues.Okx;

/// <summary>
/// OKX <c>mark-price</c> (<c>markPx</c>) and <c>index-tickers</c> (<c>idxPx</c>, on the spot key): one price each. From the
/// OKX v5 docs:
/// <code>
/// {"arg":{"channel":"mark-price","instId":"BTC-USDT-SWAP"},"data":[{"instType":"SWAP","instId":"BTC-USDT-SWAP","markPx":"42310.6","ts":"1630049139746"}]}
/// {"arg":{"channel":"index-tickers","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","idxPx":"0.1","high24h":"0.5","low24h":"0.1","open24h":"0.1","sodUtc0":"0.1","sodUtc8":"0.1","ts":"1597026383085"}]}
/// </code>
/// </summary>
public sealed partial class OkxDecoder
{
    private FrameOutcome Single(ref Fields f, Field priceField, EventKind kind, ReadOnlySpan<byte> argInstId, long receiveTimeNs, EventBuffer output)
    {
        if (!f.Has(priceField) || !f.Has(Field.Ts))
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!TryInstrument(ref f, argInstId, out var instrument, out var failure))
        {
            return failure;
        }

        if (!VenueDecimal.TryParse(priceField == Field.MarkPx ? f.MarkPx : f.IdxPx, out var price) || price <= 0)
        {
            return FrameOutcome.Rejected(FrameReason.InvalidPrice);
        }

        if (!VenueTime.TryParseMillis(f.Ts, out var ts))
        {
            return FrameOutcome.Rejected(FrameReason.InvalidTimestamp);
        }

        output.Add(new MarketEvent
        {
            Kind = kind,
            Instrument = instrument,
            Venue = VenueId.Okx,
            Provider = ProviderId.Okx,
            Price = price,
            ExchangeTimeNs = ts,
            ReceiveTimeNs = receiveTimeNs,
        });
        return FrameOutcome.Decoded(1);
    }
}
