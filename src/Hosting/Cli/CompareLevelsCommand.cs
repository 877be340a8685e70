using System.CommandLine;
using System.Text.Json;
using Cloudwall.Rx.Hosting.Levels;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Simulation;
using Cloudwall.Rx.Simulation.Market;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Hosting.Cli;

/// <summary>
/// <c>cloudwall-rx compare-levels</c>: one provider at two data levels side by side (issue 18), what each costs in ingress
/// and what the cheaper one loses (<see cref="LevelComparison"/>). By default against the provider's simulator, in-process.
/// </summary>
internal static class CompareLevelsCommand
{
    private static readonly Option<string?> Provider = CliOptions.Text("--provider", "the configured provider (Providers:NAME), such as binance", "NAME", required: true);
    private static readonly Option<string?> LevelA = CliOptions.Text("--a", "the reference level, such as trades", "LEVEL", required: true);
    private static readonly Option<string?> LevelB = CliOptions.Text("--b", "the level compared with it, such as aggregated", "LEVEL", required: true);
    private static readonly Option<TimeSpan?> For = CliOptions.Duration("--for", "how long to receive (default 30s)");
    private static readonly Option<TimeSpan?> Interval = CliOptions.Duration("--interval", "the intervals of exchange time trades are compared over (default 1s)");
    private static readonly Option<double?> MaxVwapBp = CliOptions.Real("--max-vwap-bp", $"largest |VWAP difference| in bp that passes (default {LevelThresholds.DefaultMaxVwapBp})", "BP");
    private static readonly Option<double?> MaxVolumePct = CliOptions.Real("--max-volume-pct", $"largest |volume difference| in % that passes (default {LevelThresholds.DefaultMaxVolumePct})", "PCT");
    private static readonly Option<double?> MaxFairBp = CliOptions.Real("--max-fair-bp", $"largest mean |fair-price difference| in bp that passes (default {LevelThresholds.DefaultMaxFairBp})", "BP");
    private static readonly Option<string?> Json = CliOptions.Text("--json", "write the report as JSON to FILE", "FILE");
    private static readonly Option<KeyValuePair<string, string?>[]> Settings = CliOptions.Settings();

    public static Command Create()
    {
        var command = new Verb("compare-levels", "Compares two data levels of one provider: ingress cost, volume, VWAP, latency, fair price",
            """
            Subscribes the provider's configured symbols at two levels side by side, one connection per level and
            instrument, and reports per instrument: ingress bytes/s and events/s of each level, trade count, volume and VWAP
            per interval and their differences, mean latency (receive - exchange time), the fair-price difference when each
            level alone feeds the fair-price engine, and a verdict against the thresholds. By default it starts the
            provider's simulator in-process; with --set Providers:NAME:Endpoint=URL it connects there (a real venue).
            Exit 0 when every instrument passes, 1 when one fails.
            """.ReplaceLineEndings(" "),
            """
            cloudwall-rx compare-levels --provider binance --a trades --b aggregated --for 20s
            cloudwall-rx compare-levels --provider binance --a trades --b quotes --json levels.json
            cloudwall-rx compare-levels --provider binance-usdm --a aggregated --b quotes --max-fair-bp 3
            cloudwall-rx compare-levels --provider binance --a trades --b aggregated --set Providers:binance:Endpoint=wss://stream.binance.com:9443
            """)
        {
            Provider, LevelA, LevelB, For, Interval, MaxVwapBp, MaxVolumePct, MaxFairBp, Json, Settings,
        };
        command.SetAction((r, ct) => RunAsync(r, r.InvocationConfiguration.Output, r.InvocationConfiguration.Error, ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if (await SimulateCommand.LoadAsync(args.GetValue(Settings)!, stderr) is not var (providers, simulation))
        {
            return ExitCodes.Usage;
        }

        var name = args.GetValue(Provider)!;
        if (!providers.TryGetValue(name, out var options) || !ProviderCatalog.TryGet(options.Type ?? "", out var kind))
        {
            return CommandLine.Fail(stderr, $"--provider: '{name}' is not a configured provider (configured: {string.Join(", ", providers.Keys.Order(StringComparer.Ordinal))})");
        }

        foreach (var (option, level) in new[] { ("--a", args.GetValue(LevelA)!), ("--b", args.GetValue(LevelB)!) })
        {
            if (kind.Level(level) is null)
            {
                return CommandLine.Fail(stderr, $"{option}: '{level}' is not a level of {kind.Name}; it offers {string.Join(", ", kind.Levels.Select(l => l.Name))}");
            }
        }

        var interval = args.GetValue(Interval) ?? TimeSpan.FromSeconds(1);
        var duration = args.GetValue(For) ?? TimeSpan.FromSeconds(30);
        if (interval <= TimeSpan.Zero || duration < 3 * interval)
        {
            return CommandLine.Fail(stderr, "--for must be at least three --interval (the first and last intervals are not compared)");
        }

        var settings = new LevelComparisonSettings(args.GetValue(LevelA)!, args.GetValue(LevelB)!, duration, interval,
            new LevelThresholds(args.GetValue(MaxVwapBp) ?? LevelThresholds.DefaultMaxVwapBp, args.GetValue(MaxVolumePct) ?? LevelThresholds.DefaultMaxVolumePct,
                args.GetValue(MaxFairBp) ?? LevelThresholds.DefaultMaxFairBp));

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };

        IVenueSimulator? simulator = null;
        try
        {
            Uri? endpoint;
            if (options.Endpoint is { } configured)
            {
                endpoint = new Uri(configured);
            }
            else
            {
                simulator = await kind.Simulate(new SimulatorContext(new SyntheticMarket(simulation.Seed), simulation, TimeProvider.System, NullLoggerFactory.Instance),
                    options, cts.Token);
                endpoint = simulator.Endpoint;
            }

            await stdout.WriteLineAsync($"{name}: {settings.LevelA} vs {settings.LevelB} on {string.Join(", ", options.Symbols)} at {endpoint} for {duration}");
            await stdout.FlushAsync(CancellationToken.None);
            var report = await LevelComparison.RunAsync(name, kind, options, endpoint, settings, TimeProvider.System, NullLoggerFactory.Instance, cts.Token);
            await stdout.WriteAsync(LevelComparisonTable.Format(report));
            if (args.GetValue(Json) is { } path)
            {
                await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, LevelsJsonContext.Default.LevelComparisonReport), CancellationToken.None);
            }

            return report.Pass ? ExitCodes.Ok : ExitCodes.Failure;
        }
        finally
        {
            if (simulator is not null)
            {
                await simulator.DisposeAsync();
            }
        }
    }
}
