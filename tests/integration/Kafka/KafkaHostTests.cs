using System.Text.Json;
using Cloudwall.Rx.Hosting.Cli;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Kafka.Embedded;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudwall.Rx.Tests.Integration.Kafka;

/// <summary>The producer inside the host: a fatal error stops it non-zero; secrets never reach the summary or /healthz.</summary>
[Collection(Hosting.EndToEnd.Name)]
public sealed class KafkaHostTests
{
    [Fact]
    public async Task A_fatal_producer_error_stops_run_with_a_clear_message_and_exit_code_3()
    {
        const short initProducerId = 22;
        using var cluster = new EmbeddedKafkaCluster();
        KafkaTopology.CreateDefaultTopics(cluster);
        cluster.PushRequestErrors(initProducerId, ErrorCode.ClusterAuthorizationFailed);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var exit = await CommandLine.RunAsync(
            ["run", "--for", "60s", "--set", $"Kafka:BootstrapServers={cluster.BootstrapServers}", "--set", "Admin:Port=0",
             "--set", "ConsoleView:Enabled=false", "--set", "Kafka:DisposeFlushTimeout=00:00:02"],
            stdout, stderr);

        Assert.True(exit == 3, $"exit {exit}; stderr: {stderr}");
        Assert.Contains("stopped on a fatal error (exit 3)", stderr.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(50), $"took {clock.Elapsed}: the fatal error did not stop the host");
    }

    [Fact]
    public async Task The_sasl_password_never_appears_in_the_summary_or_healthz()
    {
        const string secret = "pa55-word-never-shown";
        var passwordFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(passwordFile, secret);
        var app = RunCommand.Build(
        [
            new("Admin:Port", "0"), new("ConsoleView:Enabled", "false"), new("Simulation:TradesPerSecond", "20"),
            new("Kafka:SecurityProtocol", "SaslPlaintext"), new("Kafka:SaslMechanism", "ScramSha512"), new("Kafka:SaslUsername", "md-writer"),
            new("Kafka:SaslPasswordFile", passwordFile), new("Kafka:DisposeFlushTimeout", "00:00:01"),
        ], TextWriter.Null);
        try
        {
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            var probe = await http.GetStringAsync("/healthz");
            var health = await http.GetStringAsync("/healthz/details");
            await Task.Delay(1000);
            var metrics = await http.GetStringAsync("/metrics");
            await app.StopAsync();
            var platform = app.Services.GetRequiredService<IPlatformStatus>();
            var summary = JsonSerializer.Serialize(platform.FinalSummary ?? platform.Summarize(), HostingJsonContext.Default.RunSummary);

            Assert.DoesNotContain(secret, health, StringComparison.Ordinal);
            Assert.DoesNotContain("md-writer", probe, StringComparison.Ordinal); // the probe is a status only
            Assert.DoesNotContain(app.Services.GetRequiredService<IKafkaStatus>().Bootstrap!, probe, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, summary, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, metrics, StringComparison.Ordinal);
            using var doc = JsonDocument.Parse(health);
            var security = doc.RootElement.GetProperty("kafka_security");
            Assert.True(security.GetProperty("PasswordSet").GetBoolean());
            Assert.Equal("md-writer", security.GetProperty("SaslUsername").GetString());
            Assert.Contains("\"PasswordSet\": true", summary);
        }
        finally
        {
            await app.DisposeAsync();
            File.Delete(passwordFile);
        }
    }
}
