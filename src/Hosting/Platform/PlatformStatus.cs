using System.Diagnostics;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Configuration;

namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>What /healthz/details, the console view and the run summary read of the platform as a whole.</summary>
public interface IPlatformStatus
{
    string Role { get; }

    TimeSpan Uptime { get; }

    long DeadLetters { get; }

    long SequenceGaps { get; }

    /// <summary>Non-zero when the platform had to stop on a fatal error.</summary>
    int ExitCode { get; }

    /// <summary>Set once the platform has stopped: the final counts.</summary>
    RunSummary? FinalSummary { get; }

    /// <summary>The counts now.</summary>
    RunSummary Summarize();
}

/// <summary>
/// The platform's status, read from the services that own each part; it holds no state of its own but the final summary,
/// taken when the host has stopped every hosted service (<see cref="IHostApplicationLifetime.ApplicationStopped"/>: the
/// providers closed, the pipeline drained, Kafka flushed) and before the services are disposed.
/// </summary>
public sealed class PlatformStatus : IPlatformStatus
{
    private readonly Stopwatch _uptime = Stopwatch.StartNew();
    private readonly RunRole role;
    private readonly IKafkaStatus kafka;
    private readonly IPipelineStatus pipeline;
    private readonly IProviderStatus providers;
    private readonly DeadLetterLog deadLetters;
    private readonly SequenceGapLog gaps;
    private readonly ReferenceData refData;
    private readonly RunExit exit;

    public PlatformStatus(RunRole role, IKafkaStatus kafka, IPipelineStatus pipeline, IProviderStatus providers, DeadLetterLog deadLetters,
        SequenceGapLog gaps, ReferenceData refData, RunExit exit, IHostApplicationLifetime lifetime)
    {
        this.role = role;
        this.kafka = kafka;
        this.pipeline = pipeline;
        this.providers = providers;
        this.deadLetters = deadLetters;
        this.gaps = gaps;
        this.refData = refData;
        this.exit = exit;
        lifetime.ApplicationStopped.Register(Seal);
    }

    public string Role => role.Name;

    public TimeSpan Uptime => _uptime.Elapsed;

    public long DeadLetters => deadLetters.Count;

    public long SequenceGaps => gaps.Count;

    public int ExitCode => exit.Code;

    public RunSummary? FinalSummary { get; private set; }

    /// <summary>Takes the final summary, once.</summary>
    private void Seal() => FinalSummary ??= Summarize();

    public RunSummary Summarize()
    {
        var stats = kafka.Snapshot();
        var events = stats?.For(Topics.Events);
        var fair = stats?.For(Topics.FairPrices);
        var counts = pipeline.Stats;
        var latest = pipeline.LatestFairPrices;
        var atStop = providers.SubscriptionsAtStop;
        var elapsed = _uptime.Elapsed;
        return new RunSummary
        {
            Role = role.Name,
            DurationSeconds = Math.Round(elapsed.TotalSeconds, 3),
            EventsReceived = counts?.Received ?? 0,
            EventsProcessed = counts?.Processed ?? 0,
            EventsDropped = counts?.Dropped ?? 0,
            EventsPublished = events?.Delivered ?? 0,
            FairPricesComputed = counts?.FairPricesPublished ?? 0,
            FairPricesPublished = fair?.Delivered ?? 0,
            DeadLetters = DeadLetters,
            SequenceGaps = SequenceGaps,
            KafkaDelivered = stats?.Delivered ?? 0,
            KafkaDeliveryFailures = stats?.DeliveryFailed ?? 0,
            KafkaDropped = stats?.Dropped ?? 0,
            KafkaBytes = stats?.BytesProduced ?? 0,
            KafkaBootstrap = kafka.Bootstrap,
            KafkaSecurity = kafka.Security,
            KafkaRetries = stats?.RequestRetries ?? 0,
            KafkaQueueFullWaits = stats?.QueueFullWaits ?? 0,
            KafkaQueueFullPolicy = stats?.QueueFullPolicy,
            BarsPublished = stats?.For(Topics.Bars)?.Delivered ?? 0,
            Cost = CostSummary.Measure(elapsed, counts?.Received ?? 0, stats?.Topics ?? [], stats?.InputLatency, stats?.DeliveryLatency),
            Providers = providers.Providers.Select((e, i) =>
            {
                var c = e.Counters;
                return new ProviderSummary(e.Name, c.Events, c.Frames, c.IgnoredFrames, c.RejectedFrames, c.Reconnects, c.Duplicates, c.SequenceGaps,
                    atStop is not null && i < atStop.Count ? atStop[i] : e.ActiveSubscriptions, c.Ingress(elapsed), BackfillSummary.Of(c.Backfill));
            }).ToList(),
            Instruments = refData.Instruments
                .Select(i => latest.TryGetValue(i.Id, out var fp)
                    ? new InstrumentSummary(i.Key, EventJson.Dec(fp.Price), fp.Status.ToText(), fp.SourcesUsed, fp.SourcesKnown, EventJson.Dec(fp.Confidence))
                    : new InstrumentSummary(i.Key, null, null, 0, 0, null))
                .OrderBy(i => i.Instrument, StringComparer.Ordinal)
                .ToList(),
        };
    }
}
