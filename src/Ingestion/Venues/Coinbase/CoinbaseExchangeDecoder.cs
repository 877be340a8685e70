namespace Cloudwall.Rx.Ingestion.Venues.Coinbase;

/// <summary>
/// Decodes Coinbase Exchange WebSocket frames (<c>ws-feed.exchange.coinbase.com</c>): <c>match</c> and <c>last_match</c>
/// become trades, <c>ticker</c> becomes a quote; book, subscription and heartbeat frames are ignored, <c>error</c> is rejected.
/// </summary>
/// <remarks>
/// <para>Allocation-free per frame once each product id has been resolved once: one <see cref="FrameJsonReader"/> pass collects
/// the fields as spans of the frame (so fields may come in any order), then the event is built from them.</para>
/// <para>Coinbase's <c>side</c> on a match is the maker's side; the event carries the taker's side, so <c>sell</c> becomes
/// <see cref="Side.Buy"/> and <c>buy</c> becomes <see cref="Side.Sell"/>.</para>
/// <para>Prices and sizes are parsed in the <see cref="VenueDecimal"/> grammar so the value and its scale are exact; signs
/// other than a leading minus, NaN and infinities are invalid prices.</para>
/// <para>Frames whose first property is a <c>type</c> that needs no fields (book updates, acks, heartbeats, errors, unknown
/// types) are classified from that property alone, without reading the rest of the frame: Coinbase sends <c>type</c> first,
/// and a level-2 snapshot can be tens of kilobytes.</para>
/// <para>Call <see cref="CoinbaseSymbols.Register"/> on the reference data first, or every product is an unknown symbol.
/// One instance per connection: it owns a small scratch buffer and is not thread-safe.</para>
/// </remarks>
public sealed partial class CoinbaseExchangeDecoder : JsonFrameDecoder
{
    /// <summary>Room for the captured fields when a venue escapes them (it never does in practice).</summary>
    private const int ScratchBytes = 1024;

    private const int MaxEscapedNameBytes = 6 * 16;

    private readonly byte[] _scratch = new byte[ScratchBytes];

    public CoinbaseExchangeDecoder(ReferenceData refData, int maxFrameBytes = DefaultMaxFrameBytes)
        : base(refData, VenueId.Coinbase, maxFrameBytes, minFrameBytes: 2)
    {
    }

    public ProviderId Provider => ProviderId.Coinbase;

    private protected override FrameOutcome DecodeFrame(ReadOnlySpan<byte> frame, long receiveTimeNs, EventBuffer output)
    {
        var f = default(Fields);
        return Scan(frame, _scratch, ref f) switch
        {
            MessageType.Match => BuildTrade(ref f, receiveTimeNs, EventFlags.None, output),
            MessageType.LastMatch => BuildTrade(ref f, receiveTimeNs, EventFlags.Snapshot, output),
            MessageType.Ticker => BuildQuote(ref f, receiveTimeNs, output),
            MessageType.BookUpdate => FrameOutcome.Ignored(FrameReason.BookUpdate),
            MessageType.Subscriptions => FrameOutcome.Ignored(FrameReason.SubscriptionAck),
            MessageType.Heartbeat => FrameOutcome.Ignored(FrameReason.Heartbeat),
            MessageType.Error => FrameOutcome.Rejected(FrameReason.VenueError),
            MessageType.Unsupported => FrameOutcome.Ignored(FrameReason.Unsupported),
            MessageType.Missing => FrameOutcome.Rejected(FrameReason.MissingField),
            _ => FrameOutcome.Rejected(FrameReason.Malformed),
        };
    }

    /// <summary>
    /// The one pass over the frame: captures the fields this decoder reads as spans (of the frame, or of
    /// <paramref name="scratch"/> when the JSON escapes them), skipping everything else.
    /// </summary>
    private static MessageType Scan(ReadOnlySpan<byte> frame, Span<byte> scratch, ref Fields f)
    {
        var reader = new FrameJsonReader(frame, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return MessageType.Malformed;
        }

        var scratchUsed = 0;
        var first = true;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                // Trailing content after the object makes the reader throw here.
                return reader.Read() ? MessageType.Malformed : Classify(f.Has(Field.Type) ? f.Type : default, f.Has(Field.Type));
            }

            var field = FieldOf(ref reader);
            if (!reader.Read())
            {
                return MessageType.Malformed;
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    if (field != Field.None)
                    {
                        return MessageType.Malformed;
                    }

                    reader.Skip();
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
                    if (first && field == Field.Type)
                    {
                        var type = Classify(value, present: true);
                        if (type is not (MessageType.Match or MessageType.LastMatch or MessageType.Ticker))
                        {
                            return type;
                        }
                    }

                    break;
                case JsonTokenType.Null:
                    // A null field is an absent field.
                    break;
                default:
                    if (field != Field.None)
                    {
                        return MessageType.Malformed;
                    }

                    break;
            }

            first = false;
        }

        return MessageType.Malformed;
    }

    private static MessageType Classify(ReadOnlySpan<byte> type, bool present)
    {
        if (!present)
        {
            return MessageType.Missing;
        }

        return type switch
        {
            _ when type.SequenceEqual("match"u8) => MessageType.Match,
            // The latest trade of a product, sent once on subscribe to `matches`: history, not a live trade.
            _ when type.SequenceEqual("last_match"u8) => MessageType.LastMatch,
            _ when type.SequenceEqual("ticker"u8) => MessageType.Ticker,
            _ when type.SequenceEqual("l2update"u8) || type.SequenceEqual("snapshot"u8) => MessageType.BookUpdate,
            _ when type.SequenceEqual("subscriptions"u8) => MessageType.Subscriptions,
            _ when type.SequenceEqual("heartbeat"u8) => MessageType.Heartbeat,
            _ when type.SequenceEqual("error"u8) => MessageType.Error,
            _ => MessageType.Unsupported,
        };
    }

    private static Field FieldOf(ref FrameJsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return FieldOf(reader.ValueSpan);
        }

        // An escape is at most 6 bytes per byte, so a longer escaped name cannot unescape to one of ours.
        if (reader.ValueSpan.Length > MaxEscapedNameBytes)
        {
            return Field.None;
        }

        Span<byte> name = stackalloc byte[MaxEscapedNameBytes];
        var n = reader.CopyString(name);
        return FieldOf(name[..n]);
    }

    private static Field FieldOf(ReadOnlySpan<byte> name) => name.Length switch
    {
        4 when name.SequenceEqual("type"u8) => Field.Type,
        4 when name.SequenceEqual("side"u8) => Field.Side,
        4 when name.SequenceEqual("size"u8) => Field.Size,
        4 when name.SequenceEqual("time"u8) => Field.Time,
        5 when name.SequenceEqual("price"u8) => Field.Price,
        8 when name.SequenceEqual("trade_id"u8) => Field.TradeId,
        8 when name.SequenceEqual("sequence"u8) => Field.Sequence,
        8 when name.SequenceEqual("best_bid"u8) => Field.BestBid,
        8 when name.SequenceEqual("best_ask"u8) => Field.BestAsk,
        10 when name.SequenceEqual("product_id"u8) => Field.ProductId,
        13 when name.SequenceEqual("best_bid_size"u8) => Field.BestBidSize,
        13 when name.SequenceEqual("best_ask_size"u8) => Field.BestAskSize,
        _ => Field.None,
    };

    private static bool TryParseSequence(ref Fields f, out long sequence)
    {
        sequence = 0;
        if (!f.Has(Field.Sequence))
        {
            return true;
        }

        return VenueInteger.TryParseNonNegative(f.Sequence, out sequence);
    }

    private enum MessageType : byte
    {
        Malformed = 0,
        Missing,
        Match,
        LastMatch,
        Ticker,
        BookUpdate,
        Subscriptions,
        Heartbeat,
        Error,
        Unsupported,
    }

    private enum Field : byte
    {
        None = 0,
        Type,
        ProductId,
        Side,
        Price,
        Size,
        Time,
        TradeId,
        Sequence,
        BestBid,
        BestAsk,
        BestBidSize,
        BestAskSize,
    }

    /// <summary>The captured fields of one frame, as spans; nothing is copied.</summary>
    private ref struct Fields
    {
        private uint _present;

        public ReadOnlySpan<byte> Type;
        public ReadOnlySpan<byte> ProductId;
        public ReadOnlySpan<byte> Side;
        public ReadOnlySpan<byte> Price;
        public ReadOnlySpan<byte> Size;
        public ReadOnlySpan<byte> Time;
        public ReadOnlySpan<byte> TradeId;
        public ReadOnlySpan<byte> Sequence;
        public ReadOnlySpan<byte> BestBid;
        public ReadOnlySpan<byte> BestAsk;
        public ReadOnlySpan<byte> BestBidSize;
        public ReadOnlySpan<byte> BestAskSize;

        public readonly bool Has(Field field) => (_present & (1u << (int)field)) != 0;

        public void Set(Field field, ReadOnlySpan<byte> value)
        {
            _present |= 1u << (int)field;
            switch (field)
            {
                case Field.Type: Type = value; break;
                case Field.ProductId: ProductId = value; break;
                case Field.Side: Side = value; break;
                case Field.Price: Price = value; break;
                case Field.Size: Size = value; break;
                case Field.Time: Time = value; break;
                case Field.TradeId: TradeId = value; break;
                case Field.Sequence: Sequence = value; break;
                case Field.BestBid: BestBid = value; break;
                case Field.BestAsk: BestAsk = value; break;
                case Field.BestBidSize: BestBidSize = value; break;
                case Field.BestAskSize: BestAskSize = value; break;
            }
        }
    }
}
