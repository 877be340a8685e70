namespace Cloudwall.Rx.Ingestion;

/// <summary>
/// A plain observer behind the batch hand-off: one event at a time, through the caller's lock (Rx's
/// <c>Observer.Synchronize</c>), never pending. What a provider hands batches to when its subscriber is not an
/// <see cref="IEventBatchObserver"/>, and what the aggregator's back-fill writes into.
/// </summary>
internal sealed class SerializedBatchObserver(IObserver<MarketEvent> inner) : IEventBatchObserver
{
    public ValueTask OnNextBatchAsync(ReadOnlyMemory<MarketEvent> events, CancellationToken cancellationToken)
    {
        foreach (var e in events.Span)
        {
            inner.OnNext(e);
        }

        return default;
    }

    public void OnNext(MarketEvent value) => inner.OnNext(value);

    public void OnError(Exception error) => inner.OnError(error);

    public void OnCompleted() => inner.OnCompleted();
}
