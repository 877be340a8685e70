using System.Text.Json;
using Cloudwall.Rx.Ingestion.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;
using Cloudwall.Rx.Ingestion.Venues.Kit;

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
public sealed class CoinbaseAdvancedDecoder : JsonFrameDecoder
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

    private FrameOutcome Trades(ReadOnlySpan<byte> events, long receiveTimeNs, EventBuffer output)
    {
        var reader = new FrameJsonReader(events, ReaderOptions);
        reader.Read(); // [
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return FrameOutcome.Rejected(FrameReason.Malformed);
            }

            // An event's "type" is "snapshot" (recent history sent on subscribe) or "update" (live), before or after its trades.
            var eventStart = output.Count;
            var snapshot = false;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = JsonValues.PropertyName(ref reader, _names);
                var isTrades = name.SequenceEqual("trades"u8);
                reader.Read();
                if (!isTrades && reader.TokenType == JsonTokenType.String && name.SequenceEqual("type"u8))
                {
                    snapshot = reader.ValueTextEquals("snapshot"u8);
                    continue;
                }

                if (!isTrades || reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        return FrameOutcome.Rejected(FrameReason.Malformed);
                    }

                    var reason = Trade(ref reader, receiveTimeNs, output);
                    if (reason != FrameReason.None)
                    {
                        return FrameOutcome.Rejected(reason);
                    }

                    count++;
                }
            }

            if (snapshot)
            {
                // The venue lists a snapshot newest first; emitted oldest first, flagged as history.
                output.MarkSnapshot(eventStart);
            }
        }

        return count == 0 ? FrameOutcome.Ignored(FrameReason.Unsupported) : FrameOutcome.Decoded(count);
    }

    private FrameReason Trade(ref FrameJsonReader reader, long receiveTimeNs, EventBuffer output)
    {
        ReadOnlySpan<byte> tradeIdText = default, product = default, price = default, size = default, side = default, time = default;
        var used = 0;
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
                case 4 when name.SequenceEqual("side"u8): side = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
                case 4 when name.SequenceEqual("size"u8): size = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
                case 4 when name.SequenceEqual("time"u8): time = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
                case 5 when name.SequenceEqual("price"u8): price = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
                case 8 when name.SequenceEqual("trade_id"u8): tradeIdText = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
                case 10 when name.SequenceEqual("product_id"u8): product = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
            }
        }

        if (product.IsEmpty || price.IsEmpty || size.IsEmpty || time.IsEmpty || tradeIdText.IsEmpty)
        {
            return FrameReason.MissingField;
        }

        if (!RefData.TryResolve(VenueId.Coinbase, product, out var instrument))
        {
            return FrameReason.UnknownSymbol;
        }

        if (!VenueDecimal.TryParse(price, out var p) || p <= 0 || !VenueDecimal.TryParse(size, out var s) || s <= 0)
        {
            return FrameReason.InvalidPrice;
        }

        if (!VenueTime.TryParseIso(time, out var exchangeNs))
        {
            return FrameReason.InvalidTimestamp;
        }

        if (!TradeId.TryParseUtf8(tradeIdText, out var tradeId))
        {
            return FrameReason.Malformed;
        }

        output.Add(new MarketEvent
        {
            Kind = EventKind.Trade,
            Side = TakerSide(side),
            Instrument = instrument,
            Venue = VenueId.Coinbase,
            Provider = ProviderId.Coinbase,
            Price = p,
            Size = s,
            ExchangeTimeNs = exchangeNs,
            ReceiveTimeNs = receiveTimeNs,
            TradeId = tradeId,
        });
        return FrameReason.None;
    }

    private FrameOutcome Tickers(ReadOnlySpan<byte> events, long exchangeNs, long receiveTimeNs, EventBuffer output)
    {
        var reader = new FrameJsonReader(events, ReaderOptions);
        reader.Read(); // [
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return FrameOutcome.Rejected(FrameReason.Malformed);
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var isTickers = JsonValues.PropertyName(ref reader, _names).SequenceEqual("tickers"u8);
                reader.Read();
                if (!isTickers || reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        return FrameOutcome.Rejected(FrameReason.Malformed);
                    }

                    var reason = Ticker(ref reader, exchangeNs, receiveTimeNs, output);
                    if (reason != FrameReason.None)
                    {
                        return FrameOutcome.Rejected(reason);
                    }

                    count++;
                }
            }
        }

        return count == 0 ? FrameOutcome.Ignored(FrameReason.Unsupported) : FrameOutcome.Decoded(count);
    }

    private FrameReason Ticker(ref FrameJsonReader reader, long exchangeNs, long receiveTimeNs, EventBuffer output)
    {
        ReadOnlySpan<byte> product = default, bid = default, bidQty = default, ask = default, askQty = default;
        var used = 0;
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
                case 8 when name.SequenceEqual("best_bid"u8): bid = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
                case 8 when name.SequenceEqual("best_ask"u8): ask = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
                case 10 when name.SequenceEqual("product_id"u8): product = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
                case 17 when name.SequenceEqual("best_bid_quantity"u8): bidQty = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
                case 17 when name.SequenceEqual("best_ask_quantity"u8): askQty = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
            }
        }

        if (product.IsEmpty || bid.IsEmpty || ask.IsEmpty)
        {
            return FrameReason.MissingField;
        }

        if (!RefData.TryResolve(VenueId.Coinbase, product, out var instrument))
        {
            return FrameReason.UnknownSymbol;
        }

        decimal bidSize = 0, askSize = 0;
        if (!VenueDecimal.TryParse(bid, out var b) || b <= 0 || !VenueDecimal.TryParse(ask, out var a) || a <= 0 ||
            (!bidQty.IsEmpty && (!VenueDecimal.TryParse(bidQty, out bidSize) || bidSize < 0)) ||
            (!askQty.IsEmpty && (!VenueDecimal.TryParse(askQty, out askSize) || askSize < 0)))
        {
            return FrameReason.InvalidPrice;
        }

        output.Add(new MarketEvent
        {
            Kind = EventKind.Quote,
            Instrument = instrument,
            Venue = VenueId.Coinbase,
            Provider = ProviderId.Coinbase,
            Price = b,
            Size = bidSize,
            Aux = a,
            AuxSize = askSize,
            ExchangeTimeNs = exchangeNs,
            ReceiveTimeNs = receiveTimeNs,
        });
        return FrameReason.None;
    }

    /// <summary>The maker's side on the wire (<c>BUY</c>/<c>SELL</c>, any case), the taker's side in the event.</summary>
    private static Side TakerSide(ReadOnlySpan<byte> makerSide) =>
        makerSide.Length == 4 && System.Text.Ascii.EqualsIgnoreCase(makerSide, "SELL"u8) ? Side.Buy
        : makerSide.Length == 3 && System.Text.Ascii.EqualsIgnoreCase(makerSide, "BUY"u8) ? Side.Sell
        : Side.Unknown;

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
}
