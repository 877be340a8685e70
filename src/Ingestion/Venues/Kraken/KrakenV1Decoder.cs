namespace Cloudwall.Rx.Ingestion.Venues.Kraken;

/// <summary>
/// Decodes Kraken spot WebSocket v1 frames (<c>wss://ws.kraken.com</c>). Channel data are arrays
/// <c>[channelID, payload..., channelName, pair]</c>: <c>trade</c> batches become one trade each, <c>ticker</c> becomes a quote,
/// <c>book-*</c> is ignored. Event objects (<c>heartbeat</c>, <c>pong</c>, <c>systemStatus</c>, <c>subscriptionStatus</c>) are
/// ignored; <c>error</c> and a <c>subscriptionStatus</c> with <c>"status":"error"</c> are rejected as venue errors.
/// Kraken sends the last 50 trades as an unmarked snapshot on subscription: in the first trade frame of a pair after its
/// <c>subscriptionStatus</c> ack, the trades executed before the ack arrived are flagged <see cref="EventFlags.Snapshot"/>.
/// </summary>
/// <remarks>
/// <para>Trades (docs.kraken.com/api/docs/websocket-v1/trade): <c>[price, volume, time, side, orderType, misc]</c>, all strings;
/// <c>side</c> is the taker side (<c>b</c>/<c>s</c>), <c>time</c> decimal seconds with microseconds, parsed exactly. v1 trades carry
/// no trade id and no sequence, so <see cref="MarketEvent.TradeId"/> stays none and <see cref="MarketEvent.Sequence"/> 0.</para>
/// <para>Ticker (docs.kraken.com/api/docs/websocket-v1/ticker): <c>"b"</c>/<c>"a"</c> are <c>[price, wholeLotVolume, lotVolume]</c>;
/// the quote sizes are the decimal lot volumes. The ticker has no timestamp: <see cref="MarketEvent.ExchangeTimeNs"/> is 0.</para>
/// <para>The channel name is the second-to-last element, so a book frame is recognized from its tail without reading its payload
/// and is ignored whatever its size (a depth-1000 snapshot is ~80 KB); every other frame is capped at <see cref="MaxFrameBytes"/>.
/// One <see cref="FrameJsonReader"/> pass reads the envelope; a copy of the reader taken at the payload reads the payload after
/// the pair is known. Allocation-free once each pair has been resolved. One instance per connection; not thread-safe.</para>
/// </remarks>
public sealed partial class KrakenV1Decoder : JsonFrameDecoder
{
    private const int ScratchBytes = 1024;

    private readonly byte[] _scratch = new byte[ScratchBytes];
    private readonly byte[] _names = new byte[KrakenText.NameBufferBytes];

    // Trade subscriptions acknowledged and not yet followed by a trade frame: the receive time of the ack, per instrument.
    // Kraken sends "the last 50 trades as a snapshot" on subscription, in the live format and unmarked (docs/venues.md#kraken-v1).
    private readonly Dictionary<InstrumentId, long> _awaitingSnapshot = [];

    public KrakenV1Decoder(ReferenceData refData, int maxFrameBytes = DefaultMaxFrameBytes)
        : base(refData, VenueId.Kraken, maxFrameBytes, minFrameBytes: 2)
    {
    }

    public ProviderId Provider => ProviderId.Kraken;

    /// <summary>Book frames are ignored from their tail whatever their size.</summary>
    private protected override bool ChecksFrameSizeItself => true;

    private protected override FrameOutcome DecodeFrame(ReadOnlySpan<byte> frame, long receiveTimeNs, EventBuffer output)
    {
        if (TailChannel(frame).StartsWith("book"u8))
        {
            return FrameOutcome.Ignored(FrameReason.BookUpdate);
        }

        if (frame.Length > MaxFrameBytes)
        {
            return FrameOutcome.Rejected(FrameReason.Oversized);
        }

        var reader = new FrameJsonReader(frame, ReaderOptions);
        if (!reader.Read())
        {
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }

        if (reader.TokenType == JsonTokenType.StartObject)
        {
            return DecodeEvent(ref reader, receiveTimeNs);
        }

        if (reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType != JsonTokenType.Number ||
            !reader.Read() || reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.StartObject))
        {
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }

        // Keep the reader at the payload; the envelope's channel name and pair come after it.
        var payload = reader;
        reader.Skip();
        var used = 0;
        ReadOnlySpan<byte> channel = default;
        ReadOnlySpan<byte> pair = default;
        var strings = 0;
        while (true)
        {
            if (!reader.Read())
            {
                return FrameOutcome.Rejected(FrameReason.Malformed);
            }

            if (reader.TokenType == JsonTokenType.EndArray)
            {
                break;
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray when strings == 0:
                    reader.Skip(); // a book update carries asks and bids as two objects
                    break;
                case JsonTokenType.String when strings < 2:
                    if (!JsonValues.TryCapture(ref reader, _scratch, ref used, out var s))
                    {
                        return FrameOutcome.Rejected(FrameReason.Malformed);
                    }

                    if (strings++ == 0)
                    {
                        channel = s;
                    }
                    else
                    {
                        pair = s;
                    }

                    break;
                default:
                    return FrameOutcome.Rejected(FrameReason.Malformed);
            }
        }

        // Trailing content after the array makes the reader throw here.
        if (reader.Read() || strings != 2)
        {
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }

        if (channel.SequenceEqual("trade"u8))
        {
            return DecodeTrades(ref payload, pair, receiveTimeNs, output);
        }

        if (channel.SequenceEqual("ticker"u8))
        {
            return DecodeTicker(ref payload, pair, receiveTimeNs, output);
        }

        return channel.StartsWith("book"u8) ? FrameOutcome.Ignored(FrameReason.BookUpdate) : FrameOutcome.Ignored(FrameReason.Unsupported);
    }

    /// <summary>Event objects: <c>{"event":"heartbeat"}</c>, <c>systemStatus</c>, <c>subscriptionStatus</c>, <c>pong</c>, <c>error</c>.</summary>
    private FrameOutcome DecodeEvent(ref FrameJsonReader r, long receiveTimeNs)
    {
        ReadOnlySpan<byte> ev = default;
        ReadOnlySpan<byte> status = default;
        ReadOnlySpan<byte> channelName = default;
        ReadOnlySpan<byte> pair = default;
        bool hasEvent = false;
        var used = 0;
        var nameBuffer = _names;
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            var name = JsonValues.PropertyName(ref r, nameBuffer);
            var isEvent = name.SequenceEqual("event"u8);
            var isStatus = name.SequenceEqual("status"u8);
            var isChannel = name.SequenceEqual("channelName"u8);
            var isPair = name.SequenceEqual("pair"u8);
            r.Read();
            if (r.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                r.Skip();
                continue;
            }

            if ((isEvent || isStatus || isChannel || isPair) && r.TokenType == JsonTokenType.String)
            {
                if (!JsonValues.TryCapture(ref r, _scratch, ref used, out var v))
                {
                    return FrameOutcome.Rejected(FrameReason.Malformed);
                }

                if (isEvent)
                {
                    ev = v;
                    hasEvent = true;
                }
                else if (isStatus)
                {
                    status = v;
                }
                else if (isChannel)
                {
                    channelName = v;
                }
                else
                {
                    pair = v;
                }
            }
        }

        if (r.Read())
        {
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }

        if (!hasEvent)
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (ev.SequenceEqual("subscriptionStatus"u8) && status.SequenceEqual("subscribed"u8) && channelName.SequenceEqual("trade"u8) &&
            RefData.TryResolve(VenueId.Kraken, pair, out var subscribed))
        {
            _awaitingSnapshot[subscribed] = receiveTimeNs;
        }

        return ev switch
        {
            _ when ev.SequenceEqual("heartbeat"u8) || ev.SequenceEqual("pong"u8) => FrameOutcome.Ignored(FrameReason.Heartbeat),
            // systemStatus is sent on connect and on engine status changes: connection-level liveness, no market data.
            _ when ev.SequenceEqual("systemStatus"u8) => FrameOutcome.Ignored(FrameReason.Heartbeat),
            _ when ev.SequenceEqual("subscriptionStatus"u8) => status.SequenceEqual("error"u8)
                ? FrameOutcome.Rejected(FrameReason.VenueError)
                : FrameOutcome.Ignored(FrameReason.SubscriptionAck),
            _ when ev.SequenceEqual("error"u8) => FrameOutcome.Rejected(FrameReason.VenueError),
            _ => FrameOutcome.Ignored(FrameReason.Unsupported),
        };
    }

    /// <summary>
    /// The channel name of an array frame read from its tail (<c>..., "book-1000", "XBT/USD"]</c>), or empty when the tail is not
    /// two plain strings. Reads a few dozen bytes, so a huge book frame is classified without being parsed.
    /// </summary>
    internal static ReadOnlySpan<byte> TailChannel(ReadOnlySpan<byte> frame)
    {
        var i = SkipWhitespaceBack(frame, frame.Length - 1);
        if (i < 0 || frame[i] != ']')
        {
            return default;
        }

        i = SkipWhitespaceBack(frame, i - 1);
        if (!TryStringBack(frame, ref i, out _))
        {
            return default;
        }

        i = SkipWhitespaceBack(frame, i);
        if (i < 0 || frame[i] != ',')
        {
            return default;
        }

        i = SkipWhitespaceBack(frame, i - 1);
        return TryStringBack(frame, ref i, out var channel) ? channel : default;
    }

    /// <summary>Reads a plain (escape-free) string ending at <paramref name="i"/>; leaves <paramref name="i"/> before its opening quote.</summary>
    private static bool TryStringBack(ReadOnlySpan<byte> frame, scoped ref int i, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (i < 1 || frame[i] != '"')
        {
            return false;
        }

        var end = i;
        for (i--; i >= 0; i--)
        {
            var b = frame[i];
            if (b == '\\')
            {
                return false;
            }

            if (b == '"')
            {
                if (i > 0 && frame[i - 1] == '\\')
                {
                    return false;
                }

                value = frame[(i + 1)..end];
                i--;
                return true;
            }
        }

        return false;
    }

    private static int SkipWhitespaceBack(ReadOnlySpan<byte> frame, int i)
    {
        while (i >= 0 && frame[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i--;
        }

        return i;
    }
}
