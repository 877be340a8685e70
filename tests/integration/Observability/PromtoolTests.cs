namespace Cloudwall.Rx.Tests.Integration.Observability;

/// <summary>The Prometheus alerting rules pass their promtool unit tests (scripts/promtool-test.sh).</summary>
public sealed class PromtoolTests
{
    [Fact]
    public async Task Alert_rules_pass_promtool_check_and_unit_tests()
    {
        // The script installs Debian's prometheus package when promtool is missing and fails if it still is: never a skip.
        var (exit, output) = await ObservabilityFiles.RunAsync("bash", "scripts/promtool-test.sh", ObservabilityFiles.Root, TimeSpan.FromMinutes(5));

        Assert.True(exit == 0, $"scripts/promtool-test.sh exited {exit}:\n{output}");
        Assert.Contains("SUCCESS: 8 rules found", output, StringComparison.Ordinal);
        Assert.DoesNotContain("FAILED", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_prometheus_rule_has_a_grafana_twin_and_a_promtool_test()
    {
        var prometheus = File.ReadAllText(Path.Combine(ObservabilityFiles.Grafana, "prometheus", "cloudwall-alerts.yml"));
        var grafana = File.ReadAllText(Path.Combine(ObservabilityFiles.Grafana, "provisioning", "alerting", "cloudwall-rules.yaml"));
        var tests = string.Concat(Directory.GetFiles(Path.Combine(ObservabilityFiles.Grafana, "prometheus", "tests"), "*.yml").Select(File.ReadAllText));
        var names = System.Text.RegularExpressions.Regex.Matches(prometheus, @"- alert: (\w+)").Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(8, names.Count);
        Assert.All(names, n =>
        {
            Assert.Contains($"title: {n}", grafana, StringComparison.Ordinal);
            Assert.Contains($"alertname: {n}", tests, StringComparison.Ordinal);
        });
    }
}
