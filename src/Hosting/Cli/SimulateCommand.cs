using System.CommandLine;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Simulation;
using Cloudwall.Rx.Simulation.Market;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Hosting.Cli;

/// <summary>
/// <c>cloudwall-rx simulate</c>: the venue simulators alone, on loopback, sharing one synthetic market. It prints each
/// endpoint and the environment variables that point a production-shaped configuration at them.
/// </summary>
internal static class SimulateCommand
{
    private static readonly Option<TimeSpan?> For = CliOptions.Duration("--for", "stop after this long (default: until Ctrl-C)");
    private static readonly Option<KeyValuePair<string, string?>[]> Settings = CliOptions.Settings();

    public static Command Create()
    {
        var command = new Verb("simulate", "Runs the venue simulators alone and prints their endpoints",
            """
            Runs the venue simulators alone on loopback, sharing one synthetic market, and prints each endpoint and the
            'run' settings (simulation off, the real connectors) that point a production-shaped run at them.
            """.ReplaceLineEndings(" "),
            """
            cloudwall-rx simulate
            cloudwall-rx simulate --for 10m --set Simulation:TradesPerSecond=200
            cloudwall-rx simulate --set Providers:aggregator:Enabled=false
            """)
        {
            For, Settings,
        };
        command.SetAction((r, ct) => RunAsync(r, r.InvocationConfiguration.Output, r.InvocationConfiguration.Error, ct));
        return command;
    }

    /// <summary>
    /// The providers and simulation sections as <c>simulate</c> and <c>compare-levels</c> read them: appsettings.json, the
    /// environment, then <paramref name="settings"/>; defaults applied, validated. Null (errors written) when invalid.
    /// </summary>
    internal static async Task<(ProvidersOptions Providers, SimulationOptions Simulation)?> LoadAsync(KeyValuePair<string, string?>[] settings, TextWriter stderr)
    {
        var config = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(settings)
            .Build();
        var providers = new ProvidersOptions();
        config.GetSection(ProvidersOptions.Section).Bind(providers);
        providers.ApplyDefaults();
        var simulation = config.GetSection(SimulationOptions.Section).Get<SimulationOptions>() ?? new SimulationOptions();
        var errors = providers.Errors().Concat(simulation.Errors()).ToList();
        foreach (var e in errors)
        {
            await stderr.WriteLineAsync($"configuration error: {e}");
        }

        return errors.Count == 0 ? (providers, simulation) : null;
    }

    private static async Task<int> RunAsync(ParseResult args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var duration = args.GetValue(For);

        if (await LoadAsync(args.GetValue(Settings)!, stderr) is not var (providers, simulation))
        {
            return ExitCodes.Usage;
        }

        var context = new SimulatorContext(new SyntheticMarket(simulation.Seed), simulation, TimeProvider.System, NullLoggerFactory.Instance);
        var running = new List<IVenueSimulator>();
        try
        {
            foreach (var (name, o) in providers.Where(p => p.Value.Enabled).OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                ProviderCatalog.TryGet(o.Type!, out var kind);
                var sim = await kind.Simulate(context, o, ct);
                running.Add(sim);
                await stdout.WriteLineAsync($"{name,-16} {sim.Endpoint}");
            }

            await stdout.WriteLineAsync();
            // Provider names may hold '-', which environment variable names in a shell cannot: print --set arguments.
            await stdout.WriteLineAsync("# point a run at them (simulation off, the real connectors):");
            // A token is a secret even here: name where it goes, never print it.
            foreach (var (name, _) in providers.Where(p => p.Value.Enabled && p.Value.ApiToken is not null).OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                await stdout.WriteLineAsync($"# with the token the {name} simulator accepts (Providers:{name}:ApiToken here), e.g. Providers__{name}__ApiToken in the environment");
            }

            await stdout.WriteAsync("cloudwall-rx run --set Simulation:Enabled=false");
            var i = 0;
            foreach (var (name, _) in providers.Where(p => p.Value.Enabled).OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var sim = running[i++];
                await stdout.WriteAsync($" \\\n  --set Providers:{name}:Endpoint={sim.Endpoint}");
                if (sim.RestEndpoint is { } rest)
                {
                    // Gap-fill asks the simulator's REST side, never the venue's production host.
                    await stdout.WriteAsync($" \\\n  --set Providers:{name}:Backfill:RestEndpoint={rest}");
                }
            }

            await stdout.WriteLineAsync();

            await stdout.FlushAsync(ct);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (duration is { } d)
            {
                cts.CancelAfter(d);
            }

            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                cts.Cancel();
            };
            try
            {
                await Task.Delay(Timeout.Infinite, cts.Token);
            }
            catch (OperationCanceledException)
            {
                // Stopped by --for or Ctrl-C.
            }

            return ExitCodes.Ok;
        }
        finally
        {
            foreach (var sim in running)
            {
                await sim.DisposeAsync();
            }
        }
    }
}
