namespace Cloudwall.Rx.Ingestion.Venues.Okx;

/// <summary>
/// OKX <c>funding-rate</c>: the current <c>fundingRate</c>, and <c>nextFundingRate</c> in Aux when published. From the OKX v5
/// docs:
/// <code>
/// {"arg":{"channel":"funding-rate","instId":"BTC-USD-SWAP"},"data":[{"fundingRate":"0.0001515","fundingTime":"1622822400000","instId":"BTC-USD-SWAP","instType":"SWAP","method":"next_period","maxFundingRate":"0.00375","minFundingRate":"-0.00375","nextFundingRate":"-0.00029","nextFundingTime":"1622851200000","premium":"0.0001233824646391","settFundingRate":"0.0001699799259033","settState":"settled","ts":"1622796900000"}]}
/// </code>
/// </summary>
public sealed partial class OkxDecoder
{
    private FrameOutcome Funding(ref Fields f, ReadOnlySpan<byte> argInstId, long receiveTimeNs, EventBuffer output)
    {
        if (!f.Has(Field.FundingRate))
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!TryInstrument(ref f, argInstId, out var instrument, out var failure))
        {
            return failure;
        }

        decimal next = 0;
        if (!VenueDecimal.TryParse(f.FundingRate, out var rate) ||
            (!f.NextFundingRate.IsEmpty && !VenueDecimal.TryParse(f.NextFundingRate, out next)))
        {
            return FrameOutcome.Rejected(FrameReason.InvalidPrice);
        }

        // The documented push has no ts (older versions of the docs); fundingTime is the settlement time, not the event's.
        long ts = 0;
        if (f.Has(Field.Ts) && !VenueTime.TryParseMillis(f.Ts, out ts))
        {
            return FrameOutcome.Rejected(FrameReason.InvalidTimestamp);
        }

        output.Add(new MarketEvent
        {
            Kind = EventKind.Funding,
            Instrument = instrument,
            Venue = VenueId.Okx,
            Provider = ProviderId.Okx,
            Price = rate,
            Aux = next,
            ExchangeTimeNs = ts,
            ReceiveTimeNs = receiveTimeNs,
        });
        return FrameOutcome.Decoded(1);
    }
}
