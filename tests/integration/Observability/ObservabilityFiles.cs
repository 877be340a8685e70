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

    /// <summary>Every panel <c>expr</c> of every dashboard, plus each variable's <c>label_values</c> selector.</summary>
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

    /// <summary>Dashboard variables become <c>.*</c> and <c>$__rate_interval</c> becomes <c>1m</c>.</summary>
    public static string Substitute(string expr) =>
        Variable().Replace(expr.Replace("$__rate_interval", "1m", StringComparison.Ordinal), ".*");

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
    private static partial Regex LabelValues();

    [GeneratedRegex(@"^(?<indent>\s*)(-\s+)?expr:\s*(?<value>.*)$")]
    private static partial Regex ExprLine();

    [GeneratedRegex(@"\$\{?\w+\}?")]
    private static partial Regex Variable();
}
