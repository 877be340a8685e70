using Cloudwall.Rx.Quality.Alerts;

namespace Cloudwall.Rx.Tests.Integration.Scenarios;

/// <summary>
/// Acceptance scenarios for the quality sidecar over real sockets: the scripted faults of <c>run --scenario</c>, with the
/// detector durations shortened by configuration so the suite stays quick. Time-to-detect is measured and printed.
/// </summary>
[Collection(Hosting.EndToEnd.Name)]
public sealed class QualityScenarioTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly (string, string)[] FastDetectors =
    [
        ("Quality:Divergence:For", "00:00:05"),
        ("Quality:Divergence:ClearAfter", "00:00:03"),
        ("Quality:SequenceGaps:QuietPeriod", "00:00:05"),
    ];

    private static IEnumerable<AlertNotification> Open(PlatformHarness h, string detector) =>
        h.Quality.Alerts!.OpenAlerts().Where(a => a.Detector == detector);

    [Fact]
    public async Task A_silent_venue_raises_one_venue_level_alert_that_resolves_when_data_returns()
    {
        // The aggregator carries Coinbase and Kraken: Kraken going silent there is a venue-level outage of that provider.
        await using var h = await PlatformHarness.StartAsync(["coinbase", "aggregator"], FastDetectors);
        await Task.Delay(TimeSpan.FromSeconds(8)); // learn the normal interval
        Assert.Empty(Open(h, "no_data"));

        var start = DateTime.UtcNow;
        var faults = h.Platform.Simulators["aggregator"].Faults;
        faults.Silence("krkn:spot:btc-usd");
        faults.Silence("krkn:spot:eth-usd");
        await PlatformHarness.Eventually(() => Open(h, "no_data").Any(), TimeSpan.FromSeconds(30), "no_data alert");
        output.WriteLine($"venue silent: detected after {(DateTime.UtcNow - start).TotalSeconds:F1} s");

        var alerts = Open(h, "no_data").ToList();
        var alert = Assert.Single(alerts); // one alert at the venue level, not one per instrument
        Assert.Equal(AlertLevel.Venue, alert.Level);
        Assert.Equal("kraken", alert.Labels.Venue);
        Assert.Equal("aggregator", alert.Labels.Provider);

        faults.Resume("krkn:spot:btc-usd");
        faults.Resume("krkn:spot:eth-usd");
        await PlatformHarness.Eventually(() => !Open(h, "no_data").Any(), TimeSpan.FromSeconds(30), "no_data resolved");
    }

    [Fact]
    public async Task A_held_offset_is_a_divergence_alert_and_a_single_blip_is_not()
    {
        await using var h = await PlatformHarness.StartAsync(["coinbase", "kraken", "aggregator"], FastDetectors);
        await Task.Delay(TimeSpan.FromSeconds(8));

        h.Platform.Simulators["coinbase"].Faults.Spike("BTC-USD", 0.03m);
        await Task.Delay(TimeSpan.FromSeconds(10)); // longer than Divergence:For
        Assert.DoesNotContain(Open(h, "divergence"), a => a.Labels.Provider == "coinbase");

        var start = DateTime.UtcNow;
        h.Platform.Simulators["coinbase"].Faults.PriceOffset("BTC-USD", 0.02m);
        await PlatformHarness.Eventually(() => Open(h, "divergence").Any(a => a.Labels.Provider == "coinbase" && a.Labels.Instrument == "BTC-USD.SPOT"),
            TimeSpan.FromSeconds(40), "divergence alert for coinbase BTC-USD");
        output.WriteLine($"2 % offset: detected after {(DateTime.UtcNow - start).TotalSeconds:F1} s");

        h.Platform.Simulators["coinbase"].Faults.PriceOffset("BTC-USD", 0m);
        await PlatformHarness.Eventually(() => !Open(h, "divergence").Any(a => a.Labels.Provider == "coinbase"), TimeSpan.FromSeconds(40), "divergence resolved");

        // Alerts also went to md.quality.v1 through the process's one producer.
        await PlatformHarness.Eventually(() => h.Platform.Publisher!.Snapshot().For(Core.Topics.Quality)?.Delivered >= 2, TimeSpan.FromSeconds(10),
            "alerts delivered to md.quality.v1");
    }

    [Fact]
    public async Task A_whole_provider_going_silent_raises_one_provider_level_alert()
    {
        await using var h = await PlatformHarness.StartAsync(["coinbase", "kraken"], FastDetectors);
        await Task.Delay(TimeSpan.FromSeconds(8));
        var start = DateTime.UtcNow;
        h.Platform.Simulators["kraken"].Faults.Silence();
        await PlatformHarness.Eventually(() => Open(h, "no_data").Any(), TimeSpan.FromSeconds(30), "no_data alert");
        output.WriteLine($"provider silent: detected after {(DateTime.UtcNow - start).TotalSeconds:F1} s");
        var alert = Assert.Single(Open(h, "no_data"));
        Assert.Equal(AlertLevel.Provider, alert.Level);
        Assert.Equal("kraken", alert.Labels.Provider);
        h.Platform.Simulators["kraken"].Faults.Resume();
        await PlatformHarness.Eventually(() => !Open(h, "no_data").Any(), TimeSpan.FromSeconds(30), "no_data resolved");
    }

    [Fact]
    public async Task A_sequence_gap_is_reported_as_an_alert()
    {
        await using var h = await PlatformHarness.StartAsync(["binance"], FastDetectors);
        await Task.Delay(TimeSpan.FromSeconds(4));
        h.Platform.Simulators["binance"].Faults.SkipSequence("BTCUSDT", 25);
        await PlatformHarness.Eventually(() => Open(h, "sequence_gap").Any(), TimeSpan.FromSeconds(20), "sequence_gap alert");
        Assert.True(h.Platform.SequenceGaps >= 1);
        await PlatformHarness.Eventually(() => !Open(h, "sequence_gap").Any(), TimeSpan.FromSeconds(30), "sequence_gap resolved");
    }
}
