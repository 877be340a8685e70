using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Ingestion.Backfill;

/// <summary>What a provider needs to fill its gaps: the venue's client, the settings and where outcomes go.</summary>
public sealed record BackfillSetup(IBackfillClient Client, BackfillOptions Options, IBackfillSink? Sink = null)
{
    /// <summary>A coordinator for one subscription of the provider (a new one after each resubscribe).</summary>
    public BackfillCoordinator CreateCoordinator(IngestionCounters counters, Action<DeadLetter> deadLetters, EventBounds? bounds, TimeProvider time,
        ILoggerFactory loggers) =>
        new(Client, Options, counters, deadLetters, Sink, bounds, time, loggers.CreateLogger<BackfillCoordinator>());
}
