using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Kafka;

namespace Cloudwall.Rx.Hosting.Cli;

/// <summary>
/// <c>cloudwall-rx tail --topic T [--bootstrap B]</c>: decodes a topic's records as JSON lines. The <c>Kafka</c> section
/// (appsettings.json, <c>Kafka__*</c> variables, <c>--set</c>) gives the security settings, as for <c>run</c>.
/// </summary>
internal static class TailCommand
{
    public const string DefaultBootstrap = "localhost:9092";

    public static async Task<int> RunAsync(ParsedArgs args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var topic = args.Require("topic");
        var bootstrap = args.Get("bootstrap");
        var max = args.Get("max") is { } m ? int.Parse(m, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
        var idle = args.Get("idle") is { } i ? CommandLine.ParseDuration(i, "--idle") : (TimeSpan?)null;
        args.RejectUnknown();

        var options = Options(args.Settings, bootstrap);
        var errors = options.Errors().ToList();
        if (errors.Count > 0)
        {
            foreach (var e in errors)
            {
                await stderr.WriteLineAsync($"configuration error: {e}");
            }

            return 2;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        return await KafkaTail.RunAsync(topic, new KafkaClientConfigs(options), stdout, max, idle, new Core.ReferenceData(), cts.Token);
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
