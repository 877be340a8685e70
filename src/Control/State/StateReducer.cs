using System.Collections.Immutable;
using Cloudwall.Rx.Control.Commands;

namespace Cloudwall.Rx.Control.State;

/// <summary>Pure: the desired state after a command. The input snapshot is never changed.</summary>
public static class StateReducer
{
    /// <summary>The next snapshot, or null with <paramref name="rejection"/> when the command cannot apply to this state.</summary>
    public static ControlSnapshot? Apply(ControlSnapshot current, ControlCommand command, long version, DateTimeOffset at, string commandId, out string? rejection)
    {
        rejection = null;
        var next = command switch
        {
            SubscriptionCommand s => current with { Subscriptions = Subscriptions(current.Subscriptions, s) },
            PricingCommand p => current with
            {
                PricingByClass = current.PricingByClass.With(p.Classes),
                PricingByInstrument = current.PricingByInstrument.With(p.Instruments),
            },
            DetectorCommand d => current with { Detectors = current.Detectors.With(d.Detectors) },
            ProviderPauseCommand { Pause: true } p => current with { PausedProviders = current.PausedProviders.Add(p.Provider) },
            ProviderPauseCommand p => current with { PausedProviders = current.PausedProviders.Remove(p.Provider) },
            ReloadReferenceDataCommand r when r.Version <= current.ReferenceDataVersion => null,
            ReloadReferenceDataCommand r => current with { ReferenceDataVersion = r.Version },
            _ => null,
        };

        if (next is null)
        {
            rejection = command switch
            {
                ReloadReferenceDataCommand r => $"payload.version: {r.Version} is not newer than the current reference-data version {current.ReferenceDataVersion}",
                _ => $"type: {command.Type} does not change the desired state",
            };
            return null;
        }

        return next with { Version = version, UpdatedAt = at, CommandId = commandId };
    }

    private static ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, DataClasses>> Subscriptions(
        ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, DataClasses>> all, SubscriptionCommand command)
    {
        var instruments = all.TryGetValue(command.Source, out var existing) ? existing : ImmutableSortedDictionary.Create<string, DataClasses>(StringComparer.Ordinal);
        var b = instruments.ToBuilder();
        foreach (var key in command.Instruments)
        {
            var was = b.TryGetValue(key, out var c) ? c : DataClasses.None;
            var now = command.Subscribe ? was | command.Classes : was & ~command.Classes;
            if (now == DataClasses.None) b.Remove(key);
            else b[key] = now;
        }

        var updated = b.ToImmutable();
        if (SameInstruments(updated, instruments))
        {
            return all; // keep the same reference so the diff skips this source
        }

        return updated.IsEmpty ? all.Remove(command.Source) : all.SetItem(command.Source, updated);
    }

    private static bool SameInstruments(ImmutableSortedDictionary<string, DataClasses> a, ImmutableSortedDictionary<string, DataClasses> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
