using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Admin;
using Cloudwall.Rx.Kafka;
using Cloudwall.Rx.Quality;
using Cloudwall.Rx.Quality.Wire;
using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>
/// Role <c>quality</c>: the sidecar as its own pod. It consumes the statistics windows from md.quality.v1 (never raw
/// trades), exports them as Prometheus metrics, runs the detectors, and writes its alerts back to md.quality.v1 through
/// the process's one producer. The blocking consumer loop runs on its own task, as Confluent's examples do.
/// </summary>
public sealed partial class QualityRoleService(
    IOptions<KafkaOptions> kafka,
    ReferenceData refData,
    QualitySidecar sidecar,
    PlatformMetrics metrics,
    LoopHeartbeats heartbeats,
    ILoggerFactory loggers,
    ILogger<QualityRoleService> logger) : BackgroundService
{
    public const string GroupId = "cloudwall-rx-quality";

    private KafkaPublisher? _publisher;
    private long _windows;
    private long _skipped;
    private int _assigned;

    public long WindowsConsumed => Interlocked.Read(ref _windows);

    /// <summary>Readiness: the consumer loop runs and the group has given it partitions of md.quality.v1.</summary>
    public bool IsConsuming => Volatile.Read(ref _assigned) > 0 && ExecuteTask is { IsCompleted: false };

    public long RecordsSkipped => Interlocked.Read(ref _skipped);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(() => Consume(stoppingToken), stoppingToken);

    private void Consume(CancellationToken ct)
    {
        var options = kafka.Value;
        _publisher = new KafkaPublisher(options, refData, loggers.CreateLogger<KafkaPublisher>());
        sidecar.Start(_publisher);
        var config = new KafkaClientConfigs(options).Consumer(GroupId);
        config.AutoOffsetReset = AutoOffsetReset.Latest;
        config.EnableAutoCommit = true;
        config.FetchWaitMaxMs = 10;
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config)
            .SetPartitionsAssignedHandler((_, parts) => Interlocked.Add(ref _assigned, parts.Count))
            .SetPartitionsRevokedHandler((_, parts) => Interlocked.Add(ref _assigned, -parts.Count))
            .SetPartitionsLostHandler((_, _) => Volatile.Write(ref _assigned, 0))
            .Build();
        consumer.Subscribe(Topics.Quality);
        LogStarted(Topics.Quality, GroupId);
        var batch = new List<SeriesWindow>(1);
        var heartbeat = heartbeats.Register("quality-consumer");
        try
        {
            while (!ct.IsCancellationRequested)
            {
                // A bounded wait, so the loop beats while the topic is quiet.
                var record = consumer.Consume(TimeSpan.FromMilliseconds(500));
                heartbeat.Beat();
                if (record?.Message?.Value is not { } value ||
                    RecordSchema.Of(record.Topic, record.Message.Headers, value) != SchemaIds.SeriesWindowV1)
                {
                    continue; // alerts (ours and others') share the topic
                }

                if (SeriesWindowCodec.Decode(value, refData) is not { } window)
                {
                    Interlocked.Increment(ref _skipped);
                    LogUndecodable(record.TopicPartitionOffset.ToString());
                    continue;
                }

                Interlocked.Increment(ref _windows);
                batch.Clear();
                batch.Add(window);
                metrics.Series.OnWindows(batch);
                sidecar.OnWindows(batch);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        finally
        {
            heartbeats.Remove(heartbeat);
            Volatile.Write(ref _assigned, 0);
            consumer.Close();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // The platform's order: stop consuming, flush Kafka, then drain alerts (bounded, cancelled by the stop token);
        // alerts produced during the drain leave with the producer's final flush.
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        _publisher?.Flush(kafka.Value.DisposeFlushTimeout);
        await sidecar.StopAsync(cancellationToken).ConfigureAwait(false);
        _publisher?.Dispose();
    }

    [LoggerMessage(EventId = 3401, Level = LogLevel.Information, Message = "Quality role consuming {Topic} as group {Group}")]
    private partial void LogStarted(string topic, string group);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Warning, Message = "Undecodable statistics window at {Position}; skipped")]
    private partial void LogUndecodable(string position);
}

/// <summary>
/// Statistics windows onto md.quality.v1 for a quality pod (schema SeriesWindowV1, keyed by instrument). Enabled with
/// <c>Quality:PublishWindows</c> (on by default in role ingest, where the detectors do not run in process).
/// </summary>
public sealed class SeriesWindowKafkaSink(KafkaConnection kafka, ReferenceData refData) : Quality.Stats.ISeriesWindowSink
{
    public void OnWindows(IReadOnlyList<SeriesWindow> windows)
    {
        if (kafka.Publisher is not { } publisher)
        {
            return;
        }

        foreach (var w in windows)
        {
            publisher.PublishQuality(SchemaIds.SeriesWindowV1, SeriesWindowCodec.Key(w, refData), SeriesWindowCodec.Encode(w, refData));
        }
    }
}
