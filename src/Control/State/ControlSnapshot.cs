using System.Collections.Immutable;
using Cloudwall.Rx.Control.Commands;

namespace Cloudwall.Rx.Control.State;

/// <summary>Parameters per scope name (instrument class, instrument key or detector) → parameter name → value.</summary>
public sealed record ScopedParameters(ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, decimal>> Scopes)
{
    public static ScopedParameters Empty { get; } = new(ImmutableSortedDictionary.Create<string, ImmutableSortedDictionary<string, decimal>>(StringComparer.Ordinal));

    public decimal? Get(string scope, string name) =>
        Scopes.TryGetValue(scope, out var p) && p.TryGetValue(name, out var v) ? v : null;

    /// <summary>Replaces each given scope's parameters; an empty map removes the scope.</summary>
    public ScopedParameters With(ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, decimal>> updates)
    {
        var b = Scopes.ToBuilder();
        foreach (var (scope, values) in updates)
        {
            if (values.IsEmpty) b.Remove(scope);
            else b[scope] = values;
        }

        return new ScopedParameters(b.ToImmutable());
    }

    public bool Equals(ScopedParameters? other) =>
        other is not null && Scopes.Count == other.Scopes.Count &&
        Scopes.All(kv => other.Scopes.TryGetValue(kv.Key, out var o) && o.Count == kv.Value.Count &&
                         kv.Value.All(p => o.TryGetValue(p.Key, out var ov) && ov == p.Value));

    public override int GetHashCode() => Scopes.Count;
}

/// <summary>
/// One immutable desired configuration, at one version. Applying a command produces a new snapshot; nothing mutates one.
/// Records compare by content (collections included), so "did the pricing change" is <c>a.Pricing... == b...</c>.
/// </summary>
public sealed record ControlSnapshot
{
    /// <summary>Source (provider or <c>aggregator@venue</c>) → canonical instrument key → data classes.</summary>
    public ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, DataClasses>> Subscriptions { get; init; } =
        ImmutableSortedDictionary.Create<string, ImmutableSortedDictionary<string, DataClasses>>(StringComparer.Ordinal);

    public long Version { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The id of the command that produced this version.</summary>
    public string? CommandId { get; init; }

    /// <summary>Pricing parameters per instrument class (spot, perp, ...).</summary>
    public ScopedParameters PricingByClass { get; init; } = ScopedParameters.Empty;

    /// <summary>Pricing parameters per canonical instrument key; these win over the class's.</summary>
    public ScopedParameters PricingByInstrument { get; init; } = ScopedParameters.Empty;

    /// <summary>Detector → threshold → value.</summary>
    public ScopedParameters Detectors { get; init; } = ScopedParameters.Empty;

    public ImmutableSortedSet<string> PausedProviders { get; init; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    /// <summary>The reference-data version instances must have loaded; 0 is "whatever was loaded at start".</summary>
    public long ReferenceDataVersion { get; init; }

    public static ControlSnapshot Empty { get; } = new();

    public int SubscriptionCount => Subscriptions.Values.Sum(s => s.Count);

    /// <summary>A pricing parameter for an instrument: its own override, else its class's.</summary>
    public decimal? PricingParameter(string instrumentKey, string instrumentClass, string name) =>
        PricingByInstrument.Get(instrumentKey, name) ?? PricingByClass.Get(instrumentClass, name);

    /// <summary>True when the configuration (everything but version, time and command id) is the same.</summary>
    public bool SameConfiguration(ControlSnapshot other) =>
        SameSubscriptions(Subscriptions, other.Subscriptions) && PricingByClass.Equals(other.PricingByClass) &&
        PricingByInstrument.Equals(other.PricingByInstrument) && Detectors.Equals(other.Detectors) &&
        PausedProviders.SetEquals(other.PausedProviders) && ReferenceDataVersion == other.ReferenceDataVersion;

    internal static bool SameSubscriptions(
        ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, DataClasses>> a,
        ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, DataClasses>> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var o) && o.Count == kv.Value.Count &&
                                          kv.Value.All(i => o.TryGetValue(i.Key, out var c) && c == i.Value));
}
