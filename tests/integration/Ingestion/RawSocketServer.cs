using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Tests.Integration.Ingestion;

/// <summary>
/// A bare WebSocket server on 127.0.0.1 for transport tests that need what no venue simulator does (a fragmented oversized
/// message, a pre-generated batch of frames at socket speed): each accepted socket goes to <c>session</c> with its 1-based
/// connection number.
/// </summary>
public sealed class RawSocketServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _connections;

    private RawSocketServer(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = new("ws://127.0.0.1/");

    public int Connections => Volatile.Read(ref _connections);

    public static async Task<RawSocketServer> StartAsync(Func<WebSocket, int, CancellationToken, Task> session)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new RawSocketServer(app);
        app.UseWebSockets();
        app.Run(async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var n = Interlocked.Increment(ref server._connections);
            try
            {
                await session(socket, n, context.RequestAborted);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
            {
                // The client went away mid-session: what the tests provoke.
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Endpoint = new Uri($"ws://127.0.0.1:{new Uri(address).Port}/");
        return server;
    }

    /// <summary>Reads (and drops) client messages until the client closes; returns the close status it sent.</summary>
    public static async Task<WebSocketCloseStatus?> DrainUntilCloseAsync(WebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[4096];
        while (true)
        {
            var r = await socket.ReceiveAsync(buffer, ct);
            if (r.MessageType == WebSocketMessageType.Close)
            {
                return socket.CloseStatus;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
