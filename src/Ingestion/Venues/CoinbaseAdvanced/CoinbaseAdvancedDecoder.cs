using Cloudwall.Rx.Ingestion.Venues.Coinbase;

namespace Cloudwall.Rx.Ingestion.Venues.CoinbaseAdvanced;

/// <summary>
/// Decodes Coinbase Advanced Trade market-data frames (<c>wss://advanced-trade-ws.coinbase.com</c>):
/// <c>{"channel":..,"client_id":..,"timestamp":..,"sequence_num":..,"events":[..]}</c>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>market_trades</c>: every trade of every event (<c>snapshot</c> and <c>update</c>) becomes a trade. Trades are
/// batched (the venue collects 250 ms), so one frame yields many events. The trades of a <c>snapshot</c> event (recent history
/// sent on subscribe, newest first) are flagged <see cref="EventFlags.Snapshot"/> and emitted oldest first.</item>
/// <item><c>side</c> on a market trade is the <b>maker's</b> side, as on Coinbase Exchange (Coinbase reports the maker side
/// on public market trades; NautilusTrader's Coinbase Advanced Trade adapter converts it to the aggressor the same way).
/// The event carries the taker's side: <c>SELL</c> → <see cref="Side.Buy"/>, <c>BUY</c> → <see cref="Side.Sell"/>.</item>
/// <item><c>ticker</c>: each entry of <c>events[].tickers[]</c> with <c>best_bid</c>/<c>best_ask</c> becomes a quote
/// (sizes from <c>best_bid_quantity</c>/<c>best_ask_quantity</c>); its exchange time is the envelope's <c>timestamp</c>.
/// <c>ticker_batch</c> carries no best bid or ask, so it is ignored as unsupported.</item>
/// <item><c>heartbeats</c> → heartbeat; <c>subscriptions</c> → ack; <c>l2_data</c> → book update; <c>{"type":"error"}</c>
/// → venue error; other channels → unsupported.</item>
/// <item><c>sequence_num</c> numbers the messages of the whole connection, across products and channels, so it cannot be a
/// per-series <see cref="MarketEvent.Sequence"/> (events carry 0). The decoder checks it itself: a jump is counted in
/// <see cref="SequenceGaps"/> and <see cref="MissedMessages"/>; 0 starts a new connection (after a reconnect) and is
/// never a gap.</item>
/// </list>
/// Product ids are those of Coinbase Exchange (<c>BTC-USD</c> → <c>BTC-USD.SPOT</c>), resolved in
/// <see cref="VenueId.Coinbase"/>'s symbol space: install <see cref="CoinbaseSymbols.Register"/> first.
/// Allocation-free per frame once each product has been resolved once. One instance per connection.
/// </remarks>
public sealed partial class CoinbaseAdvancedDecoder : JsonFrameDecoder
{
    private const int ScratchBytes = 1024;
    private const int MaxNameBytes = 64;

    private readonly byte[] _scratch = new byte[ScratchBytes];
    private readonly byte[] _names = new byte[MaxNameBytes];
    private long _lastSequenceNum = -1;
    private long _sequenceGaps;
    private long _missedMessages;

    public CoinbaseAdvancedDecoder(ReferenceData refData, int maxFrameBytes = DefaultMaxFrameBytes)
        : base(refData, VenueId.Coinbase, maxFrameBytes, minFrameBytes: 2)
    {
    }

    public ProviderId Provider => ProviderId.Coinbase;

    /// <summary>Times <c>sequence_num</c> did not follow the previous one by exactly 1 (other than a restart at 0).</summary>
    public long SequenceGaps => Volatile.Read(ref _sequenceGaps);

    /// <summary>Messages skipped over by forward jumps of <c>sequence_num</c>.</summary>
    public long MissedMessages => Volatile.Read(ref _missedMessages);

    /// <summary>The last <c>sequence_num</c> seen, or -1.</summary>
    public long LastSequenceNum => _lastSequenceNum;

    private protected override FrameOutcome DecodeFrame(ReadOnlySpan<byte> frame, long receiveTimeNs, EventBuffer output)
    {
        var env = default(Envelope);
        return ScanEnvelope(frame, ref env) ? Dispatch(frame, ref env, receiveTimeNs, output) : FrameOutcome.Rejected(FrameReason.Malformed);
    }

    private FrameOutcome Dispatch(ReadOnlySpan<byte> frame, ref Envelope env, long receiveTimeNs, EventBuffer output)
    {
        if (env.Type.SequenceEqual("error"u8))
        {
            return FrameOutcome.Rejected(FrameReason.VenueError);
        }

        if (!env.HasChannel)
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!env.SequenceNum.IsEmpty)
        {
            if (!VenueInteger.TryParseNonNegative(env.SequenceNum, out var seq))
            {
                return FrameOutcome.Rejected(FrameReason.Malformed);
            }

            TrackSequence(seq);
        }

        var channel = env.Channel;
        if (channel.SequenceEqual("market_trades"u8))
        {
            return env.EventsLength == 0 ? FrameOutcome.Rejected(FrameReason.MissingField) : Trades(frame.Slice(env.EventsStart, env.EventsLength), receiveTimeNs, output);
        }

        if (channel.SequenceEqual("ticker"u8))
        {
            if (env.EventsLength == 0 || env.Timestamp.IsEmpty)
            {
                return FrameOutcome.Rejected(FrameReason.MissingField);
            }

            if (!VenueTime.TryParseIso(env.Timestamp, out var exchangeNs))
            {
                return FrameOutcome.Rejected(FrameReason.InvalidTimestamp);
            }

            return Tickers(frame.Slice(env.EventsStart, env.EventsLength), exchangeNs, receiveTimeNs, output);
        }

        return channel switch
        {
            _ when channel.SequenceEqual("heartbeats"u8) => FrameOutcome.Ignored(FrameReason.Heartbeat),
            _ when channel.SequenceEqual("subscriptions"u8) => FrameOutcome.Ignored(FrameReason.SubscriptionAck),
            _ when channel.SequenceEqual("l2_data"u8) => FrameOutcome.Ignored(FrameReason.BookUpdate),
            _ => FrameOutcome.Ignored(FrameReason.Unsupported),
        };
    }

    private void TrackSequence(long seq)
    {
        var last = _lastSequenceNum;
        _lastSequenceNum = seq;
        if (last < 0 || seq == 0 || seq == last + 1)
        {
            return;
        }

        Interlocked.Increment(ref _sequenceGaps);
        if (seq > last + 1)
        {
            Interlocked.Add(ref _missedMessages, seq - last - 1);
        }
    }

    private bool ScanEnvelope(ReadOnlySpan<byte> frame, ref Envelope env)
    {
        var reader = new FrameJsonReader(frame, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }
        var used = 0;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return !reader.Read();
            }

            var name = JsonValues.PropertyName(ref reader, _names);
            reader.Read();
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                if (name.SequenceEqual("events"u8) && reader.TokenType == JsonTokenType.EndArray)
                {
                    env.EventsStart = start;
                    env.EventsLength = (int)reader.BytesConsumed - start;
                }

                continue;
            }

            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            switch (name.Length)
            {
                case 4 when name.SequenceEqual("type"u8): env.Type = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
                case 7 when name.SequenceEqual("channel"u8): env.Channel = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); env.HasChannel = true; break;
                case 9 when name.SequenceEqual("timestamp"u8): env.Timestamp = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
                case 12 when name.SequenceEqual("sequence_num"u8): env.SequenceNum = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
            }
        }

        return false;
    }

    private ref struct Envelope
    {
        public bool HasChannel;
        public ReadOnlySpan<byte> Type;
        public ReadOnlySpan<byte> Channel;
        public ReadOnlySpan<byte> Timestamp;
        public ReadOnlySpan<byte> SequenceNum;
        public int EventsStart;
        public int EventsLength;
    }

    /// <summary>
    /// Decodes an event's array of records, the reader on its StartArray: each object made an event by its channel's mapping
    /// (<see cref="Trade"/> or <see cref="Ticker"/>), counted in <paramref name="count"/>; the first bad one's reason, else none.
    /// </summary>
    private FrameReason DecodeRecords(ref FrameJsonReader reader, bool trades, long exchangeNs, long receiveTimeNs, EventBuffer output, ref int count)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return FrameReason.Malformed;
            }

            var reason = trades ? Trade(ref reader, receiveTimeNs, output) : Ticker(ref reader, exchangeNs, receiveTimeNs, output);
            if (reason != FrameReason.None)
            {
                return reason;
            }

            count++;
        }

        return FrameReason.None;
    }
}
