using System.Text.Json;
using Cloudwall.Rx.Ingestion.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Kit;

namespace Cloudwall.Rx.Ingestion.Venues.Deribit;

/// <summary>
/// Decodes Deribit API v2 JSON-RPC frames (<c>wss://www.deribit.com/ws/api/v2</c>).
/// </summary>
/// <remarks>
/// <para><c>subscription</c> notifications:</para>
/// <list type="bullet">
/// <item><c>trades.{instrument}.{interval}</c>: <c>data</c> is an array; every trade of the batch becomes a
/// <see cref="EventKind.Trade"/>. <c>direction</c> is the taker's side. <c>trade_seq</c> (contiguous per instrument) is the
/// <see cref="MarketEvent.Sequence"/>; <c>trade_id</c> (<c>"48079254"</c>, or prefixed as <c>"ETH-12345"</c>) keeps its
/// numeric part. <c>amount</c> is carried as sent: USD contracts for inverse perpetuals and futures, the base currency for
/// options and linear instruments.</item>
/// <item><c>ticker.{instrument}.{interval}</c>: a <see cref="EventKind.Quote"/> (best bid and ask), a
/// <see cref="EventKind.Mark"/> (<c>mark_price</c>, with <c>mark_iv</c> in <see cref="MarketEvent.Aux"/> for options), an
/// <see cref="EventKind.Index"/> and, for perpetuals, a <see cref="EventKind.Funding"/> (<c>current_funding</c>, with
/// <c>funding_8h</c> in <see cref="MarketEvent.Aux"/>). The index event is keyed to the underlying index instrument
/// (<c>BTC-USD.INDEX</c> for every BTC inverse instrument, <c>BTC-USDC.INDEX</c> for linear ones): <c>index_price</c> is the
/// venue's <c>btc_usd</c> index, not a property of the option or future that carried it. A book side with price 0 (or null)
/// is empty: its price and size are 0 in the quote; when both sides are empty no quote is emitted. Ticker events carry
/// sequence 0 (Deribit gives tickers none).</item>
/// <item><c>book.*</c> → ignored as a book update; other channels → ignored as unsupported.</item>
/// </list>
/// <para>Responses (<c>result</c>) are acks; <c>error</c> objects are venue errors; <c>heartbeat</c> notifications (both
/// <c>heartbeat</c> and <c>test_request</c>) are heartbeats — answering a <c>test_request</c> is
/// <see cref="DeribitProtocol.ReplyTo"/>'s job, not the decoder's.</para>
/// <para>Fields may come in any order: a first pass finds <c>method</c>, <c>params.channel</c> and the byte range of
/// <c>params.data</c>; a second pass reads the data. Numbers are parsed from the raw token bytes (see
/// <see cref="VenueDecimal"/>), so the scale the venue sent is kept. A bad trade rejects the whole frame.</para>
/// <para>Allocation-free per frame once each instrument (and its index) has been resolved once. One instance per connection.</para>
/// </remarks>
public sealed class DeribitDecoder : JsonFrameDecoder
{
    /// <summary>Room for escaped strings (Deribit never escapes ours) copied out of the frame.</summary>
    private const int ScratchBytes = 512;

    private const int MaxNameBytes = 64;

    private readonly byte[] _scratch = new byte[ScratchBytes];
    private readonly byte[] _names = new byte[MaxNameBytes];

    // Instrument id → its index instrument id; grown when a new instrument is first seen.
    private int[] _indexOf = new int[64];

    public DeribitDecoder(ReferenceData refData, int maxFrameBytes = DefaultMaxFrameBytes)
        : base(refData, VenueId.Deribit, maxFrameBytes, minFrameBytes: 2)
    {
    }

    public ProviderId Provider => ProviderId.Deribit;

    private protected override FrameOutcome DecodeFrame(ReadOnlySpan<byte> frame, long receiveTimeNs, EventBuffer output)
    {
        var envelope = default(Envelope);
        envelope.OutputStart = output.Count;
        return ScanEnvelope(frame, ref envelope, receiveTimeNs, output)
            ? Dispatch(frame, ref envelope, receiveTimeNs, output)
            : FrameOutcome.Rejected(FrameReason.Malformed);
    }

    private FrameOutcome Dispatch(ReadOnlySpan<byte> frame, ref Envelope env, long receiveTimeNs, EventBuffer output)
    {
        if (env.InlineEvents > 0 && !(env.HasMethod && !env.HasError && env.HasChannel && env.Method.SequenceEqual("subscription"u8)))
        {
            // Trades decoded in the single pass belong to a frame that turns out not to be a subscription notification.
            output.Truncate(env.OutputStart);
            env.InlineEvents = 0;
        }

        if (env.HasError)
        {
            return FrameOutcome.Rejected(FrameReason.VenueError);
        }

        if (!env.HasMethod)
        {
            return env.HasResult ? FrameOutcome.Ignored(FrameReason.SubscriptionAck) : FrameOutcome.Rejected(FrameReason.MissingField);
        }

        var method = env.Method;
        if (method.SequenceEqual("heartbeat"u8))
        {
            return FrameOutcome.Ignored(FrameReason.Heartbeat);
        }

        if (!method.SequenceEqual("subscription"u8))
        {
            return FrameOutcome.Ignored(FrameReason.Unsupported);
        }

        if (!env.HasChannel || env.DataLength == 0)
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        var channel = env.Channel;
        var data = frame.Slice(env.DataStart, env.DataLength);
        if (env.InlineEvents > 0)
        {
            if (channel.StartsWith("trades."u8) && env.DataStart == env.InlineDataStart)
            {
                return FrameOutcome.Decoded(env.InlineEvents);
            }

            output.Truncate(env.OutputStart); // not a trades channel after all, or a second "data": decode what the frame says
        }

        if (channel.StartsWith("trades."u8))
        {
            return DecodeTrades(data, receiveTimeNs, output);
        }

        if (channel.StartsWith("ticker."u8))
        {
            return DecodeTicker(data, receiveTimeNs, output);
        }

        return channel.StartsWith("book."u8) ? FrameOutcome.Ignored(FrameReason.BookUpdate) : FrameOutcome.Ignored(FrameReason.Unsupported);
    }

    /// <summary>First pass: the JSON-RPC envelope. False when the frame is not a JSON object.</summary>
    private bool ScanEnvelope(ReadOnlySpan<byte> frame, ref Envelope env, long receiveTimeNs, EventBuffer output)
    {
        var reader = new FrameJsonReader(frame, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }
        var scratchUsed = 0;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                // Trailing content after the object makes the reader throw here.
                return !reader.Read();
            }

            var name = JsonValues.PropertyName(ref reader, _names);
            reader.Read();
            if (name.SequenceEqual("method"u8) && reader.TokenType == JsonTokenType.String)
            {
                env.Method = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref scratchUsed);
                env.HasMethod = true;
            }
            else if (name.SequenceEqual("params"u8) && reader.TokenType == JsonTokenType.StartObject)
            {
                if (!ScanParams(ref reader, ref env, ref scratchUsed, receiveTimeNs, output))
                {
                    return false;
                }
            }
            else if (name.SequenceEqual("result"u8))
            {
                env.HasResult = true;
                reader.Skip();
            }
            else if (name.SequenceEqual("error"u8))
            {
                env.HasError = reader.TokenType != JsonTokenType.Null;
                reader.Skip();
            }
            else
            {
                reader.Skip();
            }
        }

        return false;
    }

    private bool ScanParams(ref FrameJsonReader reader, ref Envelope env, scoped ref int scratchUsed, long receiveTimeNs, EventBuffer output)
    {
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return true;
            }

            var name = JsonValues.PropertyName(ref reader, _names);
            reader.Read();
            if (name.SequenceEqual("channel"u8) && reader.TokenType == JsonTokenType.String)
            {
                env.Channel = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref scratchUsed);
                env.HasChannel = true;
            }
            else if (name.SequenceEqual("data"u8) && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                var start = (int)reader.TokenStartIndex;
                if (reader.TokenType == JsonTokenType.StartArray && env.InlineEvents == 0 && (!env.HasChannel || env.Channel.StartsWith("trades."u8)))
                {
                    DecodeTradesInline(ref reader, ref env, scratchUsed, receiveTimeNs, output);
                    env.InlineDataStart = start;
                }
                else
                {
                    reader.Skip();
                }

                env.DataStart = start;
                env.DataLength = (int)reader.BytesConsumed - start;
            }
            else
            {
                reader.Skip();
            }
        }

        return false;
    }

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
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = JsonValues.PropertyName(ref reader, _names);
                reader.Read();
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

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
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = JsonValues.PropertyName(ref reader, _names);
            reader.Read();
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip(); // stats, greeks
                continue;
            }

            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

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

        if (!f.Index.IsEmpty)
        {
            output.Add(template with { Kind = EventKind.Index, Instrument = IndexOf(instrument), Price = index });
            n++;
        }

        if (!f.Funding.IsEmpty)
        {
            output.Add(template with { Kind = EventKind.Funding, Price = funding, Aux = funding8h });
            n++;
        }

        return n == 0 ? FrameOutcome.Rejected(FrameReason.MissingField) : FrameOutcome.Decoded(n);
    }

    /// <summary>The index instrument (<c>BASE-QUOTE.INDEX</c>) of an instrument; interned once, then an array read.</summary>
    private InstrumentId IndexOf(InstrumentId instrument)
    {
        var i = instrument.Value;
        if (i < _indexOf.Length && _indexOf[i] != 0)
        {
            return new InstrumentId(_indexOf[i]);
        }

        var spec = RefData.Get(instrument).Spec;
        var index = RefData.Intern(new InstrumentSpec(spec.Base, spec.Quote, MarketType.Index)).Id;
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

    private ref struct Envelope
    {
        public bool HasMethod;
        public bool HasResult;
        public bool HasError;
        public bool HasChannel;
        public ReadOnlySpan<byte> Method;
        public ReadOnlySpan<byte> Channel;
        public int DataStart;
        public int DataLength;

        /// <summary>Trades the single pass decoded (<see cref="DecodeTradesInline"/>); -1 when it left them to the second walk.</summary>
        public int InlineEvents;
        public int InlineDataStart;
        public int OutputStart;
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
