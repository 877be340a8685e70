using Cloudwall.Rx.Hosting.Platform;
using Prometheus;

namespace Cloudwall.Rx.Hosting.Admin;

/// <summary>/metrics, /healthz and /readyz on the admin port.</summary>
public static class AdminEndpoints
{
    public static WebApplication MapAdminEndpoints(this WebApplication app)
    {
        var platform = app.Services.GetRequiredService<PlatformService>();
        var metrics = app.Services.GetRequiredService<PlatformMetrics>();
        var kafka = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Kafka.KafkaOptions>>().Value;
        app.MapMetrics("/metrics", metrics.Registry);
        app.MapGet("/healthz", () => Results.Json(Health(platform, kafka), HostingJsonContext.Default.HealthReport));
        app.MapGet("/readyz", () => platform.IsReady
            ? Results.Json(Health(platform, kafka), HostingJsonContext.Default.HealthReport)
            : Results.Json(Health(platform, kafka), HostingJsonContext.Default.HealthReport, statusCode: StatusCodes.Status503ServiceUnavailable));
        return app;
    }

    private static HealthReport Health(PlatformService p, Kafka.KafkaOptions kafka)
    {
        var stats = p.Publisher?.Snapshot();
        return new HealthReport(
            Status: "ok",
            Ready: p.IsReady,
            UptimeSeconds: Math.Round(p.Uptime.TotalSeconds, 1),
            KafkaBootstrap: p.KafkaBootstrap,
            Providers: p.Providers.Select((x, i) =>
            {
                var (total, connected) = PlatformService.Connections(x);
                return new ProviderHealth(p.ProviderNames[i], total, connected, x.Counters.Events);
            }).ToList(),
            KafkaDelivered: stats?.Delivered ?? 0,
            KafkaDeliveryFailures: stats?.DeliveryFailed ?? 0,
            KafkaSecurity: kafka.SecurityInfo(), // never the password itself
            Role: p.Role);
    }
}
