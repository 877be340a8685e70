namespace Cloudwall.Rx.Ingestion;

/// <summary>
/// Everything venue-specific about a WebSocket connection: where it connects, how it subscribes, its keep-alive and the
/// decoder for its frames. One implementation per venue API (and market, where a venue splits endpoints by market);
/// the transport, sharding, reconnects, sequence checks and de-duplication are shared.
/// </summary>
public interface IVenueProtocol
{
    VenueId Venue { get; }

    ProviderId Provider { get; }

    /// <summary>The venue's production endpoint, the default in configuration.</summary>
    Uri DefaultEndpoint { get; }

    /// <summary>The most subscriptions (symbols) one connection may carry, by the venue's documented limits.</summary>
    int MaxSymbolsPerConnection { get; }

    /// <summary>How the venue's <see cref="MarketEvent.Sequence"/> values are contiguous, for gap detection.</summary>
    SequenceScope SequenceScope => SequenceScope.None;

    /// <summary>A decoder for one connection (decoders may keep per-connection state).</summary>
    IFrameDecoder CreateDecoder(ReferenceData refData);

    /// <summary>Frames to send right after every (re)connect, before subscribing (e.g. Deribit <c>public/set_heartbeat</c>).</summary>
    IReadOnlyList<string> ConnectFrames() => [];

    /// <summary>Frames to send to subscribe the given venue symbols on one connection.</summary>
    IReadOnlyList<string> SubscribeFrames(IReadOnlyCollection<string> symbols);

    /// <summary>Frames to send to unsubscribe the given venue symbols on one connection.</summary>
    IReadOnlyList<string> UnsubscribeFrames(IReadOnlyCollection<string> symbols);

    /// <summary>
    /// The most frames a client may send per second on one connection (Binance: 5 on spot, 10 on futures), or 0 for no
    /// documented limit. Subscribe, unsubscribe and connect-time frames are paced to it (<see cref="Transport.OutboundPacer"/>).
    /// </summary>
    int MaxMessagesPerSecond => 0;

    /// <summary>An application-level keep-alive frame and its interval, when the venue needs one (OKX text <c>ping</c>).</summary>
    (string Frame, TimeSpan Interval)? KeepAlive => null;

    /// <summary>
    /// A reply the venue expects to an incoming frame that carried no market data (Deribit <c>test_request</c> →
    /// <c>public/test</c>), or null. Called only for ignored frames; must not allocate when there is nothing to answer.
    /// </summary>
    string? ReplyTo(ReadOnlySpan<byte> frame) => null;
}

/// <summary>Which events share one contiguous sequence (see <see cref="MarketEvent.Sequence"/>).</summary>
public enum SequenceScope
{
    /// <summary>The venue gives no contiguous sequence: nothing is checked.</summary>
    None,
    /// <summary>One sequence per instrument across every kind (Coinbase <c>sequence</c>).</summary>
    PerInstrument,
    /// <summary>One sequence per instrument and kind (trade ids of trades, update ids of quotes, ...).</summary>
    PerInstrumentAndKind,
    /// <summary>Numeric trade ids are contiguous per instrument (Coinbase <c>trade_id</c>), whatever the sequence field holds.</summary>
    TradeIdPerInstrument,
}
