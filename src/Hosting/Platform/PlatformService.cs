namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>
/// Starts and stops the platform's parts in dependency order; the host owns the parts themselves (see
/// <c>HostingExtensions.AddPlatform</c>). Start: Kafka (embedded when none is configured) and the producer, the event
/// pipeline, simulators and providers, then the connections. Stop, the reverse: providers close, the pipeline drains,
/// Kafka flushes, the summary is taken, the simulators stop.
/// </summary>
public sealed partial class PlatformService(KafkaConnection kafka, PlatformPipeline pipeline, ProviderSet providers, PlatformStatus status,
    ILogger<PlatformService> logger) : IHostedService
{
    private readonly ILogger _logger = logger;
    private int _stopped;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var events = pipeline.Start(kafka.StartPublisher());
        await providers.CreateAsync(cancellationToken).ConfigureAwait(false);
        providers.Connect(events.Input);
        LogStarted(providers.Providers.Count);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        LogStopping();
        providers.Disconnect();
        await pipeline.CompleteAsync().ConfigureAwait(false);
        kafka.Flush();
        status.Seal();
        await providers.StopSimulatorsAsync().ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Platform started with {Providers} provider(s)")]
    private partial void LogStarted(int providers);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Stopping: closing providers, draining the pipeline, flushing Kafka")]
    private partial void LogStopping();
}
