namespace Cloudwall.Rx.Ingestion.Venues.Kraken;

/// <summary>
/// Decodes Kraken Futures WebSocket v1 frames (<c>wss://futures.kraken.com/ws/v1</c>): <c>trade</c> and <c>trade_snapshot</c>
/// become trades; <c>ticker</c> becomes a quote, a mark price, an index price and (perpetuals) a funding rate; <c>ticker_lite</c>
/// becomes a quote; <c>book</c>/<c>book_snapshot</c> are ignored, as are <c>heartbeat</c>, <c>info</c> and subscription acks.
/// <c>error</c>, <c>alert</c> and failed subscriptions are rejected as venue errors.
/// </summary>
/// <remarks>
/// <para>Trades (docs.kraken.com/api/docs/futures-api/websocket/trade): <c>side</c> is "the classification of the taker side in the
/// matched trade: buy if the taker is a buyer, sell if the taker is a seller", so it is the taker side as is. <c>uid</c> (a UUID)
/// is the trade id; <c>seq</c> is the feed's per-product sequence number (<see cref="MarketEvent.Sequence"/>, scope: per
/// instrument and kind); <c>time</c> is milliseconds. Every trade type (fill, liquidation, termination, block) is a trade. A
/// <c>trade_snapshot</c> lists the latest trades newest first; they are emitted oldest first, so time and sequence ascend and the
/// last event is the latest trade.</para>
/// <para>Ticker (docs.kraken.com/api/docs/futures-api/websocket/ticker): <c>bid</c>/<c>bid_size</c>, <c>ask</c>/<c>ask_size</c> →
/// quote; <c>markPrice</c> → mark; <c>index</c> → index; <c>time</c> (ms) is the exchange time of all of them. Funding: the event
/// carries a fraction per funding interval (<see cref="EventKind.Funding"/>), which on Kraken Futures is
/// <c>relative_funding_rate</c> ("the absolute funding rate relative to the spot price"); <c>funding_rate</c> itself is absolute
/// (a currency amount per contract on inverse perpetuals), so it is not used. The prediction,
/// <c>relative_funding_rate_prediction</c>, goes to <see cref="MarketEvent.Aux"/>. The venue omits funding fields that are zero,
/// so a perpetual's ticker without them reports a zero rate. <c>ticker_lite</c> has neither sizes nor a time.</para>
/// <para>Prices and sizes are JSON numbers read exactly from their token text. Frames whose first property names a feed or
/// event that carries nothing to decode are classified from it alone, whatever their size; others are capped at
/// <see cref="MaxFrameBytes"/>. Allocation-free once each product has been resolved. One instance per connection.</para>
/// </remarks>
public sealed partial class KrakenFuturesDecoder : JsonFrameDecoder
{
    private const int EnvelopeScratchBytes = 512;
    private const int ScratchBytes = 2048;

    private readonly byte[] _scratch = new byte[ScratchBytes];
    private readonly byte[] _names = new byte[KrakenText.NameBufferBytes];

    public KrakenFuturesDecoder(ReferenceData refData, int maxFrameBytes = DefaultMaxFrameBytes)
        : base(refData, VenueId.KrakenFutures, maxFrameBytes, minFrameBytes: 2)
    {
    }

    public ProviderId Provider => ProviderId.KrakenFutures;

    /// <summary>Frames are classified from their first property whatever their size; only frames that are read are capped.</summary>
    private protected override bool ChecksFrameSizeItself => true;

    private protected override FrameOutcome DecodeFrame(ReadOnlySpan<byte> frame, long receiveTimeNs, EventBuffer output)
    {
        var reader = new FrameJsonReader(frame, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return frame.Length > MaxFrameBytes ? FrameOutcome.Rejected(FrameReason.Oversized) : FrameOutcome.Rejected(FrameReason.Malformed);
        }

        var nameBuffer = _names;
        var f = default(Fields);
        var trades = default(FrameJsonReader);
        var hasTrades = false;
        var used = 0;
        var first = true;
        var scratch = _scratch.AsSpan(0, EnvelopeScratchBytes);
        while (true)
        {
            if (!reader.Read())
            {
                return FrameOutcome.Rejected(FrameReason.Malformed);
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            var field = FieldOf(JsonValues.PropertyName(ref reader, nameBuffer));
            if (first && field is not (Field.Feed or Field.Event) && frame.Length > MaxFrameBytes)
            {
                return FrameOutcome.Rejected(FrameReason.Oversized);
            }

            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray when field == Field.Trades:
                    trades = reader;
                    hasTrades = true;
                    reader.Skip();
                    break;
                case JsonTokenType.String or JsonTokenType.Number when field is not (Field.None or Field.Trades):
                    if (!JsonValues.TryCapture(ref reader, scratch, ref used, out var v))
                    {
                        return FrameOutcome.Rejected(FrameReason.Malformed);
                    }

                    f.Set(field, v);
                    if (first)
                    {
                        var early = field == Field.Feed ? ClassifyFeed(v) : field == Field.Event ? ClassifyEvent(v) : null;
                        if (early is { } outcome)
                        {
                            // Nothing to read in this frame (book, heartbeat, acks): classified unread, whatever its size.
                            return outcome;
                        }

                        if (frame.Length > MaxFrameBytes)
                        {
                            return FrameOutcome.Rejected(FrameReason.Oversized);
                        }
                    }

                    break;
                case JsonTokenType.Null:
                    break; // a null field is an absent field
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    if (field != Field.None)
                    {
                        return FrameOutcome.Rejected(FrameReason.Malformed);
                    }

                    reader.Skip();
                    break;
                default:
                    if (field != Field.None)
                    {
                        return FrameOutcome.Rejected(FrameReason.Malformed);
                    }

                    break;
            }

            first = false;
        }

        // Trailing content after the object makes the reader throw here.
        if (reader.Read())
        {
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }

        if (f.Has(Field.Event))
        {
            return ClassifyEvent(f.Event) ?? FrameOutcome.Ignored(FrameReason.Unsupported);
        }

        if (!f.Has(Field.Feed))
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        var feed = f.Feed;
        if (feed.SequenceEqual("trade"u8))
        {
            return DecodeTrade(ref f, receiveTimeNs, output);
        }

        if (feed.SequenceEqual("trade_snapshot"u8))
        {
            return hasTrades ? DecodeSnapshot(ref trades, ref f, receiveTimeNs, output) : FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (feed.SequenceEqual("ticker"u8) || feed.SequenceEqual("ticker_lite"u8))
        {
            return DecodeTicker(ref f, lite: feed.Length == "ticker_lite".Length, receiveTimeNs, output);
        }

        return ClassifyFeed(feed) ?? FrameOutcome.Ignored(FrameReason.Unsupported);
    }

    /// <summary>The outcome of a feed that carries nothing to decode, or null for the trade and ticker feeds.</summary>
    private static FrameOutcome? ClassifyFeed(ReadOnlySpan<byte> feed) => feed switch
    {
        _ when feed.SequenceEqual("trade"u8) || feed.SequenceEqual("trade_snapshot"u8) ||
               feed.SequenceEqual("ticker"u8) || feed.SequenceEqual("ticker_lite"u8) => null,
        _ when feed.SequenceEqual("book"u8) || feed.SequenceEqual("book_snapshot"u8) => FrameOutcome.Ignored(FrameReason.BookUpdate),
        _ when feed.SequenceEqual("heartbeat"u8) => FrameOutcome.Ignored(FrameReason.Heartbeat),
        _ => FrameOutcome.Ignored(FrameReason.Unsupported),
    };

    /// <summary>Events: acks and info are ignored; errors, alerts and failed subscriptions are venue errors.</summary>
    private static FrameOutcome? ClassifyEvent(ReadOnlySpan<byte> ev) => ev switch
    {
        _ when ev.SequenceEqual("subscribed"u8) || ev.SequenceEqual("unsubscribed"u8) => FrameOutcome.Ignored(FrameReason.SubscriptionAck),
        // info ({"event":"info","version":1}) is sent on connect: liveness, no data.
        _ when ev.SequenceEqual("info"u8) => FrameOutcome.Ignored(FrameReason.Heartbeat),
        _ when ev.SequenceEqual("error"u8) || ev.SequenceEqual("alert"u8) ||
               ev.SequenceEqual("subscribed_failed"u8) || ev.SequenceEqual("unsubscribed_failed"u8) => FrameOutcome.Rejected(FrameReason.VenueError),
        _ => FrameOutcome.Ignored(FrameReason.Unsupported),
    };

    private static Field FieldOf(ReadOnlySpan<byte> name) => name.Length switch
    {
        3 when name.SequenceEqual("bid"u8) => Field.Bid,
        3 when name.SequenceEqual("ask"u8) => Field.Ask,
        3 when name.SequenceEqual("qty"u8) => Field.Qty,
        3 when name.SequenceEqual("seq"u8) => Field.Seq,
        3 when name.SequenceEqual("uid"u8) => Field.Uid,
        4 when name.SequenceEqual("feed"u8) => Field.Feed,
        4 when name.SequenceEqual("side"u8) => Field.Side,
        4 when name.SequenceEqual("time"u8) => Field.Time,
        5 when name.SequenceEqual("event"u8) => Field.Event,
        5 when name.SequenceEqual("price"u8) => Field.Price,
        5 when name.SequenceEqual("index"u8) => Field.Index,
        6 when name.SequenceEqual("trades"u8) => Field.Trades,
        8 when name.SequenceEqual("bid_size"u8) => Field.BidSize,
        8 when name.SequenceEqual("ask_size"u8) => Field.AskSize,
        9 when name.SequenceEqual("markPrice"u8) => Field.MarkPrice,
        10 when name.SequenceEqual("product_id"u8) => Field.ProductId,
        21 when name.SequenceEqual("relative_funding_rate"u8) => Field.RelativeFundingRate,
        32 when name.SequenceEqual("relative_funding_rate_prediction"u8) => Field.RelativeFundingRatePrediction,
        _ => Field.None,
    };

    private enum Field : byte
    {
        None = 0,
        Feed,
        Event,
        ProductId,
        Side,
        Price,
        Qty,
        Seq,
        Time,
        Uid,
        Bid,
        Ask,
        BidSize,
        AskSize,
        MarkPrice,
        Index,
        RelativeFundingRate,
        RelativeFundingRatePrediction,
        Trades,
    }

    /// <summary>The captured fields of one message or snapshot item, as spans; nothing is copied.</summary>
    private ref struct Fields
    {
        private uint _present;

        public ReadOnlySpan<byte> Feed;
        public ReadOnlySpan<byte> Event;
        public ReadOnlySpan<byte> ProductId;
        public ReadOnlySpan<byte> Side;
        public ReadOnlySpan<byte> Price;
        public ReadOnlySpan<byte> Qty;
        public ReadOnlySpan<byte> Seq;
        public ReadOnlySpan<byte> Time;
        public ReadOnlySpan<byte> Uid;
        public ReadOnlySpan<byte> Bid;
        public ReadOnlySpan<byte> Ask;
        public ReadOnlySpan<byte> BidSize;
        public ReadOnlySpan<byte> AskSize;
        public ReadOnlySpan<byte> MarkPrice;
        public ReadOnlySpan<byte> Index;
        public ReadOnlySpan<byte> RelativeFundingRate;
        public ReadOnlySpan<byte> RelativeFundingRatePrediction;

        public readonly bool Has(Field field) => (_present & (1u << (int)field)) != 0;

        public void Set(Field field, ReadOnlySpan<byte> value)
        {
            _present |= 1u << (int)field;
            switch (field)
            {
                case Field.Feed: Feed = value; break;
                case Field.Event: Event = value; break;
                case Field.ProductId: ProductId = value; break;
                case Field.Side: Side = value; break;
                case Field.Price: Price = value; break;
                case Field.Qty: Qty = value; break;
                case Field.Seq: Seq = value; break;
                case Field.Time: Time = value; break;
                case Field.Uid: Uid = value; break;
                case Field.Bid: Bid = value; break;
                case Field.Ask: Ask = value; break;
                case Field.BidSize: BidSize = value; break;
                case Field.AskSize: AskSize = value; break;
                case Field.MarkPrice: MarkPrice = value; break;
                case Field.Index: Index = value; break;
                case Field.RelativeFundingRate: RelativeFundingRate = value; break;
                case Field.RelativeFundingRatePrediction: RelativeFundingRatePrediction = value; break;
            }
        }
    }
}
