namespace Cloudwall.Rx.Ingestion.Venues.Okx;

/// <summary>
/// Decodes OKX v5 public and business WebSocket frames (<c>wss://ws.okx.com:8443/ws/v5/public</c>, <c>/business</c>):
/// <list type="bullet">
/// <item><c>trades</c> and <c>trades-all</c> → one trade per element of <c>data</c> (a message may batch several); <c>side</c> is the taker's side.</item>
/// <item><c>tickers</c> → quote (<c>bidPx</c>/<c>bidSz</c>, <c>askPx</c>/<c>askSz</c>); <c>bbo-tbt</c> → quote from the first
/// level of <c>bids</c> and <c>asks</c>.</item>
/// <item><c>mark-price</c> → mark (<c>markPx</c>), <c>index-tickers</c> → index (<c>idxPx</c>, on the spot key, see
/// <see cref="OkxSymbols"/>), <c>funding-rate</c> → funding (<c>fundingRate</c>, <c>nextFundingRate</c> in Aux when published).</item>
/// <item><c>books*</c> → ignored as book updates; <c>{"event":"subscribe"|"unsubscribe"|"channel-conn-count"}</c> →
/// ignored as acks; the text <c>pong</c> (not JSON) → ignored as a heartbeat; <c>{"event":"error"}</c> → rejected as a venue error.</item>
/// </list>
/// </summary>
/// <remarks>
/// <para>Two passes of <see cref="FrameJsonReader"/> over the frame, no strings: the first reads the envelope (<c>event</c>,
/// <c>arg.channel</c>, <c>arg.instId</c>) and notes where <c>data</c> starts, so the order of the top-level fields does not
/// matter; the second walks the <c>data</c> array. A bad element rejects the whole frame (nothing of it is emitted).</para>
/// <para>Trades carry <c>tradeId</c> as both <see cref="MarketEvent.TradeId"/> and <see cref="MarketEvent.Sequence"/>: OKX trade ids
/// are per instrument and contiguous, unless the venue aggregates fills of one taker order into one message (then ids skip).</para>
/// <para>An empty <c>bidPx</c>/<c>askPx</c> (no orders on that side) leaves that side 0; a ticker with neither side emits nothing.
/// Funding rates may be zero or negative; every price must be positive.</para>
/// <para>One instance per connection; not thread-safe (it owns a scratch buffer).</para>
/// </remarks>
public sealed partial class OkxDecoder : JsonFrameDecoder
{
    private const int ScratchBytes = 512;
    private const int MaxNameBytes = 64;

    private readonly byte[] _scratch = new byte[ScratchBytes];
    private readonly byte[] _names = new byte[MaxNameBytes];

    public OkxDecoder(ReferenceData refData, int maxFrameBytes = DefaultMaxFrameBytes)
        : base(refData, VenueId.Okx, maxFrameBytes, minFrameBytes: 4)
    {
    }

    private protected override FrameOutcome DecodeFrame(ReadOnlySpan<byte> frame, long receiveTimeNs, EventBuffer output)
    {
        if (frame.Trim(" \t\r\n"u8).SequenceEqual("pong"u8))
        {
            return FrameOutcome.Ignored(FrameReason.Heartbeat);
        }

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
            var name = JsonValues.PropertyName(ref reader, nameBuffer);
            var top = TopFieldOf(name);
            reader.Read();
            switch (top)
            {
                case TopField.Event when reader.TokenType == JsonTokenType.String:
                    if (!JsonValues.TryCapture(ref reader, scratch, ref scratchUsed, out env.Event))
                    {
                        return FrameOutcome.Rejected(FrameReason.Malformed);
                    }

                    env.HasEvent = true;
                    break;
                case TopField.Arg when reader.TokenType == JsonTokenType.StartObject:
                    if (!ReadArg(ref reader, scratch, ref scratchUsed, ref env, nameBuffer))
                    {
                        return FrameOutcome.Rejected(FrameReason.Malformed);
                    }

                    break;
                case TopField.Data when reader.TokenType == JsonTokenType.StartArray:
                    env.DataStart = (int)reader.TokenStartIndex;
                    if (env.InlineEvents == 0 && env.HasChannel && !env.HasEvent && ChannelOf(env.Channel) is not (Channel.Book or Channel.Unsupported))
                    {
                        DecodeDataInline(ref reader, ref env, receiveTimeNs, output, scratch, scratchUsed);
                    }
                    else
                    {
                        reader.Skip();
                    }

                    break;
                case TopField.Event or TopField.Arg or TopField.Data:
                    if (reader.TokenType != JsonTokenType.Null)
                    {
                        return FrameOutcome.Rejected(FrameReason.Malformed);
                    }

                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            // Not an object's end, or content after it (the reader throws for most trailing garbage itself).
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }

        if (env.HasEvent)
        {
            return ClassifyEvent(env.Event); // never Decoded: the caller drops any events of the single pass
        }

        if (env.InlineEvents > 0)
        {
            if (env.Channel == env.InlineChannel && env.InstId == env.InlineInstId && env.DataStart == env.InlineDataStart)
            {
                return FrameOutcome.Decoded(env.InlineEvents);
            }

            output.Truncate(env.OutputStart); // a second "arg" or "data" key: decode what the frame finally says
        }

        if (!env.HasChannel)
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        var channel = ChannelOf(env.Channel);
        switch (channel)
        {
            case Channel.Book:
                return FrameOutcome.Ignored(FrameReason.BookUpdate);
            case Channel.Unsupported:
                return FrameOutcome.Ignored(FrameReason.Unsupported);
        }

        if (env.DataStart < 0)
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        return DecodeData(frame[env.DataStart..], channel, env.InstId, receiveTimeNs, output, scratch, scratchUsed);
    }

    /// <summary>
    /// The single pass for the common frame, <c>arg</c> before <c>data</c> (the live order and the documented one): the
    /// entries are decoded where the envelope scan meets them instead of in a second walk. When that pass does not decode
    /// (a rejected entry, nothing to emit) its events are dropped, the rest of the array is read past, and the second walk
    /// decides as before, so the outcome never depends on which path ran.
    /// </summary>
    private void DecodeDataInline(ref FrameJsonReader reader, ref Envelope env, long receiveTimeNs, EventBuffer output, Span<byte> scratch, int scratchUsed)
    {
        var outer = reader.CurrentDepth - 1;
        env.OutputStart = output.Count;
        var outcome = DecodeData(ref reader, ChannelOf(env.Channel), env.InstId, receiveTimeNs, output, scratch, scratchUsed);
        if (outcome.Status != FrameStatus.Decoded)
        {
            reader.SkipToDepth(outer);

            output.Truncate(env.OutputStart);
            env.InlineEvents = -1;
            return;
        }

        env.InlineEvents = outcome.Events;
        env.InlineChannel = env.Channel;
        env.InlineInstId = env.InstId;
        env.InlineDataStart = env.DataStart;
    }

    private FrameOutcome DecodeData(ReadOnlySpan<byte> data, Channel channel, ReadOnlySpan<byte> argInstId, long receiveTimeNs,
        EventBuffer output, Span<byte> scratch, int scratchUsed)
    {
        var reader = new FrameJsonReader(data, ReaderOptions);
        reader.Read(); // the StartArray the first pass saw
        return DecodeData(ref reader, channel, argInstId, receiveTimeNs, output, scratch, scratchUsed);
    }

    /// <summary>Decodes the entries of <c>data</c>; the reader is on its StartArray and ends on its EndArray unless rejected.</summary>
    private FrameOutcome DecodeData(ref FrameJsonReader reader, Channel channel, ReadOnlySpan<byte> argInstId, long receiveTimeNs,
        EventBuffer output, Span<byte> scratch, int scratchUsed)
    {
        var nameBuffer = _names.AsSpan();
        var events = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return FrameOutcome.Rejected(FrameReason.Malformed);
            }

            var f = default(Fields);
            var used = scratchUsed;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = FieldOf(JsonValues.PropertyName(ref reader, nameBuffer));
                reader.Read();
                if (field is Field.Asks or Field.Bids && reader.TokenType == JsonTokenType.StartArray)
                {
                    if (!TryReadBest(ref reader, scratch, ref used, out var px, out var sz))
                    {
                        return FrameOutcome.Rejected(FrameReason.Malformed);
                    }

                    f.Set(field == Field.Asks ? Field.AskPx : Field.BidPx, px);
                    f.Set(field == Field.Asks ? Field.AskSz : Field.BidSz, sz);
                    continue;
                }

                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    if (field != Field.None)
                    {
                        return FrameOutcome.Rejected(FrameReason.Malformed);
                    }

                    reader.Skip();
                    continue;
                }

                if (field == Field.None || reader.TokenType is JsonTokenType.Null)
                {
                    continue;
                }

                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number) ||
                    !JsonValues.TryCapture(ref reader, scratch, ref used, out var value))
                {
                    return FrameOutcome.Rejected(FrameReason.Malformed);
                }

                f.Set(field, value);
            }

            var outcome = channel switch
            {
                Channel.Trades => Trade(ref f, argInstId, receiveTimeNs, output),
                Channel.Tickers or Channel.Bbo => Quote(ref f, argInstId, receiveTimeNs, output),
                Channel.MarkPrice => Single(ref f, Field.MarkPx, EventKind.Mark, argInstId, receiveTimeNs, output),
                Channel.IndexTickers => Single(ref f, Field.IdxPx, EventKind.Index, argInstId, receiveTimeNs, output),
                _ => Funding(ref f, argInstId, receiveTimeNs, output),
            };
            if (outcome.Status == FrameStatus.Rejected)
            {
                return outcome;
            }

            events += outcome.Events;
        }

        return events > 0 ? FrameOutcome.Decoded(events) : FrameOutcome.Ignored(FrameReason.Unsupported);
    }

    /// <summary>
    /// The best level of a book side, <c>[["price","size","0","orders"],..]</c>, as spans; the reader is on the side's
    /// StartArray and ends on its EndArray. An empty side gives empty spans (no orders on that side).
    /// </summary>
    private static bool TryReadBest(scoped ref FrameJsonReader reader, Span<byte> scratch, scoped ref int used, out ReadOnlySpan<byte> px, out ReadOnlySpan<byte> sz)
    {
        px = default;
        sz = default;
        if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray)
        {
            return reader.TokenType == JsonTokenType.EndArray;
        }

        if (reader.TokenType != JsonTokenType.StartArray ||
            !reader.Read() || reader.TokenType != JsonTokenType.String || !JsonValues.TryCapture(ref reader, scratch, ref used, out px) ||
            !reader.Read() || reader.TokenType != JsonTokenType.String || !JsonValues.TryCapture(ref reader, scratch, ref used, out sz))
        {
            return false;
        }

        // The level's other entries (a deprecated field, the order count), then any deeper levels.
        for (var depth = 1; depth > 0 && reader.Read();)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    reader.Skip();
                    break;
                case JsonTokenType.EndArray:
                    depth--;
                    break;
            }
        }

        return reader.Read() && SkipToEndOfArray(ref reader);
    }

    /// <summary>Skips further elements up to the array's end; the reader is on the token after the last one read.</summary>
    private static bool SkipToEndOfArray(scoped ref FrameJsonReader reader)
    {
        while (reader.TokenType != JsonTokenType.EndArray)
        {
            reader.Skip();
            if (!reader.Read())
            {
                return false;
            }
        }

        return true;
    }

    private bool TryInstrument(ref Fields f, ReadOnlySpan<byte> argInstId, out InstrumentId instrument, out FrameOutcome failure)
    {
        var instId = f.Has(Field.InstId) ? f.InstId : argInstId;
        failure = default;
        if (instId.IsEmpty)
        {
            instrument = InstrumentId.None;
            failure = FrameOutcome.Rejected(FrameReason.MissingField);
            return false;
        }

        if (!RefData.TryResolve(VenueId.Okx, instId, out instrument))
        {
            failure = FrameOutcome.Rejected(FrameReason.UnknownSymbol);
            return false;
        }

        return true;
    }

    private static bool ReadArg(ref FrameJsonReader reader, Span<byte> scratch, ref int scratchUsed, ref Envelope env, Span<byte> nameBuffer)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = JsonValues.PropertyName(ref reader, nameBuffer);
            var isChannel = name.SequenceEqual("channel"u8);
            var isInstId = name.SequenceEqual("instId"u8);
            reader.Read();
            if (!isChannel && !isInstId)
            {
                reader.Skip();
                continue;
            }

            if (reader.TokenType != JsonTokenType.String || !JsonValues.TryCapture(ref reader, scratch, ref scratchUsed, out var value))
            {
                return false;
            }

            if (isChannel)
            {
                env.Channel = value;
                env.HasChannel = true;
            }
            else
            {
                env.InstId = value;
            }
        }

        return reader.TokenType == JsonTokenType.EndObject;
    }

    private static FrameOutcome ClassifyEvent(ReadOnlySpan<byte> e)
    {
        if (e.SequenceEqual("subscribe"u8) || e.SequenceEqual("unsubscribe"u8) || e.SequenceEqual("channel-conn-count"u8))
        {
            return FrameOutcome.Ignored(FrameReason.SubscriptionAck);
        }

        return e.SequenceEqual("error"u8) || e.SequenceEqual("channel-conn-count-error"u8)
            ? FrameOutcome.Rejected(FrameReason.VenueError)
            : FrameOutcome.Ignored(FrameReason.Unsupported); // "notice" (service upgrade), "login", ...
    }

    private static Channel ChannelOf(ReadOnlySpan<byte> c)
    {
        if (c.SequenceEqual("trades"u8) || c.SequenceEqual("trades-all"u8))
        {
            return Channel.Trades;
        }

        if (c.SequenceEqual("tickers"u8))
        {
            return Channel.Tickers;
        }

        if (c.SequenceEqual("mark-price"u8))
        {
            return Channel.MarkPrice;
        }

        if (c.SequenceEqual("index-tickers"u8))
        {
            return Channel.IndexTickers;
        }

        if (c.SequenceEqual("funding-rate"u8))
        {
            return Channel.FundingRate;
        }

        if (c.SequenceEqual("bbo-tbt"u8))
        {
            return Channel.Bbo;
        }

        return c.StartsWith("books"u8) ? Channel.Book : Channel.Unsupported;
    }

    private static TopField TopFieldOf(ReadOnlySpan<byte> name) => name switch
    {
        _ when name.SequenceEqual("arg"u8) => TopField.Arg,
        _ when name.SequenceEqual("data"u8) => TopField.Data,
        _ when name.SequenceEqual("event"u8) => TopField.Event,
        _ => TopField.None,
    };

    private static Field FieldOf(ReadOnlySpan<byte> name) => name.Length switch
    {
        2 when name.SequenceEqual("px"u8) => Field.Px,
        2 when name.SequenceEqual("sz"u8) => Field.Sz,
        2 when name.SequenceEqual("ts"u8) => Field.Ts,
        4 when name.SequenceEqual("side"u8) => Field.Side,
        5 when name.SequenceEqual("bidPx"u8) => Field.BidPx,
        5 when name.SequenceEqual("bidSz"u8) => Field.BidSz,
        5 when name.SequenceEqual("askPx"u8) => Field.AskPx,
        5 when name.SequenceEqual("askSz"u8) => Field.AskSz,
        5 when name.SequenceEqual("idxPx"u8) => Field.IdxPx,
        6 when name.SequenceEqual("instId"u8) => Field.InstId,
        6 when name.SequenceEqual("markPx"u8) => Field.MarkPx,
        7 when name.SequenceEqual("tradeId"u8) => Field.TradeId,
        11 when name.SequenceEqual("fundingRate"u8) => Field.FundingRate,
        15 when name.SequenceEqual("nextFundingRate"u8) => Field.NextFundingRate,
        4 when name.SequenceEqual("asks"u8) => Field.Asks,
        4 when name.SequenceEqual("bids"u8) => Field.Bids,
        _ => Field.None,
    };

    private enum TopField : byte
    {
        None,
        Event,
        Arg,
        Data,
    }

    private enum Channel : byte
    {
        Unsupported,
        Trades,
        Tickers,
        MarkPrice,
        IndexTickers,
        FundingRate,

        /// <summary><c>bbo-tbt</c>: the best bid and ask, tick by tick, as one-level book sides.</summary>
        Bbo,
        Book,
    }

    private enum Field : byte
    {
        None = 0,
        InstId,
        TradeId,
        Px,
        Sz,
        Side,
        Ts,
        BidPx,
        BidSz,
        AskPx,
        AskSz,
        MarkPx,
        IdxPx,
        FundingRate,
        NextFundingRate,

        /// <summary><c>bbo-tbt</c>'s book sides: read into <see cref="AskPx"/>/<see cref="AskSz"/> and <see cref="BidPx"/>/<see cref="BidSz"/>.</summary>
        Asks,
        Bids,
    }

    private ref struct Envelope
    {
        public ReadOnlySpan<byte> Event;
        public ReadOnlySpan<byte> Channel;
        public ReadOnlySpan<byte> InstId;
        public bool HasEvent;
        public bool HasChannel;
        public int DataStart;

        /// <summary>Events the single pass decoded (<see cref="DecodeDataInline"/>); -1 when it left the frame to the second walk.</summary>
        public int InlineEvents;
        public ReadOnlySpan<byte> InlineChannel;
        public ReadOnlySpan<byte> InlineInstId;
        public int InlineDataStart;
        public int OutputStart;

        public Envelope() => DataStart = -1;
    }

    private ref struct Fields
    {
        private uint _present;

        public ReadOnlySpan<byte> InstId;
        public ReadOnlySpan<byte> TradeId;
        public ReadOnlySpan<byte> Px;
        public ReadOnlySpan<byte> Sz;
        public ReadOnlySpan<byte> Side;
        public ReadOnlySpan<byte> Ts;
        public ReadOnlySpan<byte> BidPx;
        public ReadOnlySpan<byte> BidSz;
        public ReadOnlySpan<byte> AskPx;
        public ReadOnlySpan<byte> AskSz;
        public ReadOnlySpan<byte> MarkPx;
        public ReadOnlySpan<byte> IdxPx;
        public ReadOnlySpan<byte> FundingRate;
        public ReadOnlySpan<byte> NextFundingRate;

        public readonly bool Has(Field field) => (_present & (1u << (int)field)) != 0;

        public void Set(Field field, ReadOnlySpan<byte> value)
        {
            _present |= 1u << (int)field;
            switch (field)
            {
                case Field.InstId: InstId = value; break;
                case Field.TradeId: TradeId = value; break;
                case Field.Px: Px = value; break;
                case Field.Sz: Sz = value; break;
                case Field.Side: Side = value; break;
                case Field.Ts: Ts = value; break;
                case Field.BidPx: BidPx = value; break;
                case Field.BidSz: BidSz = value; break;
                case Field.AskPx: AskPx = value; break;
                case Field.AskSz: AskSz = value; break;
                case Field.MarkPx: MarkPx = value; break;
                case Field.IdxPx: IdxPx = value; break;
                case Field.FundingRate: FundingRate = value; break;
                case Field.NextFundingRate: NextFundingRate = value; break;
            }
        }
    }
}
