using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Cli;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Kafka.Embedded;
using Cloudwall.Rx.Quality.Alerts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudwall.Rx.Tests.Integration.Scenarios;

/// <summary>
/// The quality sidecar as its own "pod": an ingest instance publishes statistics windows to md.quality.v1 and raises no
/// alerts itself; a quality instance on the same cluster consumes them (never raw trades), exports metrics and raises the
/// alerts. Role all, which runs the detectors in process, alerts in QualityScenarioTests and LiveFaultScenarioTests.
/// </summary>
[Collection(Hosting.EndToEnd.Name)]
public sealed class QualityRoleTests
{
    [Fact]
    public async Task A_quality_instance_alerts_from_the_windows_an_ingest_instance_publishes()
    {
        using var cluster = new EmbeddedKafkaCluster(1);
        KafkaTopology.CreateDefaultTopics(cluster);
        KeyValuePair<string, string?>[] common =
        [
            new("Admin:Port", "0"), new("ConsoleView:Enabled", "false"), new("Kafka:BootstrapServers", cluster.BootstrapServers),
        ];
        KeyValuePair<string, string?>[] onlyKraken =
            [.. new[] { "coinbase", "binance", "binance-usdm", "binance-coinm", "okx", "bybit-spot", "bybit-linear", "deribit", "aggregator" }
                .Select(p => new KeyValuePair<string, string?>($"Providers:{p}:Enabled", "false"))];

        var quality = RunCommand.Build(common, TextWriter.Null, "quality");
        var ingest = RunCommand.Build([.. common, .. onlyKraken], TextWriter.Null, "ingest");
        await quality.StartAsync();
        await ingest.StartAsync();
        try
        {
            var role = quality.Services.GetRequiredService<QualityRoleService>();
            var sidecar = quality.Services.GetRequiredService<QualitySidecar>();
            await PlatformHarness.Eventually(() => role.WindowsConsumed > 10, TimeSpan.FromSeconds(30), "windows consumed by the quality role");

            using var http = new HttpClient { BaseAddress = new Uri(quality.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
            var metrics = await http.GetStringAsync("/metrics");
            Assert.Contains("cloudwall_md_messages_total{provider=\"kraken\",venue=\"kraken\",instrument=\"BTC-USD.SPOT\",data_class=\"trade\",market=\"spot\"}", metrics);

            await Task.Delay(TimeSpan.FromSeconds(6)); // the detectors learn the normal interval
            ingest.Services.GetRequiredService<IProviderStatus>().Simulators["kraken"].Faults.Silence();
            // The provider's alert, not whichever no_data is open first: on a loaded machine one of Kraken's sparser data
            // classes may already have had a quiet spell of its own (CI once found a data-class alert first).
            await PlatformHarness.Eventually(() => sidecar.Alerts!.OpenAlerts().Any(a => a.Detector == "no_data" && a.Level == AlertLevel.Provider),
                TimeSpan.FromSeconds(40), "provider-level no_data alert raised by the quality instance");
            var alert = sidecar.Alerts!.OpenAlerts().First(a => a.Detector == "no_data" && a.Level == AlertLevel.Provider);
            Assert.Equal("kraken", alert.Labels.Provider);
            Assert.Equal(0, role.RecordsSkipped);

            // The ingest instance published the windows and exports its own series, but raised nothing itself: with several
            // ingest pods each would alert on its shards alone (issue 14). Its detectors never started.
            var ingestSidecar = ingest.Services.GetRequiredService<QualitySidecar>();
            Assert.Null(ingestSidecar.Monitor);
            Assert.Null(ingestSidecar.Alerts);
            Assert.Empty(ingestSidecar.DeliveryStats);
            using var ingestHttp = new HttpClient { BaseAddress = new Uri(ingest.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
            Assert.Contains("cloudwall_md_messages_total{provider=\"kraken\",venue=\"kraken\",instrument=\"BTC-USD.SPOT\"", await ingestHttp.GetStringAsync("/metrics"));
        }
        finally
        {
            await ingest.StopAsync();
            await quality.StopAsync();
            await ingest.DisposeAsync();
            await quality.DisposeAsync();
        }
    }
}
