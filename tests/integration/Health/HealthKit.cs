using System.Net;
using System.Net.Sockets;
using Cloudwall.Rx.Hosting.Cli;
using Cloudwall.Rx.Hosting.Platform;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudwall.Rx.Tests.Integration.Health;

/// <summary>Hosts of one role on loopback, their admin client, and polling with a deadline.</summary>
internal static class HealthKit
{
    /// <summary>Settings of a quiet host: admin on any port, no console, a low trade rate, only <paramref name="providers"/> enabled.</summary>
    public static List<KeyValuePair<string, string?>> Settings(IEnumerable<string> providers, params (string Key, string Value)[] more)
    {
        var enabled = providers.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var settings = new List<KeyValuePair<string, string?>>
        {
            new("Admin:Port", "0"), new("ConsoleView:Enabled", "false"), new("Simulation:TradesPerSecond", "5"),
            new("Kafka:DisposeFlushTimeout", "00:00:01"),
        };
        settings.AddRange(ProviderCatalog.DefaultProviders.Where(p => !enabled.Contains(p)).Select(p => KeyValuePair.Create($"Providers:{p}:Enabled", (string?)"false")));
        settings.AddRange(more.Select(m => KeyValuePair.Create(m.Key, (string?)m.Value)));
        return settings;
    }

    public static async Task<(WebApplication App, HttpClient Http)> StartAsync(List<KeyValuePair<string, string?>> settings, string role)
    {
        var app = RunCommand.Build(settings, TextWriter.Null, role);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new HttpClient { BaseAddress = new Uri(address) });
    }

    public static async Task StopAsync(WebApplication app, HttpClient http)
    {
        http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    public static async Task<HttpStatusCode> StatusOf(HttpClient http, string path) => (await http.GetAsync(path)).StatusCode;

    /// <summary>A loopback port nothing listens on.</summary>
    public static int DeadPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static async Task Eventually(Func<Task<bool>> condition, string what, int timeoutMs = 30_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {timeoutMs} ms: {what}");
            await Task.Delay(100);
        }
    }

    public static Task Eventually(Func<bool> condition, string what, int timeoutMs = 30_000) =>
        Eventually(() => Task.FromResult(condition()), what, timeoutMs);
}
