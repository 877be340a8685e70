using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Configuration;
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

    /// <summary>
    /// Binds every options section and validates it on start through its <see cref="IValidateOptions{TOptions}"/>; a bad value
    /// fails start-up naming its key.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformOptions(this IHostApplicationBuilder builder)
    {
        var s = builder.Services;
        s.AddCheckedOptions<AdminOptions>(AdminOptions.Section);
        s.AddCheckedOptions<EmbeddedKafkaOptions>(EmbeddedKafkaOptions.Section);
        // Providers read the simulation switch: without simulators, an enabled provider needs an endpoint.
        s.AddSingleton<IValidateOptions<ProvidersOptions>, ProvidersOptionsValidator>();
        s.AddOptions<ProvidersOptions>().BindConfiguration(ProvidersOptions.Section)
            .PostConfigure<IOptions<SimulationOptions>>((o, sim) => o.ApplyDefaults(sim.Value.Enabled)).ValidateOnStart();
        s.AddCheckedOptions<SimulationOptions>(SimulationOptions.Section);
        s.AddCheckedOptions<IngestionOptions>(IngestionOptions.Section);
        s.AddCheckedOptions<PipelineOptions>(PipelineOptions.Section);
        s.AddCheckedOptions<AggregationOptions>(AggregationOptions.Section);
        s.AddCheckedOptions<GroupWorkerOptions>(GroupWorkerOptions.Section);
        s.AddCheckedOptions<PricingParameters>(PricingParameters.Section);
        s.AddOptions<PricingHostOptions>().BindConfiguration(PricingParameters.Section);
        s.AddCheckedOptions<Quality.QualityOptions>(Quality.QualityOptions.Section);
        s.AddCheckedOptions<QualityPlacementOptions>(QualityPlacementOptions.Section);
        s.AddCheckedOptions<Control.ControlOptions>(Control.ControlOptions.SectionName);
        s.AddCheckedOptions<Control.RedisControlOptions>(Control.RedisControlOptions.SectionName);
        s.AddCheckedOptions<Control.Sharding.ShardOptions>(Control.Sharding.ShardOptions.SectionName);
        s.AddCheckedOptions<ConsoleViewOptions>(ConsoleViewOptions.Section);
        s.AddCheckedOptions(KafkaOptions.SectionName, new HostKafkaOptionsValidator());
        return builder;
    }

    /// <summary>Binds <typeparamref name="TOptions"/> to <paramref name="section"/>, checked on start by its own rules.</summary>
    private static OptionsBuilder<TOptions> AddCheckedOptions<TOptions>(this IServiceCollection services, string section)
        where TOptions : class, ICheckedOptions =>
        services.AddCheckedOptions(section, CheckedOptionsValidator<TOptions>.Instance);

    private static OptionsBuilder<TOptions> AddCheckedOptions<TOptions>(this IServiceCollection services, string section, IValidateOptions<TOptions> validator)
        where TOptions : class
    {
        services.AddSingleton(validator);
        return services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
    }

    public static IHostApplicationBuilder AddPlatform(this IHostApplicationBuilder builder, TextWriter consoleOut) => builder.AddPlatform(consoleOut, RunRole.All);

    /// <summary>
    /// The platform for one role. <c>all</c> and <c>ingest</c> run <see cref="PlatformService"/> (ingest without fair
    /// pricing, and without the detectors unless <c>Quality:Detectors:InProcess</c>: it publishes its windows instead); <c>price</c> runs <see cref="PriceRoleService"/>; <c>quality</c> runs <see cref="QualityRoleService"/>. Every
    /// role registers the platform's parts, so the admin endpoints read the same status interfaces (idle where not run).
    /// </summary>
    public static IHostApplicationBuilder AddPlatform(this IHostApplicationBuilder builder, TextWriter consoleOut, string role)
    {
        builder.Services.AddSingleton(new RunRole(role));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
        builder.AddPlatformParts();
        builder.AddSeriesStatistics(role);
        builder.AddPlatformHealth(role);
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

        // The sidecar is registered in every role that ingests (the control plane sets its live thresholds); the platform
        // starts and stops it only where the detectors run in process (Quality:Detectors:InProcess): after the producer
        // exists, and its alerts drain after the Kafka flush.
        builder.Services.AddSingleton<QualitySidecar>();
        var detectorsHere = Placement(builder).RunsDetectors(role);
        builder.Services.AddSingleton(sp => new PlatformService(sp.GetRequiredService<KafkaConnection>(), sp.GetRequiredService<PlatformPipeline>(),
            sp.GetRequiredService<ProviderSet>(), detectorsHere ? sp.GetRequiredService<QualitySidecar>() : null, sp.GetRequiredService<ILogger<PlatformService>>()));
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
    /// Health by role: live (<c>/healthz</c>) while every running loop beats; ready (<c>/readyz</c>) on the role's own
    /// conditions: the producer and the providers (all, ingest), the price group (price), consuming (quality).
    /// </summary>
    public static IHostApplicationBuilder AddPlatformHealth(this IHostApplicationBuilder builder, string role)
    {
        var checks = builder.Services.AddHealthChecks().AddCheck<LoopsCheck>("loops", tags: [HealthTags.Live]);
        _ = role switch
        {
            RunRole.Price => checks.AddCheck<PriceGroupCheck>("price-group", tags: [HealthTags.Ready]),
            RunRole.Quality => checks.AddCheck<QualityConsumingCheck>("quality-consumer", tags: [HealthTags.Ready]),
            _ => checks.AddCheck<ProducerCheck>("kafka-producer", tags: [HealthTags.Ready]).AddCheck<ProvidersCheck>("providers", tags: [HealthTags.Ready]),
        };
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
        s.AddSingleton(sp => ReferenceDataCapacity.Create(sp.GetRequiredService<IOptions<IngestionOptions>>().Value,
            sp.GetRequiredService<ILoggerFactory>()));
        // The live pricing parameters: the control plane swaps snapshots in; engines read them on the next update.
        s.AddSingleton(sp => new PricingParametersSource(sp.GetRequiredService<IOptions<PricingParameters>>().Value));
        s.AddSingleton<FairPriceDetails>();
        s.AddSingleton(sp => new FairPricing(sp.GetRequiredService<ReferenceData>(), sp.GetRequiredService<PricingParametersSource>(),
            sp.GetRequiredService<IOptions<PricingHostOptions>>().Value.Composites, sp.GetRequiredService<FairPriceDetails>().Raise));
        s.AddSingleton<RunExit>();
        s.AddSingleton<LoopHeartbeats>();
        s.AddSingleton<ConfiguredSymbols>();
        s.AddSingleton<KafkaConnection>();
        s.AddSingleton<IKafkaStatus>(sp => sp.GetRequiredService<KafkaConnection>());
        s.AddSingleton<DeadLetterLog>();
        s.AddSingleton<Ingestion.IDeadLetterSink>(sp => sp.GetRequiredService<DeadLetterLog>());
        s.AddSingleton<SequenceGapLog>();
        s.AddSingleton<BackfillLog>();
        s.AddSingleton<Ingestion.Backfill.IBackfillSink>(sp => sp.GetRequiredService<BackfillLog>());
        s.AddSingleton<Ingestion.ISequenceGapSink>(sp => sp.GetRequiredService<SequenceGapLog>());
        s.AddSingleton<ProviderSet>();
        s.AddSingleton<IProviderStatus>(sp => sp.GetRequiredService<ProviderSet>());
        s.AddSingleton<IProviderControl>(sp => sp.GetRequiredService<ProviderSet>());
        s.AddSingleton<ResolvedPipelineSettings>();
        s.AddSingleton<PlatformPipeline>();
        s.AddSingleton<IPipelineStatus>(sp => sp.GetRequiredService<PlatformPipeline>());
        s.AddSingleton<PlatformStatus>();
        s.AddSingleton<IPlatformStatus>(sp => sp.GetRequiredService<PlatformStatus>());
        return builder;
    }

    /// <summary>Which quality parts run here; read while composing, so they decide what is registered.</summary>
    private static QualityPlacementOptions Placement(IHostApplicationBuilder builder) =>
        builder.Configuration.GetSection(QualityPlacementOptions.Section).Get<QualityPlacementOptions>() ?? new();

    /// <summary>
    /// Where the pipeline's 1 s series windows go: the Prometheus exporter; the detectors where the sidecar runs in process
    /// (<c>Quality:Detectors:InProcess</c>, default in role all); md.quality.v1 with <c>Quality:PublishWindows</c> (default in
    /// role ingest) for a quality pod.
    /// </summary>
    public static IHostApplicationBuilder AddSeriesStatistics(this IHostApplicationBuilder builder, string role)
    {
        var s = builder.Services;
        var placement = Placement(builder);
        s.AddSingleton(_ => PlatformMetrics.CreateRegistry());
        s.AddSingleton(sp => new SeriesMetricsExporter(sp.GetRequiredService<Prometheus.CollectorRegistry>(),
            sp.GetRequiredService<IConfiguration>().GetSection(QualityMetricsOptions.Section).Get<QualityMetricsOptions>() ?? new QualityMetricsOptions(),
            sp.GetRequiredService<ReferenceData>().KeyOf, sp.GetRequiredService<TimeProvider>()));
        s.AddSingleton<Quality.Stats.ISeriesWindowSink>(sp =>
        {
            var sinks = new List<Quality.Stats.ISeriesWindowSink> { sp.GetRequiredService<SeriesMetricsExporter>() };
            if (placement.RunsDetectors(role))
            {
                sinks.Add(sp.GetRequiredService<QualitySidecar>());
            }

            if (placement.PublishesWindows(role))
            {
                sinks.Add(new SeriesWindowKafkaSink(sp.GetRequiredService<KafkaConnection>(), sp.GetRequiredService<ReferenceData>()));
            }

            return new Quality.Stats.SeriesWindowFanOut([.. sinks]);
        });
        s.AddSingleton<PlatformMetrics>();
        return builder;
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
