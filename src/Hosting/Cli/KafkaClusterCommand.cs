using System.CommandLine;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Kafka.Embedded;

namespace Cloudwall.Rx.Hosting.Cli;

/// <summary>
/// <c>cloudwall-rx kafka-cluster</c>: the embedded Kafka cluster (librdkafka's mock) alone, in its own process, with the
/// platform's topics, as <c>run</c> starts it when <c>Kafka:BootstrapServers</c> is empty. The bench harness runs one.
/// </summary>
internal static class KafkaClusterCommand
{
    /// <summary>The start of the line with the bootstrap servers (the bench harness reads it).</summary>
    public const string BootstrapPrefix = "bootstrap: ";

    private static readonly Option<int?> Brokers = CliOptions.Number<int>("--brokers", "mock brokers (default 3, as EmbeddedKafka:Brokers)");
    private static readonly Option<int?> Partitions = CliOptions.Number<int>("--partitions", "partitions of md.events.v1 and md.fairprice.v1 (default 6)");
    private static readonly Option<TimeSpan?> For = CliOptions.Duration("--for", "stop after this long (default: until Ctrl-C)");

    public static Command Create()
    {
        var command = new Verb("kafka-cluster", "Runs the embedded Kafka cluster alone and prints its bootstrap servers",
            """
            Runs the embedded Kafka cluster (librdkafka's in-memory mock) alone, creates the platform's topics, and prints
            'bootstrap: HOST:PORT,...' for Kafka:BootstrapServers. In memory only: for tests and benchmarks, not for data.
            """.ReplaceLineEndings(" "),
            """
            cloudwall-rx kafka-cluster
            cloudwall-rx kafka-cluster --brokers 1 --for 10m
            """)
        {
            Brokers, Partitions, For,
        };
        command.SetAction((r, ct) => RunAsync(r, r.InvocationConfiguration.Output, r.InvocationConfiguration.Error, ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var brokers = args.GetValue(Brokers) ?? new EmbeddedKafkaOptions().Brokers;
        var partitions = args.GetValue(Partitions) ?? new KafkaTopicLayout().EventsPartitions;
        if (brokers < 1 || partitions < 1)
        {
            return CommandLine.Fail(stderr, "--brokers and --partitions must be at least 1");
        }

        using var cluster = new EmbeddedKafkaCluster(brokers);
        KafkaTopology.CreateDefaultTopics(cluster, new KafkaTopicLayout { EventsPartitions = partitions, FairPricesPartitions = partitions });
        await stdout.WriteLineAsync($"{BootstrapPrefix}{cluster.BootstrapServers}");
        await stdout.FlushAsync(ct);

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (args.GetValue(For) is { } d) cts.CancelAfter(d);
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
        try
        {
            await Task.Delay(Timeout.Infinite, cts.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopped by --for, Ctrl-C or SIGTERM.
        }

        return ExitCodes.Ok;

        void Stop(System.Runtime.InteropServices.PosixSignalContext context)
        {
            context.Cancel = true;
            cts.Cancel();
        }
    }
}
