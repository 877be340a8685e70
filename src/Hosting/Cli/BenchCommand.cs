using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Cloudwall.Rx.Hosting.Bench;

namespace Cloudwall.Rx.Hosting.Cli;

/// <summary>
/// <c>cloudwall-rx bench</c>: the end-to-end harness of issue 17. Each rate runs the load generator, a Kafka cluster and
/// the platform as three processes (<see cref="BenchRunner"/>) and measures the platform over a steady window.
/// </summary>
internal static class BenchCommand
{
    private static readonly Option<string?> Rates = CliOptions.Text("--rates", "fixed input rates in events/s over all providers, comma-separated (default 28000,100000)", "R1,R2,...");
    private static readonly Option<bool> Ramp = new("--ramp") { Description = $"raise the rate ×{RampRule.DefaultFactor} per step until one is not sustained; report the highest sustained" };
    private static readonly Option<int?> RampStart = CliOptions.Number<int>("--ramp-start", "the ramp's first rate in events/s (default 10000)", "R");
    private static readonly Option<int?> RampMax = CliOptions.Number<int>("--ramp-max", "the ramp stops after this rate (default 2000000)", "R");
    private static readonly Option<bool> Smoke = new("--smoke") { Description = "one low rate for a few seconds: checks that the three processes work and the numbers agree (exit 0), not speed" };
    private static readonly Option<TimeSpan?> Duration = CliOptions.Duration("--duration", "steady window measured per rate (default 20s; smoke 4s)");
    private static readonly Option<TimeSpan?> Warmup = CliOptions.Duration("--warmup", "time after the platform is up before the window (default 10s; smoke 3s)");
    private static readonly Option<string?> Json = CliOptions.Text("--json", "write the results as JSON to FILE", "FILE");
    private static readonly Option<int?> Instruments = CliOptions.Number<int>("--instruments", "subscriptions spread over the default providers (default: each provider's default symbols); the total rate stays the same", "N");
    private static readonly Option<KeyValuePair<string, string?>[]> PlatformSettings = CliOptions.Settings();
    private static readonly Option<string?> Logs = CliOptions.Text("--logs", "directory of the child processes' logs and summaries (default: a new temporary directory)", "DIR");

    public const double SmokeEventsPerSecond = 2_000;

    public static Command Create()
    {
        var command = new Verb("bench", "Measures the platform end to end: simulators, Kafka and the platform in three processes",
            """
            Measures the whole path, socket to Kafka acknowledgement. For each rate it starts 'simulate' (the load
            generator), 'kafka-cluster' and 'run --role all' as three processes, and reads over a steady window: input
            events/s, the platform process's CPU (from /proc) and µs per event, input→ack p50/p99/p99.9, drops, GC counts
            and RSS; it checks received = published. Prints a table; --json writes the rows. Linux only (/proc).
            """.ReplaceLineEndings(" "),
            """
            cloudwall-rx bench --rates 28000,100000 --json bench.json
            cloudwall-rx bench --ramp --duration 15s
            cloudwall-rx bench --smoke --json smoke.json
            cloudwall-rx bench --rates 28000 --instruments 2000
            cloudwall-rx bench --rates 28000 --set Kafka:Preset=Throughput
            """)
        {
            Rates, Ramp, RampStart, RampMax, Smoke, Duration, Warmup, Instruments, PlatformSettings, Json, Logs,
        };
        command.SetAction((r, ct) => RunAsync(r, r.InvocationConfiguration.Output, r.InvocationConfiguration.Error, ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var smoke = args.GetValue(Smoke);
        var ramp = args.GetValue(Ramp);
        if (smoke && ramp || (smoke || ramp) && args.GetValue(Rates) is not null)
        {
            return CommandLine.Fail(stderr, "give one of --rates, --ramp or --smoke");
        }

        if (!OperatingSystem.IsLinux())
        {
            await stderr.WriteLineAsync("error: bench reads /proc and runs on Linux only");
            return ExitCodes.Failure;
        }

        if (!TryParseRates(args.GetValue(Rates) ?? "28000,100000", out var rates))
        {
            return CommandLine.Fail(stderr, $"--rates: '{args.GetValue(Rates)}' is not a list of positive rates (example: --rates 28000,100000)");
        }

        var warmup = args.GetValue(Warmup) ?? TimeSpan.FromSeconds(smoke ? 3 : 10);
        var duration = args.GetValue(Duration) ?? TimeSpan.FromSeconds(smoke ? 4 : 20);
        if (duration <= TimeSpan.Zero) return CommandLine.Fail(stderr, "--duration must be positive");
        var logs = args.GetValue(Logs) ?? Path.Combine(Path.GetTempPath(), $"cloudwall-bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");
        Directory.CreateDirectory(logs);

        // Ctrl-C and SIGTERM end the bench; every child is killed on the way out (ChildProcess.Dispose).
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);

        InstrumentSpread? spread = null;
        if (args.GetValue(Instruments) is { } instruments)
        {
            if (instruments < InstrumentSpread.DefaultSubscriptions())
            {
                return CommandLine.Fail(stderr, $"--instruments: {instruments} is fewer than the default providers' {InstrumentSpread.DefaultSubscriptions()} subscriptions");
            }

            spread = InstrumentSpread.Of(instruments);

            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{spread.Count:N0} subscriptions over {spread.Symbols.Count} providers; the simulators trade {spread.OfferedScale:0.##}× their default instruments"));
        }

        var platformSettings = args.GetValue(PlatformSettings)!.Select(kv => $"{kv.Key}={kv.Value}").ToList();
        var runner = new BenchRunner(new BenchSettings(warmup, duration, logs, ExtraSettings: spread?.Settings(), PlatformSettings: platformSettings), stdout);
        var model = RateModel.Default.Scaled(spread?.OfferedScale ?? 1);
        var rows = new List<BenchRow>();
        var problems = new List<string>();
        double? highest = null;
        var mode = smoke ? "smoke" : ramp ? "ramp" : "rates";
        try
        {
            if (smoke)
            {
                var row = await runner.RunStepAsync(SmokeEventsPerSecond, model.SettingFor(SmokeEventsPerSecond), cts.Token);
                rows.Add(row);
                problems.AddRange(SmokeProblems(row));
            }
            else if (ramp)
            {
                double? target = args.GetValue(RampStart) ?? 10_000;
                var max = args.GetValue(RampMax) ?? 2_000_000;
                while (target is { } t)
                {
                    var setting = model.SettingFor(t);
                    var row = await runner.RunStepAsync(t, setting, cts.Token);
                    rows.Add(row);
                    await stdout.WriteLineAsync(Describe(row));
                    if (!row.Sustained) break;
                    highest = row.InputEventsPerSecond;
                    model = model.Refit(setting, row.InputEventsPerSecond);
                    target = RampRule.Next(t, RampRule.DefaultFactor, max);
                }
            }
            else
            {
                foreach (var t in rates)
                {
                    var setting = model.SettingFor(t);
                    var row = await runner.RunStepAsync(t, setting, cts.Token);
                    rows.Add(row);
                    await stdout.WriteLineAsync(Describe(row));
                    if (row.Sustained) model = model.Refit(setting, row.InputEventsPerSecond);
                }
            }
        }
        catch (BenchException ex)
        {
            problems.Add(ex.Message);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            problems.Add("stopped by a signal");
        }

        await stdout.WriteLineAsync();
        await stdout.WriteAsync(BenchTable.Format(rows));
        if (ramp)
        {
            await stdout.WriteLineAsync(highest is { } h
                ? $"highest sustained input: {h.ToString("N0", CultureInfo.InvariantCulture)} events/s"
                : "no rate was sustained");
        }

        foreach (var p in problems) await stderr.WriteLineAsync($"error: {p}");
        await stdout.WriteLineAsync($"logs: {logs}");

        if (args.GetValue(Json) is { } jsonPath)
        {
            var report = new BenchReport
            {
                Mode = mode, Instruments = spread?.Count, PlatformSettings = platformSettings, WarmupSeconds = warmup.TotalSeconds, DurationSeconds = duration.TotalSeconds, RateModel = model, Rows = rows,
                HighestSustainedEventsPerSecond = highest, Logs = logs, Problems = problems,
            };
            await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(report, BenchJsonContext.Default.BenchReport), CancellationToken.None);
        }

        return problems.Count == 0 ? ExitCodes.Ok : ExitCodes.Failure;

        void Stop(System.Runtime.InteropServices.PosixSignalContext context)
        {
            context.Cancel = true;
            cts.Cancel();
        }
    }

    /// <summary>What a smoke run must show: all three processes worked and the numbers are present and agree. Not speed.</summary>
    internal static IReadOnlyList<string> SmokeProblems(BenchRow row)
    {
        var problems = new List<string>();
        if (row.InputEventsPerSecond <= 0) problems.Add("no input events in the window");
        if (row.PublishedEventsPerSecond <= 0) problems.Add("nothing acknowledged on md.events.v1 in the window");
        if (row.PlatformCores <= 0) problems.Add("no platform CPU read from /proc");
        if (row.SimulatorCores <= 0 || row.BrokerCores <= 0) problems.Add("no load generator or broker CPU read from /proc");
        if (row.MachineBusyCores < row.PlatformCores * 0.9) problems.Add($"the machine's busy CPU ({row.MachineBusyCores:0.00} cores) is below the platform's ({row.PlatformCores:0.00})");
        if (row.EventsReceived <= 0) problems.Add("the run summary has no received events");
        if (row.EventsReceived != row.EventsPublished) problems.Add($"lost events: received {row.EventsReceived}, published {row.EventsPublished}");
        if (row.Dropped > 0) problems.Add($"{row.Dropped} events dropped");
        if (row.InputToAckP50Ms <= 0) problems.Add("no input→ack latency recorded");
        if (row.RssBytes <= 0) problems.Add("no RSS read from /proc");
        return problems;
    }

    internal static bool TryParseRates(string text, out IReadOnlyList<double> rates)
    {
        var list = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) || !(r > 0))
            {
                rates = [];
                return false;
            }

            list.Add(r);
        }

        rates = list;
        return list.Count > 0;
    }

    private static string Describe(BenchRow r) => string.Create(CultureInfo.InvariantCulture,
        $"  input {r.InputEventsPerSecond:N0} ev/s, {r.PlatformCores:0.00} cores, {r.CpuMicrosecondsPerEvent:0.0} µs/event, p99 {r.InputToAckP99Ms:0.0} ms: ") +
        (r.Sustained ? "sustained" : "not sustained (" + string.Join("; ", r.Shortfalls) + ")");
}
