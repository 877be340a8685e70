using System.Buffers;
using System.Text;

namespace Cloudwall.Rx.Ingestion.Venues.Binance;

/// <summary>
/// Binance market streams over the combined-stream endpoint (<c>/stream</c>): one connection subscribes its shard with
/// <c>{"method":"SUBSCRIBE","params":["btcusdt@trade","btcusdt@bookTicker",...],"id":N}</c> and gets every payload in the
/// <c>{"stream":..,"data":..}</c> wrapper. One instance per market and route: spot, COIN-M and Binance.US have one endpoint;
/// USDⓈ-M serves <c>bookTicker</c> on <c>/public</c> and <c>aggTrade</c>/<c>markPrice</c> on <c>/market</c>
/// (<see cref="BinanceRoutes"/>), so a USDⓈ-M provider runs one protocol per route (<see cref="BinanceRoutes.Routes"/>).
/// </summary>
/// <remarks>
/// <para>Limits are the documented ones: 1024 streams per connection on spot (200 on futures), so a shard carries
/// <c>streams limit / streams per symbol</c> symbols; and 5 incoming messages per second on spot (10 on futures), so a
/// shard's streams go in as few frames as possible (<see cref="BinanceProtocolOptions.MaxStreamsPerFrame"/>), and options
/// that would need more frames than a second allows for a full shard are refused. Live changes in bursts (many
/// <c>AddSubscriptions</c>/<c>RemoveSubscriptions</c> calls at once) are paced to the same rate by the connection
/// (<see cref="MaxMessagesPerSecond"/>, <see cref="Transport.OutboundPacer"/>).</para>
/// <para>Binance closes every connection after 24 hours; the transport reconnects and sends <see cref="SubscribeFrames"/>
/// again. Its pings are WebSocket control frames, answered by the socket, so there is no application keep-alive.</para>
/// </remarks>
public sealed class BinanceProtocol : IVenueProtocol
{
    private long _nextId;

    /// <param name="route">
    /// The endpoint this protocol's connections use; its streams are those of the options (or the market's defaults) that
    /// the route carries. <see cref="BinanceRoute.Unrouted"/> subscribes every stream on one connection: right for spot,
    /// COIN-M and Binance.US; on USDⓈ-M it is the legacy connector whose trades and marks never arrive.
    /// </param>
    public BinanceProtocol(BinanceMarket market, BinanceProtocolOptions? options = null, BinanceRoute route = BinanceRoute.Unrouted)
    {
        if (!Enum.IsDefined(market))
        {
            throw new ArgumentOutOfRangeException(nameof(market), market, "Unknown Binance market.");
        }

        Market = market;
        Route = route;
        DefaultEndpoint = market.StreamEndpoint(route);
        options ??= new BinanceProtocolOptions();
        var all = options.Streams is { Count: > 0 } s ? s : market.DefaultStreams();
        Streams = route == BinanceRoute.Unrouted ? [.. all] : [.. all.Where(x => market.RouteOf(x) == route)];
        if (Streams.Count == 0)
        {
            throw new ArgumentException($"{BinanceProtocolOptions.SectionName}:{nameof(options.Streams)}: none of [{string.Join(", ", all)}] is served on the {route} route of {market.Name()}.",
                nameof(options));
        }

        StreamsPerConnection = options.StreamsPerConnection ?? market.StreamLimit();
        MaxStreamsPerFrame = options.MaxStreamsPerFrame ?? StreamsPerConnection;
        Validate(market, options);
        MaxSymbolsPerConnection = options.MaxSymbolsPerConnection ?? StreamsPerConnection / Streams.Count;
    }

    public BinanceMarket Market { get; }

    /// <summary>The endpoint of the market this protocol's streams are served on.</summary>
    public BinanceRoute Route { get; }

    public VenueId Venue => Market.Venue();

    public ProviderId Provider => Market.Provider();

    /// <summary>The production combined-stream endpoint of <see cref="Route"/>, such as <c>wss://fstream.binance.com/market/stream</c>.</summary>
    public Uri DefaultEndpoint { get; }

    /// <summary>The venue's incoming message limit: bursts of live subscription changes are paced to it.</summary>
    public int MaxMessagesPerSecond => Market.IncomingMessagesPerSecond();

    /// <summary>Stream names subscribed per symbol, such as <c>trade</c>, <c>bookTicker</c>, <c>markPrice@1s</c>.</summary>
    public IReadOnlyList<string> Streams { get; }

    /// <summary>Streams one connection may carry.</summary>
    public int StreamsPerConnection { get; }

    /// <summary>Streams one SUBSCRIBE or UNSUBSCRIBE frame carries at most.</summary>
    public int MaxStreamsPerFrame { get; }

    public int MaxSymbolsPerConnection { get; }

    /// <summary>Trade ids (<c>t</c>) and aggregate ids (<c>a</c>) are contiguous per symbol; quotes and marks carry no sequence.</summary>
    public SequenceScope SequenceScope => SequenceScope.PerInstrumentAndKind;

    public (string Frame, TimeSpan Interval)? KeepAlive => null;

    public IFrameDecoder CreateDecoder(ReferenceData refData) => new BinanceDecoder(refData, Market);

    public IReadOnlyList<string> SubscribeFrames(IReadOnlyCollection<string> symbols) => Frames("SUBSCRIBE", symbols);

    public IReadOnlyList<string> UnsubscribeFrames(IReadOnlyCollection<string> symbols) => Frames("UNSUBSCRIBE", symbols);

    /// <summary>The stream names of one symbol: <c>BTCUSDT</c> → <c>btcusdt@trade</c>, <c>btcusdt@bookTicker</c>.</summary>
    public IEnumerable<string> StreamNames(string symbol)
    {
        ArgumentException.ThrowIfNullOrEmpty(symbol);
        var lower = symbol.ToLowerInvariant();
        foreach (var stream in Streams)
        {
            yield return lower + "@" + stream;
        }
    }

    private List<string> Frames(string method, IReadOnlyCollection<string> symbols)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        var frames = new List<string>();
        var batch = new List<string>(Math.Min(MaxStreamsPerFrame, symbols.Count * Streams.Count));
        foreach (var symbol in symbols)
        {
            foreach (var stream in StreamNames(symbol))
            {
                batch.Add(stream);
                if (batch.Count == MaxStreamsPerFrame)
                {
                    frames.Add(Frame(method, batch, Interlocked.Increment(ref _nextId)));
                    batch.Clear();
                }
            }
        }

        if (batch.Count > 0)
        {
            frames.Add(Frame(method, batch, Interlocked.Increment(ref _nextId)));
        }

        return frames;
    }

    private static string Frame(string method, List<string> streams, long id)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + streams.Count * 24);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("method"u8, method);
            w.WriteStartArray("params"u8);
            foreach (var s in streams)
            {
                w.WriteStringValue(s);
            }

            w.WriteEndArray();
            w.WriteNumber("id"u8, id);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private void Validate(BinanceMarket market, BinanceProtocolOptions options)
    {
        const string p = BinanceProtocolOptions.SectionName;
        foreach (var stream in Streams)
        {
            if (string.IsNullOrWhiteSpace(stream) || stream.StartsWith('@') || stream.Any(char.IsWhiteSpace))
            {
                throw new ArgumentException($"{p}:{nameof(options.Streams)}: '{stream}' is not a stream name such as 'trade' or 'markPrice@1s'.",
                    nameof(options));
            }
        }

        if (StreamsPerConnection < Streams.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(options), StreamsPerConnection,
                $"{p}:{nameof(options.StreamsPerConnection)} must allow at least one symbol ({Streams.Count} streams).");
        }

        if (MaxStreamsPerFrame < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), MaxStreamsPerFrame, $"{p}:{nameof(options.MaxStreamsPerFrame)} must be at least 1.");
        }

        // A reconnect subscribes the whole shard at once: it must fit the venue's incoming message rate.
        var framesPerShard = (StreamsPerConnection + MaxStreamsPerFrame - 1) / MaxStreamsPerFrame;
        if (framesPerShard > market.IncomingMessagesPerSecond())
        {
            throw new ArgumentOutOfRangeException(nameof(options), MaxStreamsPerFrame,
                $"{p}:{nameof(options.MaxStreamsPerFrame)}: a full shard of {StreamsPerConnection} streams would take {framesPerShard} frames, " +
                $"more than the {market.IncomingMessagesPerSecond()} messages per second {market.Name()} accepts.");
        }

        if (options.MaxSymbolsPerConnection is { } max && (max < 1 || max * Streams.Count > StreamsPerConnection))
        {
            throw new ArgumentOutOfRangeException(nameof(options), max,
                $"{p}:{nameof(options.MaxSymbolsPerConnection)} must be 1 to {StreamsPerConnection / Streams.Count} ({StreamsPerConnection} streams / {Streams.Count} per symbol).");
        }
    }
}

/// <summary>Settings of a <see cref="BinanceProtocol"/>; null members take the market's documented defaults.</summary>
public sealed record BinanceProtocolOptions
{
    public const string SectionName = "Providers:Binance";

    /// <summary>Streams per symbol; default <c>trade</c> + <c>bookTicker</c> on spot, <c>aggTrade</c> + <c>bookTicker</c> + <c>markPrice@1s</c> on futures.</summary>
    public IReadOnlyList<string>? Streams { get; init; }

    /// <summary>Streams per connection; default the documented limit (1024 spot, 200 futures, on each USDⓈ-M route).</summary>
    public int? StreamsPerConnection { get; init; }

    /// <summary>Streams per SUBSCRIBE frame; default a whole shard in one frame.</summary>
    public int? MaxStreamsPerFrame { get; init; }

    /// <summary>Symbols per connection; default <see cref="StreamsPerConnection"/> / streams per symbol. Lower it to spread load.</summary>
    public int? MaxSymbolsPerConnection { get; init; }
}
