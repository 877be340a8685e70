using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cloudwall.Rx.Hosting.Admin;
using Cloudwall.Rx.Hosting.Cli;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Cloudwall.Rx.Tests.Integration.Hosting;

namespace Cloudwall.Rx.Tests.Integration.Observability;

/// <summary>
/// Every dashboard panel and variable, and every Grafana rule query, returns data from a real Prometheus holding ten
/// minutes of 15 s scrapes of two pods; every Prometheus rule parses. The series are the platform's own: a running
/// instance's /metrics is scraped twice, and the backfill repeats what changed between the scrapes at each 15 s step
/// (counters and histograms keep growing, gauges hold), written as OpenMetrics and loaded with
/// <c>promtool tsdb create-blocks-from openmetrics</c>. Queries run as Grafana sends them: <c>$__rate_interval</c> = 4 ×
/// 15 s, and the variables once at "All" and once at the first value of each chained <c>label_values</c>.
/// </summary>
[Collection(EndToEnd.Name)]
public sealed partial class PrometheusQueryTests
{
    private const int Steps = 41; // ten minutes at 15 s
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(40);

    /// <summary>Two pods export the same series, as three ingest pods do in production: panels must aggregate over them.</summary>
    private static readonly (string Job, string Pod, string Instance)[] Targets =
        [("cloudwall-rx-ingest", "cloudwall-rx-ingest-0", "10.0.0.1:8080"), ("cloudwall-rx-ingest", "cloudwall-rx-ingest-1", "10.0.0.2:8080")];

    [Fact]
    public async Task Every_dashboard_query_returns_data_from_15s_scrapes_and_every_rule_parses()
    {
        var started = Stopwatch.StartNew();
        var temp = Directory.CreateTempSubdirectory("cloudwall-prometheus-");
        Process? prometheus = null;
        try
        {
            var (first, second) = await ScrapeTwice();
            var end = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 30;
            var start = end - (Steps - 1) * (long)ObservabilityFiles.ScrapeInterval.TotalSeconds;
            var openMetrics = Path.Combine(temp.FullName, "backfill.om");
            await File.WriteAllTextAsync(openMetrics, Backfill(first, second, start));
            var data = Path.Combine(temp.FullName, "data");
            var (exit, output) = await ObservabilityFiles.RunAsync("promtool", $"tsdb create-blocks-from openmetrics {openMetrics} {data}", temp.FullName, TimeSpan.FromMinutes(1));
            Assert.True(exit == 0, $"promtool tsdb create-blocks-from openmetrics exited {exit}: {output}");

            var port = FreePort();
            var config = Path.Combine(temp.FullName, "prometheus.yml");
            await File.WriteAllTextAsync(config, "global:\n  scrape_interval: 15s\n");
            prometheus = StartPrometheus(config, data, port);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            await WaitUntil(async () => await Ready(http), "Prometheus ready");
            var prom = new Api(http, start, end);

            var failures = new List<string>();
            var dashboards = ObservabilityFiles.Dashboards().ToList();
            var expressions = ObservabilityFiles.DashboardExpressions().Where(e => !e.Where.StartsWith("variable ", StringComparison.Ordinal)).ToList();
            Assert.True(expressions.Count >= 50, $"only {expressions.Count} panel expressions found");
            foreach (var (file, dashboard) in dashboards)
            {
                foreach (var all in new[] { true, false })
                {
                    var mode = all ? "All" : "first values";
                    var values = await Resolve(prom, dashboard, all, failures, $"{file} ({mode})");
                    foreach (var e in expressions.Where(e => e.File == file))
                    {
                        var (status, results, error) = await prom.Query(ObservabilityFiles.Substitute(e.Expr, values));
                        if (status != "success")
                        {
                            failures.Add($"does not parse ({error}): {e}");
                        }
                        else if (results == 0)
                        {
                            failures.Add($"no data with variables at {mode}: {e}");
                        }
                    }
                }
            }

            var noVariables = new Dictionary<string, string>();
            var rules = ObservabilityFiles.YamlExpressions(Path.Combine(ObservabilityFiles.Grafana, "prometheus", "cloudwall-alerts.yml")).ToList();
            var grafanaRules = ObservabilityFiles.YamlExpressions(Path.Combine(ObservabilityFiles.Grafana, "provisioning", "alerting", "cloudwall-rules.yaml")).ToList();
            Assert.Equal(ObservabilityFiles.PrometheusRuleNames().Count, rules.Count);
            Assert.Equal(rules.Count, grafanaRules.Count);
            foreach (var e in rules.Concat(grafanaRules))
            {
                var (status, results, error) = await prom.Query(ObservabilityFiles.Substitute(e.Expr, noVariables));
                if (status != "success")
                {
                    failures.Add($"does not parse ({error}): {e}");
                }
                else if (results == 0 && MustHaveData(e))
                {
                    failures.Add($"no data: {e}");
                }
            }

            Assert.True(failures.Count == 0, string.Join("\n", failures));

            // The five series labels arrive as exported (whatever the provider vocabulary).
            Assert.True((await prom.Query("cloudwall_md_messages_total{provider!=\"\",venue!=\"\",instrument!=\"\",data_class!=\"\",market!=\"\"}")).Results > 0);
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(90), $"took {started.Elapsed}");
        }
        finally
        {
            if (prometheus is not null)
            {
                if (!prometheus.HasExited)
                {
                    prometheus.Kill(entireProcessTree: true);
                    await prometheus.WaitForExitAsync();
                }

                prometheus.Dispose();
            }

            temp.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The Grafana rules' queries (the measured quantity, thresholded by Grafana) must show data in a healthy run. The
    /// Prometheus rules are conditions that are false in a healthy run, so they only have to parse.
    /// </summary>
    private static bool MustHaveData(FoundExpression e) => e.File != "cloudwall-alerts.yml";

    /// <summary>Two scrapes of a running platform, the second once its counters have moved.</summary>
    private static async Task<(string First, string Second)> ScrapeTwice()
    {
        var app = RunCommand.Build(
            [new("Admin:Port", "0"), new("ConsoleView:Enabled", "false"), new("Simulation:TradesPerSecond", "50")], TextWriter.Null);
        await app.StartAsync();
        try
        {
            var target = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            var metrics = app.Services.GetRequiredService<PlatformMetrics>();
            using var http = new HttpClient { BaseAddress = target, Timeout = TimeSpan.FromSeconds(5) };
            await WaitUntil(() => Task.FromResult(metrics.Series.ExportedSeries > 0), "series windows exported");

            string first = "";
            await WaitUntil(async () =>
            {
                first = await http.GetStringAsync("/metrics");
                return first.Contains("cloudwall_md_price_ratio{", StringComparison.Ordinal)
                    && Sum(first, "cloudwall_kafka_produced_total", "result=\"delivered\"") > 0
                    && Sum(first, "cloudwall_kafka_delivery_latency_seconds_count", "") > 0;
            }, "a fair price, price ratios and Kafka deliveries on /metrics");

            string second = "";
            await WaitUntil(async () =>
            {
                second = await http.GetStringAsync("/metrics");
                return Sum(second, "cloudwall_md_messages_total", "") > Sum(first, "cloudwall_md_messages_total", "")
                    && Sum(second, "cloudwall_kafka_produced_total", "result=\"delivered\"") > Sum(first, "cloudwall_kafka_produced_total", "result=\"delivered\"");
            }, "counters moving between two scrapes");
            return (first, second);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>
    /// OpenMetrics for <see cref="Steps"/> scrapes at 15 s from <paramref name="start"/> of each pod in <see cref="Targets"/>:
    /// cumulative samples (counters, histogram buckets, sums and counts) grow by what they gained between the two real
    /// scrapes at every step, the rest hold the second scrape's value. Adds <c>up</c> for each target and, as Prometheus
    /// records a firing rule, one <c>ALERTS</c> series.
    /// </summary>
    private static string Backfill(string first, string second, long start)
    {
        var types = Types().Matches(second).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["type"].Value, StringComparer.Ordinal);
        var a = Samples(first);
        var series = new SortedDictionary<(string Name, string Labels), double[]>();
        foreach (var (key, b) in Samples(second))
        {
            var from = a.GetValueOrDefault(key, b);
            var cumulative = IsCumulative(key.Name, types) && !double.IsNaN(b);
            series[key] = Enumerable.Range(0, Steps).Select(i => cumulative ? from + i * Math.Max(0, b - from) : b).ToArray();
        }

        var ratio = series.Keys.First(k => k.Name == "cloudwall_md_price_ratio").Labels;
        var ones = Enumerable.Repeat(1.0, Steps).ToArray();
        var text = new StringBuilder();
        foreach (var ((name, labels), values) in series)
        {
            foreach (var (job, pod, instance) in Targets)
            {
                Write(text, name, Join(labels, $"job=\"{job}\",instance=\"{instance}\",pod=\"{pod}\""), values, start);
            }
        }

        foreach (var (job, pod, instance) in Targets)
        {
            Write(text, "up", $"job=\"{job}\",instance=\"{instance}\",pod=\"{pod}\"", ones, start);
        }

        Write(text, "ALERTS", Join("alertname=\"MarketDataPriceDivergence\",alertstate=\"firing\",severity=\"warning\"", ratio), ones, start);
        return text.Append("# EOF\n").ToString();

        static string Join(string x, string y) => x.Length == 0 ? y : y.Length == 0 ? x : x + "," + y;
    }

    private static void Write(StringBuilder text, string name, string labels, double[] values, long start)
    {
        var step = (long)ObservabilityFiles.ScrapeInterval.TotalSeconds;
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i] switch
            {
                double.PositiveInfinity => "+Inf",
                double.NegativeInfinity => "-Inf",
                var x when double.IsNaN(x) => "NaN",
                var x => x.ToString("R", CultureInfo.InvariantCulture),
            };
            text.Append(name).Append('{').Append(labels).Append("} ").Append(v).Append(' ').Append(start + i * step).Append('\n');
        }
    }

    private static bool IsCumulative(string sample, Dictionary<string, string> types)
    {
        if (types.TryGetValue(sample, out var type))
        {
            return type == "counter";
        }

        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (sample.EndsWith(suffix, StringComparison.Ordinal) && types.TryGetValue(sample[..^suffix.Length], out var family))
            {
                return family is "histogram" or "summary";
            }
        }

        return false;
    }

    /// <summary>The samples of a text exposition, by metric name and label text (as exported, escapes kept).</summary>
    private static Dictionary<(string Name, string Labels), double> Samples(string exposition)
    {
        var samples = new Dictionary<(string, string), double>();
        foreach (Match m in Sample().Matches(exposition))
        {
            var text = m.Groups["value"].Value;
            samples[(m.Groups["name"].Value, m.Groups["labels"].Value)] = text switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                _ => double.Parse(text, CultureInfo.InvariantCulture),
            };
        }

        return samples;
    }

    private static double Sum(string exposition, string name, string labelFilter) =>
        Samples(exposition).Where(s => s.Key.Name == name && s.Key.Labels.Contains(labelFilter, StringComparison.Ordinal)).Sum(s => s.Value);

    /// <summary>
    /// Each variable's value as Grafana would send it: the datasource's uid; for a query variable, its
    /// <c>label_values</c> over the data (chained on the variables before it), then its allValue (or every value found, as
    /// a regex) at "All", or the first value, regex-escaped.
    /// </summary>
    private static async Task<Dictionary<string, string>> Resolve(Api prom, JsonElement dashboard, bool all, List<string> failures, string where)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var v in dashboard.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            var name = v.GetProperty("name").GetString()!;
            if (v.GetProperty("type").GetString() == "datasource")
            {
                values[name] = "prometheus";
                continue;
            }

            var m = ObservabilityFiles.LabelValues().Match(v.GetProperty("definition").GetString()!);
            var found = await prom.LabelValues(m.Groups["label"].Value, ObservabilityFiles.Substitute(m.Groups["selector"].Value, values), failures, where);
            if (found.Count == 0)
            {
                failures.Add($"{where}: variable {name} has no values: {v.GetProperty("definition").GetString()}");
            }

            values[name] = all
                ? v.TryGetProperty("allValue", out var allValue) ? allValue.GetString()! : "(" + string.Join('|', found.Select(PrometheusRegexEscape)) + ")"
                : found.Count > 0 ? PrometheusRegexEscape(found[0]) : "";
        }

        return values;
    }

    /// <summary>
    /// A value as Grafana's Prometheus datasource puts it into a regex matcher: each regex metacharacter escaped with a
    /// backslash that is itself escaped for the PromQL string (<c>10.0.0.1</c> becomes <c>10\\.0\\.0\\.1</c>).
    /// </summary>
    private static string PrometheusRegexEscape(string value) => RegexSpecial().Replace(value, @"\\$0");

    /// <summary>Prometheus's HTTP API at the backfill's last step.</summary>
    private sealed class Api(HttpClient http, long start, long end)
    {
        public async Task<(string Status, int Results, string? Error)> Query(string query)
        {
            using var response = await http.GetAsync($"/api/v1/query?time={end}&query=" + Uri.EscapeDataString(query));
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var root = doc.RootElement;
            var status = root.GetProperty("status").GetString()!;
            if (status != "success")
            {
                return (status, 0, root.TryGetProperty("error", out var err) ? err.GetString() : response.StatusCode.ToString());
            }

            var data = root.GetProperty("data");
            var count = data.GetProperty("resultType").GetString() is "vector" or "matrix" ? data.GetProperty("result").GetArrayLength() : 1;
            return (status, count, null);
        }

        public async Task<List<string>> LabelValues(string label, string selector, List<string> failures, string where)
        {
            using var response = await http.GetAsync($"/api/v1/label/{label}/values?start={start}&end={end}&match[]=" + Uri.EscapeDataString(selector));
            var json = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                failures.Add($"{where}: label_values({selector}, {label}) failed: {json}");
                return [];
            }

            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.GetProperty("data").EnumerateArray().Select(x => x.GetString()!).Order(StringComparer.Ordinal).ToList();
        }
    }

    private static Process StartPrometheus(string config, string data, int port)
    {
        var binary = File.Exists("/usr/bin/prometheus") ? "/usr/bin/prometheus" : "prometheus";
        var process = new Process
        {
            StartInfo = new ProcessStartInfo(binary)
            {
                ArgumentList =
                {
                    $"--config.file={config}",
                    $"--storage.tsdb.path={data}",
                    $"--web.listen-address=127.0.0.1:{port}",
                    "--log.level=warn",
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        Assert.True(process.Start(), "prometheus did not start (install Debian's prometheus package)");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<bool> Ready(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync("/-/ready");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitUntil(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < Deadline, $"{what}: not within {Deadline.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
            await Task.Delay(250);
        }
    }

    [GeneratedRegex(@"[\\^$.|?*+()\[\]{}]")]
    private static partial Regex RegexSpecial();

    [GeneratedRegex(@"^# TYPE (?<name>\S+) (?<type>\w+)$", RegexOptions.Multiline)]
    private static partial Regex Types();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?<labels>.*)\})? (?<value>\S+)$", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
