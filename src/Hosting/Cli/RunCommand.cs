using System.Text.Json;
using Cloudwall.Rx.Hosting.Admin;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Hosting.Platform;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Hosting.Cli;

/// <summary><c>cloudwall-rx run</c>: the platform as a web host (admin endpoints) around <see cref="PlatformService"/> and its parts.</summary>
public static class RunCommand
{
    public static async Task<int> RunAsync(ParsedArgs args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var role = args.Get("role") ?? "all";
        var duration = args.Get("for") is { } f ? CommandLine.ParseDuration(f, "--for") : (TimeSpan?)null;
        var summaryPath = args.Get("summary-json");
        var scenarioName = args.Get("scenario");
        var warmup = args.Get("warmup") is { } w ? CommandLine.ParseDuration(w, "--warmup") : TimeSpan.FromSeconds(60);
        Scenario? scenario = null;
        if (scenarioName is not null && !Scenarios.TryGet(scenarioName, out scenario))
        {
            throw new UsageException($"--scenario '{scenarioName}' is unknown; known: {string.Join(", ", Scenarios.All.Select(x => x.Name))}");
        }

        args.RejectUnknown();
        if (!RunRole.Names.Contains(role))
        {
            throw new UsageException($"--role '{role}' is not a role; use {string.Join(", ", RunRole.Names)}");
        }

        WebApplication? app = null;
        IPlatformStatus platform;
        QualitySidecar? quality = null;
        PriceRoleService? price = null;
        try
        {
            app = Build(args.Settings, stdout, role);
            platform = app.Services.GetRequiredService<IPlatformStatus>();
            var providers = app.Services.GetRequiredService<IProviderStatus>();
            quality = app.Services.GetService<QualitySidecar>();
            price = role == RunRole.Price ? app.Services.GetRequiredService<PriceRoleService>() : null;
            using var stopAfter = duration is { } d ? StopAfter(app, d) : null;
            if (scenario is not null)
            {
                app.Lifetime.ApplicationStarted.Register(() => _ = PlayScenario(app, providers, scenario, warmup, stdout));
            }

            await app.RunAsync(ct);
        }
        catch (OptionsValidationException ex)
        {
            foreach (var failure in ex.Failures)
            {
                await stderr.WriteLineAsync($"configuration error: {failure}");
            }

            return 2;
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
