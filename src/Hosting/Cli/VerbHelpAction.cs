using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Cloudwall.Rx.Hosting.Cli;

/// <summary>
/// Help: the overview lists each verb with its one-line summary; a verb's help is the library's (description, usage,
/// arguments, options) followed by the verb's examples.
/// </summary>
internal sealed class VerbHelpAction : SynchronousCommandLineAction
{
    private const int Width = 120;
    private readonly HelpAction _standard;

    public VerbHelpAction(HelpAction standard)
    {
        _standard = standard;
        _standard.MaxWidth = Width;
    }

    public override int Invoke(ParseResult parseResult)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var command = parseResult.CommandResult.Command;
        if (command is RootCommand root)
        {
            WriteOverview(root, output);
            return ExitCodes.Ok;
        }

        _standard.Invoke(parseResult);
        if (command is Verb { Examples: var examples })
        {
            output.WriteLine("Examples:");
            foreach (var line in examples.Split('\n'))
            {
                output.WriteLine("  " + line.TrimEnd());
            }

            output.WriteLine();
        }

        return ExitCodes.Ok;
    }

    private static void WriteOverview(RootCommand root, TextWriter output)
    {
        output.WriteLine(root.Description);
        output.WriteLine();
        output.WriteLine("Usage:");
        output.WriteLine($"  {CommandLine.Name} VERB [options]");
        output.WriteLine();
        output.WriteLine("Verbs:");
        var verbs = root.Subcommands.OfType<Verb>().ToList();
        var column = verbs.Max(v => v.Name.Length) + 4;
        foreach (var verb in verbs)
        {
            output.WriteLine($"  {verb.Name.PadRight(column)}{verb.Summary}");
        }

        output.WriteLine();
        output.WriteLine("Options:");
        output.WriteLine($"  {"-h, --help".PadRight(column)}help for the tool or a verb");
        output.WriteLine($"  {"--version".PadRight(column)}the version");
        output.WriteLine();
    }
}
