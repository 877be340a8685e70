using System.Diagnostics;
using Cloudwall.Rx.Hosting.Cli;
using Cloudwall.Rx.Tests.Integration.Health;

namespace Cloudwall.Rx.Tests.Integration.Hosting;

/// <summary>
/// The executable as an operator runs it, in its own process: what reaches the real console on the mistakes that used to
/// end in a stack trace and exit 134, and the exit code of each.
/// </summary>
public sealed class CommandLineProcessTests
{
    public static TheoryData<string[], int, string> Mistakes => new()
    {
        { ["run", "--set", "Admin:Port=abc"], 2, "configuration error: Admin:Port = 'abc' is not valid: expected a whole number" },
        { ["tail", "--topic", "md.events.v1", "--max", "abc"], 2, "--max: 'abc' is not a whole number" },
        { ["command", "subscribe", "--venue", "coinbase", "--instruments", "BTC-USD.SPOT", "--key-id", "k1", "--key-env", "CW_NO_KEY",
            "--redis", "127.0.0.1:6379", "--tls", "yes"], 2, "--tls: 'yes' is not true or false" },
        { ["run", "-h"], 0, "--summary-json" },
        { ["launch"], 2, "Unrecognized command or argument 'launch'" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public async Task A_mistake_ends_with_one_clear_message_and_its_exit_code(string[] args, int expectedExit, string message)
    {
        var (exit, stdout, stderr) = await RunProcess(args);

        Assert.True(exit == expectedExit, $"exit {exit}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        Assert.Contains(message, stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task State_while_redis_is_down_is_one_line_and_a_runtime_failure()
    {
        var (exit, stdout, stderr) = await RunProcess(["state", "--redis", $"127.0.0.1:{HealthKit.DeadPort()}"]);

        Assert.True(exit == 1, $"exit {exit}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.Contains("cannot be reached", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }

    /// <summary>Runs <c>cloudwall-rx</c> (the built dll through <c>dotnet</c>) to its end; kills it and its children on timeout.</summary>
    internal static async Task<(int Exit, string Stdout, string Stderr)> RunProcess(string[] args, int timeoutSeconds = 60)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(CommandLine).Assembly.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["ConsoleView__Enabled"] = "false";

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"cloudwall-rx {string.Join(' ', args)} did not exit within {timeoutSeconds} s");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
