using System.Runtime.CompilerServices;
using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Pricing;

/// <summary>Lock-free counters of the pipeline, per provider where it matters.</summary>
public sealed class PipelineStats
{
    private readonly long[] _receivedByProvider = new long[256];
    private long _received;
    private long _dropped;
    private long _processed;
    private long _eventsPublished;
    private long _fairPrices;
    private long _errors;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(ProviderId Provider, VenueId Venue), StrongBox<long>> _snapshots = new();

    public long Received => Volatile.Read(ref _received);
    public long Dropped => Volatile.Read(ref _dropped);
    public long Processed => Volatile.Read(ref _processed);
    public long EventsPublished => Volatile.Read(ref _eventsPublished);
    public long FairPricesPublished => Volatile.Read(ref _fairPrices);
    public long Errors => Volatile.Read(ref _errors);

    public long ReceivedFrom(ProviderId provider) => Volatile.Read(ref _receivedByProvider[provider.Code]);

    internal void OnReceived(ProviderId provider)
    {
        Interlocked.Increment(ref _received);
        Interlocked.Increment(ref _receivedByProvider[provider.Code]);
    }

    internal void OnDropped() => Interlocked.Increment(ref _dropped);
    internal void OnProcessed() => Interlocked.Increment(ref _processed);
    internal void OnEventPublished() => Interlocked.Increment(ref _eventsPublished);
    internal void OnFairPrice() => Interlocked.Increment(ref _fairPrices);
    internal void OnError() => Interlocked.Increment(ref _errors);

    /// <summary>Snapshot events (history sent on (re)subscribe) seen, by provider and venue.</summary>
    public IEnumerable<(ProviderId Provider, VenueId Venue, long Count)> SnapshotEvents =>
        _snapshots.Select(kv => (kv.Key.Provider, kv.Key.Venue, Volatile.Read(ref kv.Value.Value)));

    /// <summary>Snapshot events in all.</summary>
    public long Snapshots => _snapshots.Values.Sum(b => Volatile.Read(ref b.Value));

    internal void OnSnapshot(ProviderId provider, VenueId venue)
    {
        // Rare (a few per (re)subscribe): the first of a source allocates its counter, the rest only increment.
        var box = _snapshots.GetOrAdd((provider, venue), static _ => new StrongBox<long>());
        Interlocked.Increment(ref box.Value);
    }
}
