using Cloudwall.Rx.Hosting;
using Cloudwall.Rx.Hosting.Cli;
using Cloudwall.Rx.Hosting.Configuration;

namespace Cloudwall.Rx.Tests.Unit.Hosting;

/// <summary>
/// The command line through the executable's own entry point (<see cref="CommandLine.RunAsync"/>, as Program.cs calls it),
/// with stdout and stderr captured: help for every verb, typed values refused as usage errors, configuration errors that
/// name the key, and never a stack trace.
/// </summary>
public sealed class CommandLineTests
{
    private static IEnumerable<string> VerbNames => CommandLine.RootCommand.Subcommands.Select(c => c.Name);

    public static TheoryData<string> Verbs => [.. VerbNames];

    [Fact]
    public void Every_verb_of_the_readme_is_there() =>
        Assert.Equal(["bench", "command", "compare-levels", "completion", "kafka-cluster", "replay", "run", "simulate", "state", "tail"], VerbNames.Order());

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task Help_on_every_verb_lists_its_options_and_examples(string verb)
    {
        foreach (var help in new[] { "--help", "-h" })
        {
            var (exit, stdout, stderr) = await Run(verb, help);

            Assert.True(exit == ExitCodes.Ok, stderr);
            Assert.Contains($"Usage:\n  cloudwall-rx {verb}", stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
            Assert.Contains("Examples:", stdout, StringComparison.Ordinal);
            var command = CommandLine.RootCommand.Subcommands.Single(c => c.Name == verb);
            Assert.All(command.Options, o => Assert.Contains(o.Name, stdout, StringComparison.Ordinal));
            Assert.Empty(stderr);
        }
    }

    [Fact]
    public async Task Help_as_a_word_reads_as_the_help_option()
    {
        var (exit, stdout, _) = await Run("help", "tail");
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("--topic", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_overview_lists_every_verb_and_no_verb_is_a_usage_error()
    {
        var (exit, stdout, _) = await Run();
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.All(VerbNames, v => Assert.Contains("  " + v, stdout, StringComparison.Ordinal));

        (exit, stdout, _) = await Run("--help");
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("Exit codes:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_h_prints_help_and_does_not_start_the_platform()
    {
        var (exit, stdout, stderr) = await Run("run", "-h", "--set", "Admin:Port=0");
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("--summary-json", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("stopped:", stdout, StringComparison.Ordinal);
        Assert.Empty(stderr);
    }

    [Fact]
    public async Task A_value_that_does_not_bind_names_the_key_and_the_accepted_form()
    {
        var (exit, _, stderr) = await Run("run", "--set", "Admin:Port=abc");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("Admin:Port = 'abc'", stderr, StringComparison.Ordinal);
        Assert.Contains("a whole number", stderr, StringComparison.Ordinal);
        NoStackTrace(stderr);
    }

    [Theory]
    [InlineData("Pipeline:Overflow=Sometimes", "one of Wait, ", "Pipeline:Overflow")]
    [InlineData("Admin:StallAfter=soon", "hh:mm:ss", "Admin:StallAfter")]
    [InlineData("ConsoleView:Enabled=yes", "true or false", "ConsoleView:Enabled")]
    public async Task A_value_bound_at_start_is_a_configuration_error_too(string setting, string form, string key)
    {
        var (exit, _, stderr) = await Run("run", "--set", "Admin:Port=0", "--set", setting);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains(key, stderr, StringComparison.Ordinal);
        Assert.Contains(form, stderr, StringComparison.Ordinal);
        NoStackTrace(stderr);
    }

    [Fact]
    public async Task Simulate_reports_a_bad_value_the_same_way()
    {
        var (exit, _, stderr) = await Run("simulate", "--for", "1s", "--set", "Simulation:TradesPerSecond=many");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("Simulation:TradesPerSecond = 'many'", stderr, StringComparison.Ordinal);
        NoStackTrace(stderr);
    }

    [Fact]
    public async Task Tail_max_must_be_a_whole_number()
    {
        var (exit, _, stderr) = await Run("tail", "--topic", "md.events.v1", "--max", "abc");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--max: 'abc' is not a whole number", stderr, StringComparison.Ordinal);
        Assert.Contains("cloudwall-rx tail --help", stderr, StringComparison.Ordinal);
        NoStackTrace(stderr);
    }

    [Fact]
    public async Task Command_tls_must_be_true_or_false()
    {
        var (exit, _, stderr) = await Run("command", "subscribe", "--venue", "coinbase", "--instruments", "BTC-USD.SPOT",
            "--key-id", "k1", "--key-env", "CW_NO_SUCH_KEY", "--redis", "127.0.0.1:6379", "--tls", "yes");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--tls: 'yes' is not true or false", stderr, StringComparison.Ordinal);
        NoStackTrace(stderr);
    }

    [Theory]
    [InlineData("--for", "soon", "is not a duration")]
    [InlineData("--role", "everything", "everything")]
    [InlineData("--scenario", "meteor", "meteor")]
    public async Task Typed_run_options_refuse_bad_values(string option, string value, string message)
    {
        var (exit, _, stderr) = await Run("run", option, value);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_verb_is_a_usage_error_with_a_hint()
    {
        var (exit, _, stderr) = await Run("rn", "--for", "1s");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("'rn'", stderr, StringComparison.Ordinal);
        Assert.Contains("did you mean run?", stderr, StringComparison.Ordinal);
        Assert.Contains("Run 'cloudwall-rx --help' for usage.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_option_is_a_usage_error_that_suggests_the_near_one()
    {
        var (exit, _, stderr) = await Run("run", "--summry-json", "out.json");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("'--summry-json': did you mean --summary-json?", stderr, StringComparison.Ordinal);
        Assert.Contains("Run 'cloudwall-rx run --help' for usage.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_required_option_is_a_usage_error()
    {
        var (exit, _, stderr) = await Run("replay", "some-file");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--venue", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Option_combinations_checked_after_parsing_are_usage_errors()
    {
        var (exit, _, stderr) = await Run("command", "pause-provider", "--provider", "kraken", "--key-id", "k1", "--key-env", "A", "--key-file", "B", "--redis", "127.0.0.1:6379");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("give exactly one of --key-env VAR or --key-file PATH", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_suggest_directive_completes_verbs_options_and_values()
    {
        var (_, verbs, _) = await Run("[suggest:2]", "si");
        Assert.Contains("simulate", verbs.Split('\n'));
        Assert.DoesNotContain("run", verbs.Split('\n'));

        var (_, roles, _) = await Run("[suggest:11]", "run --role ");
        Assert.Equal(["all", "ingest", "price", "quality"], roles.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        var (_, options, _) = await Run("[suggest:9]", "tail --ma");
        Assert.Contains("--max", options, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _cloudwall_rx cloudwall-rx")]
    [InlineData("zsh", "compdef _cloudwall_rx cloudwall-rx")]
    public async Task Completion_prints_a_script_that_asks_the_suggest_directive(string shell, string registration)
    {
        var (exit, stdout, _) = await Run("completion", shell);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("[suggest:", stdout, StringComparison.Ordinal);
        Assert.Contains(registration, stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("System.Int32", "a whole number (Int32)")]
    [InlineData("System.Nullable`1[[System.Int64, System.Private.CoreLib]]", "a whole number (Int64)")]
    [InlineData("System.TimeSpan", "a time span [d.]hh:mm:ss[.fff], such as 00:00:30")]
    [InlineData("System.Threading.Channels.BoundedChannelFullMode", "one of Wait, DropNewest, DropOldest, DropWrite")]
    public void Accepted_forms_are_in_an_operators_words(string type, string form) =>
        Assert.Equal(form, ConfigurationErrors.AcceptedForm(type));

    [Theory]
    [InlineData("--fro", "--for", 2)]
    [InlineData("run", "run", 0)]
    [InlineData("", "abc", 3)]
    public void Edit_distance(string a, string b, int distance) => Assert.Equal(distance, CommandLine.EditDistance(a, b));

    internal static void NoStackTrace(string text) =>
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);

    private static async Task<(int Exit, string Stdout, string Stderr)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CommandLine.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
