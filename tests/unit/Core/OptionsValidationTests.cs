using System.Reflection;
using Cloudwall.Rx.Control;
using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Venues.Binance;
using Cloudwall.Rx.Kafka;
using Cloudwall.Rx.Pricing;
using Cloudwall.Rx.Quality;
using Cloudwall.Rx.Simulation.Kraken;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Tests.Unit.Core;

/// <summary>
/// One validation style: options state their rules as <see cref="ICheckedOptions.Errors"/> (or have their own
/// <see cref="IValidateOptions{TOptions}"/>), the host checks them on start, and nothing keeps a list- or throw-style Validate.
/// </summary>
public sealed class OptionsValidationTests
{
    private static readonly Assembly[] Src =
    [
        typeof(ICheckedOptions).Assembly, typeof(EventBounds).Assembly, typeof(PipelineOptions).Assembly, typeof(KafkaOptions).Assembly,
        typeof(QualityOptions).Assembly, typeof(ControlOptions).Assembly, typeof(KrakenSimulatorOptions).Assembly, typeof(AdminOptions).Assembly,
    ];

    /// <summary>Known exceptions, each with its reason.</summary>
    private static readonly Dictionary<Type, string> Exempt = new()
    {
        // Its limits depend on the Binance market it serves; BinanceProtocol's constructor checks the pair.
        [typeof(BinanceProtocolOptions)] = "market-dependent",
        [typeof(BinanceProtocol)] = "market-dependent",
        // A second view of the Pricing section (PricingParameters is the checked one); FairPricing refuses a bad composite at start.
        [typeof(PricingHostOptions)] = "view of a checked section",
    };

    private static IEnumerable<Type> Types => Src.SelectMany(a => a.GetTypes()).Where(t => !Exempt.ContainsKey(t));

    private static bool HasValidator(Type options) =>
        typeof(ICheckedOptions).IsAssignableFrom(options) ||
        Src.SelectMany(a => a.GetTypes()).Any(t => !t.IsAbstract && typeof(IValidateOptions<>).MakeGenericType(options).IsAssignableFrom(t));

    [Fact]
    public void Every_options_type_with_a_section_has_a_validator()
    {
        var sectioned = Types
            .Where(t => t.IsClass && t.Name.EndsWith("Options", StringComparison.Ordinal))
            .Where(t => t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } ||
                        t.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true })
            .ToList();

        Assert.True(sectioned.Count > 20, $"only {sectioned.Count} options types found");
        Assert.Empty(sectioned.Where(t => !HasValidator(t)).Select(t => t.FullName));
    }

    [Fact]
    public void Every_options_type_the_host_binds_is_validated_on_start()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.AddPlatformOptions();
        var services = builder.Services;
        var bound = services.Select(d => d.ServiceType)
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IOptionsChangeTokenSource<>))
            .Select(t => t.GetGenericArguments()[0])
            .Where(t => !Exempt.ContainsKey(t))
            .Distinct()
            .ToList();

        Assert.Contains(typeof(KafkaOptions), bound);
        Assert.Empty(bound.Where(t => !services.Any(d => d.ServiceType == typeof(IValidateOptions<>).MakeGenericType(t))).Select(t => t.FullName));
    }

    [Fact]
    public void No_type_keeps_a_list_or_throw_style_Validate()
    {
        var old = Types
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => m.Name is "Validate" or "ThrowIfInvalid" && !m.IsGenericMethodDefinition)
                .Where(m => m.ReturnType == typeof(void) || m.ReturnType == typeof(IEnumerable<string>) || m.ReturnType == typeof(IReadOnlyList<string>))
                .Select(m => $"{t.FullName}.{m.Name}"))
            .ToList();

        Assert.Empty(old);
    }

    [Fact]
    public void A_part_built_directly_and_the_host_report_the_same_errors()
    {
        var bad = new PipelineOptions { Partitions = 0 };
        var hosted = CheckedOptionsValidator<PipelineOptions>.Instance.Validate(Options.DefaultName, bad);
        var direct = Assert.Throws<OptionsValidationException>(() => OptionsCheck.ThrowIfInvalid(bad));

        Assert.True(hosted.Failed);
        Assert.Equal(hosted.Failures, direct.Failures);
        Assert.StartsWith("Pipeline:Partitions ", Assert.Single(direct.Failures), StringComparison.Ordinal);
    }
}
