using System.Text.Json;
using Cloudwall.Rx.Hosting.Cli;
using Cloudwall.Rx.Hosting.Configuration;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Cloudwall.Rx.Tests.Unit.Deploy.DeployTools;

namespace Cloudwall.Rx.Tests.Unit.Deploy;

/// <summary>
/// Each kustomization deploys every role the way the platform needs it (sharded ingest, autoscaled price, one quality
/// pod), and the pods' probes, ports and grace period agree with what the app serves and how long it takes to stop.
/// </summary>
public sealed class RoleDeploymentTests
{
    private static readonly string[] Roles = [RunRole.Ingest, RunRole.Price, RunRole.Quality];

    private static JsonElement Deployment(Rendered r, string role) => r.Single("Deployment", "cloudwall-rx-" + role);

    private static JsonElement Container(JsonElement deployment) =>
        deployment.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("containers").EnumerateArray().Single();

    private static string? Env(JsonElement container, string name) =>
        At(container, "env")?.EnumerateArray().Where(e => Name(e) == name).Select(e => At(e, "value")?.GetString()).FirstOrDefault();

    private static int AdminPort(Rendered r) => int.Parse(r.Single("ConfigMap", "cloudwall-rx").GetProperty("data").GetProperty("Admin__Port").GetString()!);

    [Theory]
    [MemberData(nameof(KustomizationNames), MemberType = typeof(DeployTools))]
    public void Every_role_has_its_Deployment_running_that_role(string kustomization)
    {
        var r = Render(kustomization);
        foreach (var role in Roles)
        {
            var args = Container(Deployment(r, role)).GetProperty("args").EnumerateArray().Select(a => a.GetString()).ToList();
            Assert.Equal(["run", "--role", role], args);
        }

        Assert.DoesNotContain(r.OfKind("Deployment"), d => Container(d).GetProperty("args").EnumerateArray().Any(a => a.GetString() == RunRole.All));
    }

    [Theory]
    [MemberData(nameof(KustomizationNames), MemberType = typeof(DeployTools))]
    public void Ingest_shares_its_shards_price_autoscales_and_quality_runs_once(string kustomization)
    {
        var r = Render(kustomization);
        var ingest = Deployment(r, RunRole.Ingest);
        Assert.Equal("true", Env(Container(ingest), "Control__Shards__Enabled"));
        Assert.True(ingest.GetProperty("spec").GetProperty("replicas").GetInt32() >= 1);

        var price = Deployment(r, RunRole.Price);
        Assert.False(price.GetProperty("spec").TryGetProperty("replicas", out _), "the HPA owns the price replicas; the Deployment must not set them");
        var hpa = Assert.Single(r.OfKind("HorizontalPodAutoscaler"));
        Assert.Equal("autoscaling/v2", hpa.GetProperty("apiVersion").GetString());
        Assert.Equal("cloudwall-rx-price", hpa.GetProperty("spec").GetProperty("scaleTargetRef").GetProperty("name").GetString());

        var quality = Deployment(r, RunRole.Quality);
        Assert.Equal(1, quality.GetProperty("spec").GetProperty("replicas").GetInt32());
        Assert.Equal("Recreate", quality.GetProperty("spec").GetProperty("strategy").GetProperty("type").GetString());

        foreach (var role in new[] { RunRole.Ingest, RunRole.Price })
        {
            Assert.Contains(r.OfKind("PodDisruptionBudget"), p =>
                At(p, "spec", "selector", "matchLabels", "app.kubernetes.io/component")?.GetString() == role);
        }

        foreach (var role in Roles)
        {
            var service = r.Single("Service", "cloudwall-rx-" + role);
            Assert.Equal(role, At(service, "spec", "selector", "app.kubernetes.io/component")?.GetString());
        }
    }

    [Fact]
    public void Production_runs_several_ingest_pods_and_at_least_two_price_pods()
    {
        var prod = Render("k8s/overlays/prod");
        Assert.True(Deployment(prod, RunRole.Ingest).GetProperty("spec").GetProperty("replicas").GetInt32() >= 2);
        Assert.True(Assert.Single(prod.OfKind("HorizontalPodAutoscaler")).GetProperty("spec").GetProperty("minReplicas").GetInt32() >= 2);
    }

    [Theory]
    [MemberData(nameof(KustomizationNames), MemberType = typeof(DeployTools))]
    public async Task Probes_point_at_GET_endpoints_the_app_serves_on_the_admin_port(string kustomization)
    {
        var r = Render(kustomization);
        foreach (var role in Roles)
        {
            var served = await ServedGetPaths(role);
            var c = Container(Deployment(r, role));
            var adminPort = At(c, "ports")!.Value.EnumerateArray().Single(p => Name(p) == "admin").GetProperty("containerPort").GetInt32();
            Assert.Equal(AdminPort(r), adminPort);
            foreach (var (probe, path) in new[] { ("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz") })
            {
                var get = At(c, probe, "httpGet");
                Assert.True(get is not null, $"{kustomization} {role}: no {probe}.httpGet");
                Assert.Equal(path, get!.Value.GetProperty("path").GetString());
                Assert.Equal("admin", get.Value.GetProperty("port").GetString());
                Assert.True(served.Contains(path), $"{kustomization} {role}: {probe} path {path} is not served; GET routes: {string.Join(", ", served)}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(KustomizationNames), MemberType = typeof(DeployTools))]
    public void The_grace_period_outlasts_the_host_s_shutdown_timeout(string kustomization)
    {
        var r = Render(kustomization);
        foreach (var role in Roles)
        {
            var grace = Deployment(r, role).GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("terminationGracePeriodSeconds").GetInt32();
            var shutdown = ShutdownTimeout(role);
            Assert.True(TimeSpan.FromSeconds(grace) > shutdown, $"{kustomization} {role}: terminationGracePeriodSeconds {grace} must exceed the host's ShutdownTimeout {shutdown}");
        }
    }

    /// <summary>The GET routes of the role's host, as built (not started): what /healthz and /readyz resolve against.</summary>
    private static async Task<HashSet<string>> ServedGetPaths(string role)
    {
        var app = RunCommand.Build([], TextWriter.Null, role);
        await using (app.ConfigureAwait(false))
        {
            return ((IEndpointRouteBuilder)app).DataSources
                .SelectMany(d => d.Endpoints)
                .OfType<RouteEndpoint>()
                .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>() is not { } m || m.HttpMethods.Contains("GET"))
                .Select(e => "/" + (e.RoutePattern.RawText ?? "").TrimStart('/'))
                .ToHashSet(StringComparer.Ordinal);
        }
    }

    private static TimeSpan ShutdownTimeout(string role)
    {
        var app = RunCommand.Build([], TextWriter.Null, role);
        try
        {
            return app.Services.GetRequiredService<IOptions<Microsoft.Extensions.Hosting.HostOptions>>().Value.ShutdownTimeout;
        }
        finally
        {
            app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
