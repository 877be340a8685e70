namespace Cloudwall.Rx.Ingestion.Venues.Deribit;

/// <summary>
/// Deribit <c>ticker.{instrument}.{interval}</c>: one message gives a quote, a mark (with <c>mark_iv</c> for options), an index
/// (keyed to the underlying index instrument) and, for perpetuals, funding. Recorded (2021-07-22, an ETH option):
/// <code>
/// {"jsonrpc":"2.0","method":"subscription","params":{"channel":"ticker.ETH-30JUL21-2800-C.raw","data":{"underlying_price":2003.61,"underlying_index":"ETH-30JUL21","timestamp":1626993723632,"stats":{"volume":869.0,"price_change":0.0,"low":0.0015,"high":0.0025},"state":"open","settlement_price":0.0,"open_interest":12685.0,"min_price":0.0001,"max_price":0.025,"mark_price":0.001972,"mark_iv":120.74,"last_price":0.002,"interest_rate":0.0,"instrument_name":"ETH-30JUL21-2800-C","index_price":2006.72,"greeks":{"vega":0.20072,"theta":-1.64029,"rho":0.01188,"gamma":0.0002,"delta":0.03127},"estimated_delivery_price":2006.72,"bid_iv":115.62,"best_bid_price":0.0015,"best_bid_amount":4714.0,"best_ask_price":0.0025,"best_ask_amount":873.0,"ask_iv":125.63}}}
/// </code>
/// </summary>
public sealed partial class DeribitDecoder
{
    private FrameOutcome DecodeTicker(ReadOnlySpan<byte> data, long receiveTimeNs, EventBuffer output)
    {
        var reader = new FrameJsonReader(data, ReaderOptions);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }
        var f = default(TickerFields);
        var scratchUsed = 0;
        // (stats and greeks are objects, passed over)
        while (JsonValues.NextScalarField(ref reader, _names, out var name))
        {
            switch (name.Length)
            {
                case 7 when name.SequenceEqual("mark_iv"u8): f.MarkIv = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref scratchUsed); break;
                case 9 when name.SequenceEqual("timestamp"u8): f.Timestamp = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref scratchUsed); break;
                case 10 when name.SequenceEqual("mark_price"u8): f.Mark = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref scratchUsed); break;
                case 10 when name.SequenceEqual("funding_8h"u8): f.Funding8h = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref scratchUsed); break;
                case 11 when name.SequenceEqual("index_price"u8): f.Index = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref scratchUsed); break;
                case 14 when name.SequenceEqual("best_bid_price"u8): f.BidPrice = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref scratchUsed); break;
                case 14 when name.SequenceEqual("best_ask_price"u8): f.AskPrice = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref scratchUsed); break;
                case 15 when name.SequenceEqual("best_bid_amount"u8): f.BidAmount = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref scratchUsed); break;
                case 15 when name.SequenceEqual("best_ask_amount"u8): f.AskAmount = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref scratchUsed); break;
                case 15 when name.SequenceEqual("instrument_name"u8): f.Instrument = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref scratchUsed); break;
                case 15 when name.SequenceEqual("current_funding"u8): f.Funding = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref scratchUsed); break;
            }
        }

        return BuildTicker(ref f, receiveTimeNs, output);
    }

    private FrameOutcome BuildTicker(ref TickerFields f, long receiveTimeNs, EventBuffer output)
    {
        if (f.Instrument.IsEmpty || f.Timestamp.IsEmpty)
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!RefData.TryResolve(VenueId.Deribit, f.Instrument, out var instrument))
        {
            return FrameOutcome.Rejected(FrameReason.UnknownSymbol);
        }

        if (!VenueTime.TryParseMillis(f.Timestamp, out var exchangeNs))
        {
            return FrameOutcome.Rejected(FrameReason.InvalidTimestamp);
        }

        if (!TrySide(f.BidPrice, f.BidAmount, out var bid, out var bidSize) || !TrySide(f.AskPrice, f.AskAmount, out var ask, out var askSize) ||
            !TryOptionalPositive(f.Mark, out var mark) || !TryOptionalPositive(f.Index, out var index) ||
            !TryOptional(f.MarkIv, out var markIv) || markIv < 0 || !TryOptional(f.Funding, out var funding) || !TryOptional(f.Funding8h, out var funding8h))
        {
            return FrameOutcome.Rejected(FrameReason.InvalidPrice);
        }

        var template = new MarketEvent
        {
            Instrument = instrument,
            Venue = VenueId.Deribit,
            Provider = ProviderId.Deribit,
            ExchangeTimeNs = exchangeNs,
            ReceiveTimeNs = receiveTimeNs,
        };
        var n = 0;
        if (bid > 0 || ask > 0)
        {
            output.Add(template with { Kind = EventKind.Quote, Price = bid, Size = bidSize, Aux = ask, AuxSize = askSize });
            n++;
        }

        if (!f.Mark.IsEmpty)
        {
            output.Add(template with { Kind = EventKind.Mark, Price = mark, Aux = markIv });
            n++;
        }

        if (!f.Index.IsEmpty && IndexOf(instrument) is { Value: > 0 } indexId)
        {
            output.Add(template with { Kind = EventKind.Index, Instrument = indexId, Price = index });
            n++;
        }

        if (!f.Funding.IsEmpty)
        {
            output.Add(template with { Kind = EventKind.Funding, Price = funding, Aux = funding8h });
            n++;
        }

        return n == 0 ? FrameOutcome.Rejected(FrameReason.MissingField) : FrameOutcome.Decoded(n);
    }

    /// <summary>
    /// The index instrument (<c>BASE-QUOTE.INDEX</c>) of an instrument; interned once, then an array read. None while the
    /// reference data is full (the index event is left out; the ticker's other events still pass).
    /// </summary>
    private InstrumentId IndexOf(InstrumentId instrument)
    {
        var i = instrument.Value;
        if (i < _indexOf.Length && _indexOf[i] != 0)
        {
            return new InstrumentId(_indexOf[i]);
        }

        var spec = RefData.Get(instrument).Spec;
        if (!RefData.TryIntern(new InstrumentSpec(spec.Base, spec.Quote, MarketType.Index), out var indexInstrument))
        {
            return InstrumentId.None;
        }

        var index = indexInstrument.Id;
        if (i >= _indexOf.Length)
        {
            Array.Resize(ref _indexOf, Math.Max(i + 1, _indexOf.Length * 2));
        }

        _indexOf[i] = index.Value;
        return index;
    }

    /// <summary>A book side: price 0 (or absent) is an empty side, reported as 0/0; negative values are invalid.</summary>
    private static bool TrySide(ReadOnlySpan<byte> priceText, ReadOnlySpan<byte> amountText, out decimal price, out decimal amount)
    {
        price = 0;
        amount = 0;
        if (priceText.IsEmpty)
        {
            return true;
        }

        if (!VenueDecimal.TryParse(priceText, out price) || price < 0)
        {
            return false;
        }

        if (price == 0)
        {
            price = 0; // an empty side is 0, whatever scale the venue printed (0.0)
            return amountText.IsEmpty || (VenueDecimal.TryParse(amountText, out var ignored) && ignored >= 0);
        }

        return amountText.IsEmpty || (VenueDecimal.TryParse(amountText, out amount) && amount >= 0);
    }

    private static bool TryOptional(ReadOnlySpan<byte> text, out decimal value)
    {
        value = 0;
        return text.IsEmpty || VenueDecimal.TryParse(text, out value);
    }

    private static bool TryOptionalPositive(ReadOnlySpan<byte> text, out decimal value)
    {
        value = 0;
        return text.IsEmpty || (VenueDecimal.TryParse(text, out value) && value > 0);
    }

    private ref struct TickerFields
    {
        public ReadOnlySpan<byte> Instrument;
        public ReadOnlySpan<byte> Timestamp;
        public ReadOnlySpan<byte> BidPrice;
        public ReadOnlySpan<byte> BidAmount;
        public ReadOnlySpan<byte> AskPrice;
        public ReadOnlySpan<byte> AskAmount;
        public ReadOnlySpan<byte> Mark;
        public ReadOnlySpan<byte> MarkIv;
        public ReadOnlySpan<byte> Index;
        public ReadOnlySpan<byte> Funding;
        public ReadOnlySpan<byte> Funding8h;
    }
}
