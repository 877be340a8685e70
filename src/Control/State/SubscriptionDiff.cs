using System.Collections.Immutable;
using Cloudwall.Rx.Control.Commands;

namespace Cloudwall.Rx.Control.State;

/// <summary>One (source, instrument) whose data classes change. <see cref="Before"/> None = added; <see cref="After"/> None = removed.</summary>
public readonly record struct SubscriptionChange(string Source, string Instrument, DataClasses Before, DataClasses After)
{
    /// <summary>The provider name (the part of <see cref="Source"/> before any <c>@venue</c>).</summary>
    public string Provider => Source.IndexOf('@') is var at and >= 0 ? Source[..at] : Source;

    /// <summary>The venue an aggregator source is limited to, or null.</summary>
    public string? Venue => Source.IndexOf('@') is var at and >= 0 ? Source[(at + 1)..] : null;

    public DataClasses AddedClasses => After & ~Before;

    public DataClasses RemovedClasses => Before & ~After;
}

/// <summary>
/// What changes between two subscription sets. Instruments whose classes did not change do not appear, so the providers
/// they belong to see no add or remove for them.
/// </summary>
public sealed record SubscriptionDiff(
    ImmutableArray<SubscriptionChange> Added,
    ImmutableArray<SubscriptionChange> Removed,
    ImmutableArray<SubscriptionChange> Changed)
{
    public static SubscriptionDiff Empty { get; } = new([], [], []);

    public bool IsEmpty => Added.IsEmpty && Removed.IsEmpty && Changed.IsEmpty;

    public int Count => Added.Length + Removed.Length + Changed.Length;

    /// <summary>Every change, grouped by source, in source then instrument order.</summary>
    public ImmutableSortedDictionary<string, ImmutableArray<SubscriptionChange>> BySource() =>
        Added.Concat(Removed).Concat(Changed)
            .GroupBy(c => c.Source, StringComparer.Ordinal)
            .ToImmutableSortedDictionary(g => g.Key, g => g.OrderBy(c => c.Instrument, StringComparer.Ordinal).ToImmutableArray(), StringComparer.Ordinal);

    public static SubscriptionDiff Compute(
        IReadOnlyDictionary<string, ImmutableSortedDictionary<string, DataClasses>> before,
        IReadOnlyDictionary<string, ImmutableSortedDictionary<string, DataClasses>> after)
    {
        var added = ImmutableArray.CreateBuilder<SubscriptionChange>();
        var removed = ImmutableArray.CreateBuilder<SubscriptionChange>();
        var changed = ImmutableArray.CreateBuilder<SubscriptionChange>();
        foreach (var source in before.Keys.Union(after.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            before.TryGetValue(source, out var b);
            after.TryGetValue(source, out var a);
            if (ReferenceEquals(a, b))
            {
                continue; // unchanged source: an immutable map that was carried over as is
            }

            b ??= ImmutableSortedDictionary<string, DataClasses>.Empty;
            a ??= ImmutableSortedDictionary<string, DataClasses>.Empty;
            foreach (var (instrument, was) in b)
            {
                if (!a.TryGetValue(instrument, out var now)) removed.Add(new(source, instrument, was, DataClasses.None));
                else if (now != was) changed.Add(new(source, instrument, was, now));
            }

            foreach (var (instrument, now) in a)
            {
                if (!b.ContainsKey(instrument)) added.Add(new(source, instrument, DataClasses.None, now));
            }
        }

        return new SubscriptionDiff(added.ToImmutable(), removed.ToImmutable(), changed.ToImmutable());
    }

    /// <summary>The subscriptions this instance serves: those whose (source, instrument) passes <paramref name="owns"/>.</summary>
    public static ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, DataClasses>> Filter(
        ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, DataClasses>> all, Func<string, string, bool>? owns)
    {
        if (owns is null)
        {
            return all;
        }

        var result = ImmutableSortedDictionary.CreateBuilder<string, ImmutableSortedDictionary<string, DataClasses>>(StringComparer.Ordinal);
        foreach (var (source, instruments) in all)
        {
            var kept = instruments.Where(i => owns(source, i.Key)).ToImmutableSortedDictionary(i => i.Key, i => i.Value, StringComparer.Ordinal);
            if (!kept.IsEmpty) result[source] = kept;
        }

        return result.ToImmutable();
    }
}
