using System.Threading.Channels;
using System.Threading.Tasks.Dataflow;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Pricing;

/// <summary>
/// The partitioned event pipeline: the hand-off from the Rx edge into bounded Dataflow blocks partitioned by instrument.
/// Each partition is a single-threaded <see cref="ActionBlock{T}"/> that runs its stages in order: publish the event,
/// price it (its own <see cref="IFairPriceEngine"/>, no locks on the hot path; fair prices go out when due), then the tap.
/// </summary>
public sealed partial class EventPipeline : IAsyncDisposable
{
    private readonly Partition[] _partitions;
    private readonly IMarketDataPublisher _publisher;
    private readonly PipelineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _tick;
    private readonly LatestFairPrices _latest = new();
    private readonly Func<InstrumentId, InstrumentId>? _route;
    private readonly IPartitionTap? _tap;
    private int _completed;

    /// <summary>
    /// The default wiring: one <see cref="FairPriceEngine"/> per partition from <paramref name="pricing"/>, with its
    /// routing (a composite's constituents share the composite's partition).
    /// </summary>
    public EventPipeline(IMarketDataPublisher publisher, PipelineOptions options, FairPricing pricing,
        TimeProvider? time = null, ILogger<EventPipeline>? logger = null, IPartitionTap? tap = null)
        : this(publisher, options, pricing.CreateEngine, time, logger, pricing.RouteKey, tap)
    {
    }

    public EventPipeline(IMarketDataPublisher publisher, PipelineOptions options, Func<IFairPriceEngine> engineFactory,
        TimeProvider? time = null, ILogger<EventPipeline>? logger = null, IPartitionTap? tap = null)
        : this(publisher, options, engineFactory, time, logger, null, tap)
    {
    }

    private EventPipeline(IMarketDataPublisher publisher, PipelineOptions options, Func<IFairPriceEngine> engineFactory,
        TimeProvider? time, ILogger<EventPipeline>? logger, Func<InstrumentId, InstrumentId>? route, IPartitionTap? tap)
    {
        _route = route;
        _tap = tap;
        OptionsCheck.ThrowIfInvalid(options);
        _publisher = publisher;
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _tap = tap;
        _partitions = new Partition[options.Partitions];
        for (var i = 0; i < _partitions.Length; i++)
        {
            _partitions[i] = new Partition(this, engineFactory(), i);
        }

        var interval = options.FairPriceMinInterval > TimeSpan.Zero ? options.FairPriceMinInterval : TimeSpan.FromMilliseconds(100);
        _tick = _time.CreateTimer(static s => ((EventPipeline)s!).Tick(), this, interval, interval);
    }

    public PipelineStats Stats { get; } = new();

    /// <summary>The newest fair price per instrument (see <see cref="Pricing.LatestFairPrices"/> for which one stands).</summary>
    public IReadOnlyDictionary<InstrumentId, FairPrice> LatestFairPrices => _latest.View;

    public int PartitionCount => _partitions.Length;

    /// <summary>Queue depth per partition.</summary>
    public int[] QueueDepths() => _partitions.Select(p => p.Depth).ToArray();

    /// <summary>The partition that owns an instrument (a composite's constituents go with the composite).</summary>
    public int PartitionOf(InstrumentId id) => (int)((uint)(_route is null ? id : _route(id)).Value % (uint)_partitions.Length);

    /// <summary>
    /// Posts one event into its instrument's partition. Under <see cref="BoundedChannelFullMode.Wait"/> this blocks while the
    /// partition is full (backpressure to the caller's socket); under <see cref="BoundedChannelFullMode.DropWrite"/> it drops the incoming event and counts it.
    /// Returns false when the event was dropped or the pipeline is completed.
    /// </summary>
    public bool Post(in MarketEvent e)
    {
        Stats.OnReceived(e.Provider);
        var partition = _partitions[PartitionOf(e.Instrument)];
        if (partition.TryEnqueue(in e))
        {
            return true;
        }

        if (_options.Overflow == BoundedChannelFullMode.Wait)
        {
            // Slow path only when the partition is full: wait for room (this caller is a plain observer: it blocks).
            while (Volatile.Read(ref _completed) == 0)
            {
                partition.WaitForRoomAsync(CancellationToken.None).GetAwaiter().GetResult();
                if (partition.TryEnqueue(in e))
                {
                    return true;
                }
            }
        }

        Stats.OnDropped();
        return false;
    }

    /// <summary>
    /// Posts a frame's events, each into its instrument's partition, in order. Completes synchronously while every partition
    /// has room. Under <see cref="BoundedChannelFullMode.Wait"/> a full partition makes the rest wait asynchronously (the
    /// caller's socket read waits with it; no thread is blocked); under <see cref="BoundedChannelFullMode.DropWrite"/> the
    /// incoming event is dropped and counted. Cancelled while waiting, the events not yet posted are counted as dropped.
    /// </summary>
    public ValueTask PostBatchAsync(ReadOnlyMemory<MarketEvent> events, CancellationToken cancellationToken = default)
    {
        var span = events.Span;
        for (var i = 0; i < span.Length; i++)
        {
            ref readonly var e = ref span[i];
            Stats.OnReceived(e.Provider);
            if (_partitions[PartitionOf(e.Instrument)].TryEnqueue(in e))
            {
                continue;
            }

            if (_options.Overflow == BoundedChannelFullMode.Wait && Volatile.Read(ref _completed) == 0)
            {
                return WaitThenPostAsync(events, i, cancellationToken);
            }

            Stats.OnDropped();
        }

        return default;
    }

    /// <summary>The slow path of <see cref="PostBatchAsync"/>: event <paramref name="from"/> (counted received) found its partition full.</summary>
    private async ValueTask WaitThenPostAsync(ReadOnlyMemory<MarketEvent> events, int from, CancellationToken cancellationToken)
    {
        for (var i = from; i < events.Length; i++)
        {
            var e = events.Span[i];
            if (i > from)
            {
                Stats.OnReceived(e.Provider);
            }

            var partition = _partitions[PartitionOf(e.Instrument)];
            var posted = partition.TryEnqueue(in e);
            try
            {
                while (!posted && _options.Overflow == BoundedChannelFullMode.Wait && Volatile.Read(ref _completed) == 0)
                {
                    await partition.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
                    posted = partition.TryEnqueue(in e);
                }
            }
            catch (OperationCanceledException)
            {
                // The connection is going away: this event and those not yet counted are dropped, and the books still balance.
                Stats.OnDropped();
                for (var j = i + 1; j < events.Length; j++)
                {
                    Stats.OnReceived(events.Span[j].Provider);
                    Stats.OnDropped();
                }

                return;
            }

            if (!posted)
            {
                Stats.OnDropped();
            }
        }
    }

    /// <summary>
    /// An observer that posts into the pipeline: the one place where Rx hands over to Dataflow. It is an
    /// <see cref="IEventBatchObserver"/>, so a provider hands over a frame at a time and is back-pressured without a lock.
    /// </summary>
    public IEventBatchObserver Input(string name) => new InputObserver(this, name);

    /// <summary>Stops accepting input and waits until every queued event has been processed.</summary>
    public async Task CompleteAsync()
    {
        if (Interlocked.Exchange(ref _completed, 1) == 1)
        {
            await Task.WhenAll(_partitions.Select(p => p.Block.Completion)).ConfigureAwait(false);
            return;
        }

        await _tick.DisposeAsync().ConfigureAwait(false);
        foreach (var p in _partitions)
        {
            p.Block.Complete();
            p.ReleaseWaiters(); // a producer waiting for room sees the pipeline completed and drops
        }

        await Task.WhenAll(_partitions.Select(p => p.Block.Completion)).ConfigureAwait(false);
        // Last conflated values go out before the sink is flushed.
        foreach (var p in _partitions)
        {
            p.Flush(UnixTime.FromTimeProvider(_time));
        }
    }

    public async ValueTask DisposeAsync() => await CompleteAsync().ConfigureAwait(false);

    private void Tick()
    {
        // A tick carries when it was posted: statistics windows are cut on the arrival clock (SeriesStatsTap.OnEvent).
        var tick = new MarketEvent { Kind = EventKind.Unknown, ReceiveTimeNs = UnixTime.FromTimeProvider(_time) };
        foreach (var p in _partitions)
        {
            // A tick is only useful when there is room; a busy partition emits on its own events.
            p.TryEnqueue(in tick);
        }
    }

    private void Emit(in FairPrice fp)
    {
        _publisher.PublishFairPrice(fp);
        _latest.Offer(fp);

        Stats.OnFairPrice();
    }

    private sealed class Partition
    {
        private readonly EventPipeline _owner;
        private readonly IFairPriceEngine _engine;
        private readonly FairPrice[] _tickOutput = new FairPrice[1024];
        private readonly int _index;

        private readonly int _capacity;
        private readonly int _resumeAt;
        private readonly Lock _roomGate = new();
        private TaskCompletionSource? _room;
        private int _depth;

        public Partition(EventPipeline owner, IFairPriceEngine engine, int index)
        {
            _owner = owner;
            _engine = engine;
            _index = index;
            _capacity = owner._options.PartitionCapacity;
            _resumeAt = _capacity / 2;
            // The block itself is unbounded: the partition bounds it (TryEnqueue). A bounded ActionBlock answers a full queue
            // with SendAsync, which allocates a task and a postponed-message source per event while the queue stays full
            // (measured: ~170 bytes per event under a slow consumer, against ~2 with room); here a full partition costs one
            // wait per drain to half its capacity.
            Block = new ActionBlock<MarketEvent>(Process, new ExecutionDataflowBlockOptions
            {
                MaxDegreeOfParallelism = 1,
                SingleProducerConstrained = false,
            });
        }

        public ActionBlock<MarketEvent> Block { get; }

        /// <summary>Events queued and not yet processed.</summary>
        public int Depth => Volatile.Read(ref _depth);

        /// <summary>Queues the event unless the partition holds its capacity already (or is completed).</summary>
        public bool TryEnqueue(in MarketEvent e)
        {
            if (Interlocked.Increment(ref _depth) > _capacity)
            {
                Interlocked.Decrement(ref _depth);
                return false;
            }

            if (Block.Post(e))
            {
                return true;
            }

            Interlocked.Decrement(ref _depth); // completed
            return false;
        }

        /// <summary>
        /// Completes when the partition has drained to half its capacity (hysteresis: one wake-up per half-queue, not one
        /// per event), or at once when there is room already or the pipeline is completed.
        /// </summary>
        public Task WaitForRoomAsync(CancellationToken cancellationToken)
        {
            lock (_roomGate)
            {
                if (Volatile.Read(ref _depth) < _capacity || Volatile.Read(ref _owner._completed) != 0)
                {
                    return Task.CompletedTask;
                }

                var room = _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                // The consumer decrements, then looks for a waiter, without this lock; this side publishes the waiter, then
                // looks at the depth again. With a full fence on both sides one of them sees the other: without this
                // re-check a consumer that drained its last event between the look above and the waiter's publication
                // left the producer waiting for good (a CI run stalled at 52,687 of 120,000 events).
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _depth) < _capacity)
                {
                    room.TrySetResult();
                    _room = null;
                    return Task.CompletedTask;
                }

                return cancellationToken.CanBeCanceled ? room.Task.WaitAsync(cancellationToken) : room.Task;
            }
        }

        public void ReleaseWaiters()
        {
            lock (_roomGate)
            {
                _room?.TrySetResult();
                _room = null;
            }
        }

        private void Dequeued()
        {
            if (Interlocked.Decrement(ref _depth) <= _resumeAt && Volatile.Read(ref _room) is not null)
            {
                ReleaseWaiters();
            }
        }

        private void Process(MarketEvent e)
        {
            // An exception in an ActionBlock delegate faults the block: catch everything here.
            try
            {
                ProcessOne(in e);
            }
            finally
            {
                Dequeued();
            }
        }

        private void ProcessOne(in MarketEvent e)
        {
            try
            {
                var now = UnixTime.FromTimeProvider(_owner._time);
                if (e.Kind == EventKind.Unknown)
                {
                    Flush(now);
                    _owner._tap?.OnTick(_index, e.ReceiveTimeNs > 0 && e.ReceiveTimeNs < now ? e.ReceiveTimeNs : now);
                    return;
                }

                _owner.Stats.OnProcessed();
                if (_owner._options.PublishEvents)
                {
                    _owner._publisher.PublishEvent(e);
                    _owner.Stats.OnEventPublished();
                }

                if (e.IsHistory)
                {
                    // Snapshot or back-fill history, published above; not a live update for pricing or the quality statistics.
                    if (e.IsSnapshot)
                    {
                        _owner.Stats.OnSnapshot(e.Provider, e.Venue); // back-fill is counted where it is fetched
                    }
                    else if (e.IsBackfill)
                    {
                        _owner._tap?.OnBackfill(_index, e, now); // trades the live stream lost belong in their bars
                    }

                    return;
                }

                if (_engine.OnEvent(e, now, out var fp))
                {
                    _owner.Emit(fp);
                }

                _owner._tap?.OnEvent(_index, e, now);
            }
            catch (Exception ex)
            {
                _owner.Stats.OnError();
                LogProcessFailed(_owner._logger, ex, e.Instrument.Value);
            }
        }

        public void Flush(long now)
        {
            var n = _engine.OnTick(now, _tickOutput);
            for (var i = 0; i < n; i++)
            {
                _owner.Emit(_tickOutput[i]);
            }
        }
    }

    private sealed class InputObserver(EventPipeline owner, string name) : IEventBatchObserver
    {
        public void OnNext(MarketEvent value) => owner.Post(value);

        public ValueTask OnNextBatchAsync(ReadOnlyMemory<MarketEvent> events, CancellationToken cancellationToken) =>
            owner.PostBatchAsync(events, cancellationToken);

        public void OnError(Exception error) => LogInputFaulted(owner._logger, error, name);

        public void OnCompleted() => LogInputCompleted(owner._logger, name);
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Pricing partition failed on an event for instrument {Instrument}; event skipped")]
    private static partial void LogProcessFailed(ILogger logger, Exception ex, int instrument);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Input {Name} ended with an error")]
    private static partial void LogInputFaulted(ILogger logger, Exception ex, string name);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Input {Name} completed")]
    private static partial void LogInputCompleted(ILogger logger, string name);
}

/// <summary>
/// Sees every live event and tick of a partition on that partition's thread, after the event is published (series
/// statistics, bars), and back-filled trades for taps that want them (bars). Must be cheap, must not block, and should not
/// throw (an exception is caught and counted as a partition error).
/// </summary>
public interface IPartitionTap
{
    /// <summary>A live event (never snapshot or back-fill history).</summary>
    void OnEvent(int partition, in MarketEvent e, long nowNs);

    /// <summary>
    /// A trade fetched back after a gap (<see cref="EventFlags.Backfill"/>): late, in exchange-time order within its gap. Not a
    /// live update, so live-only taps (statistics, heartbeats) keep this default and ignore it; bars revise with it.
    /// </summary>
    void OnBackfill(int partition, in MarketEvent e, long nowNs)
    {
    }

    void OnTick(int partition, long nowNs);
}
