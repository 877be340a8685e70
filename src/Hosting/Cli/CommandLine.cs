using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Globalization;
using Cloudwall.Rx.Hosting.Configuration;
using Confluent.Kafka;

namespace Cloudwall.Rx.Hosting.Cli;

/// <summary>
/// The verbs of <c>cloudwall-rx</c>, parsed by System.CommandLine: help per verb (<c>-h</c>, <c>--help</c>), typed options
/// whose bad values are usage errors, <c>[suggest]</c> completions, and one exit code per kind of outcome
/// (<see cref="ExitCodes"/>). No input ends in a stack trace: every exception becomes one line on stderr.
/// </summary>
public static class CommandLine
{
    public const string Name = "cloudwall-rx";

    // Built once: options are symbols with parents, so the tree is shared by every invocation (it is read-only once built).
    private static readonly Lazy<RootCommand> Root = new(CreateRoot);

    /// <summary>The root command and its verbs.</summary>
    public static RootCommand RootCommand => Root.Value;

    private static RootCommand CreateRoot()
    {
        var root = new RootCommand(
            """
            cloudwall-rx — real-time market data: collect, unify, publish, price, watch quality.

            Configuration: appsettings.json, environment variables (Kafka__BootstrapServers=broker:9092) and --set Section:Key=Value.
            Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error, 3 fatal Kafka error.
            Run 'cloudwall-rx VERB --help' for a verb's options and examples.
            """)
        {
            HelpName = Name,
        };
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ReplayCommand.Create());
        root.Subcommands.Add(TailCommand.Create());
        root.Subcommands.Add(SimulateCommand.Create());
        root.Subcommands.Add(KafkaClusterCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(CompareLevelsCommand.Create());
        root.Subcommands.Add(CommandVerb.Create());
        root.Subcommands.Add(StateVerb.Create());
        root.Subcommands.Add(CompletionVerb.Create());

        var help = root.Options.OfType<HelpOption>().Single();
        var verbHelp = new VerbHelpAction((HelpAction)help.Action!);
        help.Action = verbHelp;
        // No verb: the overview, as a usage error.
        root.SetAction(r =>
        {
            verbHelp.Invoke(r);
            return ExitCodes.Usage;
        });
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        // `cloudwall-rx help [VERB]` reads as `cloudwall-rx [VERB] --help`.
        if (args is ["help", .. var rest]) args = [.. rest, "--help"];

        var parsed = RootCommand.Parse(args);
        var invocation = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            // Exceptions are reported below, as one line and an exit code.
            EnableDefaultExceptionHandler = false,
            // Ctrl-C and SIGTERM stay with the verbs: the host stops in order and flushes Kafka within its own timeout.
            ProcessTerminationTimeout = null,
        };

        // Errors, unless help or [suggest] was asked for: their actions take precedence over the errors.
        if (parsed.Action is ParseErrorAction)
        {
            await ReportUsageErrors(parsed, stderr);
            return ExitCodes.Usage;
        }

        try
        {
            return await parsed.InvokeAsync(invocation, ct);
        }
        catch (Exception ex)
        {
            return Report(ex, stderr);
        }
    }

    /// <summary>Each parse error, a "did you mean" for a mistyped verb or option, and where help is.</summary>
    private static async Task ReportUsageErrors(ParseResult parsed, TextWriter stderr)
    {
        foreach (var error in parsed.Errors)
        {
            await stderr.WriteLineAsync($"error: {error.Message}");
        }

        var command = parsed.CommandResult.Command;
        foreach (var token in parsed.UnmatchedTokens)
        {
            var known = token.StartsWith('-')
                ? command.Options.Concat(RootCommand.Options.Where(o => o.Recursive)).SelectMany(o => o.Aliases.Prepend(o.Name))
                : command.Subcommands.Select(c => c.Name);
            var near = known.Distinct().Where(k => k.StartsWith(token, StringComparison.Ordinal) || EditDistance(token, k) <= 2).ToList();
            if (near.Count > 0) await stderr.WriteLineAsync($"'{token}': did you mean {string.Join(" or ", near)}?");
        }

        var verb = command is RootCommand ? "" : command.Name + " ";
        await stderr.WriteLineAsync($"Run '{Name} {verb}--help' for usage.");
    }

    /// <summary>Levenshtein distance, for "did you mean".</summary>
    internal static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    /// <summary>One line per problem on stderr and the exit code of its kind.</summary>
    internal static int Report(Exception ex, TextWriter stderr)
    {
        switch (ex)
        {
            case UsageException:
                return Fail(stderr, ex.Message);
            case KafkaException kafka:
                stderr.WriteLine($"error: Kafka: {kafka.Error.Reason} ({kafka.Error.Code})");
                return kafka.Error.IsFatal ? ExitCodes.FatalKafka : ExitCodes.Failure;
            case OperationCanceledException:
                stderr.WriteLine("error: cancelled");
                return ExitCodes.Failure;
        }

        if (ConfigurationErrors.TryDescribe(ex, out var problems))
        {
            foreach (var p in problems) stderr.WriteLine($"configuration error: {p}");
            return ExitCodes.Usage;
        }

        var messages = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (!messages.Contains(e.Message)) messages.Add(e.Message);
        }

        stderr.WriteLine($"error: {string.Join(": ", messages)}");
        return ExitCodes.Failure;
    }

    internal static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine($"error: {message}");
        return ExitCodes.Usage;
    }

    /// <summary>Parses 500ms, 20s, 5m, 1h, or a TimeSpan (hh:mm:ss).</summary>
    public static TimeSpan ParseDuration(string text, string option) =>
        TryParseDuration(text, out var d)
            ? d
            : throw new UsageException($"{option}: '{text}' is not a duration (examples: {CliOptions.DurationForms})");

    /// <inheritdoc cref="ParseDuration"/>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        var units = new (string Suffix, double Seconds)[] { ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600) };
        foreach (var (suffix, seconds) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal) &&
                double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0)
            {
                duration = TimeSpan.FromSeconds(n * seconds);
                return true;
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration) && duration >= TimeSpan.Zero;
    }
}

/// <summary>A usage error found after parsing (a combination of options that does not go together): exit 2.</summary>
public sealed class UsageException(string message) : Exception(message);
