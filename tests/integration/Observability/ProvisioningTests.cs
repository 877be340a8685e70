using System.Text.Json;
using System.Text.RegularExpressions;
using Cloudwall.Rx.Quality.Alerts;

namespace Cloudwall.Rx.Tests.Integration.Observability;

/// <summary>
/// The Grafana provisioning files, dashboards and alert rules hold what Grafana accepts and what operators follow:
/// environment references Grafana can expand, the keys each provisioning kind requires, unique ids, links to dashboards
/// that exist, and a runbook section for every alert.
/// </summary>
public sealed partial class ProvisioningTests
{
    /// <summary>The one base of every runbook_url (grafana/generate_alert_rules.py and grafana/prometheus define the same).</summary>
    private const string RunbookBase = "https://github.com/cloudwall/cloudwall-rx/blob/main/docs/runbook.md";

    private static readonly string[] NoDataStates = ["Alerting", "NoData", "OK", "KeepLast"];
    private static readonly string[] ErrorStates = ["Alerting", "Error", "OK", "KeepLast"];

    [Fact]
    public void Provisioning_refers_to_environment_variables_only_as_Grafana_expands_them()
    {
        // Grafana expands $NAME and ${NAME} with Go's os.ExpandEnv: ${NAME:-default} looks up a variable literally named
        // "NAME:-default" and yields an empty string. Alert annotations expand only braced references, so their
        // {{ $labels.x }} templates stay as written.
        foreach (var file in ObservabilityFiles.ProvisioningFiles())
        {
            var text = File.ReadAllText(file);
            foreach (Match m in Braced().Matches(text))
            {
                Assert.True(EnvName().IsMatch(m.Groups["name"].Value),
                    $"{Path.GetFileName(file)}: {m.Value} is not ${{NAME}}; Grafana supports no defaults or modifiers (:-, -, :=, :?)");
            }
        }

        var datasources = string.Join('\n', File.ReadAllLines(Path.Combine(ObservabilityFiles.Grafana, "provisioning", "datasources", "prometheus.yaml"))
            .Where(l => !l.TrimStart().StartsWith('#')));
        var readme = File.ReadAllText(Path.Combine(ObservabilityFiles.Grafana, "README.md"));
        foreach (Match m in Referenced().Matches(datasources))
        {
            var name = m.Groups["braced"].Success ? m.Groups["braced"].Value : m.Groups["plain"].Value;
            Assert.Contains($"`{name}`", readme, StringComparison.Ordinal); // a required variable is documented
        }
    }

    [Fact]
    public void Datasources_have_the_keys_Grafana_requires_and_the_real_scrape_interval()
    {
        var root = ObservabilityFiles.Yaml(Path.Combine(ObservabilityFiles.Grafana, "provisioning", "datasources", "prometheus.yaml"));
        Assert.Equal(1, root.GetProperty("apiVersion").GetInt32());
        var serviceMonitor = File.ReadAllText(Path.Combine(ObservabilityFiles.Root, "k8s", "base", "servicemonitor.yaml"));
        var scrape = Regex.Match(serviceMonitor, @"\binterval:\s*(\S+)").Groups[1].Value;
        Assert.Equal($"{ObservabilityFiles.ScrapeInterval.TotalSeconds}s", scrape);

        foreach (var ds in root.GetProperty("datasources").EnumerateArray())
        {
            foreach (var key in new[] { "name", "type", "uid", "url", "access" })
            {
                Assert.False(string.IsNullOrWhiteSpace(Str(ds, key)), $"datasource without {key}");
            }

            Assert.Contains(Str(ds, "access"), new[] { "proxy", "direct" });
            // timeInterval is the scrape interval: $__rate_interval = max(4 × it, $__interval + it) then spans four scrapes.
            Assert.Equal(scrape, ds.GetProperty("jsonData").GetProperty("timeInterval").GetString());
        }
    }

    [Fact]
    public void Dashboard_providers_have_the_keys_Grafana_requires()
    {
        var root = ObservabilityFiles.Yaml(Path.Combine(ObservabilityFiles.Grafana, "provisioning", "dashboards", "cloudwall.yaml"));
        Assert.Equal(1, root.GetProperty("apiVersion").GetInt32());
        foreach (var p in root.GetProperty("providers").EnumerateArray())
        {
            Assert.False(string.IsNullOrWhiteSpace(Str(p, "name")));
            Assert.Equal("file", Str(p, "type"));
            Assert.StartsWith("/", p.GetProperty("options").GetProperty("path").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Alert_rules_have_the_keys_Grafana_requires_and_a_runbook_section()
    {
        var root = ObservabilityFiles.Yaml(Path.Combine(ObservabilityFiles.Grafana, "provisioning", "alerting", "cloudwall-rules.yaml"));
        Assert.Equal(1, root.GetProperty("apiVersion").GetInt32());
        var datasources = ProvisionedDatasourceUids();
        var uids = new HashSet<string>(StringComparer.Ordinal);
        var titles = new List<string>();
        foreach (var group in root.GetProperty("groups").EnumerateArray())
        {
            Assert.False(string.IsNullOrWhiteSpace(Str(group, "name")));
            Assert.False(string.IsNullOrWhiteSpace(Str(group, "folder")));
            Assert.Matches(@"^\d+[smh]$", Str(group, "interval"));
            foreach (var rule in group.GetProperty("rules").EnumerateArray())
            {
                var title = Str(rule, "title");
                var uid = Str(rule, "uid");
                Assert.True(uid.Length is > 0 and <= 40 && uids.Add(uid), $"rule {title}: uid '{uid}' missing, longer than 40 or repeated");
                titles.Add(title);
                var refIds = rule.GetProperty("data").EnumerateArray().Select(d => Str(d, "refId")).ToList();
                Assert.Contains(Str(rule, "condition"), refIds);
                foreach (var d in rule.GetProperty("data").EnumerateArray())
                {
                    var ds = Str(d, "datasourceUid");
                    Assert.True(ds == "__expr__" || datasources.Contains(ds), $"rule {title}: datasource '{ds}' is not provisioned");
                    Assert.Equal(Str(d, "refId"), d.GetProperty("model").GetProperty("refId").GetString());
                }

                Assert.Matches(@"^\d+[smh]$", Str(rule, "for"));
                Assert.Contains(Str(rule, "noDataState"), NoDataStates);
                Assert.Contains(Str(rule, "execErrState"), ErrorStates);
                Assert.Equal(RunbookUrl(title), rule.GetProperty("annotations").GetProperty("runbook_url").GetString());
            }
        }

        // The Grafana rules are the Prometheus rules' twins: the same names, the same runbook sections.
        Assert.Equal(ObservabilityFiles.PrometheusRuleNames().Order(StringComparer.Ordinal), titles.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_prometheus_rule_has_its_runbook_section_and_every_section_an_alert()
    {
        var rules = ObservabilityFiles.Yaml(Path.Combine(ObservabilityFiles.Grafana, "prometheus", "cloudwall-alerts.yml"))
            .GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
        var headings = Heading().Matches(File.ReadAllText(Path.Combine(ObservabilityFiles.Root, "docs", "runbook.md")))
            .Select(m => m.Groups[1].Value.Trim()).ToList();

        foreach (var rule in rules)
        {
            var name = rule.GetProperty("alert").GetString()!;
            Assert.Equal(RunbookUrl(name), rule.GetProperty("annotations").GetProperty("runbook_url").GetString());
            Assert.Contains(name, headings);
        }

        // The anchor GitHub gives a heading is its lower-cased text (alert names have no spaces or punctuation).
        Assert.All(headings, h => Assert.Matches("^[A-Za-z]+$", h));
        Assert.Equal(rules.Select(r => r.GetProperty("alert").GetString()!).Order(StringComparer.Ordinal), headings.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Dashboards_are_valid_json_with_unique_uids_and_panel_ids_and_rate_windows_from_grafana()
    {
        var uids = new HashSet<string>(StringComparer.Ordinal);
        var datasources = ProvisionedDatasourceUids();
        foreach (var (file, d) in ObservabilityFiles.Dashboards())
        {
            var uid = Str(d, "uid");
            Assert.True(uid.Length is > 0 and <= 40 && uids.Add(uid), $"{file}: uid '{uid}' missing, longer than 40 or repeated");
            Assert.False(string.IsNullOrWhiteSpace(Str(d, "title")));
            var variables = d.GetProperty("templating").GetProperty("list").EnumerateArray().ToList();
            var names = variables.Select(v => Str(v, "name")).ToList();
            Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
            Assert.Contains("datasource", names);
            Assert.Contains("pod", names);
            Assert.Contains("instance", names);

            var ids = new HashSet<int>();
            foreach (var panel in Panels(d))
            {
                var title = Str(panel, "title");
                Assert.True(ids.Add(panel.GetProperty("id").GetInt32()), $"{file}: panel id {panel.GetProperty("id")} repeated ({title})");
                if (panel.TryGetProperty("datasource", out var ds))
                {
                    var dsUid = Str(ds, "uid");
                    Assert.True(dsUid == "${datasource}" || datasources.Contains(dsUid), $"{file} '{title}': datasource '{dsUid}'");
                }

                if (!panel.TryGetProperty("targets", out var targets))
                {
                    continue;
                }

                foreach (var t in targets.EnumerateArray())
                {
                    var expr = Str(t, "expr");
                    // A fixed window in a panel is empty or jagged at some scrape interval; Grafana's own adapts.
                    foreach (Match m in RangeFunction().Matches(expr))
                    {
                        Assert.True(m.Groups["window"].Value == "$__rate_interval", $"{file} '{title}': {m.Value} must use [$__rate_interval]");
                    }

                    foreach (Match m in Variable().Matches(expr))
                    {
                        var name = m.Groups["name"].Value;
                        Assert.True(name.StartsWith("__", StringComparison.Ordinal) || names.Contains(name), $"{file} '{title}': unknown variable ${name}");
                    }
                }
            }
        }

        Assert.Contains("cloudwall-md", uids); // the data-quality overview, where Slack alerts link
    }

    [Fact]
    public void Every_dashboard_uid_that_a_link_or_an_alert_names_exists_with_the_variables_it_sets()
    {
        var dashboards = ObservabilityFiles.Dashboards().ToDictionary(
            x => Str(x.Dashboard, "uid"),
            x => x.Dashboard.GetProperty("templating").GetProperty("list").EnumerateArray().Select(v => Str(v, "name")).ToHashSet(StringComparer.Ordinal),
            StringComparer.Ordinal);
        var links = new List<(string From, string Url)>();

        // The Slack "Open in Grafana" button (src/Quality/Alerts/AlertOptions.cs, Quality:Alerts:Slack:GrafanaUrlTemplate).
        links.Add(("Quality:Alerts:Slack:GrafanaUrlTemplate default", new SlackOptions().GrafanaUrlTemplate!));
        foreach (var settings in Directory.GetFiles(Path.Combine(ObservabilityFiles.Root, "src"), "appsettings*.json", SearchOption.AllDirectories)
                     .Concat(Directory.GetFiles(Path.Combine(ObservabilityFiles.Root, "k8s"), "*.yaml", SearchOption.AllDirectories)))
        {
            links.AddRange(DashboardUrl().Matches(File.ReadAllText(settings)).Select(m => (Path.GetFileName(settings), m.Value)));
        }

        // Dashboard links and panel links, and the docs that name dashboards.
        foreach (var (file, d) in ObservabilityFiles.Dashboards())
        {
            links.AddRange(DashboardUrl().Matches(d.GetRawText()).Select(m => (file, m.Value)));
        }

        foreach (var doc in new[] { "docs/runbook.md", "docs/quality.md", "grafana/README.md" })
        {
            links.AddRange(DashboardUrl().Matches(File.ReadAllText(Path.Combine(ObservabilityFiles.Root, doc))).Select(m => (doc, m.Value)));
        }

        Assert.True(links.Count > 5, "no dashboard links found");
        foreach (var (from, url) in links)
        {
            var m = DashboardUrl().Match(url);
            var uid = m.Groups["uid"].Value;
            Assert.True(dashboards.TryGetValue(uid, out var variables), $"{from} links to dashboard uid '{uid}', which does not exist ({url})");
            foreach (Match v in UrlVariable().Matches(url))
            {
                Assert.True(variables.Contains(v.Groups["name"].Value), $"{from} sets var-{v.Groups["name"].Value}, which dashboard {uid} does not have");
            }
        }

        // Alert rules open a dashboard through dashboardUid.
        var rules = ObservabilityFiles.Yaml(Path.Combine(ObservabilityFiles.Grafana, "provisioning", "alerting", "cloudwall-rules.yaml"));
        foreach (var rule in rules.GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray()))
        {
            var uid = Str(rule, "dashboardUid");
            Assert.True(dashboards.ContainsKey(uid), $"alert {Str(rule, "title")} names dashboard uid '{uid}', which does not exist");
        }
    }

    [Fact]
    public async Task The_generated_dashboards_and_grafana_rules_are_the_generators_output()
    {
        // A hand edit of a generated file would be lost at the next run of its generator.
        var temp = Directory.CreateTempSubdirectory("cloudwall-grafana-");
        try
        {
            foreach (var (script, outputs) in new[] { ("generate_dashboards.py", "dashboards"), ("generate_alert_rules.py", Path.Combine("provisioning", "alerting")) })
            {
                var (exit, output) = await ObservabilityFiles.RunAsync("python3", $"grafana/{script} {temp.FullName}", ObservabilityFiles.Root, TimeSpan.FromMinutes(1));
                Assert.True(exit == 0, $"{script}: {output}");
                var generated = Directory.GetFiles(Path.Combine(temp.FullName, outputs)).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
                var checkedIn = Directory.GetFiles(Path.Combine(ObservabilityFiles.Grafana, outputs)).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
                Assert.Equal(generated, checkedIn);
                foreach (var name in generated)
                {
                    Assert.True(File.ReadAllText(Path.Combine(temp.FullName, outputs, name!)) == File.ReadAllText(Path.Combine(ObservabilityFiles.Grafana, outputs, name!)),
                        $"grafana/{outputs}/{name} is not the output of grafana/{script}: run it and commit the result");
                }
            }
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    private static string RunbookUrl(string alert) => $"{RunbookBase}#{alert.ToLowerInvariant()}";

    private static HashSet<string> ProvisionedDatasourceUids() =>
        ObservabilityFiles.Yaml(Path.Combine(ObservabilityFiles.Grafana, "provisioning", "datasources", "prometheus.yaml"))
            .GetProperty("datasources").EnumerateArray().Select(d => Str(d, "uid")).ToHashSet(StringComparer.Ordinal);

    private static IEnumerable<JsonElement> Panels(JsonElement container)
    {
        foreach (var p in container.GetProperty("panels").EnumerateArray())
        {
            yield return p;
            if (p.TryGetProperty("panels", out _))
            {
                foreach (var nested in Panels(p))
                {
                    yield return nested;
                }
            }
        }
    }

    private static string Str(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : v.ValueKind == JsonValueKind.Undefined ? "" : v.ToString();

    [GeneratedRegex(@"\$\{(?<name>[^}]*)\}")]
    private static partial Regex Braced();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvName();

    [GeneratedRegex(@"\$(?:\{(?<braced>\w+)\}|(?<plain>[A-Za-z_]\w*))")]
    private static partial Regex Referenced();

    [GeneratedRegex(@"^## (.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"\b(?:rate|increase|irate|delta|idelta|deriv|changes|resets)\([^\[]*\[(?<window>[^\]]+)\]")]
    private static partial Regex RangeFunction();

    [GeneratedRegex(@"\$\{?(?<name>\w+)")]
    private static partial Regex Variable();

    [GeneratedRegex(@"/d/(?<uid>[A-Za-z0-9_-]+)[^\s""'`)]*")]
    private static partial Regex DashboardUrl();

    [GeneratedRegex(@"[?&]var-(?<name>\w+)=")]
    private static partial Regex UrlVariable();
}
