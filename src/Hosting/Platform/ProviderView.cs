using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Quality.Scorecard;

namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>
/// What the admin endpoints, the console view, metrics, the quality sidecar and the run summary read of one running provider:
/// its name, venue, connections, subscriptions and counters. It holds the provider privately and hands out no way to pause,
/// resume or change subscriptions; that is the control plane's (<see cref="IProviderControl"/>).
/// </summary>
public sealed class ProviderView(string name, IMarketDataProvider provider)
{
    /// <summary>The configured provider name (two providers of one venue stay apart by it).</summary>
    public string Name { get; } = name;

    public ProviderId Id => provider.Id;

    /// <summary>The one venue the provider connects to, or <see cref="VenueId.None"/> for a source of many venues.</summary>
    public VenueId Venue => provider.Venue;

    public int ConnectionCount => provider.ConnectionCount;

    public int ConnectedCount => provider.ConnectedCount;

    public int ActiveSubscriptions => provider.ActiveSubscriptions;

    public ProviderCounters Counters => new(provider.Counters);

    /// <summary>How many of the provider's connections carry <paramref name="symbol"/>.</summary>
    public int SubscriptionsOf(string symbol) => provider.SubscriptionsOf(symbol);
}

/// <summary>
/// The counters of one provider, read-only: each property reads the live counter, as <see cref="IngestionCounters"/> does,
/// without its <c>Record*</c> methods.
/// </summary>
public readonly struct ProviderCounters(IngestionCounters counters)
{
    public long Frames => counters.Frames;

    public long Events => counters.Events;

    public long DecodedFrames => counters.DecodedFrames;

    public long IgnoredFrames => counters.IgnoredFrames;

    public long RejectedFrames => counters.RejectedFrames;

    public long Reconnects => counters.Reconnects;

    public long Duplicates => counters.Duplicates;

    public long SequenceGaps => counters.SequenceGaps;

    /// <summary>Gap-fill: trades fetched back and breaks by outcome, per venue (read-only: its recording is internal to ingestion).</summary>
    public Ingestion.Backfill.BackfillCounters Backfill => counters.Backfill;

    public long ByReason(FrameReason reason) => counters.ByReason(reason);

    public long RejectedEventsByReason(FrameReason reason) => counters.RejectedEventsByReason(reason);

    /// <summary>Payload bytes received, over every venue.</summary>
    public long ReceivedBytes => counters.ReceivedBytes;

    /// <summary>Messages received, over every venue.</summary>
    public long ReceivedFrames => counters.ReceivedFrames;

    /// <summary>Bytes and messages received per venue (<see cref="VenueId.None"/>: a source of many venues, for none in particular).</summary>
    public IReadOnlyList<VenueIngress> IngressByVenue() => counters.IngressByVenue();

    /// <summary>What the provider received and decoded over <paramref name="elapsed"/>, with its rates and bytes per event.</summary>
    public ProviderIngress Ingress(TimeSpan elapsed) => ProviderIngress.Of(ReceivedBytes, ReceivedFrames, Events, elapsed);
}
