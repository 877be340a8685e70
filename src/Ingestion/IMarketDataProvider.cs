using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Ingestion;

/// <summary>
/// One data provider: a cold stream of normalized events that never ends in error because of bad data (bad frames are
/// dead-lettered and counted), plus live subscription changes.
/// </summary>
public interface IMarketDataProvider
{
    ProviderId Id { get; }

    IngestionCounters Counters { get; }

    /// <summary>Subscribing starts the provider's connections; disposing the subscription stops them.</summary>
    IObservable<MarketEvent> Events { get; }

    int ActiveSubscriptions { get; }

    Task AddSubscriptionsAsync(IReadOnlyCollection<string> symbols);

    void RemoveSubscriptions(IReadOnlyCollection<string> symbols);
}
