using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Cloudwall.Rx.Hosting.Admin;
using Cloudwall.Rx.Hosting.Cli;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Cloudwall.Rx.Tests.Integration.Hosting;

namespace Cloudwall.Rx.Tests.Integration.Observability;

/// <summary>
/// A real Prometheus scrapes a running platform, then every PromQL expression of the dashboards and alert rules runs
/// through its HTTP API: each must parse, and the ones about metrics this scenario produces must return data.
/// </summary>
[Collection(EndToEnd.Name)]
public sealed class PrometheusScrapeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task Every_dashboard_and_alert_expression_parses_and_the_dashboards_show_data()
    {
        var started = Stopwatch.StartNew();
        var app = RunCommand.Build(
            [new("Admin:Port", "0"), new("ConsoleView:Enabled", "false"), new("Simulation:TradesPerSecond", "50")], TextWriter.Null);
        await app.StartAsync();
        var temp = Directory.CreateTempSubdirectory("cloudwall-prometheus-");
        Process? prometheus = null;
        try
        {
            var target = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            var metrics = app.Services.GetRequiredService<PlatformMetrics>();
            await WaitUntil(() => Task.FromResult(metrics.Series.ExportedSeries > 0), "series windows exported");

            var port = FreePort();
            var config = Path.Combine(temp.FullName, "prometheus.yml");
            await File.WriteAllTextAsync(config, $"""
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: cloudwall
                    static_configs:
                      - targets: ['{target.Host}:{target.Port}']
                """);
            prometheus = StartPrometheus(config, Path.Combine(temp.FullName, "data"), port);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };

            // Up, and enough samples for rate() over 1m (two scrapes of counters that moved in between).
            await WaitUntil(async () => await Has(http, "up{job=\"cloudwall\"} == 1"), "Prometheus scraping the platform");
            await WaitUntil(async () => await Has(http, "rate(cloudwall_md_messages_total{data_class=\"trade\"}[1m]) > 0")
                && await Has(http, "rate(cloudwall_md_latency_seconds_count[1m]) > 0")
                && await Has(http, "cloudwall_md_price_ratio")
                && await Has(http, "rate(cloudwall_kafka_produced_total{result=\"delivered\"}[1m]) > 0"), "two scrapes with moving counters");

            var dashboards = ObservabilityFiles.DashboardExpressions().ToList();
            var rules = ObservabilityFiles.YamlExpressions(Path.Combine(ObservabilityFiles.Grafana, "prometheus", "cloudwall-alerts.yml")).ToList();
            var grafanaRules = ObservabilityFiles.YamlExpressions(Path.Combine(ObservabilityFiles.Grafana, "provisioning", "alerting", "cloudwall-rules.yaml")).ToList();
            Assert.True(dashboards.Count >= 30, $"only {dashboards.Count} dashboard expressions found");
            Assert.Equal(8, rules.Count);
            Assert.Equal(8, grafanaRules.Count);

            var failures = new List<string>();
            foreach (var e in dashboards.Concat(rules).Concat(grafanaRules))
            {
                var (status, results, error) = await Query(http, ObservabilityFiles.Substitute(e.Expr));
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

            // The five series labels arrive as exported.
            Assert.True(await Has(http,
                "cloudwall_md_messages_total{provider=\"coinbase\",venue=\"coinbase\",instrument=\"BTC-USD.SPOT\",data_class=\"trade\",market=\"spot\"}"));
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(60), $"took {started.Elapsed}");
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

            await app.StopAsync();
            await app.DisposeAsync();
            temp.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Dashboard panels and variables, and the Grafana rules' queries (the measured quantity, thresholded by Grafana),
    /// must all show data in a healthy run. The Prometheus rules are conditions that are false in a healthy run, so
    /// they only have to parse.
    /// </summary>
    private static bool MustHaveData(FoundExpression e) => e.File != "cloudwall-alerts.yml";

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

    private static async Task<bool> Has(HttpClient http, string query)
    {
        try
        {
            var (status, results, _) = await Query(http, query);
            return status == "success" && results > 0;
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
    }

    private static async Task<(string Status, int Results, string? Error)> Query(HttpClient http, string query)
    {
        using var response = await http.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(query));
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = doc.RootElement;
        var status = root.GetProperty("status").GetString()!;
        if (status != "success")
        {
            return (status, 0, root.TryGetProperty("error", out var err) ? err.GetString() : response.StatusCode.ToString());
        }

        var data = root.GetProperty("data");
        var result = data.GetProperty("result");
        var count = data.GetProperty("resultType").GetString() is "vector" or "matrix" ? result.GetArrayLength() : 1;
        return (status, count, null);
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
}
