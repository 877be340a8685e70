namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>
/// Starts and stops the platform's parts in dependency order; the host owns the parts themselves (see
/// <c>HostingExtensions.AddPlatform</c>). Start: Kafka (embedded when none is configured) and the producer, the event
/// pipeline, the quality sidecar, simulators and providers, then the connections. Stop: providers close, the pipeline
/// drains, Kafka flushes, and only then the alert queues drain (bounded, <see cref="Quality.Alerts.AlertDispatcher.DrainLimit"/>,
/// and cancelled by the stop token) so a dead Slack or webhook endpoint never delays the flush; then the simulators
/// stop. The run summary is taken by <see cref="PlatformStatus"/> once the host has stopped. Alerts that reach the producer during the drain leave with its final flush on dispose.
/// </summary>
public sealed partial class PlatformService(KafkaConnection kafka, PlatformPipeline pipeline, ProviderSet providers, QualitySidecar? quality,
    ILogger<PlatformService> logger) : IHostedService
{
    private readonly ILogger _logger = logger;
    private int _stopped;

    /// <summary>Whether the detectors and alert delivery run in this process (<c>Quality:Detectors:InProcess</c>).</summary>
    public bool RunsDetectors => quality is not null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var events = pipeline.Start(kafka.StartPublisher());
        if (quality is not null)
        {
            await quality.StartAsync(cancellationToken).ConfigureAwait(false);
        }

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
        if (quality is not null)
        {
            await quality.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        await providers.StopSimulatorsAsync().ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Platform started with {Providers} provider(s)")]
    private partial void LogStarted(int providers);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Stopping: closing providers, draining the pipeline, flushing Kafka, then draining alerts")]
    private partial void LogStopping();
}
