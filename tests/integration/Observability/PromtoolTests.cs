namespace Cloudwall.Rx.Tests.Integration.Observability;

/// <summary>The Prometheus alerting rules pass their promtool unit tests (scripts/promtool-test.sh), every rule among them.</summary>
public sealed class PromtoolTests
{
    [Fact]
    public async Task Alert_rules_pass_promtool_check_and_unit_tests()
    {
        // The script installs Debian's prometheus package when promtool is missing and fails if it still is: never a skip.
        var (exit, output) = await ObservabilityFiles.RunAsync("bash", "scripts/promtool-test.sh", ObservabilityFiles.Root, TimeSpan.FromMinutes(5));

        Assert.True(exit == 0, $"scripts/promtool-test.sh exited {exit}:\n{output}");
        Assert.Contains($"SUCCESS: {ObservabilityFiles.PrometheusRuleNames().Count} rules found", output, StringComparison.Ordinal);
        Assert.DoesNotContain("FAILED", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_prometheus_rule_has_a_grafana_twin_and_a_promtool_test()
    {
        var names = ObservabilityFiles.PrometheusRuleNames();
        var grafana = File.ReadAllText(Path.Combine(ObservabilityFiles.Grafana, "provisioning", "alerting", "cloudwall-rules.yaml"));
        var tests = Directory.GetFiles(Path.Combine(ObservabilityFiles.Grafana, "prometheus", "tests"), "*.yml")
            .SelectMany(File.ReadAllLines)
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("alertname:", StringComparison.Ordinal))
            .Select(l => l["alertname:".Length..].Trim())
            .ToHashSet(StringComparer.Ordinal);

        Assert.True(names.Count >= 11, $"only {names.Count} rules found");
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.All(names, n =>
        {
            Assert.Contains($"title: {n}\n", grafana, StringComparison.Ordinal);
            Assert.True(tests.Contains(n), $"{n} appears in no promtool test's alertname");
        });
    }
}
