using System.Collections;
using System.Reflection;

namespace Cloudwall.Rx.Tests.Unit.Deploy;

/// <summary>
/// The configuration keys the app reads, derived by reflection: every options type with a <c>Section</c> or
/// <c>SectionName</c> constant, walked through its public settable properties. A dictionary's key and a list's index are
/// <c>*</c> (any one segment). Keys compare case-insensitively, as configuration does.
/// </summary>
internal sealed class ConfigurationKeys
{
    /// <summary>One type from each assembly that holds options.</summary>
    private static readonly Assembly[] Assemblies =
    [
        typeof(Rx.Hosting.Configuration.AdminOptions).Assembly,
        typeof(Rx.Kafka.KafkaOptions).Assembly,
        typeof(Rx.Control.ControlOptions).Assembly,
        typeof(Rx.Quality.QualityOptions).Assembly,
        typeof(Rx.Pricing.PipelineOptions).Assembly,
        typeof(Rx.Ingestion.EventBounds).Assembly,
        typeof(Rx.Simulation.SimulatorFaults).Assembly,
    ];

    /// <summary>Options bound to a section they have no constant for (HostingExtensions binds them explicitly).</summary>
    private static readonly (string Section, Type Type)[] BoundWithoutConstant =
    [
        (Rx.Pricing.PricingParameters.Section, typeof(Rx.Hosting.Configuration.PricingHostOptions)),
    ];

    /// <summary>Keys read one by one (<c>IConfiguration.GetValue</c>) rather than through an options type.</summary>
    private static readonly string[] ReadDirectly = [];

    private readonly List<string[]> _patterns = [];

    public static ConfigurationKeys App { get; } = Build();

    public int Count => _patterns.Count;

    private static ConfigurationKeys Build()
    {
        var keys = new ConfigurationKeys();
        foreach (var type in Assemblies.SelectMany(a => a.GetTypes()))
        {
            foreach (var name in new[] { "Section", "SectionName" })
            {
                if (type.GetField(name, BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } f && f.GetRawConstantValue() is string section)
                    keys.Walk(section, type, depth: 0);
            }
        }

        foreach (var (section, type) in BoundWithoutConstant) keys.Walk(section, type, depth: 0);
        foreach (var key in ReadDirectly) keys._patterns.Add(key.Split(':'));
        return keys;
    }

    /// <summary>Whether <paramref name="key"/> (<c>A:B:C</c>) is a leaf key some options type binds.</summary>
    public bool Binds(string key)
    {
        var parts = key.Split(':');
        return _patterns.Any(p => p.Length == parts.Length &&
            p.Zip(parts).All(x => x.First == "*" || string.Equals(x.First, x.Second, StringComparison.OrdinalIgnoreCase)));
    }

    private void Walk(string prefix, Type type, int depth)
    {
        if (depth > 8) return; // a self-referencing type: bound depth, as the binder does in practice
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsLeaf(type))
        {
            _patterns.Add(prefix.Split(':'));
            return;
        }

        if (ElementOf(type) is { } element)
        {
            Walk(prefix + ":*", element, depth + 1);
            return;
        }

        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length > 0) continue;
            var settable = p.SetMethod is { IsPublic: true };
            // The binder also fills a get-only collection or object it can reach; computed scalars it cannot set.
            if (settable || (!IsLeaf(Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType) && p.PropertyType.IsClass && p.PropertyType.GetProperties().Any(x => x.SetMethod is { IsPublic: true })))
                Walk(prefix + ":" + p.Name, p.PropertyType, depth + 1);
        }
    }

    private static bool IsLeaf(Type t) =>
        t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan) || t == typeof(DateTime) ||
        t == typeof(DateTimeOffset) || t == typeof(Uri) || t == typeof(Guid);

    /// <summary>The value type of a dictionary, or the element type of a list or array; null for other types.</summary>
    private static Type? ElementOf(Type t)
    {
        if (t.IsArray) return t.GetElementType();
        if (!typeof(IEnumerable).IsAssignableFrom(t)) return null;
        var generic = t.GetInterfaces().Append(t).Where(i => i.IsGenericType).ToList();
        var dict = generic.FirstOrDefault(i => i.GetGenericTypeDefinition() is var d && (d == typeof(IDictionary<,>) || d == typeof(IReadOnlyDictionary<,>)));
        if (dict is not null) return dict.GetGenericArguments()[1];
        return generic.FirstOrDefault(i => i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
    }
}
