using System.CommandLine;
using System.Text.Json;
using Cloudwall.Rx.Hosting.Admin;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Hosting.Platform;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Hosting.Cli;

/// <summary><c>cloudwall-rx run</c>: the platform as a web host (admin endpoints) around <see cref="PlatformService"/> and its parts.</summary>
public static class RunCommand
{
    private static readonly Option<string> Role = CliOptions.OneOf("--role",
        "all: every part in one process; ingest: venues to md.events.v1; price: a consumer group on md.events.v1 producing " +
        "md.fairprice.v1; quality: the quality sidecar on md.quality.v1", RunRole.Names, RunRole.All);

    private static readonly Option<TimeSpan?> For = CliOptions.Duration("--for", "stop after this long (default: until Ctrl-C)");
    private static readonly Option<string?> SummaryJson = CliOptions.Text("--summary-json", "write the run's summary as JSON to FILE on stop", "FILE");

    private static readonly Option<string> ScenarioName = CliOptions.OneOf("--scenario",
        $"play a scripted fault on the simulators after the warm-up: {string.Join(", ", Scenarios.All.Select(x => x.Name))}",
        [.. Scenarios.All.Select(x => x.Name)], helpName: "NAME");

    private static readonly Option<TimeSpan?> Warmup = CliOptions.Duration("--warmup", "time before the scenario's fault starts (default 60s)");
    private static readonly Option<KeyValuePair<string, string?>[]> Settings = CliOptions.Settings();

    public static Command Create()
    {
        var command = new Verb("run", "Runs the platform",
            """
            Runs the platform. Role 'all' uses embedded defaults: venue simulators, the embedded Kafka cluster, a live
            console view, and /metrics, /healthz and /readyz on Admin:Port (default 8080). Ctrl-C stops it after flushing
            Kafka.
            """.ReplaceLineEndings(" "),
            """
            cloudwall-rx run
            cloudwall-rx run --for 20s --summary-json out.json
            cloudwall-rx run --role ingest --set Kafka:BootstrapServers=broker:9092 --set Simulation:Enabled=false ...
            cloudwall-rx run --scenario venue-silent --warmup 30s
            cloudwall-rx run --set Admin:Port=0 --set ConsoleView:Enabled=false
            """)
        {
            Role, For, SummaryJson, ScenarioName, Warmup, Settings,
        };
        command.SetAction((r, ct) => RunAsync(r, ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult args, CancellationToken ct)
    {
        var stdout = args.InvocationConfiguration.Output;
        var stderr = args.InvocationConfiguration.Error;
        var role = args.GetValue(Role)!;
        var duration = args.GetValue(For);
        var summaryPath = args.GetValue(SummaryJson);
        var warmup = args.GetValue(Warmup) ?? TimeSpan.FromSeconds(60);
        Scenario? scenario = null;
        if (args.GetValue(ScenarioName) is { } scenarioName)
        {
            Scenarios.TryGet(scenarioName, out scenario);
        }

        WebApplication? app = null;
        IPlatformStatus platform;
        QualitySidecar? quality = null;
        PriceRoleService? price = null;
        try
        {
            app = Build(args.GetValue(Settings)!, stdout, role);
            // Bind and validate every section now: a bad value is reported as such (exit 2) before any part starts.
            app.Services.GetService<IStartupValidator>()?.Validate();
            platform = app.Services.GetRequiredService<IPlatformStatus>();
            var providers = app.Services.GetRequiredService<IProviderStatus>();
            quality = app.Services.GetService<QualitySidecar>();
            price = role == RunRole.Price ? app.Services.GetRequiredService<PriceRoleService>() : null;
            using var stopAfter = duration is { } d ? StopAfter(app, d) : null;
            if (scenario is not null)
            {
                app.Lifetime.ApplicationStarted.Register(() => _ = PlayScenario(app, providers, scenario, warmup, stdout));
            }

            try
            {
                await app.RunAsync(ct);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && (price?.ExitCode ?? platform.ExitCode) != 0)
            {
                // A fatal error (e.g. the producer was refused its id) stopped the host while it was still starting; the
                // host reports that as a cancelled start. The exit code below says what happened.
            }
        }
        finally
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
        }

        var summary = price is not null ? price.FinalSummary ?? price.Summarize() : platform.FinalSummary ?? platform.Summarize();
        var exitCode = price?.ExitCode ?? platform.ExitCode;
        if (quality is { Alerts: { } alerts, Scorecard: { } scorecard })
        {
            summary = summary with
            {
                AlertsFired = alerts.Stats.Fired,
                AlertsOpen = [.. alerts.OpenAlerts().Select(a => a.Fingerprint)],
                Quality = scorecard.Build(),
            };
        }

        if (summaryPath is not null)
        {
            await File.WriteAllTextAsync(summaryPath, JsonSerializer.Serialize(summary, HostingJsonContext.Default.RunSummary), CancellationToken.None);
        }

        await stdout.WriteLineAsync(
            $"stopped: received {summary.EventsReceived}, published {summary.EventsPublished}, fair prices {summary.FairPricesPublished}, " +
            $"dead letters {summary.DeadLetters}, delivery failures {summary.KafkaDeliveryFailures}");
        if (exitCode != 0)
        {
            await stderr.WriteLineAsync($"stopped on a fatal error (exit {exitCode}); see the log above");
        }

        return exitCode;
    }

    /// <summary>Builds the host: configuration sources, validated options, the platform and its endpoints.</summary>
    /// <param name="configure">Last changes before the host is built (tests add log recorders).</param>
    public static WebApplication Build(IEnumerable<KeyValuePair<string, string?>> settings, TextWriter consoleOut, string role = RunRole.All,
        Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        builder.Configuration.AddPlatformSources(settings);

        builder.AddPlatformOptions();
        builder.AddPlatform(consoleOut, role);
        builder.AddAdminEndpoints();

        var admin = builder.Configuration.GetSection(AdminOptions.Section).Get<AdminOptions>() ?? new AdminOptions();
        builder.WebHost.UseUrls($"http://{admin.BindAddress}:{admin.Port}");
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapAdminEndpoints();
        return app;
    }

    /// <summary>Plays a scripted fault on the running simulators after a warm-up, telling the operator what happens when.</summary>
    private static async Task PlayScenario(WebApplication app, IProviderStatus providers, Scenario scenario, TimeSpan warmup, TextWriter stdout)
    {
        var ct = app.Lifetime.ApplicationStopping;
        try
        {
            await stdout.WriteLineAsync($"scenario {scenario.Name}: {scenario.Description} Starts after {warmup.TotalSeconds:F0} s of warm-up.");
            await Task.Delay(warmup, ct);
            await stdout.WriteLineAsync($"scenario {scenario.Name}: fault ON at {DateTime.UtcNow:O}");
            await scenario.Run(new ScenarioContext(providers.Simulators, TimeProvider.System), ct);
            await stdout.WriteLineAsync($"scenario {scenario.Name}: fault OFF at {DateTime.UtcNow:O}; watch the alerts resolve");
        }
        catch (OperationCanceledException)
        {
            // The run ended first.
        }
        catch (InvalidOperationException ex)
        {
            await stdout.WriteLineAsync($"scenario {scenario.Name} cannot run: {ex.Message}");
        }
    }

    private static CancellationTokenRegistration? StopAfter(WebApplication app, TimeSpan duration)
    {
        var cts = new CancellationTokenSource(duration);
        return cts.Token.Register(() => app.Lifetime.StopApplication());
    }
}
