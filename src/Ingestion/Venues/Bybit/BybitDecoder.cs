namespace Cloudwall.Rx.Ingestion.Venues.Bybit;

/// <summary>
/// Decodes Bybit public WebSocket frames, both today's v5 API and the pre-v5 <c>realtime_public</c> / <c>realtime</c> API of
/// the recordings, told apart by the topic:
/// <list type="bullet">
/// <item>v5 <c>publicTrade.{symbol}</c> and legacy <c>trade.{symbol}</c> → one trade per element of <c>data</c>.
/// <c>S</c>/<c>side</c> is the taker's side (v5 docs: "Side of taker"). Times from <c>T</c>/<c>trade_time_ms</c> (ms, number or
/// string), else the legacy ISO <c>timestamp</c>.</item>
/// <item>v5 <c>tickers.{symbol}</c> (linear/inverse) → quote (<c>bid1Price</c>/<c>bid1Size</c>/<c>ask1Price</c>/<c>ask1Size</c>),
/// mark (<c>markPrice</c>), index (<c>indexPrice</c>), funding (<c>fundingRate</c>), each only when its field is in the
/// message: a <c>delta</c> carries only what changed.</item>
/// <item>Legacy <c>instrument_info.100ms.{symbol}</c> → mark (<c>mark_price_e4</c>), index (<c>index_price_e4</c>), funding
/// (<c>funding_rate_e6</c>, predicted <c>predicted_funding_rate_e6</c> in Aux): scaled integers, converted exactly; time from
/// <c>timestamp_e6</c> (µs), else <c>updated_at</c> (ISO).</item>
/// <item>v5 <c>orderbook.1.{symbol}</c> (the <c>quotes</c> level) → quote from the level-1 book (BybitDecoder.BestBidOffer.cs).</item>
/// <item>Deeper <c>orderbook.*</c> / <c>orderBookL2_25.*</c> / <c>orderBook_200.*</c> → book updates; subscribe acks
/// (<c>"success":true</c>) → acks; <c>pong</c> replies → heartbeats; <c>"success":false</c> → venue error.</item>
/// </list>
/// </summary>
/// <remarks>
/// <para>The category fixes the symbol space (<see cref="BybitSymbols"/>). Without one (replays of recordings, whose endpoint
/// is not in the frame) each symbol is placed by <see cref="BybitSymbols.DerivativeSpaceOf"/>: USDT/USDC-settled is linear,
/// the rest inverse.</para>
/// <para>Quotes from ticker deltas: a delta may change one side only, so the decoder keeps each instrument's last best bid and
/// ask and fills the side the delta did not mention. A quote is emitted only when the message has a bid or ask field.
/// Spot tickers carry no best bid or offer, mark or funding in v5; they decode to nothing and are ignored as unsupported.</para>
/// <para>Sequences: v5 trades carry <c>seq</c>, a cross sequence shared by trades matched together and not contiguous per
/// symbol; tickers carry <c>cs</c>. Both are kept in <see cref="MarketEvent.Sequence"/> but no contiguity is claimed.</para>
/// <para>One instance per connection; not thread-safe.</para>
/// </remarks>
public sealed partial class BybitDecoder : JsonFrameDecoder
{
    private const int ScratchBytes = 512;
    private const int MaxNameBytes = 64;

    private readonly BybitCategory? _category;
    private readonly byte[] _scratch = new byte[ScratchBytes];
    private readonly byte[] _names = new byte[MaxNameBytes];
    private readonly Dictionary<int, Bbo> _bbo = [];

    /// <param name="category">The endpoint's market; null places each symbol by its settlement (see remarks).</param>
    public BybitDecoder(ReferenceData refData, BybitCategory? category = null, int maxFrameBytes = DefaultMaxFrameBytes)
        : base(refData, VenueId.Bybit, maxFrameBytes, minFrameBytes: 4)
    {
        _category = category;
    }

    public BybitCategory? Category => _category;

    private protected override FrameOutcome DecodeFrame(ReadOnlySpan<byte> frame, long receiveTimeNs, EventBuffer output)
    {
        var scratch = _scratch.AsSpan();
        var scratchUsed = 0;
        var env = new Envelope();
        var reader = new FrameJsonReader(frame, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }

        var nameBuffer = _names.AsSpan();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var top = TopFieldOf(JsonValues.PropertyName(ref reader, nameBuffer));
            reader.Read();
            switch (top)
            {
                case TopField.Data when reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject:
                    env.DataStart = (int)reader.TokenStartIndex;
                    if (reader.TokenType == JsonTokenType.StartArray && env.InlineEvents == 0 &&
                        TopicOf(env.Topic, out var inlineSymbol) == TopicKind.Trade)
                    {
                        scratchUsed = DecodeTradesInline(ref reader, ref env, inlineSymbol, receiveTimeNs, scratchUsed, output);
                    }
                    else
                    {
                        reader.Skip();
                    }

                    break;
                case TopField.Request when reader.TokenType == JsonTokenType.StartObject:
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var isOp = JsonValues.PropertyName(ref reader, nameBuffer).SequenceEqual("op"u8);
                        reader.Read();
                        if (isOp && reader.TokenType == JsonTokenType.String &&
                            JsonValues.TryCapture(ref reader, scratch, ref scratchUsed, out var op))
                        {
                            env.RequestOp = op;
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }

                    break;
                case TopField.Success:
                    env.Success = reader.TokenType switch
                    {
                        JsonTokenType.True => 1,
                        JsonTokenType.False => -1,
                        _ => 0,
                    };
                    break;
                case TopField.None or TopField.Data or TopField.Request:
                    reader.Skip();
                    break;
                default:
                    if (reader.TokenType is JsonTokenType.String or JsonTokenType.Number)
                    {
                        if (!JsonValues.TryCapture(ref reader, scratch, ref scratchUsed, out var value))
                        {
                            return FrameOutcome.Rejected(FrameReason.Malformed);
                        }

                        env.Set(top, value);
                    }
                    else
                    {
                        reader.Skip();
                    }

                    break;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }

        if (env.Topic.IsEmpty)
        {
            return ClassifyControl(ref env);
        }

        var kind = TopicOf(env.Topic, out var topicSymbol);
        if (env.InlineEvents > 0)
        {
            if (env.Topic == env.InlineTopic && env.DataStart == env.InlineDataStart)
            {
                return FrameOutcome.Decoded(env.InlineEvents);
            }

            // A second "topic" or "data" key replaced what the inline pass used: decode what the frame finally says.
            output.Truncate(env.OutputStart);
        }

        switch (kind)
        {
            case TopicKind.Book:
                return FrameOutcome.Ignored(FrameReason.BookUpdate);
            case TopicKind.Unsupported:
                return FrameOutcome.Ignored(FrameReason.Unsupported);
        }

        if (env.DataStart < 0)
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        var data = frame[env.DataStart..];
        var ctx = new Context(topicSymbol, receiveTimeNs, scratchUsed, output);
        return kind switch
        {
            TopicKind.Trade => Walk(data, Handler.Trade, ref env, ref ctx),
            TopicKind.Ticker => Walk(data, Handler.Ticker, ref env, ref ctx),
            TopicKind.BestBidOffer => BestBidOffer(data, ref env, ref ctx),
            _ => Walk(data, Handler.Instrument, ref env, ref ctx),
        };
    }

    /// <summary>
    /// The single pass for the common frame, a trade topic before its <c>data</c> array (the live order and the documented
    /// one): the trades are decoded where the envelope scan meets them instead of in a second walk over <c>data</c>. When
    /// that pass cannot decide alone (a rejected entry that a later envelope field might change, such as a trade whose only
    /// time is the envelope's <c>ts</c>; an empty array), its events are dropped, the rest of the array is read past, and
    /// the second walk decides as before, so the outcome never depends on which path ran.
    /// </summary>
    /// <returns>The scratch bytes used.</returns>
    private int DecodeTradesInline(
        ref FrameJsonReader reader, ref Envelope env, ReadOnlySpan<byte> topicSymbol, long receiveTimeNs, int scratchUsed, EventBuffer output)
    {
        var outer = reader.CurrentDepth - 1;
        env.OutputStart = output.Count;
        var ctx = new Context(topicSymbol, receiveTimeNs, scratchUsed, output);
        var outcome = WalkArray(ref reader, Handler.Trade, ref env, ref ctx);
        if (outcome.Status == FrameStatus.Rejected || ctx.Events == 0)
        {
            reader.SkipToDepth(outer);

            output.Truncate(env.OutputStart);
            env.InlineEvents = -1;
            return ctx.ScratchUsed;
        }

        env.InlineEvents = ctx.Events;
        env.InlineTopic = env.Topic;
        env.InlineDataStart = env.DataStart;
        return ctx.ScratchUsed;
    }

    /// <summary>
    /// Walks <c>data</c>: an array of entries, one entry object, or (legacy deltas) an object whose <c>update</c>/<c>insert</c>
    /// arrays hold the entries. Each entry is scanned into <see cref="Fields"/> and handed to the handler.
    /// </summary>
    private FrameOutcome Walk(ReadOnlySpan<byte> data, Handler handler, ref Envelope env, ref Context ctx)
    {
        var reader = new FrameJsonReader(data, ReaderOptions);
        reader.Read();
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            var outcome = WalkArray(ref reader, handler, ref env, ref ctx);
            if (outcome.Status == FrameStatus.Rejected)
            {
                return outcome;
            }
        }
        else
        {
            var f = default(Fields);
            var outcome = ScanEntry(ref reader, ref f, handler, ref env, ref ctx, allowNested: true);
            if (outcome.Status == FrameStatus.Rejected)
            {
                return outcome;
            }

            if (f.Any)
            {
                outcome = Emit(handler, ref f, ref env, ref ctx);
                if (outcome.Status == FrameStatus.Rejected)
                {
                    return outcome;
                }
            }
        }

        return ctx.Events > 0 ? FrameOutcome.Decoded(ctx.Events) : FrameOutcome.Ignored(FrameReason.Unsupported);
    }

    private FrameOutcome WalkArray(ref FrameJsonReader reader, Handler handler, ref Envelope env, ref Context ctx)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return FrameOutcome.Rejected(FrameReason.Malformed);
            }

            var f = default(Fields);
            var outcome = ScanEntry(ref reader, ref f, handler, ref env, ref ctx, allowNested: false);
            if (outcome.Status == FrameStatus.Rejected)
            {
                return outcome;
            }

            outcome = Emit(handler, ref f, ref env, ref ctx);
            if (outcome.Status == FrameStatus.Rejected)
            {
                return outcome;
            }
        }

        return FrameOutcome.Decoded(0);
    }

    /// <summary>Reads one entry object (the reader is on its StartObject) into <paramref name="f"/>.</summary>
    private FrameOutcome ScanEntry(ref FrameJsonReader reader, ref Fields f, Handler handler, ref Envelope env, ref Context ctx, bool allowNested)
    {
        var nameBuffer = _names.AsSpan();
        var scratch = _scratch.AsSpan();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = JsonValues.PropertyName(ref reader, nameBuffer);
            var field = FieldOf(name);
            var nested = allowNested && (name.SequenceEqual("update"u8) || name.SequenceEqual("insert"u8));
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray when nested:
                {
                    var outcome = WalkArray(ref reader, handler, ref env, ref ctx);
                    if (outcome.Status == FrameStatus.Rejected)
                    {
                        return outcome;
                    }

                    break;
                }

                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    if (field != Field.None)
                    {
                        return FrameOutcome.Rejected(FrameReason.Malformed);
                    }

                    reader.Skip();
                    break;
                case JsonTokenType.String or JsonTokenType.Number when field != Field.None:
                    if (!JsonValues.TryCapture(ref reader, scratch, ref ctx.ScratchUsed, out var value))
                    {
                        return FrameOutcome.Rejected(FrameReason.Malformed);
                    }

                    f.Set(field, value);
                    break;
                default:
                    break; // booleans (BT), nulls, fields we do not read
            }
        }

        return FrameOutcome.Decoded(0);
    }

    private FrameOutcome Emit(Handler handler, ref Fields f, ref Envelope env, ref Context ctx) => handler switch
    {
        Handler.Trade => Trade(ref f, ref env, ref ctx),
        Handler.Ticker => Ticker(ref f, ref env, ref ctx),
        _ => Instrument(ref f, ref env, ref ctx),
    };

    private bool TryInstrument(ref Fields f, ref Context ctx, out InstrumentId instrument, out FrameOutcome failure)
    {
        var symbol = f.Has(Field.Symbol) ? f.Symbol : ctx.TopicSymbol;
        failure = default;
        if (symbol.IsEmpty)
        {
            instrument = InstrumentId.None;
            failure = FrameOutcome.Rejected(FrameReason.MissingField);
            return false;
        }

        var space = _category is { } c ? BybitSymbols.SpaceOf(c) : BybitSymbols.DerivativeSpaceOf(symbol);
        if (!RefData.TryResolve(space, symbol, out instrument))
        {
            failure = FrameOutcome.Rejected(FrameReason.UnknownSymbol);
            return false;
        }

        return true;
    }

    private static FrameOutcome ClassifyControl(ref Envelope env)
    {
        if (env.Op.SequenceEqual("pong"u8) || env.Op.SequenceEqual("ping"u8) || env.RetMsg.SequenceEqual("pong"u8) ||
            env.RequestOp.SequenceEqual("ping"u8))
        {
            return FrameOutcome.Ignored(FrameReason.Heartbeat);
        }

        if (env.Success < 0)
        {
            return FrameOutcome.Rejected(FrameReason.VenueError);
        }

        if (env.Success > 0)
        {
            var op = env.Op.IsEmpty ? env.RequestOp : env.Op;
            return op.SequenceEqual("subscribe"u8) || op.SequenceEqual("unsubscribe"u8)
                ? FrameOutcome.Ignored(FrameReason.SubscriptionAck)
                : FrameOutcome.Ignored(FrameReason.Unsupported);
        }

        return FrameOutcome.Rejected(FrameReason.MissingField);
    }

    private static TopicKind TopicOf(ReadOnlySpan<byte> topic, out ReadOnlySpan<byte> symbol)
    {
        symbol = topic[(topic.LastIndexOf((byte)'.') + 1)..];
        if (topic.StartsWith("publicTrade."u8) || topic.StartsWith("trade."u8))
        {
            return TopicKind.Trade;
        }

        if (topic.StartsWith("tickers."u8))
        {
            return TopicKind.Ticker;
        }

        if (topic.StartsWith("instrument_info."u8))
        {
            return TopicKind.Instrument;
        }

        if (topic.StartsWith("orderbook.1."u8))
        {
            return TopicKind.BestBidOffer;
        }

        return topic.StartsWith("orderbook"u8) || topic.StartsWith("orderBook"u8) ? TopicKind.Book : TopicKind.Unsupported;
    }

    private static TopField TopFieldOf(ReadOnlySpan<byte> name) => name switch
    {
        _ when name.SequenceEqual("topic"u8) => TopField.Topic,
        _ when name.SequenceEqual("type"u8) => TopField.Type,
        _ when name.SequenceEqual("ts"u8) => TopField.Ts,
        _ when name.SequenceEqual("cs"u8) => TopField.Cs,
        _ when name.SequenceEqual("cts"u8) => TopField.Cts,
        _ when name.SequenceEqual("data"u8) => TopField.Data,
        _ when name.SequenceEqual("success"u8) => TopField.Success,
        _ when name.SequenceEqual("ret_msg"u8) => TopField.RetMsg,
        _ when name.SequenceEqual("op"u8) => TopField.Op,
        _ when name.SequenceEqual("request"u8) => TopField.Request,
        _ when name.SequenceEqual("cross_seq"u8) => TopField.CrossSeq,
        _ when name.SequenceEqual("timestamp_e6"u8) => TopField.TimestampE6,
        _ => TopField.None,
    };

    private static Field FieldOf(ReadOnlySpan<byte> name) => name.Length switch
    {
        1 when name[0] == 's' => Field.Symbol,
        1 when name[0] == 'S' => Field.Side,
        1 when name[0] == 'v' => Field.Size,
        1 when name[0] == 'p' => Field.Price,
        1 when name[0] == 'i' => Field.TradeId,
        1 when name[0] == 'T' => Field.TimeMs,
        3 when name.SequenceEqual("seq"u8) => Field.Seq,
        4 when name.SequenceEqual("side"u8) => Field.Side,
        4 when name.SequenceEqual("size"u8) => Field.Size,
        5 when name.SequenceEqual("price"u8) => Field.Price,
        6 when name.SequenceEqual("symbol"u8) => Field.Symbol,
        8 when name.SequenceEqual("trade_id"u8) => Field.TradeId,
        9 when name.SequenceEqual("timestamp"u8) => Field.TimeIso,
        9 when name.SequenceEqual("markPrice"u8) => Field.MarkPrice,
        9 when name.SequenceEqual("cross_seq"u8) => Field.Seq,
        9 when name.SequenceEqual("bid1Price"u8) => Field.Bid1Price,
        9 when name.SequenceEqual("ask1Price"u8) => Field.Ask1Price,
        8 when name.SequenceEqual("bid1Size"u8) => Field.Bid1Size,
        8 when name.SequenceEqual("ask1Size"u8) => Field.Ask1Size,
        10 when name.SequenceEqual("indexPrice"u8) => Field.IndexPrice,
        10 when name.SequenceEqual("mark_price"u8) => Field.MarkPrice,
        10 when name.SequenceEqual("updated_at"u8) => Field.UpdatedAt,
        11 when name.SequenceEqual("fundingRate"u8) => Field.FundingRate,
        11 when name.SequenceEqual("index_price"u8) => Field.IndexPrice,
        13 when name.SequenceEqual("trade_time_ms"u8) => Field.TimeMs,
        13 when name.SequenceEqual("mark_price_e4"u8) => Field.MarkE4,
        14 when name.SequenceEqual("index_price_e4"u8) => Field.IndexE4,
        15 when name.SequenceEqual("funding_rate_e6"u8) => Field.FundingE6,
        25 when name.SequenceEqual("predicted_funding_rate_e6"u8) => Field.PredictedFundingE6,
        _ => Field.None,
    };

    private enum TopicKind : byte
    {
        Unsupported,
        Trade,
        Ticker,
        Instrument,
        Book,
        BestBidOffer,
    }

    private enum Handler : byte
    {
        Trade,
        Ticker,
        Instrument,
    }

    private enum TopField : byte
    {
        None,
        Topic,
        Type,
        Ts,
        Cs,
        Cts,
        Data,
        Success,
        RetMsg,
        Op,
        Request,
        CrossSeq,
        TimestampE6,
    }

    private enum Field : byte
    {
        None = 0,
        Symbol,
        Side,
        Size,
        Price,
        TradeId,
        TimeMs,
        TimeIso,
        Seq,
        MarkPrice,
        IndexPrice,
        FundingRate,
        Bid1Price,
        Bid1Size,
        Ask1Price,
        Ask1Size,
        MarkE4,
        IndexE4,
        FundingE6,
        PredictedFundingE6,
        UpdatedAt,
    }

    private struct Bbo
    {
        public decimal Bid;
        public decimal BidSize;
        public decimal Ask;
        public decimal AskSize;
    }

    private ref struct Context(ReadOnlySpan<byte> topicSymbol, long receiveTimeNs, int scratchUsed, EventBuffer output)
    {
        public readonly ReadOnlySpan<byte> TopicSymbol = topicSymbol;
        public readonly long ReceiveTimeNs = receiveTimeNs;
        public readonly EventBuffer Output = output;
        public int ScratchUsed = scratchUsed;
        public int Events;

        public void Add(in MarketEvent e)
        {
            Output.Add(e);
            Events++;
        }
    }

    private ref struct Envelope
    {
        public ReadOnlySpan<byte> Topic;
        public ReadOnlySpan<byte> Type;
        public ReadOnlySpan<byte> Ts;
        public ReadOnlySpan<byte> Cs;
        public ReadOnlySpan<byte> Cts;
        public ReadOnlySpan<byte> RetMsg;
        public ReadOnlySpan<byte> Op;
        public ReadOnlySpan<byte> RequestOp;
        public ReadOnlySpan<byte> CrossSeq;
        public ReadOnlySpan<byte> TimestampE6;
        public int Success;
        public int DataStart;

        /// <summary>Events the single pass decoded (<see cref="DecodeTradesInline"/>); -1 when it left the frame to the second walk.</summary>
        public int InlineEvents;
        public ReadOnlySpan<byte> InlineTopic;
        public int InlineDataStart;
        public int OutputStart;

        public Envelope() => DataStart = -1;

        public void Set(TopField field, ReadOnlySpan<byte> value)
        {
            switch (field)
            {
                case TopField.Topic: Topic = value; break;
                case TopField.Type: Type = value; break;
                case TopField.Ts: Ts = value; break;
                case TopField.Cs: Cs = value; break;
                case TopField.Cts: Cts = value; break;
                case TopField.RetMsg: RetMsg = value; break;
                case TopField.Op: Op = value; break;
                case TopField.CrossSeq: CrossSeq = value; break;
                case TopField.TimestampE6: TimestampE6 = value; break;
            }
        }
    }

    private ref struct Fields
    {
        private uint _present;

        public ReadOnlySpan<byte> Symbol;
        public ReadOnlySpan<byte> Side;
        public ReadOnlySpan<byte> Size;
        public ReadOnlySpan<byte> Price;
        public ReadOnlySpan<byte> TradeId;
        public ReadOnlySpan<byte> TimeMs;
        public ReadOnlySpan<byte> TimeIso;
        public ReadOnlySpan<byte> Seq;
        public ReadOnlySpan<byte> MarkPrice;
        public ReadOnlySpan<byte> IndexPrice;
        public ReadOnlySpan<byte> FundingRate;
        public ReadOnlySpan<byte> Bid1Price;
        public ReadOnlySpan<byte> Bid1Size;
        public ReadOnlySpan<byte> Ask1Price;
        public ReadOnlySpan<byte> Ask1Size;
        public ReadOnlySpan<byte> MarkE4;
        public ReadOnlySpan<byte> IndexE4;
        public ReadOnlySpan<byte> FundingE6;
        public ReadOnlySpan<byte> PredictedFundingE6;
        public ReadOnlySpan<byte> UpdatedAt;

        public readonly bool Any => _present != 0;

        public readonly bool Has(Field field) => (_present & (1u << (int)field)) != 0;

        public void Set(Field field, ReadOnlySpan<byte> value)
        {
            _present |= 1u << (int)field;
            switch (field)
            {
                case Field.Symbol: Symbol = value; break;
                case Field.Side: Side = value; break;
                case Field.Size: Size = value; break;
                case Field.Price: Price = value; break;
                case Field.TradeId: TradeId = value; break;
                case Field.TimeMs: TimeMs = value; break;
                case Field.TimeIso: TimeIso = value; break;
                case Field.Seq: Seq = value; break;
                case Field.MarkPrice: MarkPrice = value; break;
                case Field.IndexPrice: IndexPrice = value; break;
                case Field.FundingRate: FundingRate = value; break;
                case Field.Bid1Price: Bid1Price = value; break;
                case Field.Bid1Size: Bid1Size = value; break;
                case Field.Ask1Price: Ask1Price = value; break;
                case Field.Ask1Size: Ask1Size = value; break;
                case Field.MarkE4: MarkE4 = value; break;
                case Field.IndexE4: IndexE4 = value; break;
                case Field.FundingE6: FundingE6 = value; break;
                case Field.PredictedFundingE6: PredictedFundingE6 = value; break;
                case Field.UpdatedAt: UpdatedAt = value; break;
            }
        }
    }
}
