using System.Globalization;

namespace Cloudwall.Rx.Hosting.Cli;

/// <summary>The verbs of <c>cloudwall-rx</c>. Parsing is small and strict: an unknown option is an error that names it.</summary>
public static class CommandLine
{
    public static readonly string Usage = $$"""
        cloudwall-rx — real-time market data: collect, unify, publish, price, watch quality.

        Usage:
          cloudwall-rx run [--role all|ingest|price] [--for DURATION] [--summary-json FILE] [--scenario NAME [--warmup DURATION]] [--set Key=Value ...]
              Runs the platform. Role 'all' uses embedded defaults: venue simulators, the embedded Kafka cluster,
              and serves /metrics, /healthz and /readyz on Admin:Port (default 8080). Role 'ingest' publishes
              md.events.v1 only; role 'price' is a consumer group on md.events.v1 producing md.fairprice.v1.
          cloudwall-rx replay --venue VENUE FILE
              Decodes a recorded feed file and prints one JSON line per normalized event; counts on stderr.
          cloudwall-rx tail --topic TOPIC [--bootstrap HOST:PORT] [--max N] [--idle DURATION] [--set Kafka:Key=Value ...]
              Decodes records of a topic and prints them as JSON lines, with the Kafka section's security settings.
          cloudwall-rx simulate [--for DURATION] [--set Key=Value ...]
              Runs the venue simulators alone on loopback and prints their endpoints and the settings that use them.

        {{CommandVerb.Usage}}
        {{StateVerb.Usage}}

        DURATION: 500ms, 20s, 5m, 1h or hh:mm:ss. Configuration: appsettings.json, environment variables (Kafka__BootstrapServers),
        and --set Section:Key=Value.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            await stdout.WriteLineAsync(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            var parsed = ParsedArgs.Parse(args.AsSpan(1));
            return args[0] switch
            {
                "run" => await RunCommand.RunAsync(parsed, stdout, stderr, ct),
                "replay" => ReplayCommand.Run(parsed, stdout, stderr),
                "tail" => await TailCommand.RunAsync(parsed, stdout, stderr, ct),
                "simulate" => await SimulateCommand.RunAsync(parsed, stdout, stderr, ct),
                "command" => await CommandVerb.RunAsync(parsed, stdout, stderr, ct),
                "state" => await StateVerb.RunAsync(parsed, stdout, stderr, ct),
                _ => Fail(stderr, $"unknown command '{args[0]}'\n\n{Usage}"),
            };
        }
        catch (UsageException ex)
        {
            return Fail(stderr, ex.Message);
        }
    }

    internal static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine($"error: {message}");
        return 2;
    }

    /// <summary>Parses 500ms, 20s, 5m, 1h, or a TimeSpan (hh:mm:ss).</summary>
    public static TimeSpan ParseDuration(string text, string option)
    {
        var units = new (string Suffix, double Seconds)[] { ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600) };
        foreach (var (suffix, seconds) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal) &&
                double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0)
            {
                return TimeSpan.FromSeconds(n * seconds);
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var ts) && ts >= TimeSpan.Zero
            ? ts
            : throw new UsageException($"{option}: '{text}' is not a duration (examples: 500ms, 20s, 5m, 1h, 00:01:30)");
    }
}

public sealed class UsageException(string message) : Exception(message);

/// <summary>Options (<c>--name value</c>, repeated <c>--set k=v</c>) and positional arguments.</summary>
public sealed class ParsedArgs
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = [];

    public List<KeyValuePair<string, string?>> Settings { get; } = [];

    public static ParsedArgs Parse(ReadOnlySpan<string> args)
    {
        var p = new ParsedArgs();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                p.Positional.Add(a);
                continue;
            }

            var eq = a.IndexOf('=');
            string name, value;
            if (eq > 0)
            {
                name = a[2..eq];
                value = a[(eq + 1)..];
            }
            else
            {
                name = a[2..];
                if (i + 1 >= args.Length)
                {
                    throw new UsageException($"--{name} needs a value");
                }

                value = args[++i];
            }

            if (name == "set")
            {
                var kv = value.IndexOf('=');
                if (kv <= 0)
                {
                    throw new UsageException($"--set expects Key=Value, got '{value}'");
                }

                p.Settings.Add(new(value[..kv], value[(kv + 1)..]));
                continue;
            }

            p._options[name] = value;
        }

        return p;
    }

    public string? Get(string name)
    {
        _read.Add(name);
        return _options.GetValueOrDefault(name);
    }

    public string Require(string name) => Get(name) ?? throw new UsageException($"--{name} is required");

    /// <summary>Fails on any option the command did not ask for: a typo must not be silently ignored.</summary>
    public void RejectUnknown()
    {
        var unknown = _options.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}");
        }
    }
}
