using System.Net;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Kafka.Embedded;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;
using static Cloudwall.Rx.Tests.Integration.Health.HealthKit;

namespace Cloudwall.Rx.Tests.Integration.Health;

/// <summary>
/// Two ingest instances with the same configured symbols and <c>Control:Shards:Enabled</c> share them through the
/// md.shards.v1 group: every symbol is subscribed on exactly one of them, and the survivor takes the shards of one that stops.
/// </summary>
[Collection(Hosting.EndToEnd.Name)]
public sealed class IngestShardingTests(ITestOutputHelper output)
{
    private const int ShardCount = 12;
    private const int SessionTimeoutMs = 3000;

    [Fact]
    public async Task Two_ingest_instances_subscribe_each_configured_symbol_once_and_the_survivor_takes_all()
    {
        using var cluster = new EmbeddedKafkaCluster();
        KafkaTopology.CreateDefaultTopics(cluster);
        cluster.CreateTopic(Topics.Shards, ShardCount);
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.FromMilliseconds(100));
        List<KeyValuePair<string, string?>> Instance(string id) => Settings(["coinbase", "kraken", "okx"],
            ("Kafka:BootstrapServers", cluster.BootstrapServers), ("Control:InstanceId", id),
            ("Control:Shards:Enabled", "true"), ("Control:Shards:ShardCount", $"{ShardCount}"),
            ("Control:Shards:SessionTimeoutMs", $"{SessionTimeoutMs}"), ("Control:Shards:HeartbeatIntervalMs", "500"));

        var (first, firstHttp) = await StartAsync(Instance("ingest-1"), RunRole.Ingest);
        var (second, secondHttp) = await StartAsync(Instance("ingest-2"), RunRole.Ingest);
        var stopped = false;
        try
        {
            var configured = Configured(first);
            Assert.Equal(11, configured.Count); // coinbase 3, kraken 3, okx 5

            await Eventually(() =>
            {
                var a = Subscribed(first);
                var b = Subscribed(second);
                return a.Count > 0 && b.Count > 0 && !a.Overlaps(b) && configured.SetEquals(a.Union(b));
            }, "the configured symbols split between both instances, each once");
            var split = $"{Subscribed(first).Count}/{Subscribed(second).Count}";
            await Eventually(async () => await StatusOf(firstHttp, "/readyz") == HttpStatusCode.OK && await StatusOf(secondHttp, "/readyz") == HttpStatusCode.OK,
                "both instances ready with their shards");

            var leftAt = DateTime.UtcNow;
            await StopAsync(second, secondHttp); // leaves the group: its shards move
            stopped = true;
            await Eventually(() => Subscribed(first).SetEquals(configured), "the survivor subscribes every configured symbol", SessionTimeoutMs + 4000);
            output.WriteLine($"split {split}; survivor carried all {configured.Count} after {(DateTime.UtcNow - leftAt).TotalMilliseconds:0} ms");
        }
        finally
        {
            await StopAsync(first, firstHttp);
            if (!stopped)
            {
                await StopAsync(second, secondHttp);
            }
        }
    }

    private static HashSet<(string Provider, string Symbol)> Configured(WebApplication app) =>
        app.Services.GetRequiredService<IOptions<ProvidersOptions>>().Value.Where(p => p.Value.Enabled)
            .SelectMany(p => p.Value.Symbols.Select(s => (p.Key, s))).ToHashSet();

    /// <summary>The configured (provider, symbol) pairs this instance's connections carry now.</summary>
    private static HashSet<(string Provider, string Symbol)> Subscribed(WebApplication app)
    {
        var configured = Configured(app);
        var providers = app.Services.GetRequiredService<IProviderStatus>();
        return configured.Where(c => providers.Providers.FirstOrDefault(v => string.Equals(v.Name, c.Provider, StringComparison.OrdinalIgnoreCase)) is { } p && p.SubscriptionsOf(c.Symbol) > 0).ToHashSet();
    }
}
