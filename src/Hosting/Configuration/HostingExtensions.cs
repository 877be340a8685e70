using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Admin;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Kafka;
using Cloudwall.Rx.Kafka.Groups;
using Cloudwall.Rx.Pricing;
using Cloudwall.Rx.Pricing.Aggregation;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Hosting.Configuration;

/// <summary>The composition root, as AddXxx extensions on the host builder.</summary>
public static class HostingExtensions
{
    /// <summary>Binds every options section and validates it on start; a bad value fails start-up naming its key.</summary>
    public static IHostApplicationBuilder AddPlatformOptions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section).Validate(o => Check(o.Validate())).ValidateOnStart();
        builder.Services.AddOptions<EmbeddedKafkaOptions>().BindConfiguration(EmbeddedKafkaOptions.Section).Validate(o => Check(o.Validate())).ValidateOnStart();
        builder.Services.AddOptions<ProvidersOptions>().BindConfiguration(ProvidersOptions.Section).PostConfigure(o => o.ApplyDefaults()).Validate(o => Check(o.Validate())).ValidateOnStart();
        builder.Services.AddOptions<SimulationOptions>().BindConfiguration(SimulationOptions.Section).Validate(o => Check(o.Validate())).ValidateOnStart();
        builder.Services.AddOptions<PipelineOptions>().BindConfiguration(PipelineOptions.Section).Validate(o => Check(o.Validate())).ValidateOnStart();
        builder.Services.AddOptions<AggregationOptions>().BindConfiguration(AggregationOptions.Section).Validate(o => Check(o.Validate())).ValidateOnStart();
        builder.Services.AddOptions<GroupWorkerOptions>().BindConfiguration(GroupWorkerOptions.Section).Validate(o => Check(o.Validate())).ValidateOnStart();
        builder.Services.AddOptions<PricingParameters>().BindConfiguration(PricingParameters.Section).Validate(o => Check(o.Validate())).ValidateOnStart();
        builder.Services.AddOptions<PricingHostOptions>().BindConfiguration(PricingParameters.Section);
        builder.Services.AddOptions<Quality.QualityOptions>().BindConfiguration(Quality.QualityOptions.Section)
            .Validate(o => Check(o.Validate())).ValidateOnStart();
        builder.Services.AddOptions<Control.ControlOptions>().BindConfiguration(Control.ControlOptions.SectionName)
            .Validate(o => Check(o.Validate())).ValidateOnStart();
        builder.Services.AddOptions<Control.RedisControlOptions>().BindConfiguration(Control.RedisControlOptions.SectionName)
            .Validate(o => !o.IsConfigured || Check(o.Validate())).ValidateOnStart();
        builder.Services.AddOptions<Control.Sharding.ShardOptions>().BindConfiguration(Control.Sharding.ShardOptions.SectionName)
            .Validate(o => !o.Enabled || Check(o.Validate())).ValidateOnStart();
        builder.Services.AddOptions<ConsoleViewOptions>().BindConfiguration(ConsoleViewOptions.Section);
        // Kafka:BootstrapServers may be empty here: the embedded cluster fills it in at start.
        builder.Services.AddOptions<KafkaOptions>().BindConfiguration(KafkaOptions.SectionName)
            .Validate(o => Check(o.Validate().Where(e => !e.Contains(nameof(KafkaOptions.BootstrapServers), StringComparison.Ordinal))))
            .ValidateOnStart();
        return builder;
    }

    public static IHostApplicationBuilder AddPlatform(this IHostApplicationBuilder builder, TextWriter consoleOut) => builder.AddPlatform(consoleOut, RunRole.All);

    /// <summary>
    /// The platform for one role. <c>all</c> and <c>ingest</c> run <see cref="PlatformService"/> (ingest without fair
    /// pricing); <c>price</c> runs <see cref="PriceRoleService"/>, and <see cref="PlatformService"/> is only there, idle,
    /// for the admin endpoints.
    /// </summary>
    public static IHostApplicationBuilder AddPlatform(this IHostApplicationBuilder builder, TextWriter consoleOut, string role)
    {
        builder.Services.AddSingleton(new RunRole(role));
        if (role == RunRole.Price)
        {
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
            builder.Services.AddSingleton(TimeProvider.System);
            builder.Services.AddSingleton<ReferenceData>();
            builder.Services.AddSingleton(sp => new PricingParametersSource(sp.GetRequiredService<IOptions<PricingParameters>>().Value));
            builder.Services.AddSingleton<PlatformService>();
            builder.Services.AddSingleton<PriceRoleService>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<PriceRoleService>());
            builder.Services.AddSingleton<PlatformMetrics>();
            return builder;
        }

        if (role == RunRole.Quality)
        {
            // The sidecar as its own pod: windows in from md.quality.v1, metrics and alerts out; the platform stays idle
            // (it only backs the admin endpoints).
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
            builder.Services.AddSingleton(TimeProvider.System);
            builder.Services.AddSingleton<ReferenceData>();
            builder.Services.AddSingleton(sp => new PricingParametersSource(sp.GetRequiredService<IOptions<PricingParameters>>().Value));
            builder.Services.AddSingleton<PlatformService>();
            builder.Services.AddSingleton<QualitySidecar>();
            builder.Services.AddSingleton<PlatformMetrics>();
            builder.Services.AddSingleton<QualityRoleService>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<QualityRoleService>());
            return builder;
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ReferenceData>();
        // The live pricing parameters: the control plane swaps snapshots in; engines read them on the next update.
        builder.Services.AddSingleton(sp => new PricingParametersSource(sp.GetRequiredService<IOptions<PricingParameters>>().Value));
        builder.Services.AddSingleton<PlatformService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PlatformService>());
        // After the platform: it starts once the producer exists and stops (draining its alert queues) before the platform.
        builder.Services.AddSingleton<QualitySidecar>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<QualitySidecar>());
        // Last: commands apply to a running platform, and the control plane stops before anything it drives.
        builder.Services.AddSingleton<ControlTarget>();
        builder.Services.AddSingleton<ControlPlaneService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ControlPlaneService>());
        builder.Services.AddSingleton<PlatformMetrics>();
        builder.Services.AddHostedService(sp => new ConsoleView(sp.GetRequiredService<PlatformService>(),
            sp.GetRequiredService<IOptions<ConsoleViewOptions>>(), consoleOut, sp.GetRequiredService<TimeProvider>()));
        return builder;
    }

    /// <summary>Turns a list of problems into an options validation result whose message names each bad key.</summary>
    private static bool Check(IEnumerable<string> errors)
    {
        var list = errors.ToList();
        return list.Count == 0 ? true : throw new OptionsValidationException("configuration", typeof(object), list);
    }
}

/// <summary>The role of this process (<c>run --role</c>).</summary>
public sealed record RunRole(string Name)
{
    public const string All = "all";
    public const string Ingest = "ingest";
    public const string Price = "price";
    public const string Quality = "quality";

    public static IReadOnlyList<string> Names { get; } = [All, Ingest, Price, Quality];
}
