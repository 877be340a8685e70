using System.Net;
using System.Text.Json;
using Cloudwall.Rx.Hosting.Cli;
using Cloudwall.Rx.Hosting.Platform;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudwall.Rx.Tests.Integration.Hosting;

/// <summary>/metrics, /healthz, /readyz and /healthz/details of a running platform, over HTTP on loopback.</summary>
[Collection(EndToEnd.Name)]
public sealed class AdminEndpointTests
{
    [Fact]
    public async Task A_running_platform_serves_metrics_health_and_readiness()
    {
        var app = RunCommand.Build(
            [new("Admin:Port", "0"), new("ConsoleView:Enabled", "false"), new("Simulation:TradesPerSecond", "50")], TextWriter.Null);
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            var pipeline = app.Services.GetRequiredService<IPipelineStatus>();

            await WaitUntil(async () => (await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK && pipeline.Stats!.Received > 20);

            var metrics = await http.GetStringAsync("/metrics");
            Assert.Contains("cloudwall_md_provider_events_total{provider=\"coinbase\",venue=\"coinbase\",feed=\"coinbase\"}", metrics);
            Assert.Contains("cloudwall_kafka_produced_total{topic=\"md.events.v1\",result=\"delivered\"}", metrics);
            Assert.Contains("cloudwall_md_provider_subscriptions{provider=\"coinbase\",venue=\"coinbase\",feed=\"coinbase\"} 3", metrics);
            // Per-series metrics from the quality statistics windows, with every dimension.
            await WaitUntil(async () => (await http.GetStringAsync("/metrics")).Contains(
                "cloudwall_md_messages_total{provider=\"coinbase\",venue=\"coinbase\",instrument=\"BTC-USD.SPOT\",data_class=\"trade\",market=\"spot\"}"));
            // One provider vocabulary (docs/quality.md): provider is the source id the series carry, feed the configured
            // name, so two Bybit feeds join the Bybit series on (provider, venue); a source of many venues has no venue.
            await WaitUntil(async () => (await http.GetStringAsync("/metrics")).Contains(
                "cloudwall_md_messages_total{provider=\"bybit\",venue=\"bybit\",instrument=\"BTC-USDT.PERP\""));
            metrics = await http.GetStringAsync("/metrics");
            Assert.Contains("cloudwall_md_provider_events_total{provider=\"bybit\",venue=\"bybit\",feed=\"bybit-spot\"}", metrics);
            Assert.Contains("cloudwall_md_provider_events_total{provider=\"bybit\",venue=\"bybit\",feed=\"bybit-linear\"}", metrics);
            Assert.Contains("cloudwall_md_reconnects_total{provider=\"aggregator\",venue=\"\",feed=\"aggregator\"}", metrics);

            Assert.Equal("""{"status":"Healthy"}""", await http.GetStringAsync("/healthz"));
            Assert.Equal("""{"status":"Healthy"}""", await http.GetStringAsync("/readyz"));
            using var health = JsonDocument.Parse(await http.GetStringAsync("/healthz/details"));
            Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
            Assert.True(health.RootElement.GetProperty("ready").GetBoolean());
            var providers = health.RootElement.GetProperty("providers").EnumerateArray().ToList();
            var coinbase = providers.Single(p => p.GetProperty("provider").GetString() == "coinbase");
            Assert.Equal(1, coinbase.GetProperty("connected").GetInt32());
            Assert.All(providers, p => Assert.True(p.GetProperty("connected").GetInt32() >= 1, p.ToString()));
            Assert.Contains(providers, p => p.GetProperty("provider").GetString() == "aggregator");
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Events_refused_by_the_configured_bounds_reach_the_metrics_by_reason()
    {
        // A 1 µs MaxAge refuses every coinbase event at receipt: the key travels from configuration to the connection.
        var app = RunCommand.Build(
            [new("Admin:Port", "0"), new("ConsoleView:Enabled", "false"), new("Simulation:TradesPerSecond", "50"),
             new("Providers:coinbase:MaxAge", "00:00:00.000001")], TextWriter.Null);
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(address) };

            await WaitUntil(async () => (await http.GetStringAsync("/metrics")).Contains(
                "cloudwall_md_invalid_total{provider=\"coinbase\",venue=\"coinbase\",feed=\"coinbase\",reason=\"timestamp_past\"}"));
            var metrics = await http.GetStringAsync("/metrics");
            Assert.Contains("cloudwall_md_frames_total{provider=\"coinbase\",venue=\"coinbase\",feed=\"coinbase\",status=\"rejected\",reason=\"timestamp_past\"}", metrics);
            Assert.DoesNotContain("cloudwall_md_invalid_total{provider=\"okx\"", metrics); // the other providers keep the defaults
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static async Task WaitUntil(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "not ready within 20 s");
            await Task.Delay(100);
        }
    }
}
