namespace Cloudwall.Rx.Ingestion.Venues.Kraken;

/// <summary>
/// Kraken spot WebSocket v1 (<c>wss://ws.kraken.com</c>, maintained but frozen; prefer <see cref="KrakenV2Protocol"/>): channels
/// <c>trade</c> and <c>ticker</c> per pair (<c>XBT/USD</c>), with the <c>{"event":"ping"}</c> keep-alive.
/// </summary>
/// <remarks>
/// Kraken documents no cap on pairs per connection (only a subscribe rate limit); the shard size defaults to 100. v1 trades carry
/// no trade id or sequence, so nothing is gap-checked.
/// <para>Checked against the venue's documentation: docs/venues.md#kraken-spot-v1.</para>
/// </remarks>
public sealed class KrakenV1Protocol : IVenueProtocol
{
    public static readonly Uri ProductionEndpoint = new("wss://ws.kraken.com");

    public static readonly string[] Channels = ["trade", "ticker"];
    public const string PingFrame = """{"event":"ping"}""";

    public KrakenV1Protocol(int maxSymbolsPerConnection = 100, TimeSpan? pingInterval = null)
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

    public (string Frame, TimeSpan Interval)? KeepAlive => (PingFrame, PingInterval);

    public IFrameDecoder CreateDecoder(ReferenceData refData) => new KrakenV1Decoder(refData);

    public IReadOnlyList<string> SubscribeFrames(IReadOnlyCollection<string> symbols) =>
        [.. Channels.Select(c => Frame("subscribe", c, symbols))];

    public IReadOnlyList<string> UnsubscribeFrames(IReadOnlyCollection<string> symbols) =>
        [.. Channels.Select(c => Frame("unsubscribe", c, symbols))];

    private static string Frame(string ev, string channel, IReadOnlyCollection<string> pairs) =>
        KrakenFrames.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("event", ev);
            KrakenFrames.WriteStrings(w, "pair", pairs);
            w.WriteStartObject("subscription");
            w.WriteString("name", channel);
            w.WriteEndObject();
            w.WriteEndObject();
        });
}
