using Cloudwall.Rx.Hosting.Bench;
using Cloudwall.Rx.Hosting.Cli;

namespace Cloudwall.Rx.Tests.Unit.Hosting.Bench;

/// <summary>
/// The pure parts of <c>cloudwall-rx bench</c>: /proc parsing, the rate conversion, the ramp's stop rule, the simulator's
/// printed settings and the window quantiles. The processes themselves run in the integration test (BenchSmokeTests).
/// </summary>
public sealed class BenchHarnessTests
{
    // A real line's shape: the name in parentheses may hold spaces and ')'.
    private const string Stat =
        "4242 (cloudwall (rx) x) S 1 4242 4242 0 -1 4194560 31466 0 0 0 1234 567 0 0 20 0 23 0 123456 3000000000 37000 18446744073709551615 1 1 0 0 0 0 0 4096 17663 0 0 0 17 1 0 0 0 0 0";

    [Fact]
    public void Utime_and_stime_are_fields_14_and_15_counted_after_the_name()
    {
        Assert.True(ProcStat.TryParseCpuTicks(Stat, out var utime, out var stime));
        Assert.Equal(1234, utime);
        Assert.Equal(567, stime);
    }

    [Theory]
    [InlineData("")]
    [InlineData("4242 (truncated")]
    [InlineData("4242 (x) S 1 2 3")]
    public void A_stat_line_without_the_fields_is_refused(string stat) =>
        Assert.False(ProcStat.TryParseCpuTicks(stat, out _, out _));

    [Fact]
    public void Rss_and_its_peak_are_read_from_status_in_bytes()
    {
        const string status = "Name:\tcloudwall-rx\nVmPeak:\t 3000000 kB\nVmHWM:\t  150000 kB\nVmRSS:\t  140000 kB\nThreads:\t23\n";
        Assert.Equal((140000L * 1024, 150000L * 1024), ProcStat.ParseStatusMemory(status));
        Assert.Equal((0L, 0L), ProcStat.ParseStatusMemory("Name:\tx\n"));
    }

    [Fact]
    public void The_machine_is_busy_in_everything_but_idle_and_iowait()
    {
        // user nice system idle iowait irq softirq steal guest guest_nice (clock ticks)
        const string stat = "cpu  1000 20 300 5000 70 8 9 10 400 0\ncpu0 500 10 150 2500 35 4 4 5 200 0\nintr 1\n";
        var (busy, total) = ProcStat.ParseMachine(stat);
        Assert.Equal((1000 + 20 + 300 + 8 + 9 + 10) / 100.0, busy, 9);
        Assert.Equal((1000 + 20 + 300 + 5000 + 70 + 8 + 9 + 10) / 100.0, total, 9);
        Assert.Throws<FormatException>(() => ProcStat.ParseMachine("intr 1\n"));
        var (liveBusy, liveTotal) = ProcStat.ReadMachine();
        Assert.InRange(liveBusy, 0.001, liveTotal);
    }

    [Fact]
    public void The_process_reads_itself_from_proc()
    {
        if (!OperatingSystem.IsLinux()) return;
        var sample = ProcStat.Read(Environment.ProcessId);
        Assert.True(sample.CpuSeconds > 0);
        Assert.True(sample.RssBytes > 0 && sample.PeakRssBytes >= sample.RssBytes);
    }

    [Fact]
    public void A_target_rate_becomes_the_per_product_setting_through_the_fitted_line()
    {
        var model = new RateModel(BaseEventsPerSecond: 300, EventsPerSecondPerSetting: 40);
        Assert.Equal(692.5, model.SettingFor(28_000));
        Assert.Equal(28_000, model.EventsPerSecondAt(692.5));
        Assert.Equal(0.1, model.SettingFor(100)); // below the base: the least trading the simulators do
    }

    [Fact]
    public void A_sustained_measurement_refits_the_slope_and_keeps_the_base()
    {
        var model = new RateModel(300, 40).Refit(setting: 100, measuredEventsPerSecond: 5_300);
        Assert.Equal(new RateModel(300, 50), model);
        Assert.Equal(model, model.Refit(100, 200)); // no input above the base: nothing learned
    }

    private static BenchRow Row(double input = 27_000, double p99 = 12, long dropped = 0, long received = 100, long published = 100) => new()
    {
        TargetEventsPerSecond = 28_000, InputEventsPerSecond = input, InputToAckP99Ms = p99, Dropped = dropped,
        EventsReceived = received, EventsPublished = published,
    };

    [Fact]
    public void A_step_is_sustained_at_90_percent_of_target_no_drops_no_loss_and_p99_at_most_50_ms()
    {
        Assert.Empty(RampRule.Shortfalls(Row()));
        Assert.Empty(RampRule.Shortfalls(Row(input: 25_200, p99: 50)));
    }

    [Theory]
    [InlineData(25_100, 12, 0, 100, "input 25100 ev/s < 90 % of 28000")]
    [InlineData(27_000, 12, 3, 100, "3 dropped")]
    [InlineData(27_000, 12, 0, 99, "received 100 != published 99")]
    [InlineData(27_000, 50.1, 0, 100, "p99 50.1 ms > 50 ms")]
    public void Each_rule_that_fails_is_named(double input, double p99, long dropped, long published, string reason) =>
        Assert.Equal([reason], RampRule.Shortfalls(Row(input, p99, dropped, published: published)));

    [Fact]
    public void The_ramp_grows_by_its_factor_and_stops_past_the_maximum()
    {
        Assert.Equal(15_000, RampRule.Next(10_000, 1.5, 2_000_000));
        Assert.Null(RampRule.Next(1_500_000, 1.5, 2_000_000));
    }

    [Fact]
    public void The_settings_simulate_prints_are_read_up_to_the_last_continued_line()
    {
        string[] lines =
        [
            "coinbase         ws://127.0.0.1:40001/",
            "",
            "# point a run at them (simulation off, the real connectors):",
            "cloudwall-rx run --set Simulation:Enabled=false \\",
            "  --set Providers:coinbase:Endpoint=ws://127.0.0.1:40001/ \\",
            "  --set Providers:okx:Endpoint=ws://127.0.0.1:40002/ws/v5/public",
            "  --set Not:This=one",
        ];
        Assert.Equal(["Simulation:Enabled=false", "Providers:coinbase:Endpoint=ws://127.0.0.1:40001/", "Providers:okx:Endpoint=ws://127.0.0.1:40002/ws/v5/public"],
            BenchRunner.ParseSimulatorSettings(lines));
    }

    [Fact]
    public void Window_quantiles_come_from_the_difference_of_two_scrapes()
    {
        const string before = """
            # TYPE cloudwall_kafka_input_to_ack_latency_seconds histogram
            cloudwall_kafka_input_to_ack_latency_seconds_bucket{le="0.01"} 100
            cloudwall_kafka_input_to_ack_latency_seconds_bucket{le="0.05"} 100
            cloudwall_kafka_input_to_ack_latency_seconds_bucket{le="+Inf"} 100
            cloudwall_md_provider_events_total{provider="okx"} 10
            cloudwall_md_provider_events_total{provider="kraken"} 5
            """;
        const string after = """
            cloudwall_kafka_input_to_ack_latency_seconds_bucket{le="0.01"} 1100
            cloudwall_kafka_input_to_ack_latency_seconds_bucket{le="0.05"} 1189
            cloudwall_kafka_input_to_ack_latency_seconds_bucket{le="+Inf"} 1200
            cloudwall_md_provider_events_total{provider="okx"} 1010
            cloudwall_md_provider_events_total{provider="kraken"} 1005
            cloudwall_kafka_produced_total{topic="md.events.v1",result="delivered"} 7
            cloudwall_kafka_produced_total{topic="md.events.v1",result="failed"} 1
            """;
        var (m0, m1) = (MetricsText.Parse(before), MetricsText.Parse(after));

        Assert.Equal(2000, m1.Sum(BenchRunner.InputEvents) - m0.Sum(BenchRunner.InputEvents));
        Assert.Equal(7, m1.Sum(BenchRunner.Produced, "topic=\"md.events.v1\"", "result=\"delivered\""));
        // In the window: 1000 at or under 10 ms, 89 more under 50 ms, 11 above: p50 interpolated in the first bucket, p99 at 50 ms.
        var (b0, b1) = (m0.Buckets(BenchRunner.InputToAck), m1.Buckets(BenchRunner.InputToAck));
        Assert.Equal(0.0055, MetricsText.WindowQuantile(b0, b1, 0.5), 9);
        Assert.Equal(0.05, MetricsText.WindowQuantile(b0, b1, 0.99), 9);
        Assert.Equal(0.05, MetricsText.WindowQuantile(b0, b1, 0.999), 9); // in +Inf: its lower bound
        Assert.Equal(0, MetricsText.WindowQuantile(b1, b1, 0.5));
    }

    [Theory]
    [InlineData("28000,100000", new[] { 28_000.0, 100_000.0 })]
    [InlineData(" 5e4 ", new[] { 50_000.0 })]
    public void Rates_are_a_comma_separated_list(string text, double[] expected)
    {
        Assert.True(BenchCommand.TryParseRates(text, out var rates));
        Assert.Equal(expected, rates);
    }

    [Theory]
    [InlineData("")]
    [InlineData("fast")]
    [InlineData("1000,-5")]
    public void A_bad_rate_list_is_refused(string text) => Assert.False(BenchCommand.TryParseRates(text, out _));

    [Fact]
    public void Smoke_checks_presence_and_agreement_never_speed()
    {
        var good = new BenchRow
        {
            InputEventsPerSecond = 10, PublishedEventsPerSecond = 10, PlatformCores = 0.01, SimulatorCores = 0.01, BrokerCores = 0.01,
            MachineBusyCores = 0.05, EventsReceived = 5, EventsPublished = 5,
            InputToAckP50Ms = 900, InputToAckP99Ms = 5_000, RssBytes = 1,
        };
        Assert.Empty(BenchCommand.SmokeProblems(good));
        Assert.Equal(["lost events: received 5, published 4"], BenchCommand.SmokeProblems(good with { EventsPublished = 4 }));
        Assert.Equal(["no platform CPU read from /proc"], BenchCommand.SmokeProblems(good with { PlatformCores = 0 }));
        Assert.Equal(["no load generator or broker CPU read from /proc"], BenchCommand.SmokeProblems(good with { BrokerCores = 0 }));
        Assert.Single(BenchCommand.SmokeProblems(good with { MachineBusyCores = 0.001 }));
    }
}
