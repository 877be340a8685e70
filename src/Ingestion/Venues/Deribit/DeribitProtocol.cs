using System.Buffers;
using System.Globalization;

namespace Cloudwall.Rx.Ingestion.Venues.Deribit;

/// <summary>
/// Deribit API v2 over WebSocket (<c>wss://www.deribit.com/ws/api/v2</c>), JSON-RPC 2.0.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Per symbol it subscribes <c>trades.{instrument}.{TradesInterval}</c> and <c>ticker.{instrument}.{TickerInterval}</c>
/// with <c>public/subscribe</c> (and drops them with <c>public/unsubscribe</c>). Defaults: trades <c>100ms</c> and ticker
/// <c>100ms</c>. The venue's ticker page says <c>raw</c> is for "authorized users only", and third-party adapters
/// (NautilusTrader's Deribit client, TundraSoft's) say the same of raw trades; this protocol does not authenticate, so a
/// <c>raw</c> default would leave an anonymous production connection without trades (docs/venues.md#deribit). The 100 ms
/// trade stream still carries every trade, batched, with its contiguous <c>trade_seq</c>; <c>raw</c> stays available for an
/// authorized deployment.</item>
/// <item><see cref="ConnectFrames"/> sends <c>public/set_heartbeat</c> (interval in seconds, at least 10 by the venue's
/// documentation). The venue then sends <c>test_request</c> heartbeats and closes the connection unless each is answered
/// with <c>public/test</c>; <see cref="ReplyTo"/> gives that answer.</item>
/// <item>Limits: we found no documented per-connection subscription cap; Deribit rate-limits requests (credits). One subscribe
/// request carries at most <see cref="MaxChannelsPerRequest"/> channels; more symbols produce more requests.
/// <see cref="MaxSymbolsPerConnection"/> (default 100, i.e. 200 channels) keeps a reconnect's re-subscription small.</item>
/// <item><see cref="SequenceScope"/> is per instrument and kind: <c>trade_seq</c> numbers the trades of one instrument
/// without gaps; ticker events carry 0 (no sequence).</item>
/// </list>
/// Request ids increase per protocol instance from 1; the <c>public/test</c> answer always uses id
/// <see cref="TestRequestId"/> so its response is recognisable in logs.
/// <para>Data levels (docs/venues.md, "Data levels", Deribit; checked 2026-12-06): <c>throttled</c>, the default, is the
/// above (<c>trades</c> and <c>ticker</c> at <c>100ms</c>); <c>quotes</c> (<c>quotesOnly</c>) subscribes <see cref="QuoteChannel"/>
/// <c>quote.{instrument}</c> alone, the best bid and ask with their amounts and no interval in the name
/// (https://docs.deribit.com/subscriptions/market-data/quoteinstrument_name.md). There is no <c>trades</c> level of raw
/// channels: the venue refuses them on an unauthorized connection (<c>13778 raw_subscriptions_not_available_for_unauthorized</c>)
/// and this protocol does not authenticate.</para>
/// <para>Checked against the venue's documentation: docs/venues.md#deribit.</para>
/// </remarks>
public sealed class DeribitProtocol : IVenueProtocol
{
    public static readonly Uri ProductionEndpoint = new("wss://www.deribit.com/ws/api/v2");

    public const int MinHeartbeatSeconds = 10;

    public const int MaxChannelsPerRequest = 100;

    public const long TestRequestId = 0;

    /// <summary>The best bid and ask channel, <c>quote.{instrument}</c> (no interval; see the remarks).</summary>
    public const string QuoteChannel = "quote";

    private static readonly string[] Intervals = ["raw", "100ms", "agg2"];

    /// <summary>The answer to a <c>test_request</c>: a constant, so answering allocates nothing.</summary>
    public const string TestFrame = """{"jsonrpc":"2.0","id":0,"method":"public/test","params":{}}""";

    private long _nextId;

    /// <param name="quotesOnly">The <c>quotes</c> level: <c>quote.{instrument}</c> only, no trades and no ticker.</param>
    public DeribitProtocol(int maxSymbolsPerConnection = 100, string tradesInterval = "100ms", string tickerInterval = "100ms", int heartbeatSeconds = 30,
        bool quotesOnly = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSymbolsPerConnection, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(heartbeatSeconds, MinHeartbeatSeconds);
        if (!Intervals.Contains(tradesInterval))
        {
            throw new ArgumentException($"trades interval must be one of {string.Join(", ", Intervals)}", nameof(tradesInterval));
        }

        if (!Intervals.Contains(tickerInterval))
        {
            throw new ArgumentException($"ticker interval must be one of {string.Join(", ", Intervals)}", nameof(tickerInterval));
        }

        MaxSymbolsPerConnection = maxSymbolsPerConnection;
        TradesInterval = tradesInterval;
        TickerInterval = tickerInterval;
        HeartbeatSeconds = heartbeatSeconds;
        QuotesOnly = quotesOnly;
    }

    public VenueId Venue => VenueId.Deribit;

    public ProviderId Provider => ProviderId.Deribit;

    public Uri DefaultEndpoint => ProductionEndpoint;

    public int MaxSymbolsPerConnection { get; }

    public string TradesInterval { get; }

    public string TickerInterval { get; }

    public int HeartbeatSeconds { get; }

    public bool QuotesOnly { get; }

    public SequenceScope SequenceScope => SequenceScope.PerInstrumentAndKind;

    public IFrameDecoder CreateDecoder(ReferenceData refData) => new DeribitDecoder(refData);

    public IReadOnlyList<string> ConnectFrames() =>
        [Request("public/set_heartbeat", w => w.WriteNumber("interval"u8, HeartbeatSeconds))];

    public IReadOnlyList<string> SubscribeFrames(IReadOnlyCollection<string> symbols) => ChannelRequests("public/subscribe", symbols);

    public IReadOnlyList<string> UnsubscribeFrames(IReadOnlyCollection<string> symbols) => ChannelRequests("public/unsubscribe", symbols);

    /// <summary>The channels one symbol is subscribed on.</summary>
    public IEnumerable<string> ChannelsOf(string symbol)
    {
        if (QuotesOnly)
        {
            yield return QuoteChannel + "." + symbol;
            yield break;
        }

        yield return "trades." + symbol + "." + TradesInterval;
        yield return "ticker." + symbol + "." + TickerInterval;
    }

    /// <summary>
    /// <see cref="TestFrame"/> for a <c>{"method":"heartbeat","params":{"type":"test_request"}}</c> notification, else null.
    /// Never allocates: a frame without the bytes <c>test_request</c> is refused by one search, and the answer is a constant.
    /// </summary>
    public string? ReplyTo(ReadOnlySpan<byte> frame) => IsTestRequest(frame) ? TestFrame : null;

    internal static bool IsTestRequest(ReadOnlySpan<byte> frame)
    {
        if (frame.IndexOf("test_request"u8) < 0)
        {
            return false;
        }

        try
        {
            var reader = new FrameJsonReader(frame);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            bool heartbeat = false, testRequest = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("method"u8))
                {
                    reader.Read();
                    heartbeat = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("heartbeat"u8);
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("params"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }

                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var isType = reader.ValueTextEquals("type"u8);
                        reader.Read();
                        if (isType && reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("test_request"u8))
                        {
                            testRequest = true;
                        }

                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return heartbeat && testRequest;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private IReadOnlyList<string> ChannelRequests(string method, IReadOnlyCollection<string> symbols)
    {
        var channels = symbols.SelectMany(ChannelsOf).ToList();
        var frames = new List<string>((channels.Count + MaxChannelsPerRequest - 1) / MaxChannelsPerRequest);
        for (var i = 0; i < channels.Count; i += MaxChannelsPerRequest)
        {
            var chunk = channels.GetRange(i, Math.Min(MaxChannelsPerRequest, channels.Count - i));
            frames.Add(Request(method, w =>
            {
                w.WriteStartArray("channels"u8);
                foreach (var c in chunk)
                {
                    w.WriteStringValue(c);
                }

                w.WriteEndArray();
            }));
        }

        return frames;
    }

    private string Request(string method, Action<Utf8JsonWriter> writeParams)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc"u8, "2.0"u8);
            w.WriteNumber("id"u8, Interlocked.Increment(ref _nextId));
            w.WriteString("method"u8, method);
            w.WriteStartObject("params"u8);
            writeParams(w);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public override string ToString() => QuotesOnly
        ? string.Create(CultureInfo.InvariantCulture, $"deribit({QuoteChannel}, heartbeat {HeartbeatSeconds}s)")
        : string.Create(CultureInfo.InvariantCulture, $"deribit(trades.{TradesInterval}, ticker.{TickerInterval}, heartbeat {HeartbeatSeconds}s)");
}
