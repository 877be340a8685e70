namespace Cloudwall.Rx.Ingestion.Venues.Coinbase;

/// <summary>
/// Coinbase Exchange WebSocket feed (<c>wss://ws-feed.exchange.coinbase.com</c>): channels <c>matches</c>, <c>ticker</c>
/// and <c>heartbeat</c>. The heartbeat channel is the venue's keep-alive; the socket itself is pinged by the transport.
/// <para>Checked against the venue's documentation: docs/venues.md#coinbase-exchange.</para>
/// </summary>
public sealed class CoinbaseExchangeProtocol : IVenueProtocol
{
    public static readonly Uri ProductionEndpoint = new("wss://ws-feed.exchange.coinbase.com");

    /// <summary>Channels subscribed per product.</summary>
    public static readonly string[] Channels = ["matches", "ticker", "heartbeat"];

    public CoinbaseExchangeProtocol(int maxSymbolsPerConnection = 100) => MaxSymbolsPerConnection = maxSymbolsPerConnection;

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

    private static string Frame(string type, IReadOnlyCollection<string> symbols) =>
        JsonSerializer.Serialize(new SubscribeMessage(type, [.. symbols], Channels), CoinbaseJsonContext.Default.SubscribeMessage);
}

internal sealed record SubscribeMessage(
    [property: System.Text.Json.Serialization.JsonPropertyName("type")] string Type,
    [property: System.Text.Json.Serialization.JsonPropertyName("product_ids")] string[] ProductIds,
    [property: System.Text.Json.Serialization.JsonPropertyName("channels")] string[] Channels);

[System.Text.Json.Serialization.JsonSerializable(typeof(SubscribeMessage))]
internal sealed partial class CoinbaseJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
