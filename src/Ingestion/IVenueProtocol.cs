using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Ingestion;

/// <summary>
/// Everything venue-specific about a WebSocket connection: where it connects, how it subscribes, its keep-alive and the
/// decoder for its frames. One implementation per venue API; the transport and sharding are shared.
/// </summary>
public interface IVenueProtocol
{
    VenueId Venue { get; }

    ProviderId Provider { get; }

    /// <summary>The venue's production endpoint, the default in configuration.</summary>
    Uri DefaultEndpoint { get; }

    /// <summary>The most subscriptions (symbols) one connection may carry, by the venue's documented limits.</summary>
    int MaxSymbolsPerConnection { get; }

    IFrameDecoder CreateDecoder(ReferenceData refData);

    /// <summary>Frames to send to subscribe the given venue symbols on one connection.</summary>
    IReadOnlyList<string> SubscribeFrames(IReadOnlyCollection<string> symbols);

    /// <summary>Frames to send to unsubscribe the given venue symbols on one connection.</summary>
    IReadOnlyList<string> UnsubscribeFrames(IReadOnlyCollection<string> symbols);

    /// <summary>An application-level keep-alive frame and its interval, when the venue needs one.</summary>
    (string Frame, TimeSpan Interval)? KeepAlive { get; }
}
