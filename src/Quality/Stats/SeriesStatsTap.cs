using System.Collections.Concurrent;
using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Quality.Stats;

/// <summary>
/// Series statistics for a partitioned pipeline: one <see cref="SeriesStatsAccumulator"/> per partition, each driven
/// only from its partition's thread (<see cref="OnEvent"/>, <see cref="OnTick"/>), and a sink that receives the closed
/// windows. Sequence gaps arrive from connection threads through <see cref="PostGap"/> and are handed to the owning
/// partition through a small queue that partition drains on its next event or tick.
/// </summary>
/// <remarks>
/// Wiring into a pipeline: call <see cref="OnEvent"/> for every event a partition processes and <see cref="OnTick"/>
/// on the partition's periodic tick (windows close on whichever comes first after the boundary).
/// <paramref name="partitionOf"/> must be the pipeline's own instrument-to-partition function.
/// </remarks>
public sealed class SeriesStatsTap(int partitions, Func<InstrumentId, int> partitionOf, SeriesStatsOptions options,
    Func<InstrumentId, MarketType> marketOf, ISeriesWindowSink sink, ActiveSubscriptionsLookup? activeSubscriptions = null,
    FairPriceLookup? fairPrice = null)
{
    private readonly Lane[] _lanes = Enumerable.Range(0, partitions)
        .Select(_ => new Lane(new SeriesStatsAccumulator(options, marketOf, activeSubscriptions, fairPrice))).ToArray();
    private long _sinkErrors;

    /// <summary>Times the sink threw (the windows of that batch are lost to that sink; the partition carries on).</summary>
    public long SinkErrors => Interlocked.Read(ref _sinkErrors);

    /// <summary>Events not windowed because a partition reached its series cap.</summary>
    public long DroppedEvents => _lanes.Sum(l => l.Stats.DroppedEvents);

    /// <summary>The accumulator of one partition (for tests and views; touch it only from that partition's thread).</summary>
    public SeriesStatsAccumulator Partition(int partition) => _lanes[partition].Stats;

    /// <summary>
    /// Windows are cut on the arrival clock — when an event entered the platform (its receive time, never after
    /// <paramref name="nowNs"/>), when a tick was posted — not on the processing clock: the partition's queue is FIFO, so a
    /// stall of our own process delays the windows instead of moving the events that arrived during it into the next
    /// window, where they would look like a gap followed by a burst.
    /// </summary>
    public void OnEvent(int partition, in MarketEvent e, long nowNs)
    {
        var lane = _lanes[partition];
        var arrivedNs = e.ReceiveTimeNs > 0 && e.ReceiveTimeNs < nowNs ? e.ReceiveTimeNs : nowNs;
        Advance(lane, arrivedNs);
        lane.Stats.OnEvent(e, nowNs, arrivedNs);
    }

    /// <param name="nowNs">When the tick was posted to the partition (the arrival clock, as for events).</param>
    public void OnTick(int partition, long nowNs) => Advance(_lanes[partition], nowNs);

    /// <summary>Thread-safe: queues a gap for the partition that owns its instrument.</summary>
    public void PostGap(in SequenceGap gap) => _lanes[partitionOf(gap.Instrument)].Gaps.Enqueue(gap);

    private void Advance(Lane lane, long nowNs)
    {
        while (lane.Gaps.TryDequeue(out var gap))
        {
            lane.Stats.OnSequenceGap(gap);
        }

        if (lane.Stats.AdvanceTo(nowNs, lane.Output) == 0)
        {
            return;
        }

        try
        {
            sink.OnWindows(lane.Output);
        }
        catch (Exception)
        {
            // The sink logs its own failures; statistics must never take a pricing partition down.
            Interlocked.Increment(ref _sinkErrors);
        }
        finally
        {
            lane.Output.Clear();
        }
    }

    private sealed class Lane(SeriesStatsAccumulator stats)
    {
        public SeriesStatsAccumulator Stats { get; } = stats;
        public ConcurrentQueue<SequenceGap> Gaps { get; } = new();
        public List<SeriesWindow> Output { get; } = [];
    }
}
