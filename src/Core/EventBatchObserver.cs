namespace Cloudwall.Rx.Core;

/// <summary>
/// An observer of market events that also takes a whole frame's events at once, and says "not now" without blocking.
/// A provider hands a frame's (or socket read's) events to <see cref="OnNextBatchAsync"/>; the returned task completes
/// when every event was accepted (or dropped and counted, under a dropping overflow policy). While it is pending, the
/// caller stops reading its socket: back-pressure is a paused read, never a blocked thread.
/// </summary>
/// <remarks>
/// Unlike a plain <see cref="IObserver{T}"/>, an implementation must accept calls from several threads at once (one per
/// connection): the caller does not serialize them. Events of one connection arrive in order, since a connection waits for
/// its previous batch before it reads on. The batch's memory is the caller's again once the task has completed.
/// </remarks>
public interface IEventBatchObserver : IObserver<MarketEvent>
{
    ValueTask OnNextBatchAsync(ReadOnlyMemory<MarketEvent> events, CancellationToken cancellationToken);
}
