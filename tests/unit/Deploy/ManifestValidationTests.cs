using Cloudwall.Rx.Tests.Unit.TestSupport;

namespace Cloudwall.Rx.Tests.Unit.Deploy;

/// <summary>
/// Every kustomization renders, and every object it renders is valid against the Kubernetes OpenAPI schemas (the npm
/// package kubernetes-models; ServiceMonitor and PrometheusRule against @kubernetes-models/prometheus-operator).
/// </summary>
public sealed class ManifestValidationTests
{
    [Theory]
    [MemberData(nameof(DeployTools.KustomizationNames), MemberType = typeof(DeployTools))]
    public void Every_rendered_object_is_valid_against_the_Kubernetes_schemas(string kustomization)
    {
        var rendered = DeployTools.Render(kustomization);
        var (exit, output, err) = DeployTools.Run("node", [Path.Combine(DeployTools.ValidatorDir, "validate.mjs"), kustomization], rendered.Yaml);
        Assert.True(exit == 0, $"{kustomization}:\n{output}{err}");
        Assert.Contains($"{rendered.Objects.Count} valid, 0 invalid", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_validator_rejects_an_invalid_object()
    {
        DeployTools.RequireValidatorPackages();
        const string bad = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: two}\n";
        var (exit, output, _) = DeployTools.Run("node", [Path.Combine(DeployTools.ValidatorDir, "validate.mjs"), "bad"], bad);
        Assert.NotEqual(0, exit);
        Assert.Contains("invalid Deployment/x", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_checked_in_PrometheusRule_is_the_generator_s_output_from_grafana_prometheus()
    {
        var (exit, generated, err) = DeployTools.Run("node", [Path.Combine(Repository.Root, "scripts", "gen-prometheusrule.mjs"), "--stdout"]);
        Assert.True(exit == 0, err);
        var checkedIn = File.ReadAllText(Path.Combine(Repository.Root, "k8s", "base", "prometheusrule.yaml"));
        Assert.True(generated == checkedIn,
            "k8s/base/prometheusrule.yaml differs from the rules in grafana/prometheus: run `node scripts/gen-prometheusrule.mjs`");
        Assert.Contains("- alert: MarketDataNoData", checkedIn, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_overlay_deploys_the_PrometheusRule_and_ServiceMonitor()
    {
        foreach (var r in DeployTools.All())
        {
            Assert.Single(r.OfKind("PrometheusRule"));
            Assert.Single(r.OfKind("ServiceMonitor"));
        }
    }
}
