using Cloudwall.Rx.Control.State;
using Cloudwall.Rx.Pricing;

namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>
/// The one mapping from the control plane's pricing names onto the engine's <see cref="PricingParameters"/>: class scopes
/// onto the class values, instrument scopes onto <see cref="PricingParameters.Overrides"/>, on top of the configured
/// parameters (so a removed scope falls back to configuration). Its errors are the engine's own
/// (<see cref="PricingParameters.Errors"/>) plus the values that cannot be converted, so submit and apply refuse alike.
/// </summary>
public static class ControlPricing
{
    /// <summary>Milliseconds beyond this are refused before conversion (about 31 years; every range check is far below).</summary>
    private const decimal MaxMilliseconds = 1e12m;

    /// <summary>The parameters <paramref name="snapshot"/> asks for on top of <paramref name="configured"/>, or null with every problem.</summary>
    public static PricingParameters? TryBuild(PricingParameters configured, ControlSnapshot snapshot, int version, out IReadOnlyList<string> errors)
    {
        var problems = new List<string>();
        var overrides = new Dictionary<string, ParameterOverride>(configured.Overrides, StringComparer.Ordinal);
        foreach (var (key, values) in snapshot.PricingByInstrument.Scopes)
        {
            var o = overrides.GetValueOrDefault(key) ?? new ParameterOverride();
            overrides[key] = Override(o, $"instruments.{key}", values, problems);
        }

        // index and composite instruments share the engine's Composite values, so both scopes must agree.
        foreach (var name in snapshot.PricingByClass.Scopes.GetValueOrDefault("index")?.Keys ?? [])
        {
            if (snapshot.PricingByClass.Get("composite", name) is { } c && snapshot.PricingByClass.Get("index", name) != c)
            {
                problems.Add($"set-pricing classes.index.{name}: must equal classes.composite.{name} (the engine prices both with one class)");
            }
        }

        var next = configured with
        {
            Version = version,
            Spot = Class(configured.Spot, "spot", snapshot, problems),
            Perp = Class(configured.Perp, "perp", snapshot, problems),
            Future = Class(configured.Future, "future", snapshot, problems),
            Option = Class(configured.Option, "option", snapshot, problems),
            Composite = Class(Class(configured.Composite, "index", snapshot, problems), "composite", snapshot, problems),
            Overrides = overrides,
        };
        problems.AddRange(next.Errors());
        errors = problems;
        return problems.Count == 0 ? next : null;
    }

    private static ClassParameters Class(ClassParameters c, string cls, ControlSnapshot snapshot, List<string> problems) =>
        snapshot.PricingByClass.Scopes.TryGetValue(cls, out var values) ? c.With(Override(new ParameterOverride(), $"classes.{cls}", values, problems)) : c;

    private static ParameterOverride Override(ParameterOverride o, string scope, IReadOnlyDictionary<string, decimal> values, List<string> problems)
    {
        foreach (var (name, value) in values)
        {
            var field = $"set-pricing {scope}.{name}";
            switch (name)
            {
                case "outlier_ratio": o = o with { OutlierThreshold = value }; break;
                case "weight": o = o with { MaxWeightShare = value }; break;
                case "min_sources":
                    if (value != decimal.Truncate(value) || value is < int.MinValue or > int.MaxValue) problems.Add($"{field}: must be a whole number (was {value})");
                    else o = o with { MinSources = (int)value };
                    break;
                case "stale_after_ms" or "min_interval_ms" when Math.Abs(value) > MaxMilliseconds:
                    problems.Add($"{field}: out of range (was {value})");
                    break;
                case "stale_after_ms": o = o with { Staleness = TimeSpan.FromMilliseconds((double)value) }; break;
                case "min_interval_ms": o = o with { MinInterval = TimeSpan.FromMilliseconds((double)value) }; break;
                default: problems.Add($"{field}: the pricing engine has no such parameter"); break;
            }
        }

        return o;
    }
}
