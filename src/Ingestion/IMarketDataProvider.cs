namespace Cloudwall.Rx.Ingestion;

/// <summary>
/// One data provider: a cold stream of normalized events that never ends in error because of bad data (bad frames are
/// dead-lettered and counted), plus live subscription changes, pausing, and the state an operator reads (connections,
/// subscriptions). Hosting sees every provider through this interface only.
/// </summary>
public interface IMarketDataProvider
{
    ProviderId Id { get; }

    /// <summary>The one venue this provider connects to, or <see cref="VenueId.None"/> for a source of many venues (the aggregator).</summary>
    VenueId Venue { get; }

    IngestionCounters Counters { get; }

    /// <summary>Subscribing starts the provider's connections; disposing the subscription stops them.</summary>
    IObservable<MarketEvent> Events { get; }

    /// <summary>Connections (WebSocket shards, or aggregator streams) the provider holds.</summary>
    int ConnectionCount { get; }

    /// <summary>Of <see cref="ConnectionCount"/>, how many are up and carrying data.</summary>
    int ConnectedCount { get; }

    int ActiveSubscriptions { get; }

    /// <summary>How many of the provider's connections carry <paramref name="symbol"/> (1 when healthy, 0 when absent).</summary>
    int SubscriptionsOf(string symbol);

    Task AddSubscriptionsAsync(IReadOnlyCollection<string> symbols);

    void RemoveSubscriptions(IReadOnlyCollection<string> symbols);

    /// <summary>Unsubscribes everything and remembers it; a second pause is a no-op.</summary>
    Task PauseAsync();

    /// <summary>Subscribes again what <see cref="PauseAsync"/> took away; completes (or faults) once the connections are told.</summary>
    Task ResumeAsync();
}
