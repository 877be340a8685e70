using System.Diagnostics;
using System.Threading.Channels;

namespace Cloudwall.Rx.Hosting.Bench;

/// <summary>
/// A <c>cloudwall-rx</c> verb in its own process, started from the running executable: the apphost, or <c>dotnet</c> with
/// the dll when this process runs that way. Its stdout and stderr go to a log file; stdout lines are also readable here.
/// Disposing kills it and its children, so no failure path leaves one behind.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logGate = new();
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    private ChildProcess(Process process, StreamWriter log, string name, string logPath)
    {
        _process = process;
        _log = log;
        Name = name;
        LogPath = logPath;
    }

    public string Name { get; }

    public string LogPath { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>How to start this executable again: the file to run and the arguments before the verb.</summary>
    public static (string FileName, string[] Prefix) Self()
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("the running executable's path is unknown");
        // `dotnet cloudwall-rx.dll ...` (tests, `dotnet exec`): run the dll again; `dotnet run` and a published build: the apphost.
        return Path.GetFileNameWithoutExtension(path) == "dotnet"
            ? (path, [typeof(ChildProcess).Assembly.Location])
            : (path, []);
    }

    public static ChildProcess Start(string name, IEnumerable<string> args, string logPath)
    {
        var (file, prefix) = Self();
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in prefix.Concat(args)) start.ArgumentList.Add(a);
        // The platform's console view and colours would only fill the log.
        start.Environment["ConsoleView__Enabled"] = "false";
        start.Environment["DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"] = "false";

        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        log.WriteLine($"$ {file} {string.Join(' ', start.ArgumentList)}");
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new ChildProcess(process, log, name, logPath);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                child._lines.Writer.TryComplete();
                return;
            }

            child.Log(e.Data);
            child._lines.Writer.TryWrite(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) child.Log("stderr: " + e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>The next stdout line, or null once the process closed stdout (it ended).</summary>
    public async Task<string?> ReadLineAsync(CancellationToken ct) =>
        await _lines.Reader.WaitToReadAsync(ct) && _lines.Reader.TryRead(out var line) ? line : null;

    /// <summary>Asks the process to stop as Ctrl-C in a terminal would not reach it: SIGTERM, which the host handles like Ctrl-C.</summary>
    public void Terminate()
    {
        if (_process.HasExited) return;
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false });
        kill?.WaitForExit();
    }

    /// <summary>Waits for the process to end; false on timeout.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // It was never started or has already been reaped.
        }

        _process.Dispose();
        lock (_logGate) _log.Dispose();
    }

    private void Log(string line)
    {
        lock (_logGate)
        {
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // A last line after the process was disposed.
            }
        }
    }
}
