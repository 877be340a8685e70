namespace Cloudwall.Rx.Ingestion.Venues.Coinbase;

/// <summary>
/// Coinbase Exchange WebSocket feed (<c>wss://ws-feed.exchange.coinbase.com</c>): channels <c>matches</c>, <c>ticker</c>
/// and <c>heartbeat</c> by default, or the channels of another data level (<see cref="LevelChannels"/>). The heartbeat
/// channel is the venue's keep-alive; the socket itself is pinged by the transport.
/// <para>Checked against the venue's documentation: docs/venues.md#coinbase-exchange.</para>
/// </summary>
public sealed class CoinbaseExchangeProtocol : IVenueProtocol
{
    public static readonly Uri ProductionEndpoint = new("wss://ws-feed.exchange.coinbase.com");

    /// <summary>The default level's channels, subscribed per product.</summary>
    public static readonly string[] Channels = ["matches", "ticker", "heartbeat"];

    /// <summary>
    /// The channels of each data level (<c>Providers:&lt;name&gt;:Level</c>), the default first. Checked 2026-12-06 against
    /// https://docs.cdp.coinbase.com/exchange/websocket-feed/channels and https://help.coinbase.com/en/cloud/websocket-feeds/exchange:
    /// <c>matches</c> prints every trade; <c>ticker</c> is sent on every match (cascades batched) with the best bid and ask;
    /// <c>ticker_batch</c> is the ticker every 5 seconds when it changed, in the same schema (<c>"type":"ticker"</c>), so
    /// the one decoder reads all three. <c>heartbeat</c> rides along at every level as the keep-alive.
    /// </summary>
    public static readonly IReadOnlyList<(string Level, string[] Channels)> LevelChannels =
    [
        (VenueLevels.Trades, Channels),
        (VenueLevels.Quotes, ["ticker", "heartbeat"]),
        (VenueLevels.Throttled, ["ticker_batch", "heartbeat"]),
    ];

    private readonly string[] _channels;

    /// <param name="maxSymbolsPerConnection">Products per connection.</param>
    /// <param name="level">A level of <see cref="LevelChannels"/> (any case); null is the default, the first.</param>
    public CoinbaseExchangeProtocol(int maxSymbolsPerConnection = 100, string? level = null)
    {
        MaxSymbolsPerConnection = maxSymbolsPerConnection;
        _channels = VenueLevels.ChannelsOf(LevelChannels, level, "Coinbase Exchange");
    }

    /// <summary>The channels this protocol subscribes per product, by its level.</summary>
    public IReadOnlyList<string> SubscribedChannels => _channels;

    public VenueId Venue => VenueId.Coinbase;

    public ProviderId Provider => ProviderId.Coinbase;

    public Uri DefaultEndpoint => ProductionEndpoint;

    public int MaxSymbolsPerConnection { get; }

    /// <summary>
    /// Coinbase's <c>sequence</c> numbers the whole order-book feed of a product, so a matches subscriber sees holes by design;
    /// trade ids, though, are contiguous per product: those are checked.
    /// </summary>
    public SequenceScope SequenceScope => SequenceScope.TradeIdPerInstrument;

    public (string Frame, TimeSpan Interval)? KeepAlive => null;

    public IFrameDecoder CreateDecoder(ReferenceData refData) => new CoinbaseExchangeDecoder(refData);

    public IReadOnlyList<string> SubscribeFrames(IReadOnlyCollection<string> symbols) => [Frame("subscribe", symbols)];

    public IReadOnlyList<string> UnsubscribeFrames(IReadOnlyCollection<string> symbols) => [Frame("unsubscribe", symbols)];

    private string Frame(string type, IReadOnlyCollection<string> symbols) =>
        JsonSerializer.Serialize(new SubscribeMessage(type, [.. symbols], _channels), CoinbaseJsonContext.Default.SubscribeMessage);
}

internal sealed record SubscribeMessage(
    [property: System.Text.Json.Serialization.JsonPropertyName("type")] string Type,
    [property: System.Text.Json.Serialization.JsonPropertyName("product_ids")] string[] ProductIds,
    [property: System.Text.Json.Serialization.JsonPropertyName("channels")] string[] Channels);

[System.Text.Json.Serialization.JsonSerializable(typeof(SubscribeMessage))]
internal sealed partial class CoinbaseJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
