using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Cloudwall.Rx.Tests.Integration.Control;

/// <summary>
/// A real redis-server on 127.0.0.1 and a free port, without automatic persistence (<c>--save "" --appendonly no</c>).
/// It can be stopped and started again on the same port; <c>Stop(keepData: true)</c> SAVEs first so the restart loads the
/// data. A missing redis-server fails the tests (scripts/test.sh installs it); they never skip.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cw-redis-").FullName;
    private Process? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(FreePort());
        await server.StartAsync(CancellationToken.None);
        return server;
    }

    public async Task StartAsync(CancellationToken ct)
    {
        var exe = FindRedisServer() ?? throw new InvalidOperationException(
            "redis-server is not installed (apt-get install -y redis-server); the control-plane integration tests need a real one");
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dir,
        };
        foreach (var a in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _dir, "--protected-mode", "yes" })
        {
            psi.ArgumentList.Add(a);
        }

        _process = Process.Start(psi) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, Port, ct);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(50, ct);
            }
        }
    }

    /// <summary>Stops the server. <paramref name="keepData"/>: SAVE first, so the next start loads the same keys.</summary>
    public async Task StopAsync(bool keepData = false)
    {
        if (_process is null) return;
        if (keepData)
        {
            await using var mux = await ConnectionMultiplexer.ConnectAsync($"{Endpoint},allowAdmin=true");
            await mux.GetServer(Endpoint).ExecuteAsync("SAVE"); // foreground on purpose: the file must be complete before the kill
        }
        else
        {
            File.Delete(Path.Combine(_dir, "dump.rdb"));
        }

        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public async Task<ConnectionMultiplexer> ConnectAsync() => await ConnectionMultiplexer.ConnectAsync($"{Endpoint},abortConnect=false");

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string? FindRedisServer()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/local/bin"))
        {
            var candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate)) return candidate;
        }

        return null;
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
