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
/// <item><c>quote.{instrument}</c> (the <c>quotes</c> level): <c>best_bid_price</c>, <c>best_bid_amount</c>,
/// <c>best_ask_price</c>, <c>best_ask_amount</c>, <c>instrument_name</c>, <c>timestamp</c>, the ticker's names for them, so
/// the ticker path decodes it to one <see cref="EventKind.Quote"/>.</item>
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
public sealed partial class DeribitDecoder : JsonFrameDecoder
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

        if (channel.StartsWith("ticker."u8) || channel.StartsWith("quote."u8))
        {
            return DecodeTicker(data, receiveTimeNs, output); // a quote is a ticker's best bid and ask fields alone
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
}
