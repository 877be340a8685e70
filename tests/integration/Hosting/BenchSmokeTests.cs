using System.Text.Json;

namespace Cloudwall.Rx.Tests.Integration.Hosting;

/// <summary>
/// <c>cloudwall-rx bench --smoke</c> through the built executable, as CI runs it: the harness starts the load generator,
/// the Kafka cluster and the platform as processes of their own and writes one measured row. It checks that the parts
/// work and agree, never how fast they are.
/// </summary>
[Collection(EndToEnd.Name)]
public sealed class BenchSmokeTests
{
    [Fact]
    public async Task The_smoke_run_measures_the_platform_in_three_processes_and_loses_nothing()
    {
        var dir = Directory.CreateTempSubdirectory("cloudwall-bench-smoke-").FullName;
        var json = Path.Combine(dir, "smoke.json");
        var (exit, stdout, stderr) = await CommandLineProcessTests.RunProcess(["bench", "--smoke", "--json", json, "--logs", dir], timeoutSeconds: 180);

        var output = $"exit {exit}\nstdout:\n{stdout}\nstderr:\n{stderr}\nlogs: {dir}";
        Assert.True(exit == 0, output);
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var row = Assert.Single(report.RootElement.GetProperty("rows").EnumerateArray());
        Assert.True(row.GetProperty("input_events_per_second").GetDouble() > 0, output);
        Assert.True(row.GetProperty("platform_cores").GetDouble() > 0, output);
        Assert.True(row.GetProperty("events_received").GetInt64() > 0, output);
        Assert.Equal(row.GetProperty("events_received").GetInt64(), row.GetProperty("events_published").GetInt64());
        Assert.Empty(report.RootElement.GetProperty("problems").EnumerateArray());
        // Each process logged to its own file: the three really ran apart.
        Assert.All(new[] { "step1-kafka.log", "step1-simulate.log", "step1-run.log" }, f => Assert.True(File.Exists(Path.Combine(dir, f)), f));
        // None outlives the harness: the platform's command line names the log directory (its summary file).
        Assert.Empty(ProcessesNaming(dir));
        Directory.Delete(dir, recursive: true);
    }

    private static List<string> ProcessesNaming(string text) =>
        [.. Directory.EnumerateDirectories("/proc").Select(d => Path.Combine(d, "cmdline")).Where(File.Exists).Select(ReadOrEmpty)
            .Where(c => c.Contains(text, StringComparison.Ordinal))];

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path).Replace('\0', ' ');
        }
        catch (IOException)
        {
            return ""; // the process ended while we looked
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
