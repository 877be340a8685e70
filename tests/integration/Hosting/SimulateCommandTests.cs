using System.Text.Json;
using System.Text.RegularExpressions;
using Cloudwall.Rx.Hosting.Cli;
using Cloudwall.Rx.Hosting.Configuration;

namespace Cloudwall.Rx.Tests.Integration.Hosting;

/// <summary>
/// <c>cloudwall-rx simulate</c> prints its endpoints and the settings that use them; a production-shaped run (simulation
/// off, every provider pointed at an endpoint) then ingests from all of them through the real connectors.
/// </summary>
[Collection(EndToEnd.Name)]
public sealed partial class SimulateCommandTests
{
    [Fact]
    public async Task A_run_pointed_at_the_standalone_simulators_ingests_from_every_provider()
    {
        using var stop = new CancellationTokenSource();
        var simOut = new StringWriter();
        var simulate = CommandLine.RunAsync(["simulate"], simOut, new StringWriter(), stop.Token);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        // The settings are written a piece at a time: they are complete at the newline after the last continued line.
        while (!simOut.ToString().Contains("cloudwall-rx run", StringComparison.Ordinal) || !simOut.ToString().EndsWith('\n') ||
               simOut.ToString().TrimEnd().EndsWith('\\'))
        {
            Assert.True(DateTime.UtcNow < deadline, "simulate printed no settings:\n" + simOut);
            Assert.False(simulate.IsCompleted, "simulate stopped early:\n" + simOut);
            await Task.Delay(50);
        }

        var settings = SetPattern().Matches(simOut.ToString()).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("Simulation:Enabled=false", settings);
        Assert.True(settings.Count(s => s.Contains(":Endpoint=", StringComparison.Ordinal) && !s.Contains(":Backfill:", StringComparison.Ordinal)) >= 10, simOut.ToString());
        // Gap-fill is pointed at every simulator's REST side, so a gap never sends the run to a venue's production host.
        var rest = settings.Where(s => s.Contains(":Backfill:RestEndpoint=", StringComparison.Ordinal)).ToList();
        Assert.Equal(10, rest.Count);
        Assert.All(rest, s => Assert.Contains("=http://127.0.0.1:", s, StringComparison.Ordinal));

        var summaryPath = Path.Combine(Path.GetTempPath(), $"cloudwall-prodlike-{Guid.NewGuid():N}.json");
        // The aggregator's token is named, never printed; the simulator accepts its default one, which simulate does not show.
        Assert.DoesNotContain(ProvidersOptions.SimulatorToken, simOut.ToString(), StringComparison.Ordinal);
        Assert.Contains("Providers:aggregator:ApiToken", simOut.ToString(), StringComparison.Ordinal);
        string[] args = ["run", "--for", "8s", "--summary-json", summaryPath, "--set", "Admin:Port=0", "--set", "ConsoleView:Enabled=false",
            "--set", $"Providers:aggregator:ApiToken={ProvidersOptions.SimulatorToken}", .. settings.SelectMany(s => new[] { "--set", s })];
        var runErr = new StringWriter();
        var exit = await CommandLine.RunAsync(args, new StringWriter(), runErr);
        stop.Cancel();
        Assert.Equal(0, await simulate);

        Assert.True(exit == 0, runErr.ToString());
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(summaryPath));
        var providers = summary.RootElement.GetProperty("providers").EnumerateArray().ToList();
        Assert.Equal(10, providers.Count);
        Assert.All(providers, p => Assert.True(p.GetProperty("events").GetInt64() > 0, p.ToString()));
        Assert.Equal(summary.RootElement.GetProperty("events_received").GetInt64(), summary.RootElement.GetProperty("events_published").GetInt64());
        File.Delete(summaryPath);
    }

    [GeneratedRegex(@"--set (\S+)")]
    private static partial Regex SetPattern();
}
