using System.Text.Json;
using Cloudwall.Rx.Hosting.Cli;

namespace Cloudwall.Rx.Tests.Integration.Hosting;

/// <summary>
/// The platform end to end on embedded defaults: the Coinbase simulator over a real loopback socket, the Rx provider,
/// the Dataflow pipeline and the embedded Kafka cluster, driven through the same entry point as the executable.
/// </summary>
[Collection(EndToEnd.Name)]
public sealed class RunCommandTests
{
    [Fact]
    public async Task Run_for_a_fixed_time_publishes_every_received_event_and_writes_the_summary()
    {
        var summaryPath = Path.Combine(Path.GetTempPath(), $"cloudwall-run-{Guid.NewGuid():N}.json");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var exit = await CommandLine.RunAsync(
            ["run", "--for", "8s", "--summary-json", summaryPath,
             "--set", "Admin:Port=0", "--set", "ConsoleView:Enabled=false", "--set", "Simulation:TradesPerSecond=50"],
            stdout, stderr);

        Assert.True(exit == 0, $"exit {exit}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(summaryPath));
        var root = summary.RootElement;
        var received = root.GetProperty("events_received").GetInt64();
        Assert.True(received > 100, $"only {received} events received");
        Assert.Equal(received, root.GetProperty("events_published").GetInt64());
        Assert.True(root.GetProperty("fair_prices_published").GetInt64() > 0);
        Assert.Equal(0, root.GetProperty("kafka_delivery_failures").GetInt64());
        Assert.Equal(0, root.GetProperty("dead_letters").GetInt64());
        var instruments = root.GetProperty("instruments").EnumerateArray().Select(i => i.GetProperty("instrument").GetString()).ToList();
        Assert.Contains("BTC-USD.SPOT", instruments);
        Assert.Contains("ETH-USD.SPOT", instruments);
        File.Delete(summaryPath);
    }

    [Fact]
    public async Task A_bad_configuration_value_stops_start_up_and_names_the_key()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CommandLine.RunAsync(
            ["run", "--for", "5s", "--set", "Admin:Port=0", "--set", "Pipeline:PartitionCapacity=3", "--set", "ConsoleView:Enabled=false"],
            stdout, stderr);

        Assert.Equal(2, exit);
        Assert.Contains("Pipeline:PartitionCapacity", stderr.ToString());
    }

    [Fact]
    public async Task An_unknown_option_is_an_error_that_names_it()
    {
        var stderr = new StringWriter();
        var exit = await CommandLine.RunAsync(["run", "--fro", "5s"], new StringWriter(), stderr);
        Assert.Equal(2, exit);
        Assert.Contains("--fro", stderr.ToString());
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EndToEnd
{
    public const string Name = "end-to-end";
}
