using System.Globalization;
using System.Threading.RateLimiting;
using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Hosting.Platform;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Prometheus;

namespace Cloudwall.Rx.Hosting.Admin;

/// <summary>/metrics, /healthz, /readyz and /healthz/details on the admin port.</summary>
public static class AdminEndpoints
{
    /// <summary>The rate-limiter policy of <c>POST /commands</c>: a fixed window per remote address.</summary>
    public const string CommandsPolicy = "commands";

    /// <summary>
    /// What the endpoints need from the container: the <c>POST /commands</c> rate limiter (429 with <c>Retry-After</c>), and
    /// a server-wide request body limit no endpoint here needs more than (the command envelope's).
    /// </summary>
    public static IHostApplicationBuilder AddAdminEndpoints(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<KestrelServerOptions>(k => k.Limits.MaxRequestBodySize = CommandEnvelope.MaxBytes);
        builder.Services.AddSingleton<CommandEndpointCounters>();
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, _) =>
            {
                context.HttpContext.RequestServices.GetRequiredService<CommandEndpointCounters>().Refused(StatusCodes.Status429TooManyRequests);
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter =
                        Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                return ValueTask.CompletedTask;
            };
            o.AddPolicy(CommandsPolicy, context =>
            {
                var admin = context.RequestServices.GetRequiredService<IOptions<AdminOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = admin.CommandsPermitLimit,
                    Window = admin.CommandsWindow,
                    QueueLimit = 0,
                });
            });
        });
        return builder;
    }

    public static WebApplication MapAdminEndpoints(this WebApplication app)
    {
        app.UseRateLimiter();
        var platform = app.Services.GetRequiredService<IPlatformStatus>();
        var providers = app.Services.GetRequiredService<IProviderStatus>();
        var metrics = app.Services.GetRequiredService<PlatformMetrics>();
        var kafka = app.Services.GetRequiredService<IKafkaStatus>();
        app.MapMetrics("/metrics", metrics.Registry);
        var quality = app.Services.GetService<QualitySidecar>();
        app.MapGet("/quality", () => quality?.Scorecard is { } scorecard
            ? Results.Bytes(scorecard.BuildJson(), "application/json")
            : Results.Json(new HealthDetails("starting", false, 0, null, [], 0, 0), HostingJsonContext.Default.HealthDetails, statusCode: StatusCodes.Status503ServiceUnavailable));
        // Run-time fault switches on the embedded simulators (for demos and scenario tests; absent when simulation is off).
        app.MapPost("/simulators/{name}/faults/{action}", (string name, string action, string? instrument, decimal? value) =>
        {
            if (!providers.Simulators.TryGetValue(name, out var sim))
            {
                return Results.NotFound($"no simulator '{name}'");
            }

            var f = sim.Faults;
            switch (action)
            {
                case "silence": f.Silence(instrument); break;
                case "resume": f.Resume(instrument); break;
                case "drop": f.DropConnections(); break;
                case "skip" when instrument is not null: f.SkipSequence(instrument, (long)(value ?? 10)); break;
                case "malformed": f.SendMalformed((int)(value ?? 1)); break;
                case "offset" when instrument is not null: f.PriceOffset(instrument, value ?? 0.02m); break;
                case "spike" when instrument is not null: f.Spike(instrument, value ?? 0.06m); break;
                case "latency": f.AddLatency(TimeSpan.FromMilliseconds((double)(value ?? 500))); break;
                case "clock-ahead": f.ClockAhead(TimeSpan.FromMilliseconds((double)(value ?? 2000))); break;
                case "freeze" when instrument is not null: f.Freeze(instrument); break;
                case "unfreeze": f.Unfreeze(instrument); break;
                case "silence-quotes": f.SilenceQuotes(instrument); break;
                case "resume-quotes": f.ResumeQuotes(instrument); break;
                case "crossed" when instrument is not null: f.CrossQuotes(instrument, on: value != 0m); break;
                case "duplicate": f.DuplicateTrades(instrument, on: value != 0m); break;
                case "throttle" when instrument is not null && value is null or (>= 0m and <= 1m):
                    f.Throttle(instrument, (double)(value ?? 0.1m));
                    break;
                case "reset": f.Reset(); break;
                default: return Results.BadRequest($"unknown fault '{action}' (or it needs ?instrument=)");
            }

            return Results.Ok($"{name}: {action} {instrument} {value}".TrimEnd());
        });
        // The in-process command bus (and a front door to the Redis one): signed envelopes only, rate-limited per remote
        // address, JSON only, and never more than the envelope's size limit read (docs/control-plane.md, "Limits").
        var control = app.Services.GetService<ControlPlaneService>();
        var refused = app.Services.GetRequiredService<CommandEndpointCounters>();
        app.MapPost("/commands", async (HttpRequest request, CancellationToken ct) =>
        {
            if (control?.Bus is not { } bus)
            {
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }

            var (body, status) = await CommandRequest.ReadAsync(request, ct);
            if (body is null)
            {
                refused.Refused(status);
                return Results.StatusCode(status);
            }

            var result = await bus.SubmitAsync(body, ct);
            return Results.Content(result.ToJson(), "application/json", statusCode: result.HttpStatus);
        }).RequireRateLimiting(CommandsPolicy);
        // Probes get a status only; a caller on this machine gets the details.
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(HealthTags.Live), ResponseWriter = HealthResponses.WriteStatus });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(HealthTags.Ready), ResponseWriter = HealthResponses.WriteStatus });
        var checks = app.Services.GetRequiredService<HealthCheckService>();
        app.MapGet("/healthz/details", async (CancellationToken ct) =>
                Results.Json(Details(platform, providers, kafka, await checks.CheckHealthAsync(ct)), HostingJsonContext.Default.HealthDetails))
            .AddEndpointFilter<LoopbackOnly>();
        return app;
    }

    private static HealthDetails Details(IPlatformStatus p, IProviderStatus providers, IKafkaStatus kafka, HealthReport report)
    {
        var stats = kafka.Snapshot();
        return new HealthDetails(
            Status: "ok",
            Ready: report.Entries.Values.Where(e => e.Tags.Contains(HealthTags.Ready)).All(e => e.Status == HealthStatus.Healthy),
            UptimeSeconds: Math.Round(p.Uptime.TotalSeconds, 1),
            KafkaBootstrap: kafka.Bootstrap,
            Providers: providers.Providers
                .Select(x => new ProviderHealth(x.Name, x.ConnectionCount, x.ConnectedCount, x.Counters.Events))
                .ToList(),
            KafkaDelivered: stats?.Delivered ?? 0,
            KafkaDeliveryFailures: stats?.DeliveryFailed ?? 0,
            KafkaSecurity: kafka.Security, // never the password itself
            Role: p.Role,
            Checks: [.. report.Entries.Select(e => new CheckDetail(e.Key, e.Value.Status.ToString(), e.Value.Description, [.. e.Value.Tags]))]);
    }
}
