using System.Net;
using System.Text;
using Cloudwall.Rx.Hosting.Admin;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Hosting.Platform;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Unit.Hosting;

/// <summary>
/// Start-up refuses a provider that has nowhere to connect (naming the key), the aggregator stays off without an
/// endpoint, the probes answer a status only, the details refuse callers from elsewhere, and liveness follows the beats.
/// </summary>
public sealed class HealthAndStartupTests
{
    private static ProvidersOptions Providers(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        builder.AddPlatformOptions();
        using var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<IOptions<ProvidersOptions>>().Value;
    }

    [Fact]
    public void An_enabled_provider_without_an_endpoint_while_simulation_is_off_fails_start_up_naming_the_key()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Providers(("Simulation:Enabled", "false"), ("Providers:Kraken:Enabled", "true")));

        Assert.Contains("Providers:Kraken:Endpoint is required when Simulation:Enabled is false", ex.Failures);
    }

    [Fact]
    public void With_simulation_on_or_an_endpoint_set_a_provider_starts()
    {
        Assert.True(Providers(("Providers:kraken:Enabled", "true"))["kraken"].Enabled);
        Assert.True(Providers(("Simulation:Enabled", "false"), ("Providers:kraken:Endpoint", "wss://ws.kraken.com/v2"))["kraken"].Enabled);
        Assert.False(Providers(("Simulation:Enabled", "false"), ("Providers:kraken:Enabled", "false"))["kraken"].Enabled); // disabled: no endpoint needed
    }

    [Fact]
    public void The_aggregator_is_disabled_unless_its_endpoint_is_set()
    {
        var off = Providers(("Simulation:Enabled", "false"), ("Providers:coinbase:Endpoint", "wss://ws-feed.exchange.coinbase.com"),
            ("Providers:aggregator:Symbols:0", "cbse:spot:btc-usd"));
        Assert.False(off["aggregator"].Enabled);
        Assert.True(off["coinbase"].Enabled);

        var on = Providers(("Simulation:Enabled", "false"), ("Providers:aggregator:Endpoint", "https://aggregator.internal:443"),
            ("Providers:aggregator:ApiToken", "from-the-environment")); // required without simulation
        Assert.True(on["aggregator"].Enabled);

        Assert.True(Providers(("Providers:aggregator:Enabled", "true"))["aggregator"].Enabled); // its simulator is its endpoint
    }

    [Fact]
    public void A_provider_is_required_unless_marked_optional()
    {
        Assert.False(Providers(("Providers:kraken:Enabled", "true"))["kraken"].Optional);
        Assert.True(Providers(("Providers:kraken:Optional", "true"))["kraken"].Optional);
    }

    [Fact]
    public async Task The_probe_body_is_the_status_only_whatever_the_checks_say()
    {
        var entry = new HealthReportEntry(HealthStatus.Unhealthy, "kafka broker-1.prod:9093 as user md-writer with /etc/kafka/ca.pem", TimeSpan.Zero, null,
            new Dictionary<string, object> { ["bootstrap"] = "broker-1.prod:9093" }, ["ready"]);
        var report = new HealthReport(new Dictionary<string, HealthReportEntry> { ["kafka"] = entry }, TimeSpan.Zero);
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();

        await HealthResponses.WriteStatus(context, report);

        var body = Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
        Assert.Equal("""{"status":"Unhealthy"}""", body);
        Assert.DoesNotContain("broker-1", body, StringComparison.Ordinal);
        Assert.DoesNotContain("md-writer", body, StringComparison.Ordinal);
        Assert.DoesNotContain("ca.pem", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.0.0.7", false)]
    [InlineData("::ffff:10.0.0.7", false)]
    [InlineData(null, false)]
    public void Details_are_for_loopback_callers_only(string? remote, bool allowed)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = remote is null ? null : IPAddress.Parse(remote);

        Assert.Equal(allowed, LoopbackOnly.IsLoopback(context));
    }

    [Fact]
    public async Task The_details_filter_answers_403_to_a_remote_caller_without_running_the_endpoint()
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Connection.RemoteIpAddress = IPAddress.Parse("192.168.1.20");
        var ran = false;

        var result = await new LoopbackOnly().InvokeAsync(new DefaultEndpointFilterInvocationContext(context), _ =>
        {
            ran = true;
            return ValueTask.FromResult<object?>("details");
        });

        Assert.False(ran);
        var status = Assert.IsAssignableFrom<IStatusCodeHttpResult>(result);
        Assert.Equal(StatusCodes.Status403Forbidden, status.StatusCode);
    }

    [Fact]
    public async Task Liveness_fails_once_a_loop_is_silent_beyond_the_bound_and_recovers_when_it_beats()
    {
        var time = new FakeTimeProvider();
        var beats = new LoopHeartbeats(time);
        var check = new LoopsCheck(beats, Options.Create(new AdminOptions { StallAfter = TimeSpan.FromSeconds(10) }));
        var partitions = beats.Register("pipeline", slots: 2);

        time.Advance(TimeSpan.FromSeconds(9));
        partitions.Beat(0);
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);

        time.Advance(TimeSpan.FromSeconds(2)); // partition 1 silent for 11 s
        var stalled = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, stalled.Status);
        Assert.Contains("pipeline", stalled.Description, StringComparison.Ordinal);

        partitions.Beat(1);
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);

        time.Advance(TimeSpan.FromMinutes(5));
        beats.Remove(partitions); // a stopped loop is not a stalled one
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
    }
}
