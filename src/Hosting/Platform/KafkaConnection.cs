using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Kafka;
using Cloudwall.Rx.Kafka.Embedded;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>What the admin endpoints, views and summaries read of the process's Kafka connection.</summary>
public interface IKafkaStatus
{
    /// <summary>The bootstrap servers in use (the embedded cluster's when none were configured); null before start.</summary>
    string? Bootstrap { get; }

    /// <summary>Security in use, never a secret.</summary>
    KafkaSecurityInfo Security { get; }

    /// <summary>The producer's counters; null until it runs.</summary>
    KafkaStats? Snapshot();
}

/// <summary>
/// The process's Kafka: the embedded cluster when <c>Kafka:BootstrapServers</c> is empty, and the one long-lived producer.
/// The bound <see cref="KafkaOptions"/> are never changed: the effective settings (with the embedded cluster's address)
/// are a copy, <see cref="Effective"/>. Owned by the host: disposed (producer, then cluster) with the container.
/// </summary>
public sealed partial class KafkaConnection(IOptions<KafkaOptions> kafka, IOptions<EmbeddedKafkaOptions> embedded, ReferenceData refData,
    TimeProvider time, ILoggerFactory loggers, RunExit exit) : IKafkaStatus, IDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger<KafkaConnection>();
    private readonly Lock _gate = new();
    private EmbeddedKafkaCluster? _cluster;

    /// <summary>The settings in use once <see cref="ResolveEndpoint"/> ran; null before.</summary>
    public KafkaOptions? Effective { get; private set; }

    /// <summary>Every Kafka client's configuration, from <see cref="Effective"/>; null before <see cref="ResolveEndpoint"/> ran.</summary>
    public KafkaClientConfigs? Clients => Effective is { } effective ? _clients ??= new KafkaClientConfigs(effective) : null;

    private KafkaClientConfigs? _clients;

    public KafkaPublisher? Publisher { get; private set; }

    public string? Bootstrap => Effective?.BootstrapServers;

    public KafkaSecurityInfo Security => kafka.Value.SecurityInfo();

    public KafkaStats? Snapshot() => Publisher?.Snapshot();

    /// <summary>Starts the embedded cluster when no servers are configured (once) and returns the effective settings.</summary>
    public KafkaOptions ResolveEndpoint()
    {
        lock (_gate)
        {
            if (Effective is { } known)
            {
                return known;
            }

            var bound = kafka.Value;
            if (!string.IsNullOrWhiteSpace(bound.BootstrapServers))
            {
                return Effective = bound;
            }

            var e = embedded.Value;
            _cluster = new EmbeddedKafkaCluster(e.Brokers);
            KafkaTopology.CreateDefaultTopics(_cluster, new KafkaTopicLayout
            {
                EventsPartitions = e.EventsPartitions,
                FairPricesPartitions = e.FairPricesPartitions,
            });
            LogEmbeddedKafka(_cluster.BootstrapServers, e.Brokers);
            return Effective = bound.WithBootstrapServers(_cluster.BootstrapServers);
        }
    }

    /// <summary>Creates the producer (once); a fatal producer error stops the host with exit code 3.</summary>
    public KafkaPublisher StartPublisher()
    {
        var options = ResolveEndpoint();
        lock (_gate)
        {
            if (Publisher is null)
            {
                Publisher = new KafkaPublisher(options, refData, loggers.CreateLogger<KafkaPublisher>(), time);
                Publisher.OnFatalError += OnFatal;
            }

            return Publisher;
        }
    }

    /// <summary>Waits for what is in flight (up to <c>Kafka:DisposeFlushTimeout</c>); returns the records still not acknowledged.</summary>
    public int Flush()
    {
        if (Publisher is not { } publisher)
        {
            return 0;
        }

        var remaining = publisher.Flush(kafka.Value.DisposeFlushTimeout);
        LogFlushed(remaining);
        return remaining;
    }

    public void Dispose()
    {
        Publisher?.Dispose();
        Publisher = null;
        _cluster?.Dispose();
        _cluster = null;
    }

    private void OnFatal(Confluent.Kafka.Error error)
    {
        // A fatal producer error (fenced, unauthorized, ...) cannot be retried: stop the host with a clear message.
        LogKafkaFatal(error.Code.ToString(), error.Reason);
        exit.Fail(ExitCodes.FatalKafka);
    }

    [LoggerMessage(EventId = 3006, Level = LogLevel.Critical, Message = "Fatal Kafka producer error {Code}: {Reason}; stopping")]
    private partial void LogKafkaFatal(string code, string reason);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Embedded Kafka cluster at {Bootstrap} ({Brokers} brokers)")]
    private partial void LogEmbeddedKafka(string bootstrap, int brokers);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Kafka flushed; {Remaining} record(s) still in flight")]
    private partial void LogFlushed(int remaining);
}

/// <summary>The process's exit code: non-zero once something had to stop the host on a fatal error.</summary>
public sealed class RunExit(IHostApplicationLifetime lifetime)
{
    private int _code;

    public int Code => Volatile.Read(ref _code);

    public void Fail(int code)
    {
        Volatile.Write(ref _code, code);
        lifetime.StopApplication();
    }
}
