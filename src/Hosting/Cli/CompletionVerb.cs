using System.CommandLine;

namespace Cloudwall.Rx.Hosting.Cli;

/// <summary><c>cloudwall-rx completion bash|zsh</c>: prints a shell script that completes verbs, options and values.</summary>
internal static class CompletionVerb
{
    private static readonly Argument<string> Shell = ShellArgument();

    public static Command Create()
    {
        var command = new Verb("completion", "Prints a bash or zsh completion script",
            """
            Prints a script that completes verbs, options and their values (roles, scenarios, venues, command types) in
            bash or zsh. The script asks cloudwall-rx itself, through System.CommandLine's [suggest] directive, so the
            completions always match the installed version. dotnet-suggest works too.
            """.ReplaceLineEndings(" "),
            """
            cloudwall-rx completion bash > ~/.local/share/bash-completion/completions/cloudwall-rx
            source <(cloudwall-rx completion bash)
            cloudwall-rx completion zsh > "${fpath[1]}/_cloudwall-rx"
            """)
        {
            Shell,
        };
        command.SetAction(r =>
        {
            r.InvocationConfiguration.Output.Write(Script(r.GetValue(Shell)!));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Argument<string> ShellArgument()
    {
        var shell = new Argument<string>("SHELL") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        return shell;
    }

    /// <summary>
    /// The script for <paramref name="shell"/>: it passes the line up to the cursor, less the executable's name, to
    /// <c>cloudwall-rx "[suggest:N]" "LINE"</c>, which prints one candidate per line; the shell filters them by the word typed.
    /// </summary>
    internal static string Script(string shell) => shell switch
    {
        "zsh" => """
            #compdef cloudwall-rx
            # cloudwall-rx completion for zsh (cloudwall-rx completion zsh)
            _cloudwall_rx() {
              local line="${BUFFER[1,CURSOR]}"
              local rest="${line#*[[:space:]]}"
              [[ "$rest" == "$line" ]] && rest=""
              local -a items
              items=("${(@f)$("${words[1]}" "[suggest:${#rest}]" "$rest" 2>/dev/null)}")
              compadd -a items
            }
            compdef _cloudwall_rx cloudwall-rx

            """,
        _ => """
            # cloudwall-rx completion for bash (cloudwall-rx completion bash)
            _cloudwall_rx() {
              local line="${COMP_LINE:0:COMP_POINT}"
              local rest="${line#*[[:space:]]}"
              [[ "$rest" == "$line" ]] && rest=""
              local IFS=$'\n'
              COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${#rest}]" "$rest" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}"))
            }
            complete -o default -F _cloudwall_rx cloudwall-rx

            """,
    };
}
