using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Admin;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Kafka;
using Cloudwall.Rx.Kafka.Groups;
using Cloudwall.Rx.Pricing;
using Cloudwall.Rx.Pricing.Aggregation;
using Cloudwall.Rx.Quality.Metrics;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Hosting.Configuration;

/// <summary>The composition root, as AddXxx extensions on the host builder.</summary>
public static class HostingExtensions
{
    /// <summary>Where every verb reads its settings from, later wins: appsettings.json, the environment, <c>--set</c>.</summary>
    public static IConfigurationBuilder AddPlatformSources(this IConfigurationBuilder configuration, IEnumerable<KeyValuePair<string, string?>> settings)
    {
        configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        configuration.AddEnvironmentVariables();
        configuration.AddInMemoryCollection(settings);
        return configuration;
    }

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
    /// pricing); <c>price</c> runs <see cref="PriceRoleService"/>; <c>quality</c> runs <see cref="QualityRoleService"/>. Every
    /// role registers the platform's parts, so the admin endpoints read the same status interfaces (idle where not run).
    /// </summary>
    public static IHostApplicationBuilder AddPlatform(this IHostApplicationBuilder builder, TextWriter consoleOut, string role)
    {
        builder.Services.AddSingleton(new RunRole(role));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
        builder.AddPlatformParts();
        builder.AddSeriesStatistics(role);
        if (role == RunRole.Price)
        {
            builder.Services.AddSingleton<PriceRoleService>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<PriceRoleService>());
            return builder;
        }

        if (role == RunRole.Quality)
        {
            // The sidecar as its own pod: windows in from md.quality.v1, metrics and alerts out; the platform stays idle
            // (its parts only back the admin endpoints).
            builder.Services.AddSingleton<QualitySidecar>();
            builder.Services.AddSingleton<QualityRoleService>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<QualityRoleService>());
            return builder;
        }

        // The platform starts and stops the sidecar: after the producer exists, and its alerts drain after the Kafka flush.
        builder.Services.AddSingleton<QualitySidecar>();
        builder.Services.AddSingleton<PlatformService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PlatformService>());
        // Last: commands apply to a running platform, and the control plane stops before anything it drives.
        builder.Services.AddSingleton<ControlTarget>();
        builder.Services.AddSingleton<ControlPlaneService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ControlPlaneService>());
        builder.Services.AddHostedService(sp => new ConsoleView(sp.GetRequiredService<IPlatformStatus>(), sp.GetRequiredService<IKafkaStatus>(),
            sp.GetRequiredService<IProviderStatus>(), sp.GetRequiredService<IPipelineStatus>(), sp.GetRequiredService<ReferenceData>(),
            sp.GetRequiredService<IOptions<ConsoleViewOptions>>(), consoleOut, sp.GetRequiredService<TimeProvider>()));
        return builder;
    }

    /// <summary>
    /// The platform's parts, each a singleton the host owns and disposes: Kafka (embedded cluster and the one producer), the
    /// ingestion ports (dead letters, sequence gaps), the providers, pricing and the event pipeline, and the status interfaces
    /// the admin endpoints, views and summaries read.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformParts(this IHostApplicationBuilder builder)
    {
        var s = builder.Services;
        s.AddSingleton(TimeProvider.System);
        s.AddSingleton<ReferenceData>();
        // The live pricing parameters: the control plane swaps snapshots in; engines read them on the next update.
        s.AddSingleton(sp => new PricingParametersSource(sp.GetRequiredService<IOptions<PricingParameters>>().Value));
        s.AddSingleton<FairPriceDetails>();
        s.AddSingleton(sp => new FairPricing(sp.GetRequiredService<ReferenceData>(), sp.GetRequiredService<PricingParametersSource>(),
            sp.GetRequiredService<IOptions<PricingHostOptions>>().Value.Composites, sp.GetRequiredService<FairPriceDetails>().Raise));
        s.AddSingleton<RunExit>();
        s.AddSingleton<KafkaConnection>();
        s.AddSingleton<IKafkaStatus>(sp => sp.GetRequiredService<KafkaConnection>());
        s.AddSingleton<DeadLetterLog>();
        s.AddSingleton<Ingestion.IDeadLetterSink>(sp => sp.GetRequiredService<DeadLetterLog>());
        s.AddSingleton<SequenceGapLog>();
        s.AddSingleton<Ingestion.ISequenceGapSink>(sp => sp.GetRequiredService<SequenceGapLog>());
        s.AddSingleton<ProviderSet>();
        s.AddSingleton<IProviderStatus>(sp => sp.GetRequiredService<ProviderSet>());
        s.AddSingleton<ResolvedPipelineSettings>();
        s.AddSingleton<PlatformPipeline>();
        s.AddSingleton<IPipelineStatus>(sp => sp.GetRequiredService<PlatformPipeline>());
        s.AddSingleton<PlatformStatus>();
        s.AddSingleton<IPlatformStatus>(sp => sp.GetRequiredService<PlatformStatus>());
        return builder;
    }

    /// <summary>
    /// Where the pipeline's 1 s series windows go: the Prometheus exporter; the detectors where the sidecar runs in process
    /// (roles all and ingest); md.quality.v1 with <c>Quality:PublishWindows</c> (default in role ingest) for a quality pod.
    /// </summary>
    public static IHostApplicationBuilder AddSeriesStatistics(this IHostApplicationBuilder builder, string role)
    {
        var s = builder.Services;
        s.AddSingleton(_ => PlatformMetrics.CreateRegistry());
        s.AddSingleton(sp => new SeriesMetricsExporter(sp.GetRequiredService<Prometheus.CollectorRegistry>(),
            sp.GetRequiredService<IConfiguration>().GetSection(QualityMetricsOptions.Section).Get<QualityMetricsOptions>() ?? new QualityMetricsOptions(),
            sp.GetRequiredService<ReferenceData>().KeyOf, sp.GetRequiredService<TimeProvider>()));
        s.AddSingleton<Quality.Stats.ISeriesWindowSink>(sp =>
        {
            var sinks = new List<Quality.Stats.ISeriesWindowSink> { sp.GetRequiredService<SeriesMetricsExporter>() };
            if (role is RunRole.All or RunRole.Ingest)
            {
                sinks.Add(sp.GetRequiredService<QualitySidecar>());
            }

            if (sp.GetRequiredService<IConfiguration>().GetValue<bool?>("Quality:PublishWindows") ?? role == RunRole.Ingest)
            {
                sinks.Add(new SeriesWindowKafkaSink(sp.GetRequiredService<KafkaConnection>(), sp.GetRequiredService<ReferenceData>()));
            }

            return new Quality.Stats.SeriesWindowFanOut([.. sinks]);
        });
        s.AddSingleton<PlatformMetrics>();
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
