using System.Net;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Kafka.Embedded;
using Microsoft.Extensions.DependencyInjection;
using static Cloudwall.Rx.Tests.Integration.Health.HealthKit;

namespace Cloudwall.Rx.Tests.Integration.Health;

/// <summary>
/// <c>/readyz</c> by role on the embedded cluster: 200 once the role's conditions hold, 503 while they do not. The
/// failing twin of each case has had at least as long as the passing one.
/// </summary>
[Collection(Hosting.EndToEnd.Name)]
public sealed class RoleReadinessTests
{
    [Fact]
    public async Task Ingest_is_unready_while_a_required_provider_has_no_connection_and_ready_when_that_provider_is_optional()
    {
        // kraken points at a port nothing listens on: its one connection never comes up.
        var deadKraken = $"ws://127.0.0.1:{DeadPort()}/v2";
        var (required, requiredHttp) = await StartAsync(Settings(["coinbase", "kraken"], ("Providers:kraken:Endpoint", deadKraken)), RunRole.Ingest);
        var (optional, optionalHttp) = await StartAsync(
            Settings(["coinbase", "kraken"], ("Providers:kraken:Endpoint", deadKraken), ("Providers:kraken:Optional", "true")), RunRole.Ingest);
        try
        {
            await Eventually(async () => await StatusOf(optionalHttp, "/readyz") == HttpStatusCode.OK, "ingest with kraken optional is ready");
            var coinbase = required.Services.GetRequiredService<IProviderStatus>().Providers.Single(v => string.Equals(v.Name, "coinbase", StringComparison.OrdinalIgnoreCase));
            await Eventually(() => coinbase.ConnectedCount > 0 && coinbase.ActiveSubscriptions > 0, "coinbase up on the other instance");

            using var unready = await requiredHttp.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unready.StatusCode);
            Assert.Equal("""{"status":"Unhealthy"}""", await unready.Content.ReadAsStringAsync()); // a status only
            Assert.Contains("down: kraken", await requiredHttp.GetStringAsync("/healthz/details"), StringComparison.Ordinal);
            Assert.Contains("optional, down: kraken", await optionalHttp.GetStringAsync("/healthz/details"), StringComparison.Ordinal);
            // Liveness is not readiness: both processes run their loops.
            Assert.Equal(HttpStatusCode.OK, await StatusOf(requiredHttp, "/healthz"));
            Assert.Equal(HttpStatusCode.OK, await StatusOf(optionalHttp, "/healthz"));
        }
        finally
        {
            await StopAsync(required, requiredHttp);
            await StopAsync(optional, optionalHttp);
        }
    }

    /// <summary>
    /// Two hosts of a consuming role: one on a cluster with the platform's topics (it joins its group and becomes ready),
    /// one whose bootstrap is a port nothing listens on (it never joins and stays unready, its loop still beating).
    /// </summary>
    [Theory]
    [InlineData(RunRole.Price, "not (yet) in the price consumer group")]
    [InlineData(RunRole.Quality, "not consuming md.quality.v1")]
    public async Task A_consuming_role_is_ready_once_in_its_group_and_unready_while_it_cannot_join(string role, string unreadyDetail)
    {
        using var cluster = new EmbeddedKafkaCluster();
        KafkaTopology.CreateDefaultTopics(cluster);
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.FromMilliseconds(100));
        var (joined, joinedHttp) = await StartAsync(Settings([], ("Kafka:BootstrapServers", cluster.BootstrapServers)), role);
        // Not transactional: the producer would otherwise wait for a coordinator it cannot reach and stop the host.
        var (alone, aloneHttp) = await StartAsync(
            Settings([], ("Kafka:BootstrapServers", $"127.0.0.1:{DeadPort()}"), ("GroupWorker:Transactional", "false")), role);
        try
        {
            await Eventually(async () => await StatusOf(joinedHttp, "/readyz") == HttpStatusCode.OK, $"{role} in its group is ready");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusOf(aloneHttp, "/readyz"));
            Assert.Contains(unreadyDetail, await aloneHttp.GetStringAsync("/healthz/details"), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, await StatusOf(joinedHttp, "/healthz"));
            Assert.Equal(HttpStatusCode.OK, await StatusOf(aloneHttp, "/healthz"));
        }
        finally
        {
            await StopAsync(joined, joinedHttp);
            await StopAsync(alone, aloneHttp);
        }
    }
}
