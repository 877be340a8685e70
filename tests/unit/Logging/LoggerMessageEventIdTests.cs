using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Tests.Unit.Logging;

/// <summary>
/// Every <c>[LoggerMessage]</c> event id in the solution is unique and lies in its assembly's range, so a log query by id
/// finds one message. A new project takes the next free range here.
/// </summary>
public sealed class LoggerMessageEventIdTests
{
    /// <summary>The one place the id ranges are chosen: assembly name, first id, last id.</summary>
    private static readonly (string Assembly, int First, int Last)[] Ranges =
    [
        ("Cloudwall.Rx.Core", 1, 999),
        ("Cloudwall.Rx.Ingestion", 1000, 1999),
        ("Cloudwall.Rx.Pricing", 2000, 2999),
        ("cloudwall-rx", 3000, 3999), // Hosting
        ("Cloudwall.Rx.Kafka", 4000, 4099),
        ("Cloudwall.Rx.Quality", 4100, 4999),
        ("Cloudwall.Rx.Simulation", 7000, 7999),
        ("Cloudwall.Rx.Control", 8000, 8999),
    ];

    [Fact]
    public void Every_solution_assembly_has_a_range()
    {
        var shipped = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(n => n!.StartsWith("Cloudwall.Rx.", StringComparison.Ordinal) || n == "cloudwall-rx")
            .Where(n => !n!.StartsWith("Cloudwall.Rx.Tests.", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
        var missing = shipped.Except(Ranges.Select(r => r.Assembly)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "Assemblies without an event id range: " + string.Join(", ", missing));
    }

    [Fact]
    public void Event_ids_are_unique_across_the_solution()
    {
        var collisions = Usages()
            .GroupBy(u => u.Id)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(u => u.Method))}")
            .ToList();
        Assert.True(collisions.Count == 0, "[LoggerMessage] event ids used twice:\n" + string.Join("\n", collisions));
    }

    [Fact]
    public void Event_ids_lie_in_their_assembly_range()
    {
        var outside = Usages()
            .Where(u => u.Id < u.Range.First || u.Id > u.Range.Last)
            .Select(u => $"{u.Id} {u.Method} (range {u.Range.First}-{u.Range.Last})")
            .ToList();
        Assert.True(outside.Count == 0, "[LoggerMessage] event ids outside their assembly's range:\n" + string.Join("\n", outside));
    }

    [Fact]
    public void The_scan_sees_the_logging_assemblies()
    {
        // Guards the reflection itself: an empty scan would pass the uniqueness test vacuously.
        var assemblies = Usages().Select(u => u.Range.Assembly).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("Cloudwall.Rx.Simulation", assemblies);
        Assert.Contains("Cloudwall.Rx.Control", assemblies);
        Assert.Contains("cloudwall-rx", assemblies);
    }

    private static List<(int Id, string Method, (string Assembly, int First, int Last) Range)> Usages()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        var usages = new List<(int, string, (string, int, int))>();
        foreach (var range in Ranges)
        {
            var assembly = Assembly.Load(new AssemblyName(range.Assembly));
            foreach (var type in assembly.GetTypes())
            {
                foreach (var method in type.GetMethods(all))
                {
                    if (method.GetCustomAttribute<LoggerMessageAttribute>() is { } attribute)
                    {
                        usages.Add((attribute.EventId, $"{type.FullName}.{method.Name}", range));
                    }
                }
            }
        }

        return usages;
    }
}
