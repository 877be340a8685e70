using Cloudwall.Rx.Kafka;

namespace Cloudwall.Rx.Hosting.Cli;

/// <summary><c>cloudwall-rx tail --topic T [--bootstrap B]</c>: decodes a topic's records as JSON lines.</summary>
internal static class TailCommand
{
    public static async Task<int> RunAsync(ParsedArgs args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var topic = args.Require("topic");
        var bootstrap = args.Get("bootstrap") ?? Environment.GetEnvironmentVariable("Kafka__BootstrapServers") ?? "localhost:9092";
        var max = args.Get("max") is { } m ? int.Parse(m, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
        var idle = args.Get("idle") is { } i ? CommandLine.ParseDuration(i, "--idle") : (TimeSpan?)null;
        args.RejectUnknown();

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        return await KafkaTail.RunAsync(topic, bootstrap, stdout, max, idle, cts.Token);
    }
}
