namespace Cloudwall.Rx.Ingestion.Venues.Kraken;

/// <summary>
/// Kraken spot WebSocket v2 (<c>wss://ws.kraken.com/v2</c>), the default for live Kraken spot data: channels <c>trade</c> and
/// <c>ticker</c> per symbol (<c>BTC/USD</c>), with an application <c>ping</c> as keep-alive.
/// </summary>
/// <remarks>
/// Kraken documents no cap on symbols per connection, only a rate limit on subscribe requests, so the shard size is a
/// choice (default 100, one request per channel per shard). Trades are subscribed without the 50-trade snapshot, because a
/// reconnect would replay trades already seen; the ticker is subscribed with its snapshot, so a (re)connected shard has a
/// quote at once. Kraken closes connections that stay silent; the ping (docs.kraken.com/api/docs/websocket-v2/ping) is sent
/// every <see cref="KeepAlive"/> interval whatever the traffic.
/// <para>Checked against the venue's documentation: docs/venues.md#kraken-spot-v2.</para>
/// </remarks>
public sealed class KrakenV2Protocol : IVenueProtocol
{
    public static readonly Uri ProductionEndpoint = new("wss://ws.kraken.com/v2");

    public const string TradeChannel = "trade";
    public const string TickerChannel = "ticker";
    public const string PingFrame = """{"method":"ping"}""";

    public KrakenV2Protocol(int maxSymbolsPerConnection = 100, TimeSpan? pingInterval = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSymbolsPerConnection);
        MaxSymbolsPerConnection = maxSymbolsPerConnection;
        PingInterval = pingInterval ?? TimeSpan.FromSeconds(30);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PingInterval, TimeSpan.Zero, nameof(pingInterval));
    }

    public VenueId Venue => VenueId.Kraken;

    public ProviderId Provider => ProviderId.Kraken;

    public Uri DefaultEndpoint => ProductionEndpoint;

    public int MaxSymbolsPerConnection { get; }

    public TimeSpan PingInterval { get; }

    /// <summary><c>trade_id</c> is a sequence per book: trades are contiguous per instrument; quotes carry no sequence.</summary>
    public SequenceScope SequenceScope => SequenceScope.PerInstrumentAndKind;

    public (string Frame, TimeSpan Interval)? KeepAlive => (PingFrame, PingInterval);

    public IFrameDecoder CreateDecoder(ReferenceData refData) => new KrakenV2Decoder(refData);

    public IReadOnlyList<string> SubscribeFrames(IReadOnlyCollection<string> symbols) =>
        [Frame("subscribe", TradeChannel, symbols, snapshot: false), Frame("subscribe", TickerChannel, symbols, snapshot: true)];

    public IReadOnlyList<string> UnsubscribeFrames(IReadOnlyCollection<string> symbols) =>
        [Frame("unsubscribe", TradeChannel, symbols, snapshot: null), Frame("unsubscribe", TickerChannel, symbols, snapshot: null)];

    private static string Frame(string method, string channel, IReadOnlyCollection<string> symbols, bool? snapshot) =>
        KrakenFrames.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("method", method);
            w.WriteStartObject("params");
            w.WriteString("channel", channel);
            KrakenFrames.WriteStrings(w, "symbol", symbols);
            if (snapshot is { } s)
            {
                w.WriteBoolean("snapshot", s);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });
}
