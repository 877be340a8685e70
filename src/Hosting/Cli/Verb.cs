using System.CommandLine;

namespace Cloudwall.Rx.Hosting.Cli;

/// <summary>
/// One verb of <c>cloudwall-rx</c>: a one-line summary for the overview, a description and examples for its own
/// <c>--help</c> (the examples are written after the options, see <see cref="CommandLine"/>).
/// </summary>
internal sealed class Verb(string name, string summary, string description, string examples) : Command(name, description)
{
    public string Summary { get; } = summary;

    public string Examples { get; } = examples;
}
