namespace Cloudwall.Rx.Ingestion.Venues.Deribit;

/// <summary>
/// Deribit <c>trades.{instrument}.{interval}</c>: every element of the <c>data</c> array is a trade; <c>direction</c> is the
/// taker's side, <c>trade_seq</c> the sequence. The recording has no trades (its options did not trade in those 30 seconds), so
/// the example is the documentation's (https://docs.deribit.com/subscriptions/trades/tradesinstrument_nameinterval, checked
/// 2026-12-06):
/// <code>
/// {"params":{"data":[{"trade_seq":30289442,"trade_id":"48079269","timestamp":1590484512188,"tick_direction":2,"price":8950,"mark_price":8948.9,"instrument_name":"BTC-PERPETUAL","index_price":8955.88,"direction":"sell","amount":10}],"channel":"trades.BTC-PERPETUAL.raw"},"method":"subscription","jsonrpc":"2.0"}
/// </code>
/// </summary>
public sealed partial class DeribitDecoder
{
    /// <summary>
    /// The single pass for the common frame: a <c>trades</c> array decoded where the envelope scan meets it, instead of in a
    /// second walk over <c>data</c>. It runs when the channel is a trades channel or not yet known (the documentation puts
    /// <c>data</c> before <c>channel</c>); <see cref="Dispatch"/> keeps its events only when the whole envelope confirms a
    /// trades subscription notification. When this pass cannot decide alone (a rejected trade, an empty array) its events
    /// are dropped, the rest of the array is read past, and the second walk decides as before, so the outcome never
    /// depends on which path ran.
    /// </summary>
    private void DecodeTradesInline(ref FrameJsonReader reader, ref Envelope env, int scratchBase, long receiveTimeNs, EventBuffer output)
    {
        var outer = reader.CurrentDepth - 1;
        var outcome = DecodeTrades(ref reader, scratchBase, receiveTimeNs, output);
        if (outcome.Status != FrameStatus.Decoded)
        {
            reader.SkipToDepth(outer);

            output.Truncate(env.OutputStart);
            env.InlineEvents = -1;
            return;
        }

        env.InlineEvents = outcome.Events;
    }

    private FrameOutcome DecodeTrades(ReadOnlySpan<byte> data, long receiveTimeNs, EventBuffer output)
    {
        var reader = new FrameJsonReader(data, ReaderOptions);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }

        return DecodeTrades(ref reader, 0, receiveTimeNs, output);
    }

    /// <summary>Decodes a trades array; the reader is on its StartArray and ends on its EndArray unless rejected.</summary>
    private FrameOutcome DecodeTrades(ref FrameJsonReader reader, int scratchBase, long receiveTimeNs, EventBuffer output)
    {
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return FrameOutcome.Rejected(FrameReason.Malformed);
            }

            var t = default(TradeFields);
            var scratchUsed = scratchBase;
            while (JsonValues.NextScalarField(ref reader, _names, out var name))
            {
                switch (name.Length)
                {
                    case 5 when name.SequenceEqual("price"u8): t.Price = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref scratchUsed); break;
                    case 6 when name.SequenceEqual("amount"u8): t.Amount = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref scratchUsed); break;
                    case 8 when name.SequenceEqual("trade_id"u8): t.TradeId = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref scratchUsed); break;
                    case 9 when name.SequenceEqual("trade_seq"u8): t.TradeSeq = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref scratchUsed); break;
                    case 9 when name.SequenceEqual("timestamp"u8): t.Timestamp = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref scratchUsed); break;
                    case 9 when name.SequenceEqual("direction"u8): t.Direction = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref scratchUsed); break;
                    case 15 when name.SequenceEqual("instrument_name"u8): t.Instrument = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref scratchUsed); break;
                }
            }

            var reason = AddTrade(ref t, receiveTimeNs, output);
            if (reason != FrameReason.None)
            {
                return FrameOutcome.Rejected(reason);
            }

            count++;
        }

        // An empty batch carries nothing to decode.
        return count == 0 ? FrameOutcome.Ignored(FrameReason.Unsupported) : FrameOutcome.Decoded(count);
    }

    private FrameReason AddTrade(ref TradeFields t, long receiveTimeNs, EventBuffer output)
    {
        if (t.Instrument.IsEmpty || t.Price.IsEmpty || t.Amount.IsEmpty || t.Timestamp.IsEmpty || t.TradeId.IsEmpty)
        {
            return FrameReason.MissingField;
        }

        if (!RefData.TryResolve(VenueId.Deribit, t.Instrument, out var instrument))
        {
            return FrameReason.UnknownSymbol;
        }

        if (!VenueDecimal.TryParse(t.Price, out var price) || price <= 0 || !VenueDecimal.TryParse(t.Amount, out var amount) || amount <= 0)
        {
            return FrameReason.InvalidPrice;
        }

        if (!VenueTime.TryParseMillis(t.Timestamp, out var exchangeNs))
        {
            return FrameReason.InvalidTimestamp;
        }

        long sequence = 0;
        if (!TryParseTradeId(t.TradeId, out var tradeId) || (!t.TradeSeq.IsEmpty && !VenueInteger.TryParseNonNegative(t.TradeSeq, out sequence)))
        {
            return FrameReason.Malformed;
        }

        output.Add(new MarketEvent
        {
            Kind = EventKind.Trade,
            Side = t.Direction.SequenceEqual("buy"u8) ? Side.Buy : t.Direction.SequenceEqual("sell"u8) ? Side.Sell : Side.Unknown,
            Instrument = instrument,
            Venue = VenueId.Deribit,
            Provider = ProviderId.Deribit,
            Price = price,
            Size = amount,
            ExchangeTimeNs = exchangeNs,
            ReceiveTimeNs = receiveTimeNs,
            Sequence = sequence,
            TradeId = tradeId,
        });
        return FrameReason.None;
    }

    /// <summary><c>"48079254"</c>, <c>48079254</c> or <c>"ETH-12345"</c>: the digits after the last dash.</summary>
    internal static bool TryParseTradeId(ReadOnlySpan<byte> text, out TradeId id)
    {
        id = TradeId.None;
        var dash = text.LastIndexOf((byte)'-');
        var digits = dash < 0 ? text : text[(dash + 1)..];
        if (digits.IsEmpty || !VenueInteger.TryParseNonNegative(digits, out var n))
        {
            return false;
        }

        id = TradeId.Numeric(n);
        return true;
    }

    private ref struct TradeFields
    {
        public ReadOnlySpan<byte> Instrument;
        public ReadOnlySpan<byte> Price;
        public ReadOnlySpan<byte> Amount;
        public ReadOnlySpan<byte> Timestamp;
        public ReadOnlySpan<byte> TradeId;
        public ReadOnlySpan<byte> TradeSeq;
        public ReadOnlySpan<byte> Direction;
    }
}
