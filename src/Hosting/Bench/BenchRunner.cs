using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Hosting.Platform;

namespace Cloudwall.Rx.Hosting.Bench;

/// <summary>How each step of the harness runs.</summary>
/// <param name="ExtraSettings"><c>--set</c> values given to both the load generator and the platform (<see cref="InstrumentSpread.Settings"/>).</param>
/// <param name="PlatformSettings"><c>--set</c> values given to the platform alone, last, so they win over the harness's.</param>
public sealed record BenchSettings(TimeSpan Warmup, TimeSpan Duration, string LogDirectory, int Brokers = 3, IReadOnlyList<string>? ExtraSettings = null,
    IReadOnlyList<string>? PlatformSettings = null)
{
    internal IEnumerable<string> ExtraArguments => (ExtraSettings ?? []).SelectMany(s => new[] { "--set", s });

    internal IEnumerable<string> PlatformArguments => (PlatformSettings ?? []).SelectMany(s => new[] { "--set", s });
}

/// <summary>
/// One rate, three processes: <c>kafka-cluster</c> (the librdkafka mock), <c>simulate</c> (the load generator) and
/// <c>run --role all</c> (the platform) pointed at both. After the warm-up, two scrapes of the platform's <c>/metrics</c>
/// and two readings of its <c>/proc</c> bound the steady window; then the platform is stopped (SIGTERM, so it flushes
/// Kafka and writes its summary) and the other two are killed. Each process also gets a <c>--for</c> well past the
/// step, so none outlives a harness that was itself killed.
/// </summary>
public sealed partial class BenchRunner(BenchSettings settings, TextWriter progress)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    public const string InputEvents = "cloudwall_md_provider_events_total";
    public const string Produced = "cloudwall_kafka_produced_total";
    public const string InputToAck = "cloudwall_kafka_input_to_ack_latency_seconds";
    public const string Allocated = "cloudwall_process_allocated_bytes_total";

    private int _step;

    public async Task<BenchRow> RunStepAsync(double target, double setting, CancellationToken ct)
    {
        var step = ++_step;
        var backstop = settings.Warmup + settings.Duration + StartTimeout + StopTimeout;
        var forText = $"{backstop.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)}s";
        var summaryPath = Path.Combine(settings.LogDirectory, $"step{step}-summary.json");
        var settingText = setting.ToString("0.###", CultureInfo.InvariantCulture);
        await progress.WriteLineAsync($"step {step}: target {target:N0} ev/s, Simulation:TradesPerSecond={settingText} (logs: {settings.LogDirectory}/step{step}-*.log)");

        using var cluster = ChildProcess.Start("kafka-cluster", ["kafka-cluster", "--brokers", settings.Brokers.ToString(CultureInfo.InvariantCulture), "--for", forText],
            Path.Combine(settings.LogDirectory, $"step{step}-kafka.log"));
        var bootstrap = await ReadUntil(cluster, l => l.StartsWith(Cli.KafkaClusterCommand.BootstrapPrefix, StringComparison.Ordinal) ? l[Cli.KafkaClusterCommand.BootstrapPrefix.Length..].Trim() : null, ct);

        using var sim = ChildProcess.Start("simulate", ["simulate", "--for", forText, "--set", $"Simulation:TradesPerSecond={settingText}", .. settings.ExtraArguments],
            Path.Combine(settings.LogDirectory, $"step{step}-simulate.log"));
        var runSettings = await ReadSimulatorSettings(sim, ct);

        var port = FreePort();
        string[] args =
        [
            "run", "--role", "all", "--for", forText, "--summary-json", summaryPath,
            "--set", $"Kafka:BootstrapServers={bootstrap}",
            "--set", "ConsoleView:Enabled=false",
            "--set", $"Admin:Port={port}",
            "--set", "Logging:LogLevel:Default=Warning",
            // The aggregator simulator accepts its default token, which simulate names but never prints.
            "--set", $"Providers:aggregator:ApiToken={ProvidersOptions.SimulatorToken}",
            .. runSettings.SelectMany(s => new[] { "--set", s }),
            .. settings.ExtraArguments,
            .. settings.PlatformArguments,
        ];
        using var platform = ChildProcess.Start("run", args, Path.Combine(settings.LogDirectory, $"step{step}-run.log"));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        await WaitForMetrics(http, platform, ct);

        await Task.Delay(settings.Warmup, ct);
        var (m0, p0, t0) = await Sample(http, platform, ct);
        var (sim0, cluster0, machine0) = (ProcStat.Read(sim.Id), ProcStat.Read(cluster.Id), ProcStat.ReadMachine());
        await Task.Delay(settings.Duration, ct);
        var (m1, p1, t1) = await Sample(http, platform, ct);
        var (sim1, cluster1, machine1) = (ProcStat.Read(sim.Id), ProcStat.Read(cluster.Id), ProcStat.ReadMachine());

        platform.Terminate();
        if (!await platform.WaitForExitAsync(StopTimeout, ct))
        {
            throw new BenchException($"the platform did not stop within {StopTimeout.TotalSeconds:0} s of SIGTERM; see {platform.LogPath}");
        }

        if (platform.ExitCode != 0 || !File.Exists(summaryPath))
        {
            throw new BenchException($"the platform exited with {platform.ExitCode} and {(File.Exists(summaryPath) ? "a" : "no")} summary; see {platform.LogPath}");
        }

        var summary = JsonSerializer.Deserialize(await File.ReadAllTextAsync(summaryPath, ct), HostingJsonContext.Default.RunSummary)
            ?? throw new BenchException($"{summaryPath} is empty");

        var seconds = (t1 - t0).TotalSeconds;
        var input = m1.Sum(InputEvents) - m0.Sum(InputEvents);
        var published = m1.Sum(Produced, $"topic=\"{Rx.Core.Topics.Events}\"", "result=\"delivered\"") - m0.Sum(Produced, $"topic=\"{Rx.Core.Topics.Events}\"", "result=\"delivered\"");
        var cpu = p1.CpuSeconds - p0.CpuSeconds;
        var (before, after) = (m0.Buckets(InputToAck), m1.Buckets(InputToAck));
        var row = new BenchRow
        {
            TargetEventsPerSecond = target,
            TradesPerSecondSetting = setting,
            WindowSeconds = Math.Round(seconds, 3),
            InputEventsPerSecond = Math.Round(input / seconds, 1),
            PublishedEventsPerSecond = Math.Round(published / seconds, 1),
            PlatformCores = Math.Round(cpu / seconds, 3),
            SimulatorCores = Math.Round((sim1.CpuSeconds - sim0.CpuSeconds) / seconds, 3),
            BrokerCores = Math.Round((cluster1.CpuSeconds - cluster0.CpuSeconds) / seconds, 3),
            MachineBusyCores = Math.Round((machine1.BusySeconds - machine0.BusySeconds) / seconds, 3),
            MachineCores = Environment.ProcessorCount,
            CpuMicrosecondsPerEvent = input > 0 ? Math.Round(cpu / input * 1e6, 2) : 0,
            InputToAckP50Ms = Ms(MetricsText.WindowQuantile(before, after, 0.5)),
            InputToAckP99Ms = Ms(MetricsText.WindowQuantile(before, after, 0.99)),
            InputToAckP999Ms = Ms(MetricsText.WindowQuantile(before, after, 0.999)),
            RunInputToAckP50Ms = summary.Cost?.InputToAckP50Ms ?? 0,
            RunInputToAckP99Ms = summary.Cost?.InputToAckP99Ms ?? 0,
            RunInputToAckP999Ms = summary.Cost?.InputToAckP999Ms ?? 0,
            Dropped = summary.EventsDropped + summary.KafkaDropped,
            EventsReceived = summary.EventsReceived,
            EventsPublished = summary.EventsPublished,
            GcGen0 = summary.Cost?.GcGen0Collections ?? 0,
            GcGen1 = summary.Cost?.GcGen1Collections ?? 0,
            GcGen2 = summary.Cost?.GcGen2Collections ?? 0,
            AllocatedBytesPerEvent = input > 0 ? Math.Round((m1.Sum(Allocated) - m0.Sum(Allocated)) / input, 1) : 0,
            GcHeapBytes = (long)m1.Sum("dotnet_total_memory_bytes"),
            RssBytes = p1.RssBytes,
            PeakRssBytes = p1.PeakRssBytes,
        };
        return row with { Shortfalls = RampRule.Shortfalls(row) };
    }

    private static double Ms(double seconds) => Math.Round(seconds * 1e3, 3);

    /// <summary>The <c>--set</c> arguments <c>simulate</c> prints for a run: from its "cloudwall-rx run" line to the last continued line.</summary>
    public static IReadOnlyList<string> ParseSimulatorSettings(IEnumerable<string> lines)
    {
        var settings = new List<string>();
        var inside = false;
        foreach (var line in lines)
        {
            inside |= line.StartsWith("cloudwall-rx run", StringComparison.Ordinal);
            if (!inside) continue;
            settings.AddRange(SetArgument().Matches(line).Select(m => m.Groups[1].Value));
            if (!line.TrimEnd().EndsWith('\\')) break;
        }

        return settings;
    }

    private static async Task<IReadOnlyList<string>> ReadSimulatorSettings(ChildProcess sim, CancellationToken ct)
    {
        var lines = new List<string>();
        var done = await ReadUntil(sim, l =>
        {
            lines.Add(l);
            return lines.Any(x => x.StartsWith("cloudwall-rx run", StringComparison.Ordinal)) && !l.TrimEnd().EndsWith('\\') ? "done" : null;
        }, ct);
        _ = done;
        var settings = ParseSimulatorSettings(lines);
        if (!settings.Contains("Simulation:Enabled=false") || !settings.Any(s => s.Contains(":Endpoint=", StringComparison.Ordinal)))
        {
            throw new BenchException($"simulate printed no endpoints; see {sim.LogPath}");
        }

        return settings;
    }

    /// <summary>Reads stdout lines until <paramref name="pick"/> returns a value; fails when the process ends or takes too long.</summary>
    private static async Task<string> ReadUntil(ChildProcess child, Func<string, string?> pick, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(StartTimeout);
        try
        {
            while (await child.ReadLineAsync(cts.Token) is { } line)
            {
                if (pick(line) is { } value) return value;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new BenchException($"{child.Name} printed nothing usable within {StartTimeout.TotalSeconds:0} s; see {child.LogPath}");
        }

        throw new BenchException($"{child.Name} ended before it was ready; see {child.LogPath}");
    }

    private static async Task WaitForMetrics(HttpClient http, ChildProcess platform, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (platform.HasExited) throw new BenchException($"the platform exited with {platform.ExitCode} while starting; see {platform.LogPath}");
            try
            {
                using var response = await http.GetAsync("/metrics", ct);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline) throw new BenchException($"the platform's /metrics did not answer within {StartTimeout.TotalSeconds:0} s; see {platform.LogPath}");
            await Task.Delay(200, ct);
        }
    }

    private static async Task<(MetricsText Metrics, ProcSample Proc, DateTime At)> Sample(HttpClient http, ChildProcess platform, CancellationToken ct)
    {
        if (platform.HasExited) throw new BenchException($"the platform exited with {platform.ExitCode} during the run; see {platform.LogPath}");
        var proc = ProcStat.Read(platform.Id);
        var at = DateTime.UtcNow;
        var metrics = MetricsText.Parse(await http.GetStringAsync("/metrics", ct));
        return (metrics, proc, at);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"--set (\S+)")]
    private static partial Regex SetArgument();
}

/// <summary>A step that could not be measured: one line for the operator, naming the log to read.</summary>
public sealed class BenchException(string message) : Exception(message);
