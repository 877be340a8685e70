using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cloudwall.Rx.Ingestion.Recorded;

namespace Cloudwall.Rx.Tests.Integration.Observability;

/// <summary>One PromQL expression found in a dashboard or rule file, and where.</summary>
internal sealed record FoundExpression(string File, string Where, string Expr)
{
    public override string ToString() => $"{File} {Where}: {Expr}";
}

/// <summary>The repository's Grafana and Prometheus files, and the PromQL expressions inside them.</summary>
internal static partial class ObservabilityFiles
{
    public static string Root => RecordedFeeds.FindRepoRoot() ?? throw new InvalidOperationException("repository root (Cloudwall.Rx.sln) not found");

    public static string Grafana => Path.Combine(Root, "grafana");

    /// <summary>Every panel <c>expr</c> of every dashboard, plus each query variable's <c>label_values</c> selector.</summary>
    public static IEnumerable<FoundExpression> DashboardExpressions()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Grafana, "dashboards"), "*.json").Order(StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            var name = Path.GetFileName(file);
            foreach (var (where, expr) in Walk(doc.RootElement, ""))
            {
                yield return new FoundExpression(name, where, expr);
            }

            foreach (var v in doc.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
            {
                if (v.GetProperty("type").GetString() != "query")
                {
                    continue;
                }

                var definition = v.GetProperty("definition").GetString()!;
                var m = LabelValues().Match(definition);
                Assert.True(m.Success, $"{name} variable {v.GetProperty("name")} is not label_values(selector, label): {definition}");
                yield return new FoundExpression(name, "variable " + v.GetProperty("name").GetString(), m.Groups["selector"].Value);
            }
        }
    }

    /// <summary>Every <c>expr</c> of a YAML rule file (plain, quoted or <c>|</c> block scalars: the forms our files use).</summary>
    public static IEnumerable<FoundExpression> YamlExpressions(string path)
    {
        var lines = File.ReadAllLines(path);
        var name = Path.GetFileName(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var m = ExprLine().Match(lines[i]);
            if (!m.Success)
            {
                continue;
            }

            var value = m.Groups["value"].Value.Trim();
            if (value is "|" or "|-" or ">" or ">-")
            {
                var indent = m.Groups["indent"].Value.Length;
                var block = new StringBuilder();
                while (i + 1 < lines.Length && (lines[i + 1].Trim().Length == 0 || lines[i + 1].Length - lines[i + 1].TrimStart().Length > indent))
                {
                    block.Append(lines[++i].Trim()).Append(' ');
                }

                value = block.ToString().Trim();
            }
            else if (value.StartsWith('\'') && value.EndsWith('\''))
            {
                value = value[1..^1].Replace("''", "'", StringComparison.Ordinal);
            }
            else if (value.StartsWith('"') && value.EndsWith('"'))
            {
                value = JsonSerializer.Deserialize<string>(value)!;
            }

            yield return new FoundExpression(name, $"line {i + 1}", value);
        }
    }

    /// <summary>The scrape interval Grafana's datasource declares (timeInterval) and the ServiceMonitor scrapes at.</summary>
    public static readonly TimeSpan ScrapeInterval = TimeSpan.FromSeconds(15);

    /// <summary>
    /// An expression as Grafana sends it: <c>$__rate_interval</c> = 4 × the scrape interval (60s), <c>$__interval</c> = the
    /// scrape interval, <c>$__range</c> = <paramref name="range"/>, and each dashboard variable its value from
    /// <paramref name="variables"/> (a missing variable is an error, never silently <c>.*</c>).
    /// </summary>
    public static string Substitute(string expr, IReadOnlyDictionary<string, string> variables, string range = "10m")
    {
        var s = expr.Replace("$__rate_interval", $"{4 * ScrapeInterval.TotalSeconds}s", StringComparison.Ordinal)
            .Replace("$__interval", $"{ScrapeInterval.TotalSeconds}s", StringComparison.Ordinal)
            .Replace("$__range", range, StringComparison.Ordinal);
        return Variable().Replace(s, m =>
        {
            var name = m.Value.Trim('$', '{', '}');
            return variables.TryGetValue(name, out var value) ? value : throw new Xunit.Sdk.XunitException($"no value for variable {m.Value} in {expr}");
        });
    }

    /// <summary>
    /// A YAML file as JSON, parsed by the <c>yaml</c> package of tools/k8s-validate (scripts/test.sh installs it): the
    /// repository's one YAML parser for tests, so a file that does not parse fails here as it would in Grafana.
    /// </summary>
    public static JsonElement Yaml(string path)
    {
        var validator = Path.Combine(Root, "tools", "k8s-validate");
        Assert.True(Directory.Exists(Path.Combine(validator, "node_modules", "yaml")),
            $"{validator}/node_modules is missing: run `npm ci` there (scripts/test.sh does)");
        var psi = new ProcessStartInfo("node", [Path.Combine(validator, "to-json.mjs")])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(File.ReadAllText(path));
        process.StandardInput.Close();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), $"node did not parse {path} within 30 s");
        Assert.True(process.ExitCode == 0, $"{path} is not valid YAML: {stderr.GetAwaiter().GetResult()}");
        using var doc = JsonDocument.Parse(stdout.GetAwaiter().GetResult());
        Assert.Equal(1, doc.RootElement.GetArrayLength());
        return doc.RootElement[0].Clone();
    }

    /// <summary>Every provisioning file (datasources, dashboards, alerting).</summary>
    public static IEnumerable<string> ProvisioningFiles() =>
        Directory.GetFiles(Path.Combine(Grafana, "provisioning"), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    /// <summary>Each dashboard file's parsed JSON.</summary>
    public static IEnumerable<(string File, JsonElement Dashboard)> Dashboards() =>
        Directory.GetFiles(Path.Combine(Grafana, "dashboards"), "*.json").Order(StringComparer.Ordinal)
            .Select(f =>
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(f));
                return (Path.GetFileName(f), doc.RootElement.Clone());
            });

    /// <summary>The Prometheus alerting rules' names, in file order.</summary>
    public static IReadOnlyList<string> PrometheusRuleNames() =>
        Yaml(Path.Combine(Grafana, "prometheus", "cloudwall-alerts.yml")).GetProperty("groups").EnumerateArray()
            .SelectMany(g => g.GetProperty("rules").EnumerateArray())
            .Select(r => r.GetProperty("alert").GetString()!)
            .ToList();

    /// <summary>Runs a process to completion, returning its exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, string arguments, string workingDirectory, TimeSpan timeout)
    {
        using var process = new Process
        {
            StartInfo = new ProcessStartInfo(file, arguments)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        process.Start();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {arguments} did not finish within {timeout}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static IEnumerable<(string Where, string Expr)> Walk(JsonElement e, string path)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var title = e.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                foreach (var p in e.EnumerateObject())
                {
                    if (p.Name == "expr" && p.Value.ValueKind == JsonValueKind.String)
                    {
                        yield return (path, p.Value.GetString()!);
                    }
                    else
                    {
                        foreach (var x in Walk(p.Value, title is null ? path : $"panel '{title}'"))
                        {
                            yield return x;
                        }
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray())
                {
                    foreach (var x in Walk(item, path))
                    {
                        yield return x;
                    }
                }

                break;
        }
    }

    [GeneratedRegex(@"^label_values\((?<selector>.+),\s*(?<label>\w+)\)$")]
    public static partial Regex LabelValues();

    [GeneratedRegex(@"^(?<indent>\s*)(-\s+)?expr:\s*(?<value>.*)$")]
    private static partial Regex ExprLine();

    [GeneratedRegex(@"\$\{?\w+\}?")]
    private static partial Regex Variable();
}
