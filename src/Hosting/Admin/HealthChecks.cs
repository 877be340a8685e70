using System.Net;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Hosting.Platform;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Hosting.Admin;

/// <summary>The tags that sort checks into <c>/healthz</c> (live) and <c>/readyz</c> (ready).</summary>
public static class HealthTags
{
    public const string Live = "live";
    public const string Ready = "ready";
}

/// <summary>Live: every running loop (pipeline partitions, the price or quality consumer) has beaten within <c>Admin:StallAfter</c>.</summary>
public sealed class LoopsCheck(LoopHeartbeats heartbeats, IOptions<AdminOptions> admin) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var bound = admin.Value.StallAfter;
        var loops = heartbeats.Read();
        var stalled = loops.Where(l => l.Silence > bound).Select(l => $"{l.Name} silent for {l.Silence.TotalSeconds:F0} s").ToList();
        return Task.FromResult(stalled.Count == 0
            ? HealthCheckResult.Healthy($"{loops.Count} loop(s) beating within {bound}")
            : HealthCheckResult.Unhealthy($"stalled beyond {bound}: {string.Join(", ", stalled)}"));
    }
}

/// <summary>Ready (roles all, ingest): the process's producer exists and has not failed fatally.</summary>
public sealed class ProducerCheck(IKafkaStatus kafka, RunExit exit) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(kafka.Snapshot() is null ? HealthCheckResult.Unhealthy("the Kafka producer has not started")
            : exit.Code != 0 ? HealthCheckResult.Unhealthy($"stopping on a fatal error (exit {exit.Code})")
            : HealthCheckResult.Healthy("the Kafka producer is up"));
}

/// <summary>
/// Ready (roles all, ingest): each enabled provider with configured symbols to carry here has a connection up and
/// subscriptions on it. An optional provider (<c>Providers:&lt;name&gt;:Optional</c>) never blocks; with shard groups, a
/// provider none of whose symbols this instance owns does not either, and nothing is ready before the first assignment.
/// </summary>
public sealed class ProvidersCheck(IProviderStatus providers, IOptions<ProvidersOptions> options, ConfiguredSymbols configured) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var running = providers.Providers;
        if (running.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("no provider runs yet"));
        }

        if (!configured.Assigned)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("waiting for a shard assignment on the shard group"));
        }

        var down = new List<string>();
        var optionalDown = new List<string>();
        foreach (var p in running)
        {
            if (p.ConnectedCount > 0 && p.ActiveSubscriptions > 0 || configured.Expected(p.Name) == 0)
            {
                continue;
            }

            (options.Value.TryGetValue(p.Name, out var o) && o.Optional ? optionalDown : down).Add(p.Name);
        }

        var text = $"{running.Count - down.Count - optionalDown.Count} of {running.Count} provider(s) subscribed" +
            (down.Count > 0 ? $"; down: {string.Join(", ", down)}" : "") +
            (optionalDown.Count > 0 ? $"; optional, down: {string.Join(", ", optionalDown)}" : "");
        return Task.FromResult(down.Count == 0 ? HealthCheckResult.Healthy(text) : HealthCheckResult.Unhealthy(text));
    }
}

/// <summary>Ready (role price): the group worker runs and has joined the price consumer group.</summary>
public sealed class PriceGroupCheck(PriceRoleService price) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(price.InGroup
            ? HealthCheckResult.Healthy($"in the price group with partitions [{string.Join(",", price.Worker?.Assigned ?? [])}]")
            : HealthCheckResult.Unhealthy("not (yet) in the price consumer group"));
}

/// <summary>Ready (role quality): the consumer loop runs with partitions of md.quality.v1.</summary>
public sealed class QualityConsumingCheck(QualityRoleService quality) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(quality.IsConsuming
            ? HealthCheckResult.Healthy($"consuming; {quality.WindowsConsumed} window(s) so far")
            : HealthCheckResult.Unhealthy("not consuming md.quality.v1 (no partitions assigned yet)"));
}

/// <summary>The probes' answers: the status and nothing else. Details are on the loopback-only <c>/healthz/details</c>.</summary>
public static class HealthResponses
{
    public static Task WriteStatus(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync($$"""{"status":"{{report.Status}}"}""");
    }
}

/// <summary>Refuses (403) every caller that is not on this machine: the details name brokers, users and files.</summary>
public sealed class LoopbackOnly : IEndpointFilter
{
    public static bool IsLoopback(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip);

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        IsLoopback(context.HttpContext) ? next(context) : ValueTask.FromResult<object?>(Results.StatusCode(StatusCodes.Status403Forbidden));
}
