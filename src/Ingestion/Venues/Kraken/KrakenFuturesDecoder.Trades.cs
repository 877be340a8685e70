namespace Cloudwall.Rx.Ingestion.Venues.Kraken;

/// <summary>
/// Kraken Futures <c>trade</c> (one trade) and <c>trade_snapshot</c> (the latest trades, newest first: emitted oldest first and
/// flagged); <c>side</c> is the taker's, <c>uid</c> the trade id, <c>seq</c> the sequence. Recorded (2021-07-22; the snapshot's
/// <c>trades</c> shortened to two):
/// <code>
/// {"feed":"trade","product_id":"PI_LTCUSD","uid":"e2429e31-8b9d-4195-900e-fd42be2dec89","side":"buy","type":"fill","seq":5956,"time":1626994929946,"qty":320.0,"price":119.44}
/// {"feed":"trade_snapshot","product_id":"FI_BCHUSD_210730","trades":[{"feed":"trade","product_id":"FI_BCHUSD_210730","uid":"8b3e7e72-950c-4c4e-8ab8-24aebcab80d2","side":"buy","type":"fill","seq":1487,"time":1626994887094,"qty":50.0,"price":439.2},{"feed":"trade","product_id":"FI_BCHUSD_210730","uid":"088686e3-bfdb-412f-8866-773f286d892e","side":"sell","type":"fill","seq":1486,"time":1626994880995,"qty":25760.0,"price":438.9},...]}
/// </code>
/// </summary>
public sealed partial class KrakenFuturesDecoder
{
    private FrameOutcome DecodeTrade(ref Fields f, long receiveTimeNs, EventBuffer output)
    {
        if (!f.Has(Field.ProductId))
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!RefData.TryResolve(VenueId.KrakenFutures, f.ProductId, out var instrument))
        {
            return FrameOutcome.Rejected(FrameReason.UnknownSymbol);
        }

        var reason = TryBuildTrade(ref f, instrument, receiveTimeNs, out var e);
        if (reason != FrameReason.None)
        {
            return FrameOutcome.Rejected(reason);
        }

        output.Add(e);
        return FrameOutcome.Decoded(1);
    }

    private FrameOutcome DecodeSnapshot(ref FrameJsonReader r, scoped ref Fields envelope, long receiveTimeNs, EventBuffer output)
    {
        if (!envelope.Has(Field.ProductId))
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!RefData.TryResolve(VenueId.KrakenFutures, envelope.ProductId, out var instrument))
        {
            return FrameOutcome.Rejected(FrameReason.UnknownSymbol);
        }

        var nameBuffer = _names;
        var scratch = _scratch.AsSpan(EnvelopeScratchBytes);
        var n = 0;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.StartObject)
            {
                return FrameOutcome.Rejected(FrameReason.Malformed);
            }

            var f = default(Fields);
            var used = 0;
            while (r.Read() && r.TokenType != JsonTokenType.EndObject)
            {
                var field = FieldOf(JsonValues.PropertyName(ref r, nameBuffer));
                r.Read();
                if (KrakenText.IsScalar(r.TokenType) && field is not (Field.None or Field.Trades))
                {
                    if (!JsonValues.TryCapture(ref r, scratch, ref used, out var v))
                    {
                        return FrameOutcome.Rejected(FrameReason.Malformed);
                    }

                    f.Set(field, v);
                }
                else if (r.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    if (field != Field.None)
                    {
                        return FrameOutcome.Rejected(FrameReason.Malformed);
                    }

                    r.Skip();
                }
            }

            // Each item repeats its product id; one that names another product would be a different series.
            if (f.Has(Field.ProductId) && !f.ProductId.SequenceEqual(envelope.ProductId))
            {
                return FrameOutcome.Rejected(FrameReason.Malformed);
            }

            var reason = TryBuildTrade(ref f, instrument, receiveTimeNs, out var e);
            if (reason != FrameReason.None)
            {
                return FrameOutcome.Rejected(reason);
            }

            output.Add(e);
            n++;
        }

        // Newest first on the wire (by seq): flagged as history and emitted oldest first. A rejection above leaves
        // nothing behind (Decode truncates the output).
        output.MarkSnapshot(output.Count - n, n);
        return FrameOutcome.Decoded(n);
    }

    private static FrameReason TryBuildTrade(ref Fields f, InstrumentId instrument, long receiveTimeNs, out MarketEvent e)
    {
        e = default;
        if (!f.Has(Field.Price) || !f.Has(Field.Qty) || !f.Has(Field.Time) || !f.Has(Field.Side))
        {
            return FrameReason.MissingField;
        }

        if (!VenueDecimal.TryParsePositive(f.Price, out var price) || !VenueDecimal.TryParsePositive(f.Qty, out var qty))
        {
            return FrameReason.InvalidPrice;
        }

        if (!VenueTime.TryParseMillis(f.Time, out var exchangeTimeNs))
        {
            return FrameReason.InvalidTimestamp;
        }

        long seq = 0;
        var tradeId = TradeId.None;
        if ((f.Has(Field.Seq) && !VenueInteger.TryParseNonNegative(f.Seq, out seq)) ||
            (f.Has(Field.Uid) && !TradeId.TryParseUtf8(f.Uid, out tradeId)))
        {
            return FrameReason.Malformed;
        }

        e = new MarketEvent
        {
            Kind = EventKind.Trade,
            Side = KrakenText.TakerSide(f.Side),
            Instrument = instrument,
            Venue = VenueId.KrakenFutures,
            Provider = ProviderId.KrakenFutures,
            Price = price,
            Size = qty,
            ExchangeTimeNs = exchangeTimeNs,
            ReceiveTimeNs = receiveTimeNs,
            Sequence = seq,
            TradeId = tradeId,
        };
        return FrameReason.None;
    }
}
