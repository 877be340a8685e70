using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Cloudwall.Rx.Hosting.Configuration;
using Microsoft.Extensions.Configuration;
using Cloudwall.Rx.Tests.Unit.TestSupport;

namespace Cloudwall.Rx.Tests.Unit.Hosting;

/// <summary>
/// The README's configuration table is a promise: every default it writes as a literal must be what the platform binds
/// from <c>src/Hosting/appsettings.json</c> over the options classes' own defaults. A default changed in code without the
/// README (or the other way round) fails here, naming the key.
/// </summary>
public sealed partial class ReadmeConfigurationTests
{
    /// <summary>Configuration sections and the options types bound to them (the longest matching section wins).</summary>
    private static readonly (string Section, Type Type)[] Sections =
    [
        (AdminOptions.Section, typeof(AdminOptions)),
        (Rx.Kafka.KafkaOptions.SectionName, typeof(Rx.Kafka.KafkaOptions)),
        (EmbeddedKafkaOptions.Section, typeof(EmbeddedKafkaOptions)),
        (Rx.Pricing.PipelineOptions.Section, typeof(Rx.Pricing.PipelineOptions)),
        (SimulationOptions.Section, typeof(SimulationOptions)),
        (IngestionOptions.Section, typeof(IngestionOptions)),
        (Rx.Quality.Metrics.QualityMetricsOptions.Section, typeof(Rx.Quality.Metrics.QualityMetricsOptions)),
        (Rx.Control.RedisControlOptions.SectionName, typeof(Rx.Control.RedisControlOptions)),
        (Rx.Control.Sharding.ShardOptions.SectionName, typeof(Rx.Control.Sharding.ShardOptions)),
        (ConsoleViewOptions.Section, typeof(ConsoleViewOptions)),
    ];

    [GeneratedRegex(@"^\| (?<keys>`[^|]+`(, `[^|]+`)*) \| (?<defaults>[^|]+) \|", RegexOptions.Multiline)]
    private static partial Regex Row();

    [GeneratedRegex("`([^`]*)`")]
    private static partial Regex Code();

    public static TheoryData<string, string> LiteralDefaults()
    {
        var data = new TheoryData<string, string>();
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        var table = readme[readme.IndexOf("## Configuration reference", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("\n## ", 3, StringComparison.Ordinal)];
        foreach (Match row in Row().Matches(table))
        {
            var keys = Code().Matches(row.Groups["keys"].Value).Select(m => m.Groups[1].Value).ToList();
            var defaults = Code().Matches(row.Groups["defaults"].Value).Select(m => m.Groups[1].Value).ToList();
            if (defaults.Count != keys.Count || keys.Any(k => k.Contains('*', StringComparison.Ordinal)))
            {
                continue; // a described default ("empty", "processor count", "see docs/..."): nothing literal to compare
            }

            for (var i = 0; i < keys.Count; i++)
            {
                data.Add(keys[i].Replace("<name>", "coinbase", StringComparison.Ordinal), defaults[i]);
            }
        }

        return data;
    }

    [Fact]
    public void The_table_has_the_literal_defaults_it_is_read_for()
    {
        var keys = LiteralDefaults().Select(r => (string)r[0]).ToList();
        Assert.True(keys.Count >= 20, $"only {keys.Count} literal defaults parsed from the README's configuration table");
        Assert.Contains("Kafka:MessageTimeoutMs", keys);
        Assert.Contains("Providers:coinbase:MaxAge", keys);
    }

    [Theory]
    [MemberData(nameof(LiteralDefaults))]
    public void Each_literal_default_in_the_readme_is_the_bound_default(string key, string documented)
    {
        var config = new ConfigurationBuilder().AddJsonFile(Path.Combine(Repository.Root, "src", "Hosting", "appsettings.json")).Build();
        var (value, type) = Effective(config, key);
        var expected = Parse(documented, type, key);
        Assert.True(Equals(expected, value), $"README says {key} defaults to `{documented}`, the platform binds {Format(value)}");
    }

    private static (object? Value, Type Type) Effective(IConfiguration config, string key)
    {
        if (key.StartsWith(ProvidersOptions.Section + ":", StringComparison.Ordinal))
        {
            var providers = config.GetSection(ProvidersOptions.Section).Get<ProvidersOptions>() ?? new ProvidersOptions();
            providers.ApplyDefaults();
            var parts = key.Split(':');
            Assert.True(providers.TryGetValue(parts[1], out var provider), $"{key}: no provider '{parts[1]}' by default");
            return Property(provider!, parts.Skip(2), key);
        }

        var (section, type) = Sections.Where(s => key.StartsWith(s.Section + ":", StringComparison.Ordinal)).MaxBy(s => s.Section.Length);
        Assert.True(type is not null, $"{key}: no options type is bound to its section (add it to {nameof(Sections)})");
        var options = config.GetSection(section).Get(type) ?? Activator.CreateInstance(type)!;
        return Property(options, key[(section.Length + 1)..].Split(':'), key);
    }

    private static (object? Value, Type Type) Property(object target, IEnumerable<string> path, string key)
    {
        object? value = target;
        var type = target.GetType();
        foreach (var name in path)
        {
            var p = type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance);
            Assert.True(p is not null, $"{key}: {type.Name} has no property {name}");
            value = p!.GetValue(value);
            type = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
        }

        return (value, type);
    }

    private static object Parse(string text, Type type, string key)
    {
        if (type == typeof(TimeSpan)) return TimeSpan.Parse(text, CultureInfo.InvariantCulture);
        if (type.IsEnum) return Enum.Parse(type, text, ignoreCase: true);
        if (type == typeof(string)) return text;
        var converter = TypeDescriptor.GetConverter(type);
        Assert.True(converter.CanConvertFrom(typeof(string)), $"{key}: cannot read `{text}` as {type.Name}");
        return converter.ConvertFromInvariantString(text)!;
    }

    private static string Format(object? v) => v switch
    {
        null => "nothing",
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
    };
}
