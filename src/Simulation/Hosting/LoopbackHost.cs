using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Simulation.Hosting;

/// <summary>The Kestrel host every simulator transport runs on: 127.0.0.1 only, no configuration sources, quiet logs.</summary>
internal static class LoopbackHost
{
    /// <summary>A builder listening on 127.0.0.1:<paramref name="port"/>, with the caller's clock and loggers.</summary>
    /// <param name="listen">Adjusts the listener (protocols), or null for Kestrel's defaults.</param>
    public static WebApplicationBuilder CreateBuilder(string venue, int port, TimeSpan shutdownTimeout, TimeProvider time, ILoggerFactory loggers,
        Action<ListenOptions>? listen = null)
    {
        // The empty builder reads no environment variables or appsettings, so ASPNETCORE_URLS cannot move the socket.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "Cloudwall.Rx.Simulation." + venue });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, port, listen ?? (static _ => { }));
        });
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = shutdownTimeout);
        builder.Services.AddSingleton(time);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(loggers));
        builder.Logging.SetMinimumLevel(LogLevel.Warning); // Kestrel, hosting and gRPC stay quiet.
        return builder;
    }

    /// <summary>The port Kestrel bound (the configured one, or the free one it picked for 0).</summary>
    public static int BoundPort(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no bound address.");
        return new Uri(address).Port;
    }

    /// <summary>Stops and disposes a started host; nothing when it never started.</summary>
    public static async ValueTask StopAsync(WebApplication? app)
    {
        if (app is null)
        {
            return;
        }

        try
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Sends the host's log lines to the caller's factory; the host's Warning minimum filters them first.</summary>
    private sealed class ForwardingLoggerProvider(ILoggerFactory target) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => target.CreateLogger(categoryName);

        public void Dispose()
        {
            // The target factory belongs to the caller.
        }
    }
}
