namespace Cloudwall.Rx.Ingestion.Venues.Kraken;

/// <summary>
/// Kraken v1 <c>trade</c>: each <c>[price, volume, time, side, orderType, misc]</c> of the batch is a trade; <c>side</c> is
/// the taker's. Recorded (2021-04-17):
/// <code>
/// [993,[["354.55000000","1.25690315","1618678145.715785","b","m",""]],"trade","XMR/USD"]
/// </code>
/// </summary>
public sealed partial class KrakenV1Decoder
{
    private FrameOutcome DecodeTrades(ref FrameJsonReader r, ReadOnlySpan<byte> pair, long receiveTimeNs, EventBuffer output)
    {
        if (r.TokenType != JsonTokenType.StartArray)
        {
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }

        if (!RefData.TryResolve(VenueId.Kraken, pair, out var instrument))
        {
            return FrameOutcome.Rejected(FrameReason.UnknownSymbol);
        }

        var events = 0;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.StartArray)
            {
                return FrameOutcome.Rejected(FrameReason.Malformed);
            }

            // [price, volume, time, side, orderType, misc]; later elements, if Kraken adds any, are skipped.
            ReadOnlySpan<byte> price = default;
            ReadOnlySpan<byte> volume = default;
            ReadOnlySpan<byte> time = default;
            ReadOnlySpan<byte> side = default;
            var index = 0;
            var used = 512; // the first half of the scratch holds the envelope's strings
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            {
                if (r.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    if (index < 4)
                    {
                        return FrameOutcome.Rejected(FrameReason.Malformed);
                    }

                    r.Skip();
                }
                else if (index < 4)
                {
                    if (r.TokenType != JsonTokenType.String || !JsonValues.TryCapture(ref r, _scratch, ref used, out var v))
                    {
                        return FrameOutcome.Rejected(FrameReason.Malformed);
                    }

                    switch (index)
                    {
                        case 0: price = v; break;
                        case 1: volume = v; break;
                        case 2: time = v; break;
                        default: side = v; break;
                    }
                }

                index++;
            }

            if (index < 4)
            {
                return FrameOutcome.Rejected(FrameReason.MissingField);
            }

            if (!VenueDecimal.TryParsePositive(price, out var p) || !VenueDecimal.TryParsePositive(volume, out var size))
            {
                return FrameOutcome.Rejected(FrameReason.InvalidPrice);
            }

            if (!VenueTime.TryParseSeconds(time, out var exchangeTimeNs))
            {
                return FrameOutcome.Rejected(FrameReason.InvalidTimestamp);
            }

            output.Add(new MarketEvent
            {
                Kind = EventKind.Trade,
                Side = KrakenText.TakerSide(side),
                Instrument = instrument,
                Venue = VenueId.Kraken,
                Provider = ProviderId.Kraken,
                Price = p,
                Size = size,
                ExchangeTimeNs = exchangeTimeNs,
                ReceiveTimeNs = receiveTimeNs,
            });
            events++;
        }

        if (events > 0 && _awaitingSnapshot.Remove(instrument, out var subscribedNs))
        {
            // The first trade frame after the subscription ack is the snapshot: its trades executed before the ack are history.
            var history = 0;
            var first = output.Count - events;
            while (history < events && output[first + history].ExchangeTimeNs < subscribedNs)
            {
                history++;
            }

            output.MarkSnapshot(first, history);
        }

        return events == 0 ? FrameOutcome.Rejected(FrameReason.MissingField) : FrameOutcome.Decoded(events);
    }
}
