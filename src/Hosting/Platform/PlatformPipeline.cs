using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Kafka;
using Cloudwall.Rx.Pricing;
using Cloudwall.Rx.Pricing.Aggregation;
using Cloudwall.Rx.Quality;
using Cloudwall.Rx.Quality.Stats;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>What views, metrics and summaries read of the event pipeline. Empty until the platform starts (and in roles that do not run it).</summary>
public interface IPipelineStatus
{
    /// <summary>Null until the pipeline runs.</summary>
    PipelineStats? Stats { get; }

    /// <summary>The newest fair price per instrument (see <see cref="LatestFairPrices"/>).</summary>
    IReadOnlyDictionary<InstrumentId, FairPrice> LatestFairPrices { get; }

    /// <summary>Queue depth per partition.</summary>
    int[] QueueDepths();

    /// <summary>
    /// The pre-aggregator's counters, when <c>Pipeline:Aggregation:Enabled</c>: events folded in, bars published (revisions
    /// included), corrected versions published, back-filled trades too late to revise a bar.
    /// </summary>
    (long EventsIn, long BarsOut, long BarsRevised, long BackfillTooLate)? Bars { get; }
}

/// <summary>
/// The effective pipeline settings, derived once from the bound options (which stay as bound): with pre-aggregation on,
/// bars go to Kafka instead of raw events, so events are not published.
/// </summary>
public sealed class ResolvedPipelineSettings(IOptions<PipelineOptions> pipeline, IOptions<AggregationOptions> aggregation, RunRole role)
{
    public PipelineOptions Pipeline { get; } = aggregation.Value.Enabled ? pipeline.Value.WithPublishEvents(false) : pipeline.Value;

    public AggregationOptions Aggregation => aggregation.Value;

    /// <summary>Role ingest publishes events only: fair prices come from the price role's consumer group.</summary>
    public bool Prices => role.Name != RunRole.Ingest;
}

/// <summary>
/// The partitioned event pipeline of this process and its stages around pricing: series statistics (windows to
/// <see cref="ISeriesWindowSink"/>, gaps from <see cref="SequenceGapLog"/>) and the bar pre-aggregator. Built on
/// <see cref="Start"/>, drained on <see cref="CompleteAsync"/>.
/// </summary>
public sealed partial class PlatformPipeline(ResolvedPipelineSettings settings, FairPricing pricing, ReferenceData refData, ISeriesWindowSink windows,
    SequenceGapLog gaps, IProviderStatus providers, LoopHeartbeats heartbeats, TimeProvider time, ILoggerFactory loggers) : IPipelineStatus, IAsyncDisposable
{
    private static readonly IReadOnlyDictionary<InstrumentId, FairPrice> None = new Dictionary<InstrumentId, FairPrice>();
    private Action<SequenceGap>? _onGap;
    private LoopHeartbeat? _heartbeat;

    public EventPipeline? Pipeline { get; private set; }

    public BarAggregator? Aggregator { get; private set; }

    public PipelineStats? Stats => Pipeline?.Stats;

    public IReadOnlyDictionary<InstrumentId, FairPrice> LatestFairPrices => Pipeline?.LatestFairPrices ?? None;

    public (long EventsIn, long BarsOut, long BarsRevised, long BackfillTooLate)? Bars =>
        Aggregator is { } a ? (a.EventsAggregated, a.BarsPublished, a.BarsRevised, a.BackfillTooLate) : null;

    public int[] QueueDepths() => Pipeline?.QueueDepths() ?? [];

    public EventPipeline Start(KafkaPublisher publisher)
    {
        var options = settings.Pipeline;
        // Gaps are routed with the pipeline's own partition function (they only arrive once providers run, after it exists).
        var stats = new SeriesStatsTap(options.Partitions, id => Pipeline!.PartitionOf(id), new SeriesStatsOptions(),
            id => refData.TryGet(id, out var i) ? i.Market : MarketType.Spot, windows, SubscriptionsOf, FairPriceOf);
        _onGap = gap => stats.PostGap(gap);
        gaps.Observed += _onGap;
        // Each partition beats on its events and ticks (ticks every FairPriceMinInterval; a full queue skips them but
        // then has events): a partition that stops turning stops beating.
        _heartbeat = heartbeats.Register("pipeline", options.Partitions);
        IPartitionTap tap = new StatsTap(stats, _heartbeat);
        if (settings.Aggregation.Enabled)
        {
            // Bars instead of raw events: the aggregator sees every event on its partition's thread.
            var barLog = loggers.CreateLogger<BarAggregator>();
            Aggregator = new BarAggregator(options.Partitions, settings.Aggregation, publisher,
                (partition, from) => LogRevisionRingShort(barLog, partition, settings.Aggregation.MaxRetainedBarsPerPartition, UnixTime.ToDateTime(from)));
            tap = new BothTaps(tap, Aggregator);
        }

        var logger = loggers.CreateLogger<EventPipeline>();
        Pipeline = settings.Prices
            ? new EventPipeline(publisher, options, pricing, time, logger, tap)
            : new EventPipeline(publisher, options, static () => NoFairPrice.Instance, time, logger, tap);
        return Pipeline;
    }

    /// <summary>Drains every queued event, then sends the open bars (before the producer is flushed).</summary>
    public async Task CompleteAsync()
    {
        gaps.Observed -= _onGap;

        if (Pipeline is not null)
        {
            await Pipeline.CompleteAsync().ConfigureAwait(false);
        }

        // Partition threads are done: the open bars go out before the producer is flushed.
        Aggregator?.FlushAll();
        if (_heartbeat is not null)
        {
            heartbeats.Remove(_heartbeat); // stopped, not stalled
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Pipeline is not null)
        {
            await Pipeline.DisposeAsync().ConfigureAwait(false);
        }
    }

    private bool FairPriceOf(InstrumentId instrument, out decimal price)
    {
        var found = LatestFairPrices.TryGetValue(instrument, out var fp);
        price = fp.Price;
        return found;
    }

    /// <summary>Subscriptions of a series: shards of its provider that carry the instrument's venue symbol, per route (once per series per window).</summary>
    private int SubscriptionsOf(in SeriesKey key)
    {
        if (refData.VenueSymbol(key.Instrument, key.Venue) is not { } symbol)
        {
            return 0;
        }

        foreach (var p in providers.Providers)
        {
            if (p.Id == key.Provider)
            {
                return p.SubscriptionsOf(symbol);
            }
        }

        return 0;
    }

    private sealed class StatsTap(SeriesStatsTap stats, LoopHeartbeat heartbeat) : IPartitionTap
    {
        public void OnEvent(int partition, in MarketEvent e, long nowNs)
        {
            heartbeat.Beat(partition);
            stats.OnEvent(partition, e, nowNs);
        }

        public void OnTick(int partition, long nowNs)
        {
            heartbeat.Beat(partition);
            stats.OnTick(partition, nowNs);
        }
    }

    [LoggerMessage(EventId = 3600, Level = LogLevel.Warning, Message = "Bar revisions: partition {Partition} keeps {MaxKept} trade bars, fewer than the revision window " +
        "holds: bars before {RevisableFrom} can no longer be revised (raise Pipeline:Aggregation:MaxRetainedBarsPerPartition or shorten RevisionWindow); logged once per partition")]
    private static partial void LogRevisionRingShort(ILogger logger, int partition, int maxKept, DateTime revisableFrom);

    private sealed class NoFairPrice : IFairPriceEngine
    {
        public static readonly NoFairPrice Instance = new();

        public bool OnEvent(in MarketEvent e, long nowNs, out FairPrice price)
        {
            price = default;
            return false;
        }

        public int OnTick(long nowNs, Span<FairPrice> output) => 0;
    }
}
