using System.Text.Json.Serialization;

namespace Cloudwall.Rx.Ingestion.Venues.CoinbaseAdvanced;

/// <summary>
/// Coinbase Advanced Trade market data (<c>wss://advanced-trade-ws.coinbase.com</c>), unauthenticated.
/// </summary>
/// <remarks>
/// One channel per subscribe message: <c>{"type":"subscribe","product_ids":[..],"channel":"market_trades"}</c>, then the
/// same for <c>ticker</c> and for <c>heartbeats</c>. Most channels close after 60-90 s without updates; the heartbeats
/// channel (one message a second) keeps the whole connection open, so it is subscribed alongside. The venue does not
/// document a per-connection product cap for market data; <see cref="MaxSymbolsPerConnection"/> defaults to 100 to keep
/// a reconnect's re-subscription small. Connection-wide <c>sequence_num</c> gaps are counted by the decoder
/// (<see cref="CoinbaseAdvancedDecoder.SequenceGaps"/>), so events carry no per-series sequence.
/// <para>Checked against the venue's documentation: docs/venues.md#coinbase-advanced-trade.</para>
/// </remarks>
public sealed class CoinbaseAdvancedProtocol : IVenueProtocol
{
    public static readonly Uri ProductionEndpoint = new("wss://advanced-trade-ws.coinbase.com");

    /// <summary>Channels subscribed per product, one subscribe message each.</summary>
    public static readonly string[] Channels = ["market_trades", "ticker", "heartbeats"];

    public CoinbaseAdvancedProtocol(int maxSymbolsPerConnection = 100)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSymbolsPerConnection, 1);
        MaxSymbolsPerConnection = maxSymbolsPerConnection;
    }

    public VenueId Venue => VenueId.Coinbase;

    public ProviderId Provider => ProviderId.Coinbase;

    public Uri DefaultEndpoint => ProductionEndpoint;

    public int MaxSymbolsPerConnection { get; }

    public IFrameDecoder CreateDecoder(ReferenceData refData) => new CoinbaseAdvancedDecoder(refData);

    public IReadOnlyList<string> SubscribeFrames(IReadOnlyCollection<string> symbols) => Frames("subscribe", symbols);

    public IReadOnlyList<string> UnsubscribeFrames(IReadOnlyCollection<string> symbols) => Frames("unsubscribe", symbols);

    private static string[] Frames(string type, IReadOnlyCollection<string> symbols) =>
        [.. Channels.Select(c => JsonSerializer.Serialize(new AdvancedSubscribeMessage(type, [.. symbols], c), CoinbaseAdvancedJsonContext.Default.AdvancedSubscribeMessage))];
}

internal sealed record AdvancedSubscribeMessage(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("product_ids")] string[] ProductIds,
    [property: JsonPropertyName("channel")] string Channel);

[JsonSerializable(typeof(AdvancedSubscribeMessage))]
internal sealed partial class CoinbaseAdvancedJsonContext : JsonSerializerContext;
