namespace Cloudwall.Rx.Ingestion.Venues.Kraken;

/// <summary>
/// Kraken Futures WebSocket v1 (<c>wss://futures.kraken.com/ws/v1</c>): feeds <c>trade</c> and <c>ticker</c> per product id
/// (<c>PI_XBTUSD</c>, <c>PF_XBTUSD</c>, <c>FI_XBTUSD_210924</c>).
/// </summary>
/// <remarks>
/// Kraken Futures closes a connection that sends nothing for 60 seconds ("make a ping request at least every 60 seconds",
/// support.kraken.com, WebSockets API subscriptions). The feed has no application ping, so the keep-alive is a subscribe to the
/// public <c>heartbeat</c> feed, an idempotent request the venue acknowledges, every 30 seconds by default; the same subscribe
/// is sent on connect so the venue's heartbeats keep a quiet connection from looking stale. Kraken documents no cap on
/// products per connection; the shard size defaults to 100. Trade <c>seq</c> is contiguous per product.
/// <para>Checked against the venue's documentation: docs/venues.md#kraken-futures.</para>
/// </remarks>
public sealed class KrakenFuturesProtocol : IVenueProtocol
{
    public static readonly Uri ProductionEndpoint = new("wss://futures.kraken.com/ws/v1");

    public static readonly string[] Feeds = ["trade", "ticker"];
    public const string HeartbeatSubscribeFrame = """{"event":"subscribe","feed":"heartbeat"}""";

    public KrakenFuturesProtocol(int maxSymbolsPerConnection = 100, TimeSpan? keepAliveInterval = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSymbolsPerConnection);
        MaxSymbolsPerConnection = maxSymbolsPerConnection;
        KeepAliveInterval = keepAliveInterval ?? TimeSpan.FromSeconds(30);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(KeepAliveInterval, TimeSpan.Zero, nameof(keepAliveInterval));
    }

    public VenueId Venue => VenueId.KrakenFutures;

    public ProviderId Provider => ProviderId.KrakenFutures;

    public Uri DefaultEndpoint => ProductionEndpoint;

    public int MaxSymbolsPerConnection { get; }

    public TimeSpan KeepAliveInterval { get; }

    /// <summary>Trade <c>seq</c> is contiguous per product; ticker events carry no sequence.</summary>
    public SequenceScope SequenceScope => SequenceScope.PerInstrumentAndKind;

    public (string Frame, TimeSpan Interval)? KeepAlive => (HeartbeatSubscribeFrame, KeepAliveInterval);

    public IFrameDecoder CreateDecoder(ReferenceData refData) => new KrakenFuturesDecoder(refData);

    public IReadOnlyList<string> ConnectFrames() => [HeartbeatSubscribeFrame];

    public IReadOnlyList<string> SubscribeFrames(IReadOnlyCollection<string> symbols) =>
        [.. Feeds.Select(f => Frame("subscribe", f, symbols))];

    public IReadOnlyList<string> UnsubscribeFrames(IReadOnlyCollection<string> symbols) =>
        [.. Feeds.Select(f => Frame("unsubscribe", f, symbols))];

    private static string Frame(string ev, string feed, IReadOnlyCollection<string> products) =>
        KrakenFrames.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("event", ev);
            w.WriteString("feed", feed);
            KrakenFrames.WriteStrings(w, "product_ids", products);
            w.WriteEndObject();
        });
}
