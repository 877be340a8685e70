namespace Cloudwall.Rx.Ingestion.Venues.Kraken;

/// <summary>
/// Decodes Kraken spot WebSocket v2 frames (<c>wss://ws.kraken.com/v2</c>): the <c>trade</c> channel becomes one trade per
/// <c>data</c> item, <c>ticker</c> a quote per item; <c>heartbeat</c>, <c>status</c>, <c>pong</c> and successful method responses
/// are ignored; a response with <c>"success":false</c> is rejected as a venue error.
/// </summary>
/// <remarks>
/// <para>Trades (docs.kraken.com/api/docs/websocket-v2/trade): <c>side</c> is the side of the taker order; <c>price</c> and
/// <c>qty</c> are JSON numbers, read exactly from their token text (scale kept); <c>trade_id</c> is "a sequence number, unique per
/// book", so it is both <see cref="MarketEvent.TradeId"/> and <see cref="MarketEvent.Sequence"/> (scope: per instrument and kind);
/// <c>timestamp</c> is RFC 3339 with microseconds.</para>
/// <para>Ticker (docs.kraken.com/api/docs/websocket-v2/ticker): <c>bid</c>/<c>bid_qty</c>, <c>ask</c>/<c>ask_qty</c>; its
/// <c>timestamp</c>, when present, is the exchange time (0 otherwise).</para>
/// <para>A frame whose first property names a channel or method that carries no market data (book, heartbeat, status, ...) is
/// classified from that property alone, whatever its size; frames that are read are capped at <see cref="MaxFrameBytes"/>.
/// The <c>data</c> array is read after the whole envelope, from a copy of the reader, so properties may come in any order.
/// Allocation-free once each symbol has been resolved. One instance per connection; not thread-safe.</para>
/// </remarks>
public sealed partial class KrakenV2Decoder : JsonFrameDecoder
{
    private const int EnvelopeScratchBytes = 512;
    private const int ScratchBytes = 2048;

    private readonly byte[] _scratch = new byte[ScratchBytes];
    private readonly byte[] _names = new byte[KrakenText.NameBufferBytes];

    public KrakenV2Decoder(ReferenceData refData, int maxFrameBytes = DefaultMaxFrameBytes)
        : base(refData, VenueId.Kraken, maxFrameBytes, minFrameBytes: 2)
    {
    }

    public ProviderId Provider => ProviderId.Kraken;

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
        var scratch = _scratch.AsSpan(0, EnvelopeScratchBytes);
        var used = 0;
        ReadOnlySpan<byte> channel = default;
        ReadOnlySpan<byte> method = default;
        bool hasChannel = false, hasMethod = false, hasData = false, failed = false, hasError = false;
        var data = default(FrameJsonReader);
        var first = true;
        var snapshot = false;
        var start = output.Count;
        var inlineEvents = NotInline;
        ReadOnlySpan<byte> inlineChannel = default;
        var inlineData = -1;
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

            var name = JsonValues.PropertyName(ref reader, nameBuffer);
            var isChannel = name.SequenceEqual("channel"u8);
            if (first && !isChannel && frame.Length > MaxFrameBytes)
            {
                // Only frames classified from a first "channel" property escape the cap.
                return FrameOutcome.Rejected(FrameReason.Oversized);
            }

            reader.Read();
            if (isChannel || name.SequenceEqual("method"u8))
            {
                if (reader.TokenType != JsonTokenType.String || !JsonValues.TryCapture(ref reader, scratch, ref used, out var v))
                {
                    return FrameOutcome.Rejected(FrameReason.Malformed);
                }

                if (isChannel)
                {
                    channel = v;
                    hasChannel = true;
                    if (first && ClassifyChannel(v) is { } early)
                    {
                        // Nothing to read in this frame (book updates, heartbeats, status): classified unread, whatever its size.
                        return early;
                    }

                    if (frame.Length > MaxFrameBytes)
                    {
                        return FrameOutcome.Rejected(FrameReason.Oversized);
                    }
                }
                else
                {
                    method = v;
                    hasMethod = true;
                }
            }
            else if (name.SequenceEqual("data"u8))
            {
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return FrameOutcome.Rejected(FrameReason.Malformed);
                }

                data = reader;
                hasData = true;
                if (inlineEvents == NotInline && hasChannel && (channel.SequenceEqual("trade"u8) || channel.SequenceEqual("ticker"u8)))
                {
                    inlineEvents = DecodeInline(ref reader, channel.SequenceEqual("trade"u8), receiveTimeNs, output, start);
                    inlineChannel = channel;
                    inlineData = (int)data.TokenStartIndex;
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (name.SequenceEqual("success"u8))
            {
                failed = reader.TokenType == JsonTokenType.False;
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                {
                    return FrameOutcome.Rejected(FrameReason.Malformed);
                }
            }
            else if (reader.TokenType == JsonTokenType.String && name.SequenceEqual("type"u8))
            {
                // "snapshot" (recent history on subscribe, when asked for) or "update" (live).
                snapshot = reader.ValueTextEquals("snapshot"u8);
            }
            else
            {
                hasError |= name.SequenceEqual("error"u8);
                reader.Skip();
            }

            first = false;
        }

        // Trailing content after the object makes the reader throw here.
        if (reader.Read())
        {
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }

        if (hasChannel)
        {
            if (inlineEvents >= 0)
            {
                if (channel == inlineChannel && (int)data.TokenStartIndex == inlineData)
                {
                    return History(FrameOutcome.Decoded(inlineEvents), snapshot && channel.SequenceEqual("trade"u8), output, start);
                }

                output.Truncate(start); // a second "channel" or "data" key: decode what the frame finally says
            }

            var isTrade = channel.SequenceEqual("trade"u8);
            if (isTrade || channel.SequenceEqual("ticker"u8))
            {
                if (!hasData)
                {
                    return FrameOutcome.Rejected(FrameReason.MissingField);
                }

                return isTrade
                    ? History(DecodeItems(ref data, trades: true, receiveTimeNs, output), snapshot, output, start)
                    : DecodeItems(ref data, trades: false, receiveTimeNs, output);
            }

            return ClassifyChannel(channel) ?? FrameOutcome.Ignored(FrameReason.Unsupported);
        }

        if (failed || hasError)
        {
            // {"method":"subscribe","success":false,"error":"Currency pair not supported",...} and bare errors.
            return FrameOutcome.Rejected(FrameReason.VenueError);
        }

        if (hasMethod)
        {
            return method switch
            {
                _ when method.SequenceEqual("pong"u8) => FrameOutcome.Ignored(FrameReason.Heartbeat),
                _ when method.SequenceEqual("subscribe"u8) || method.SequenceEqual("unsubscribe"u8) => FrameOutcome.Ignored(FrameReason.SubscriptionAck),
                _ => FrameOutcome.Ignored(FrameReason.Unsupported),
            };
        }

        return FrameOutcome.Rejected(FrameReason.MissingField);
    }

    /// <summary>Trades of a <c>"type":"snapshot"</c> frame are history: flagged, and emitted oldest first.</summary>
    private static FrameOutcome History(FrameOutcome outcome, bool snapshotTrades, EventBuffer output, int start)
    {
        if (snapshotTrades && outcome.Status == FrameStatus.Decoded)
        {
            output.MarkSnapshot(start);
        }

        return outcome;
    }

    private const int NotInline = -1;
    private const int InlineFailed = -2;

    /// <summary>
    /// The single pass for the common frame, <c>channel</c> before <c>data</c> (the live order and the documented one): the
    /// items are decoded where the envelope scan meets them instead of in a second walk. When that pass rejects an item its
    /// events are dropped, the rest of the array is read past, and the second walk from the saved reader decides as before.
    /// </summary>
    /// <returns>The events decoded, or <see cref="InlineFailed"/>.</returns>
    private int DecodeInline(ref FrameJsonReader reader, bool trades, long receiveTimeNs, EventBuffer output, int start)
    {
        var outer = reader.CurrentDepth - 1;
        var outcome = DecodeItems(ref reader, trades, receiveTimeNs, output);
        if (outcome.Status == FrameStatus.Decoded)
        {
            return outcome.Events;
        }

        reader.SkipToDepth(outer);

        output.Truncate(start);
        return InlineFailed;
    }

    /// <summary>The outcome of a channel that carries nothing to decode, or null for <c>trade</c> and <c>ticker</c>.</summary>
    private static FrameOutcome? ClassifyChannel(ReadOnlySpan<byte> channel) => channel switch
    {
        _ when channel.SequenceEqual("trade"u8) || channel.SequenceEqual("ticker"u8) => null,
        _ when channel.SequenceEqual("heartbeat"u8) => FrameOutcome.Ignored(FrameReason.Heartbeat),
        // status: sent on connect and on engine status changes (docs.kraken.com/api/docs/websocket-v2/status): liveness, no data.
        _ when channel.SequenceEqual("status"u8) => FrameOutcome.Ignored(FrameReason.Heartbeat),
        _ when channel.SequenceEqual("book"u8) || channel.SequenceEqual("level3"u8) => FrameOutcome.Ignored(FrameReason.BookUpdate),
        _ => FrameOutcome.Ignored(FrameReason.Unsupported),
    };

    /// <summary>
    /// Decodes a <c>data</c> array, the reader on its StartArray: each item read by <see cref="ReadItem"/>, then made an
    /// event by its channel's mapping (<see cref="AddTrade"/>, <see cref="AddTicker"/>). One bad item rejects the frame.
    /// </summary>
    private FrameOutcome DecodeItems(ref FrameJsonReader r, bool trades, long receiveTimeNs, EventBuffer output)
    {
        var events = 0;
        var nameBuffer = _names;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            var f = default(Item);
            var reason = ReadItem(ref r, nameBuffer, ref f) ?? (trades ? AddTrade(ref f, receiveTimeNs, output) : AddTicker(ref f, receiveTimeNs, output));
            if (reason != FrameReason.None)
            {
                return FrameOutcome.Rejected(reason);
            }

            events++;
        }

        // An empty snapshot (no recent trades) is a well-formed frame with nothing in it.
        return FrameOutcome.Decoded(events);
    }

    /// <summary>Reads one <c>data</c> object into <paramref name="f"/>; returns a rejection reason, or null when it was read.</summary>
    private FrameReason? ReadItem(ref FrameJsonReader r, Span<byte> nameBuffer, ref Item f)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            return FrameReason.Malformed;
        }

        var scratch = _scratch.AsSpan(EnvelopeScratchBytes);
        var used = 0;
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            var field = FieldOf(JsonValues.PropertyName(ref r, nameBuffer));
            r.Read();
            switch (r.TokenType)
            {
                case JsonTokenType.String or JsonTokenType.Number when field != Field.None:
                    if (!JsonValues.TryCapture(ref r, scratch, ref used, out var v))
                    {
                        return FrameReason.Malformed;
                    }

                    f.Set(field, v);
                    break;
                case JsonTokenType.Null:
                    break; // a null field is an absent field
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    if (field != Field.None)
                    {
                        return FrameReason.Malformed;
                    }

                    r.Skip();
                    break;
                default:
                    if (field != Field.None)
                    {
                        return FrameReason.Malformed;
                    }

                    break;
            }
        }

        return null;
    }

    private static Field FieldOf(ReadOnlySpan<byte> name) => name.Length switch
    {
        3 when name.SequenceEqual("bid"u8) => Field.Bid,
        3 when name.SequenceEqual("ask"u8) => Field.Ask,
        3 when name.SequenceEqual("qty"u8) => Field.Qty,
        4 when name.SequenceEqual("side"u8) => Field.Side,
        5 when name.SequenceEqual("price"u8) => Field.Price,
        6 when name.SequenceEqual("symbol"u8) => Field.Symbol,
        7 when name.SequenceEqual("bid_qty"u8) => Field.BidQty,
        7 when name.SequenceEqual("ask_qty"u8) => Field.AskQty,
        8 when name.SequenceEqual("trade_id"u8) => Field.TradeId,
        9 when name.SequenceEqual("timestamp"u8) => Field.Timestamp,
        _ => Field.None,
    };

    private enum Field : byte
    {
        None = 0,
        Symbol,
        Side,
        Price,
        Qty,
        TradeId,
        Timestamp,
        Bid,
        BidQty,
        Ask,
        AskQty,
    }

    /// <summary>The captured fields of one <c>data</c> item, as spans; nothing is copied.</summary>
    private ref struct Item
    {
        private uint _present;

        public ReadOnlySpan<byte> Symbol;
        public ReadOnlySpan<byte> Side;
        public ReadOnlySpan<byte> Price;
        public ReadOnlySpan<byte> Qty;
        public ReadOnlySpan<byte> TradeId;
        public ReadOnlySpan<byte> Timestamp;
        public ReadOnlySpan<byte> Bid;
        public ReadOnlySpan<byte> BidQty;
        public ReadOnlySpan<byte> Ask;
        public ReadOnlySpan<byte> AskQty;

        public readonly bool Has(Field field) => (_present & (1u << (int)field)) != 0;

        public void Set(Field field, ReadOnlySpan<byte> value)
        {
            _present |= 1u << (int)field;
            switch (field)
            {
                case Field.Symbol: Symbol = value; break;
                case Field.Side: Side = value; break;
                case Field.Price: Price = value; break;
                case Field.Qty: Qty = value; break;
                case Field.TradeId: TradeId = value; break;
                case Field.Timestamp: Timestamp = value; break;
                case Field.Bid: Bid = value; break;
                case Field.BidQty: BidQty = value; break;
                case Field.Ask: Ask = value; break;
                case Field.AskQty: AskQty = value; break;
            }
        }
    }
}
