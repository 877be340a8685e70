namespace Cloudwall.Rx.Ingestion.Venues.Binance;

/// <summary>
/// Decodes Binance market-stream frames (spot, Binance.US, USDⓈ-M and COIN-M), raw or in the combined-stream wrapper
/// <c>{"stream":"btcusdt@trade","data":{...}}</c> (either member order):
/// <list type="bullet">
/// <item><c>trade</c> and <c>aggTrade</c> → <see cref="EventKind.Trade"/>, sequence and trade id from <c>t</c> or <c>a</c>;</item>
/// <item><c>bookTicker</c> → <see cref="EventKind.Quote"/> (spot has no <c>e</c> and no times: exchange time 0);</item>
/// <item><c>markPriceUpdate</c> → <see cref="EventKind.Mark"/> (<c>p</c>), <see cref="EventKind.Index"/> (<c>i</c>, when
/// sent) and <see cref="EventKind.Funding"/> (<c>r</c>, when not empty: COIN-M delivery contracts send <c>""</c>).</item>
/// </list>
/// Depth updates are ignored as book updates; klines, tickers and other events as unsupported; <c>{"result":..,"id":..}</c>
/// as acks. Venue errors (<c>{"error":{"code":..,"msg":..},"id":..}</c> or <c>{"code":..,"msg":..}</c>) are rejected.
/// </summary>
/// <remarks>
/// <para>Allocation-free per frame once each symbol has been resolved once: one <see cref="FrameJsonReader"/> pass collects
/// the payload's members as spans of the frame, then the events are built from them. Frames whose event type needs no
/// fields (depth, kline, ...) are classified as soon as <c>e</c> is read: Binance sends <c>e</c> first, before the book arrays.</para>
/// <para><c>m</c> is "the buyer is the maker": <c>true</c> means the taker sold (<see cref="Side.Sell"/>).</para>
/// <para>Times: trades use the trade time <c>T</c>; futures <c>bookTicker</c> uses the transaction time <c>T</c> (else the
/// event time <c>E</c>); <c>markPriceUpdate</c> uses <c>E</c> (its <c>T</c> is the next funding time and is not an event time).
/// Milliseconds become nanoseconds.</para>
/// <para>Decimals are parsed from the raw token bytes in the <see cref="VenueDecimal"/> grammar, keeping their scale
/// (<c>"0.35280000"</c> stays 8 decimals); anything outside it is an invalid price.</para>
/// <para>Call <see cref="BinanceSymbols.Register"/> for the market first, or every symbol is unknown. One instance per
/// connection: it owns a small scratch buffer and is not thread-safe.</para>
/// </remarks>
public sealed partial class BinanceDecoder : JsonFrameDecoder
{
    /// <summary>Room for captured values when a frame escapes them (Binance never does in practice).</summary>
    private const int ScratchBytes = 1024;

    private const int MaxEscapedNameBytes = 6 * 16;

    private readonly byte[] _scratch = new byte[ScratchBytes];

    public BinanceDecoder(ReferenceData refData, BinanceMarket market, int maxFrameBytes = DefaultMaxFrameBytes)
        : base(refData, market.Venue(), maxFrameBytes, minFrameBytes: 2)
    {
        Market = market;
        Provider = market.Provider();
    }

    public BinanceMarket Market { get; }

    public ProviderId Provider { get; }

    private protected override FrameOutcome DecodeFrame(ReadOnlySpan<byte> frame, long receiveTimeNs, EventBuffer output)
    {
        var f = default(Fields);
        return Scan(frame, _scratch, ref f) switch
        {
            MessageType.Trade => BuildTrade(ref f, aggregate: false, receiveTimeNs, output),
            MessageType.AggTrade => BuildTrade(ref f, aggregate: true, receiveTimeNs, output),
            MessageType.BookTicker => BuildQuote(ref f, receiveTimeNs, output),
            MessageType.MarkPrice => BuildMark(ref f, receiveTimeNs, output),
            MessageType.BookUpdate => FrameOutcome.Ignored(FrameReason.BookUpdate),
            MessageType.Ack => FrameOutcome.Ignored(FrameReason.SubscriptionAck),
            MessageType.Unsupported => FrameOutcome.Ignored(FrameReason.Unsupported),
            MessageType.Error => FrameOutcome.Rejected(FrameReason.VenueError),
            MessageType.Missing => FrameOutcome.Rejected(FrameReason.MissingField),
            _ => FrameOutcome.Rejected(FrameReason.Malformed),
        };
    }

    /// <summary>
    /// The one pass over the frame: captures the payload members this decoder reads as spans (of the frame, or of
    /// <paramref name="scratch"/> when escaped), from the top level (raw stream) or from <c>data</c> (combined stream).
    /// </summary>
    private static MessageType Scan(ReadOnlySpan<byte> frame, Span<byte> scratch, ref Fields f)
    {
        var reader = new FrameJsonReader(frame, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return MessageType.Malformed;
        }

        var scratchUsed = 0;
        var early = ScanMembers(ref reader, scratch, ref scratchUsed, ref f, top: true);
        if (early != MessageType.None)
        {
            return early;
        }

        // Trailing content after the object makes the reader throw here.
        return reader.Read() ? MessageType.Malformed : Classify(ref f);
    }

    /// <summary>
    /// Reads the members of the object the reader is in, up to and including its end. Returns <see cref="MessageType.None"/>
    /// when the object ended normally, or a type when the frame could be classified early (or is malformed).
    /// </summary>
    private static MessageType ScanMembers(ref FrameJsonReader reader, Span<byte> scratch, ref int scratchUsed, ref Fields f, bool top)
    {
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return MessageType.None;
            }

            var field = FieldOf(ref reader, top);
            if (!reader.Read())
            {
                return MessageType.Malformed;
            }

            var token = reader.TokenType;
            switch (field)
            {
                case Field.Data:
                    f.Mark(Field.Data);
                    if (token == JsonTokenType.StartObject)
                    {
                        var inner = ScanMembers(ref reader, scratch, ref scratchUsed, ref f, top: false);
                        if (inner != MessageType.None)
                        {
                            return inner;
                        }
                    }
                    else
                    {
                        // An array payload (the all-market streams) or a scalar: nothing this decoder maps.
                        f.DataIsNotObject = true;
                        reader.Skip();
                    }

                    continue;
                case Field.Stream or Field.Result or Field.Id or Field.Error or Field.Code or Field.Msg:
                    // Only their presence matters: the payload carries the symbol, and errors are rejected whatever they say.
                    f.Mark(field);
                    reader.Skip();
                    continue;
                case Field.Book:
                    // Depth arrays ("b"/"a" as arrays, "bids"/"asks"), or a partial book's "lastUpdateId".
                    f.HasBook = true;
                    reader.Skip();
                    continue;
            }

            switch (token)
            {
                case JsonTokenType.StartArray:
                    if (field is Field.B or Field.A)
                    {
                        f.HasBook = true; // depth update: "b" and "a" are level arrays, not best prices
                    }

                    reader.Skip();
                    break;
                case JsonTokenType.StartObject:
                    reader.Skip(); // kline "k", and anything nested we do not read
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    if (field == Field.Maker)
                    {
                        f.HasMaker = true;
                        f.BuyerIsMaker = token == JsonTokenType.True;
                    }

                    break;
                case JsonTokenType.String or JsonTokenType.Number:
                    if (field == Field.None)
                    {
                        break;
                    }

                    if (!JsonValues.TryCapture(ref reader, scratch, ref scratchUsed, out var value))
                    {
                        return MessageType.Malformed;
                    }

                    f.Set(field, value);
                    if (field == Field.EventType)
                    {
                        var type = ClassifyEvent(value);
                        if (type is MessageType.BookUpdate or MessageType.Unsupported)
                        {
                            return type; // nothing else in the frame is needed (depth frames are the bulk of a feed)
                        }

                        f.Event = type;
                    }

                    break;
                default:
                    // Null: an absent member.
                    break;
            }
        }

        return MessageType.Malformed;
    }

    private static MessageType Classify(ref Fields f)
    {
        if (f.Has(Field.Error) || (f.Has(Field.Code) && f.Has(Field.Msg)))
        {
            return MessageType.Error;
        }

        if (f.Event != MessageType.None)
        {
            return f.Event;
        }

        if (f.Has(Field.EventType))
        {
            return MessageType.Unsupported;
        }

        if (f.HasBook)
        {
            return MessageType.BookUpdate;
        }

        if (f.Has(Field.Result) && f.Has(Field.Id))
        {
            return MessageType.Ack; // {"result":null,"id":1}, or LIST_SUBSCRIPTIONS' {"result":[...],"id":3}
        }

        // Spot bookTicker has no event type: recognise it by its members.
        if (f.Has(Field.U) && f.Has(Field.Symbol) && f.Has(Field.B) && f.Has(Field.A))
        {
            return MessageType.BookTicker;
        }

        if (f.DataIsNotObject)
        {
            return MessageType.Unsupported;
        }

        if (f.Has(Field.Stream) && !f.Has(Field.Data))
        {
            return MessageType.Missing; // a wrapper without its payload
        }

        // A payload without "e" that is no bookTicker: a market-data message with its type missing.
        if (f.Has(Field.Symbol) || f.Has(Field.Data))
        {
            return MessageType.Missing;
        }

        return MessageType.Unsupported;
    }

    private static MessageType ClassifyEvent(ReadOnlySpan<byte> e) => e switch
    {
        _ when e.SequenceEqual("aggTrade"u8) => MessageType.AggTrade,
        _ when e.SequenceEqual("trade"u8) => MessageType.Trade,
        _ when e.SequenceEqual("bookTicker"u8) => MessageType.BookTicker,
        _ when e.SequenceEqual("markPriceUpdate"u8) => MessageType.MarkPrice,
        _ when e.SequenceEqual("depthUpdate"u8) => MessageType.BookUpdate,
        _ => MessageType.Unsupported,
    };

    private static Field FieldOf(ref FrameJsonReader reader, bool top)
    {
        if (!reader.ValueIsEscaped)
        {
            return FieldOf(reader.ValueSpan, top);
        }

        // An escape is at most 6 bytes per byte, so a longer escaped name cannot unescape to one of ours.
        if (reader.ValueSpan.Length > MaxEscapedNameBytes)
        {
            return Field.None;
        }

        Span<byte> name = stackalloc byte[MaxEscapedNameBytes];
        var n = reader.CopyString(name);
        return FieldOf(name[..n], top);
    }

    private static Field FieldOf(ReadOnlySpan<byte> name, bool top)
    {
        if (name.Length == 1)
        {
            return name[0] switch
            {
                (byte)'e' => Field.EventType,
                (byte)'E' => Field.EventTime,
                (byte)'s' => Field.Symbol,
                (byte)'t' => Field.TradeId,
                (byte)'a' => Field.A,
                (byte)'b' => Field.B,
                (byte)'p' => Field.P,
                (byte)'q' => Field.Q,
                (byte)'T' => Field.TimeT,
                (byte)'m' => Field.Maker,
                (byte)'B' => Field.BidQty,
                (byte)'A' => Field.AskQty,
                (byte)'u' => Field.U,
                (byte)'i' => Field.I,
                (byte)'r' => Field.R,
                _ => Field.None,
            };
        }

        if (name.SequenceEqual("bids"u8) || name.SequenceEqual("asks"u8) || name.SequenceEqual("lastUpdateId"u8))
        {
            return Field.Book;
        }

        if (!top)
        {
            return Field.None;
        }

        return name switch
        {
            _ when name.SequenceEqual("data"u8) => Field.Data,
            _ when name.SequenceEqual("stream"u8) => Field.Stream,
            _ when name.SequenceEqual("result"u8) => Field.Result,
            _ when name.SequenceEqual("id"u8) => Field.Id,
            _ when name.SequenceEqual("error"u8) => Field.Error,
            _ when name.SequenceEqual("code"u8) => Field.Code,
            _ when name.SequenceEqual("msg"u8) => Field.Msg,
            _ => Field.None,
        };
    }

    private enum MessageType : byte
    {
        None = 0,
        Malformed,
        Missing,
        Trade,
        AggTrade,
        BookTicker,
        MarkPrice,
        BookUpdate,
        Ack,
        Error,
        Unsupported,
    }

    private enum Field : byte
    {
        None = 0,
        // Payload members (single letters, case-sensitive).
        EventType,  // e
        EventTime,  // E
        Symbol,     // s
        TradeId,    // t
        A,          // a: aggregate trade id (aggTrade) or best ask price (bookTicker)
        B,          // b: best bid price (bookTicker)
        P,          // p: price (trades) or mark price (markPriceUpdate)
        Q,          // q: quantity
        TimeT,      // T: trade time, transaction time (futures bookTicker), next funding time (markPriceUpdate)
        Maker,      // m: is the buyer the maker
        BidQty,     // B
        AskQty,     // A
        U,          // u: book update id
        I,          // i: index price
        R,          // r: funding rate
        Book,       // depth arrays and partial-book members
        // Wrapper and control members (top level only).
        Data,
        Stream,
        Result,
        Id,
        Error,
        Code,
        Msg,
    }

    /// <summary>The captured members of one frame, as spans; nothing is copied.</summary>
    private ref struct Fields
    {
        private uint _present;

        public MessageType Event;
        public bool HasMaker;
        public bool BuyerIsMaker;
        public bool HasBook;
        public bool DataIsNotObject;

        public ReadOnlySpan<byte> EventTime;
        public ReadOnlySpan<byte> Symbol;
        public ReadOnlySpan<byte> TradeId;
        public ReadOnlySpan<byte> A;
        public ReadOnlySpan<byte> B;
        public ReadOnlySpan<byte> P;
        public ReadOnlySpan<byte> Q;
        public ReadOnlySpan<byte> TimeT;
        public ReadOnlySpan<byte> BidQty;
        public ReadOnlySpan<byte> AskQty;
        public ReadOnlySpan<byte> I;
        public ReadOnlySpan<byte> R;

        public readonly bool Has(Field field) => (_present & (1u << (int)field)) != 0;

        public void Mark(Field field) => _present |= 1u << (int)field;

        public void Set(Field field, ReadOnlySpan<byte> value)
        {
            Mark(field);
            switch (field)
            {
                case Field.EventTime: EventTime = value; break;
                case Field.Symbol: Symbol = value; break;
                case Field.TradeId: TradeId = value; break;
                case Field.A: A = value; break;
                case Field.B: B = value; break;
                case Field.P: P = value; break;
                case Field.Q: Q = value; break;
                case Field.TimeT: TimeT = value; break;
                case Field.BidQty: BidQty = value; break;
                case Field.AskQty: AskQty = value; break;
                case Field.I: I = value; break;
                case Field.R: R = value; break;
            }
        }
    }
}
