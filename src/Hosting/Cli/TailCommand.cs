using System.CommandLine;
using Cloudwall.Rx.Kafka;

namespace Cloudwall.Rx.Hosting.Cli;

/// <summary><c>cloudwall-rx tail --topic T [--bootstrap B]</c>: decodes a topic's records as JSON lines.</summary>
internal static class TailCommand
{
    private static readonly Option<string?> Topic = CliOptions.Text("--topic", "the topic: md.events.v1, md.fairprice.v1, md.deadletter.v1, md.quality.v1, ...", "TOPIC", required: true);
    private static readonly Option<string?> Bootstrap = CliOptions.Text("--bootstrap", "the cluster (default: Kafka__BootstrapServers, else localhost:9092)", "HOST:PORT");
    private static readonly Option<int?> Max = CliOptions.Number<int>("--max", "stop after N records");
    private static readonly Option<TimeSpan?> Idle = CliOptions.Duration("--idle", "stop once no record has arrived for this long");

    public static Command Create()
    {
        var command = new Verb("tail", "Prints a Kafka topic's records as JSON lines",
            """
            Reads a topic from its beginning and prints every record as one JSON line (events, fair prices, dead letters,
            bars, quality windows, alerts). Read-only: no consumer group, no commits.
            """.ReplaceLineEndings(" "),
            """
            cloudwall-rx tail --topic md.fairprice.v1 --bootstrap 127.0.0.1:39092 --max 20
            cloudwall-rx tail --topic md.deadletter.v1 --idle 5s
            """)
        {
            Topic, Bootstrap, Max, Idle,
        };
        command.SetAction((r, ct) => RunAsync(r, r.InvocationConfiguration.Output, ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult args, TextWriter stdout, CancellationToken ct)
    {
        var topic = args.GetValue(Topic)!;
        var bootstrap = args.GetValue(Bootstrap) ?? Environment.GetEnvironmentVariable("Kafka__BootstrapServers") ?? "localhost:9092";
        var max = args.GetValue(Max);
        var idle = args.GetValue(Idle);

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        // KafkaTail returns the records printed; the exit code says only that tail ended well.
        await KafkaTail.RunAsync(topic, bootstrap, stdout, max, idle, cts.Token);
        return ExitCodes.Ok;
    }
}
