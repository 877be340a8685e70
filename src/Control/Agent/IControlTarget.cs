using Cloudwall.Rx.Control.State;

namespace Cloudwall.Rx.Control.Agent;

/// <summary>
/// What the platform lets the control plane change. The platform implements it (Hosting); the control plane calls it from one
/// task at a time, never concurrently, and only with changes (a diff is never empty when passed).
/// </summary>
public interface IControlTarget
{
    /// <summary>
    /// Adds and removes subscriptions through the providers' live add/remove. Instruments not in the diff must see no change.
    /// Sources are provider names, or <c>aggregator@venue</c>; instruments are canonical keys (map them to venue symbols
    /// with <c>ReferenceData.VenueSymbol</c>).
    /// </summary>
    Task ApplySubscriptionsAsync(SubscriptionDiff diff, CancellationToken ct);

    /// <summary>Stops a provider's subscriptions and remembers them. A failure faults the task (the command is rejected as apply-failed).</summary>
    Task PauseProviderAsync(string provider, CancellationToken ct);

    /// <summary>Subscribes a paused provider again. A failure faults the task (the command is rejected as apply-failed).</summary>
    Task ResumeProviderAsync(string provider, CancellationToken ct);

    /// <summary>
    /// Every reason the platform would refuse <paramref name="next"/> (the rules its engines apply, e.g. pricing parameters'
    /// ranges); empty when it applies. Called before anything changes, at submit and on each instance, so a state that cannot
    /// apply is refused whole. Must not change anything.
    /// </summary>
    IEnumerable<string> Errors(ControlSnapshot next) => [];

    /// <summary>Pricing parameters changed; read them from the snapshot (<see cref="ControlSnapshot.PricingParameter"/>).</summary>
    void SetPricing(ControlSnapshot snapshot);

    /// <summary>Detector thresholds changed; read them from <see cref="ControlSnapshot.Detectors"/>.</summary>
    void SetDetectors(ControlSnapshot snapshot);

    /// <summary>Reload reference data published under <paramref name="version"/> (see <c>RedisReferenceData</c>). Throw to refuse.</summary>
    Task ReloadReferenceDataAsync(long version, CancellationToken ct);

    /// <summary>The instance's state, as a JSON object, for snapshot-state.</summary>
    string SnapshotState();
}

/// <summary>A snapshot swap: the one before, the one now, and the subscription changes this instance applied.</summary>
public sealed record ControlSnapshotChanged(ControlSnapshot Previous, ControlSnapshot Current, SubscriptionDiff Diff);

/// <summary>The applied configuration: read <see cref="Current"/> (a volatile reference) anywhere; subscribe to changes.</summary>
public interface IControlSnapshotSource
{
    ControlSnapshot Current { get; }

    /// <summary>The version of <see cref="Current"/>.</summary>
    long AppliedVersion { get; }

    /// <summary>Raised after each swap, on the control plane's task. Handlers must not block.</summary>
    event EventHandler<ControlSnapshotChanged>? Changed;
}
