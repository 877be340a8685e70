namespace Cloudwall.Rx.Ingestion.Venues.Kraken;

/// <summary>
/// Kraken v1 <c>ticker</c>: a quote from <c>b</c>/<c>a</c> (<c>[price, wholeLotVolume, lotVolume]</c>, sized by the lot
/// volume); no exchange time. Recorded (2021-04-17):
/// <code>
/// [1668,{"a":["13.253900",35,"35.72892241"],"b":["13.232900",185,"185.18432037"],"c":["13.253900","3.71672000"],"v":["26560.85364463","72035.05488104"],"p":["13.529003","13.734728"],"t":[640,1353],"l":["13.021800","13.021800"],"h":["13.942000","14.211200"],"o":["13.804000","13.428300"]},"ticker","WAVES/EUR"]
/// </code>
/// </summary>
public sealed partial class KrakenV1Decoder
{
    private FrameOutcome DecodeTicker(ref FrameJsonReader r, ReadOnlySpan<byte> pair, long receiveTimeNs, EventBuffer output)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }

        // Resolved first: the payload's captures may reuse the scratch that holds an escaped pair.
        if (!RefData.TryResolve(VenueId.Kraken, pair, out var instrument))
        {
            return FrameOutcome.Rejected(FrameReason.UnknownSymbol);
        }

        ReadOnlySpan<byte> bid = default;
        ReadOnlySpan<byte> bidSize = default;
        ReadOnlySpan<byte> ask = default;
        ReadOnlySpan<byte> askSize = default;
        bool hasBid = false, hasAsk = false;
        var nameBuffer = _names;
        var used = 512;
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            var name = JsonValues.PropertyName(ref r, nameBuffer);
            var isBid = name.SequenceEqual("b"u8);
            var isAsk = name.SequenceEqual("a"u8);
            r.Read();
            if (!isBid && !isAsk)
            {
                r.Skip();
                continue;
            }

            // [price, wholeLotVolume, lotVolume]
            if (r.TokenType != JsonTokenType.StartArray)
            {
                return FrameOutcome.Rejected(FrameReason.Malformed);
            }

            ReadOnlySpan<byte> price = default;
            ReadOnlySpan<byte> lot = default;
            var index = 0;
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            {
                if (!KrakenText.IsScalar(r.TokenType))
                {
                    return FrameOutcome.Rejected(FrameReason.Malformed);
                }

                if (index is 0 or 2)
                {
                    if (!JsonValues.TryCapture(ref r, _scratch, ref used, out var v))
                    {
                        return FrameOutcome.Rejected(FrameReason.Malformed);
                    }

                    if (index == 0)
                    {
                        price = v;
                    }
                    else
                    {
                        lot = v;
                    }
                }

                index++;
            }

            if (index < 3)
            {
                return FrameOutcome.Rejected(FrameReason.MissingField);
            }

            if (isBid)
            {
                bid = price;
                bidSize = lot;
                hasBid = true;
            }
            else
            {
                ask = price;
                askSize = lot;
                hasAsk = true;
            }
        }

        if (!hasBid || !hasAsk)
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!VenueDecimal.TryParsePositive(bid, out var b) || !VenueDecimal.TryParsePositive(ask, out var a) ||
            !VenueDecimal.TryParse(bidSize, out var bs) || bs < 0 || !VenueDecimal.TryParse(askSize, out var @as) || @as < 0)
        {
            return FrameOutcome.Rejected(FrameReason.InvalidPrice);
        }

        output.Add(new MarketEvent
        {
            Kind = EventKind.Quote,
            Instrument = instrument,
            Venue = VenueId.Kraken,
            Provider = ProviderId.Kraken,
            Price = b,
            Size = bs,
            Aux = a,
            AuxSize = @as,
            ReceiveTimeNs = receiveTimeNs,
        });
        return FrameOutcome.Decoded(1);
    }
}
