using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace Cloudwall.Rx.Hosting.Bench;

/// <summary>One rate of the end-to-end harness: the platform process measured over the steady window (after the warm-up).</summary>
public sealed record BenchRow
{
    /// <summary>The input rate asked for (events/s over all providers).</summary>
    [JsonPropertyName("target_events_per_second")] public double TargetEventsPerSecond { get; init; }
    /// <summary>The <c>Simulation:TradesPerSecond</c> given to the load generator for it (<see cref="RateModel"/>).</summary>
    [JsonPropertyName("trades_per_second_setting")] public double TradesPerSecondSetting { get; init; }
    [JsonPropertyName("window_seconds")] public double WindowSeconds { get; init; }
    /// <summary>Events decoded by the platform per second over the window (<c>cloudwall_md_provider_events_total</c>).</summary>
    [JsonPropertyName("input_events_per_second")] public double InputEventsPerSecond { get; init; }
    /// <summary>Events acknowledged on md.events.v1 per second over the window.</summary>
    [JsonPropertyName("published_events_per_second")] public double PublishedEventsPerSecond { get; init; }
    /// <summary>The platform process's CPU (utime + stime from /proc) over the window, in cores.</summary>
    [JsonPropertyName("platform_cores")] public double PlatformCores { get; init; }
    [JsonPropertyName("cpu_us_per_event")] public double CpuMicrosecondsPerEvent { get; init; }
    /// <summary>The load generator's (<c>simulate</c>) CPU over the same window, in cores.</summary>
    [JsonPropertyName("simulator_cores")] public double SimulatorCores { get; init; }
    /// <summary>The Kafka cluster process's (<c>kafka-cluster</c>, librdkafka's mock) CPU over the same window, in cores.</summary>
    [JsonPropertyName("broker_cores")] public double BrokerCores { get; init; }
    /// <summary>The whole machine's busy CPU over the window (<c>/proc/stat</c>), in cores: the three processes, the harness and anything else.</summary>
    [JsonPropertyName("machine_busy_cores")] public double MachineBusyCores { get; init; }
    /// <summary>The cores the machine has (<see cref="Environment.ProcessorCount"/>).</summary>
    [JsonPropertyName("machine_cores")] public int MachineCores { get; init; }
    /// <summary>Input→ack quantiles over the window, from /metrics' coarse buckets (<see cref="MetricsText.WindowQuantile"/>).</summary>
    [JsonPropertyName("input_to_ack_p50_ms")] public double InputToAckP50Ms { get; init; }
    [JsonPropertyName("input_to_ack_p99_ms")] public double InputToAckP99Ms { get; init; }
    [JsonPropertyName("input_to_ack_p999_ms")] public double InputToAckP999Ms { get; init; }
    /// <summary>Input→ack quantiles of the whole run (warm-up included) from the run summary's fine histogram (buckets ≤ 12.5 % wide, upper bounds).</summary>
    [JsonPropertyName("run_input_to_ack_p50_ms")] public double RunInputToAckP50Ms { get; init; }
    [JsonPropertyName("run_input_to_ack_p99_ms")] public double RunInputToAckP99Ms { get; init; }
    [JsonPropertyName("run_input_to_ack_p999_ms")] public double RunInputToAckP999Ms { get; init; }
    /// <summary>Whole run: events_dropped + kafka_dropped of the run summary.</summary>
    [JsonPropertyName("dropped")] public long Dropped { get; init; }
    /// <summary>Whole run, from the run summary: received by the pipeline, acknowledged on md.events.v1.</summary>
    [JsonPropertyName("events_received")] public long EventsReceived { get; init; }
    [JsonPropertyName("events_published")] public long EventsPublished { get; init; }
    /// <summary>Whole run, from the run summary (GC.CollectionCount per generation).</summary>
    [JsonPropertyName("gc_gen0")] public int GcGen0 { get; init; }
    [JsonPropertyName("gc_gen1")] public int GcGen1 { get; init; }
    [JsonPropertyName("gc_gen2")] public int GcGen2 { get; init; }
    /// <summary>VmRSS at the end of the window and VmHWM (peak) of the platform process.</summary>
    /// <summary>Managed bytes the platform allocated per input event over the window (<c>cloudwall_process_allocated_bytes_total</c>).</summary>
    [JsonPropertyName("allocated_bytes_per_event")] public double AllocatedBytesPerEvent { get; init; }
    /// <summary>The managed heap at the window's end (<c>dotnet_total_memory_bytes</c>: live objects and not yet collected garbage).</summary>
    [JsonPropertyName("gc_heap_bytes")] public long GcHeapBytes { get; init; }
    [JsonPropertyName("rss_bytes")] public long RssBytes { get; init; }
    [JsonPropertyName("peak_rss_bytes")] public long PeakRssBytes { get; init; }
    /// <summary>Why the rate was not sustained (<see cref="RampRule"/>); empty when it was.</summary>
    [JsonPropertyName("shortfalls")] public IReadOnlyList<string> Shortfalls { get; init; } = [];
    [JsonPropertyName("sustained")] public bool Sustained => Shortfalls.Count == 0;
}

/// <summary>What <c>cloudwall-rx bench</c> writes with <c>--json FILE</c>.</summary>
public sealed record BenchReport
{
    [JsonPropertyName("mode")] public required string Mode { get; init; }
    /// <summary><c>--instruments</c>: the subscriptions spread over the default providers; null for the defaults.</summary>
    [JsonPropertyName("instruments")] public int? Instruments { get; init; }
    /// <summary><c>--set</c> values the platform ran with, over the harness's own.</summary>
    [JsonPropertyName("platform_settings")] public IReadOnlyList<string> PlatformSettings { get; init; } = [];
    [JsonPropertyName("warmup_seconds")] public double WarmupSeconds { get; init; }
    [JsonPropertyName("duration_seconds")] public double DurationSeconds { get; init; }
    [JsonPropertyName("rate_model")] public required RateModel RateModel { get; init; }
    [JsonPropertyName("rows")] public required IReadOnlyList<BenchRow> Rows { get; init; }
    /// <summary>Ramp: the highest input rate that met every rule; null otherwise or when none did.</summary>
    [JsonPropertyName("highest_sustained_events_per_second")] public double? HighestSustainedEventsPerSecond { get; init; }
    /// <summary>Where each child process's stdout and stderr went.</summary>
    [JsonPropertyName("logs")] public required string Logs { get; init; }
    [JsonPropertyName("problems")] public IReadOnlyList<string> Problems { get; init; } = [];
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(BenchReport))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;

/// <summary>The table <c>bench</c> prints, one row per rate.</summary>
public static class BenchTable
{
    public static string Format(IEnumerable<BenchRow> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("| target ev/s | setting | input ev/s | cores | µs/event | sim / broker / machine cores | p50 / p99 / p99.9 ms | run p50 / p99 / p99.9 ms | dropped | received = published | GC 0/1/2 | B/event | heap / RSS / peak MiB | sustained |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|---:|---:|---:|---|");
        foreach (var r in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.TargetEventsPerSecond:N0} | {r.TradesPerSecondSetting:0.#} | {r.InputEventsPerSecond:N0} | {r.PlatformCores:0.00} | {r.CpuMicrosecondsPerEvent:0.0} | " +
                $"{r.SimulatorCores:0.00} / {r.BrokerCores:0.00} / {r.MachineBusyCores:0.00} of {r.MachineCores} | " +
                $"{r.InputToAckP50Ms:0.0} / {r.InputToAckP99Ms:0.0} / {r.InputToAckP999Ms:0.0} | {r.RunInputToAckP50Ms:0.0} / {r.RunInputToAckP99Ms:0.0} / {r.RunInputToAckP999Ms:0.0} | {r.Dropped} | " +
                $"{(r.EventsReceived == r.EventsPublished ? "yes" : $"no ({r.EventsReceived} vs {r.EventsPublished})")} | {r.GcGen0}/{r.GcGen1}/{r.GcGen2} | {r.AllocatedBytesPerEvent:0} | " +
                $"{r.GcHeapBytes / 1048576.0:0} / {r.RssBytes / 1048576.0:0} / {r.PeakRssBytes / 1048576.0:0} | {(r.Sustained ? "yes" : "no: " + string.Join("; ", r.Shortfalls))} |");
        }

        return text.ToString();
    }
}
