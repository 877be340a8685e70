using System.CommandLine;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Kafka;

namespace Cloudwall.Rx.Hosting.Cli;

/// <summary>
/// <c>cloudwall-rx tail --topic T [--bootstrap B]</c>: decodes a topic's records as JSON lines. The <c>Kafka</c> section
/// (appsettings.json, <c>Kafka__*</c> variables, <c>--set</c>) gives the security settings, as for <c>run</c>.
/// </summary>
internal static class TailCommand
{
    private static readonly Option<string?> Topic = CliOptions.Text("--topic", "the topic: md.events.v1, md.fairprice.v1, md.deadletter.v1, md.quality.v1, ...", "TOPIC", required: true);
    private static readonly Option<string?> Bootstrap = CliOptions.Text("--bootstrap", "the cluster (default: Kafka__BootstrapServers, else localhost:9092)", "HOST:PORT");
    private static readonly Option<int?> Max = CliOptions.Number<int>("--max", "stop after N records");
    private static readonly Option<TimeSpan?> Idle = CliOptions.Duration("--idle", "stop once no record has arrived for this long");
    private static readonly Option<KeyValuePair<string, string?>[]> Settings = CliOptions.Settings();

    public const string DefaultBootstrap = "localhost:9092";

    public static Command Create()
    {
        var command = new Verb("tail", "Prints a Kafka topic's records as JSON lines",
            """
            Reads a topic from its beginning and prints every record as one JSON line (events, fair prices, dead letters,
            bars, quality windows, alerts). Read-only: no consumer group, no commits. Security settings come from the Kafka section (appsettings.json, Kafka__* variables, --set), as for run.
            """.ReplaceLineEndings(" "),
            """
            cloudwall-rx tail --topic md.fairprice.v1 --bootstrap 127.0.0.1:39092 --max 20
            cloudwall-rx tail --topic md.deadletter.v1 --idle 5s
            cloudwall-rx tail --topic md.events.v1 --set Kafka:SecurityProtocol=SaslSsl --set Kafka:SaslMechanism=ScramSha512
            """)
        {
            Topic, Bootstrap, Max, Idle, Settings,
        };
        command.SetAction((r, ct) => RunAsync(r, r.InvocationConfiguration.Output, r.InvocationConfiguration.Error, ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var topic = args.GetValue(Topic)!;
        var bootstrap = args.GetValue(Bootstrap);
        var max = args.GetValue(Max);
        var idle = args.GetValue(Idle);

        var options = Options(args.GetValue(Settings) ?? [], bootstrap);
        var errors = options.Errors().ToList();
        if (errors.Count > 0)
        {
            foreach (var e in errors)
            {
                await stderr.WriteLineAsync($"configuration error: {e}");
            }

            return ExitCodes.Usage;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        // KafkaTail returns the records printed; the exit code says only that tail ended well.
        await KafkaTail.RunAsync(topic, new KafkaClientConfigs(options), stdout, max, idle, new Core.ReferenceData(), cts.Token);
        return ExitCodes.Ok;
    }

    /// <summary>The bound <c>Kafka</c> section, with <c>--bootstrap</c> (else the configured servers, else localhost) as the cluster.</summary>
    public static KafkaOptions Options(IEnumerable<KeyValuePair<string, string?>> settings, string? bootstrap)
    {
        var configuration = new ConfigurationBuilder().AddPlatformSources(settings).Build();
        var bound = configuration.GetSection(KafkaOptions.SectionName).Get<KafkaOptions>() ?? new KafkaOptions();
        var servers = bootstrap ?? (string.IsNullOrWhiteSpace(bound.BootstrapServers) ? DefaultBootstrap : bound.BootstrapServers);
        return bound.WithBootstrapServers(servers);
    }
}
