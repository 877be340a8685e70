namespace Cloudwall.Rx.Ingestion.Venues.Kraken;

/// <summary>
/// Kraken spot WebSocket v2 (<c>wss://ws.kraken.com/v2</c>), the default for live Kraken spot data: channels <c>trade</c> and
/// <c>ticker</c> per symbol (<c>BTC/USD</c>) by default, or those of another data level (<see cref="LevelChannels"/>), with
/// an application <c>ping</c> as keep-alive.
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

    /// <summary>
    /// The subscriptions of each data level (<c>Providers:&lt;name&gt;:Level</c>), the default first. Checked 2026-12-06
    /// against https://docs.kraken.com/exchange/api-reference/spot-websocket-v2/ticker: the ticker's <c>event_trigger</c> is
    /// <c>trades</c> ("on every trade", the default) or <c>bbo</c> ("on a change in the best-bid-offer price levels"), and
    /// <c>snapshot</c> defaults to true; and https://docs.kraken.com/exchange/api-reference/spot-websocket-v2/trade for
    /// <c>trade</c>. <c>trades</c>: every trade plus the ticker on every trade (today's subscription, sent unchanged);
    /// <c>quotes</c>: the ticker alone, on every change of the best bid or offer.
    /// </summary>
    public static readonly IReadOnlyList<(string Level, KrakenV2Subscription[] Channels)> LevelChannels =
    [
        (VenueLevels.Trades, [new(TradeChannel, Snapshot: false), new(TickerChannel, Snapshot: true)]),
        (VenueLevels.Quotes, [new(TickerChannel, Snapshot: true, EventTrigger: "bbo")]),
    ];

    private readonly KrakenV2Subscription[] _subscriptions;

    /// <param name="maxSymbolsPerConnection">Symbols per connection.</param>
    /// <param name="pingInterval">The application ping's period (30 s).</param>
    /// <param name="level">A level of <see cref="LevelChannels"/> (any case); null is the default, the first.</param>
    public KrakenV2Protocol(int maxSymbolsPerConnection = 100, TimeSpan? pingInterval = null, string? level = null)
    {
        _subscriptions = VenueLevels.ChannelsOf(LevelChannels, level, "Kraken spot v2");
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

    /// <summary>What this protocol subscribes per symbol, by its level.</summary>
    public IReadOnlyList<KrakenV2Subscription> Subscriptions => _subscriptions;

    public IReadOnlyList<string> SubscribeFrames(IReadOnlyCollection<string> symbols) =>
        [.. _subscriptions.Select(s => Frame("subscribe", s.Channel, symbols, s.Snapshot, s.EventTrigger))];

    public IReadOnlyList<string> UnsubscribeFrames(IReadOnlyCollection<string> symbols) =>
        [.. _subscriptions.Select(s => Frame("unsubscribe", s.Channel, symbols, snapshot: null, eventTrigger: null))];

    private static string Frame(string method, string channel, IReadOnlyCollection<string> symbols, bool? snapshot, string? eventTrigger) =>
        KrakenFrames.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("method", method);
            w.WriteStartObject("params");
            w.WriteString("channel", channel);
            KrakenFrames.WriteStrings(w, "symbol", symbols);
            if (eventTrigger is not null)
            {
                w.WriteString("event_trigger", eventTrigger);
            }

            if (snapshot is { } s)
            {
                w.WriteBoolean("snapshot", s);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });
}

/// <summary>One v2 subscription per symbol: its channel, whether to ask for the snapshot, and the ticker's trigger (null: the default).</summary>
public sealed record KrakenV2Subscription(string Channel, bool Snapshot, string? EventTrigger = null);
