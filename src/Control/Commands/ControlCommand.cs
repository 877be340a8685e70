using System.Collections.Immutable;

namespace Cloudwall.Rx.Control.Commands;

/// <summary>A command whose envelope was authenticated and whose payload passed its schema.</summary>
public abstract record ControlCommand(string Type);

/// <summary>
/// subscribe / unsubscribe. <see cref="Source"/> is a provider name (<c>coinbase</c>), or <c>aggregator@venue</c> when an
/// aggregator carries one venue's data.
/// </summary>
public sealed record SubscriptionCommand(bool Subscribe, string Source, ImmutableArray<string> Instruments, DataClasses Classes)
    : ControlCommand(Subscribe ? CommandTypes.Subscribe : CommandTypes.Unsubscribe);

/// <summary>set-pricing: each listed class or instrument gets exactly the given parameters; an empty map removes the override.</summary>
public sealed record PricingCommand(
    ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, decimal>> Classes,
    ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, decimal>> Instruments) : ControlCommand(CommandTypes.SetPricing);

/// <summary>set-detector: each listed detector gets exactly the given thresholds; an empty map removes the detector's overrides.</summary>
public sealed record DetectorCommand(ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, decimal>> Detectors)
    : ControlCommand(CommandTypes.SetDetector);

/// <summary>pause-provider / resume-provider.</summary>
public sealed record ProviderPauseCommand(bool Pause, string Provider)
    : ControlCommand(Pause ? CommandTypes.PauseProvider : CommandTypes.ResumeProvider);

/// <summary>reload-reference-data: the reference data published under <see cref="Version"/> must be loaded.</summary>
public sealed record ReloadReferenceDataCommand(long Version) : ControlCommand(CommandTypes.ReloadReferenceData);

/// <summary>snapshot-state: each targeted instance reports its state on the results channel. Changes nothing.</summary>
public sealed record SnapshotStateCommand() : ControlCommand(CommandTypes.SnapshotState);
