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
}
