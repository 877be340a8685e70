using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using Cloudwall.Rx.Core.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Simulation.Hosting;

/// <summary>
/// A WebSocket server on 127.0.0.1 (Kestrel) that any venue simulator reuses: it accepts sockets, gives each a bounded
/// outgoing queue drained by one send loop, reads client messages and hands them to the venue's <see cref="IVenueProtocol"/>.
/// A failing connection is logged and closed; it never takes the server down.
/// </summary>
public sealed partial class WebSocketVenueServer : IAsyncDisposable
{
    private readonly WebSocketVenueServerOptions _options;
    private readonly HashSet<string> _paths;
    private readonly IVenueProtocol _protocol;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<long, VenueConnection> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;
    private RestGate? _rest;
    private long _nextId;
    private int _disposed;

    /// <param name="additionalPaths">
    /// Request paths accepted besides <see cref="WebSocketVenueServerOptions.Path"/>, for a venue that routes by path
    /// (Binance USDⓈ-M <c>/public/stream</c>, <c>/market/stream</c>); <see cref="VenueConnection.Path"/> tells the protocol which.
    /// </param>
    public WebSocketVenueServer(string venue, IVenueProtocol protocol, WebSocketVenueServerOptions options, TimeProvider? time = null, ILoggerFactory? loggerFactory = null,
        IReadOnlyCollection<string>? additionalPaths = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(venue);
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(options);
        OptionsCheck.ThrowIfInvalid(options);
        _paths = new HashSet<string>(additionalPaths ?? [], StringComparer.Ordinal) { options.Path };
        Venue = venue;
        _protocol = protocol;
        _options = options;
        _time = time ?? TimeProvider.System;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _log = _loggerFactory.CreateLogger<WebSocketVenueServer>();
        Stats = new SimulatorStats(SnapshotConnections);
    }

    public string Venue { get; }

    /// <summary>The WebSocket address, such as <c>ws://127.0.0.1:54321/</c>; valid after <see cref="StartAsync"/>.</summary>
    public Uri Endpoint { get; private set; } = new("ws://127.0.0.1/");

    public SimulatorStats Stats { get; }

    /// <summary>The REST root on the same port, such as <c>http://127.0.0.1:54321/</c>; valid after <see cref="StartAsync"/>.</summary>
    public Uri RestEndpoint { get; private set; } = new("http://127.0.0.1/");

    /// <summary>REST requests received, and those refused with 429 for passing the venue's limit (0 without a REST API).</summary>
    public (long Requests, long Limited) RestStats => _rest is { } r ? (r.Requests, r.Limited) : (0, 0);

    /// <summary>Serves <paramref name="api"/> on the same port, behind the venue's request limit; call before <see cref="StartAsync"/>.</summary>
    /// <param name="maxRequestsPerSecond">Requests per second before 429 (0: no limit).</param>
    public void ServeRest(IVenueRestApi api, SimulatorFaults faults, int maxRequestsPerSecond)
    {
        ArgumentNullException.ThrowIfNull(api);
        if (_app is not null)
        {
            throw new InvalidOperationException("REST must be added before the server starts.");
        }

        _rest = new RestGate(api, faults, maxRequestsPerSecond, _time);
    }

    /// <summary>The open connections (a snapshot).</summary>
    public ICollection<VenueConnection> Connections => _connections.Values;

    /// <summary>Binds Kestrel to 127.0.0.1 and starts accepting.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_app is not null)
        {
            throw new InvalidOperationException("Already started.");
        }

        var builder = LoopbackHost.CreateBuilder(Venue, _options.Port, _options.ShutdownTimeout, _time, _loggerFactory);
        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        if (_rest is { } rest)
        {
            app.Use(async (context, next) =>
            {
                if (!await rest.TryHandleAsync(context).ConfigureAwait(false))
                {
                    await next(context).ConfigureAwait(false);
                }
            });
        }

        app.Run(HandleRequestAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;

        var port = LoopbackHost.BoundPort(app);
        Endpoint = new Uri($"ws://127.0.0.1:{port}{_options.Path}");
        RestEndpoint = new Uri($"http://127.0.0.1:{port}/");
        LogStarted(_log, Venue, Endpoint);
    }

    /// <summary>Aborts every open socket without a close handshake (fault injection and shutdown).</summary>
    public int AbortAll()
    {
        var n = 0;
        foreach (var c in _connections.Values)
        {
            try
            {
                c.Abort();
            }
            catch (Exception ex)
            {
                LogAbortFailed(_log, Venue, c.Id, ex);
            }

            n++;
        }

        return n;
    }

    /// <summary>Queues the same frame on every open connection.</summary>
    public void Broadcast(ReadOnlyMemory<byte> utf8Frame)
    {
        foreach (var c in _connections.Values)
        {
            c.Enqueue(utf8Frame);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        AbortAll();
        await LoopbackHost.StopAsync(_app).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task HandleRequestAsync(HttpContext context)
    {
        var path = context.Request.Path.Value is { Length: > 0 } p ? p : "/";
        if (!context.WebSockets.IsWebSocketRequest || !_paths.Contains(path))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var id = Interlocked.Increment(ref _nextId);
        var remote = context.Connection.RemoteIpAddress is { } ip ? new IPEndPoint(ip, context.Connection.RemotePort) : null;
        var connection = new VenueConnection(id, socket, remote, _time.GetUtcNow(), _options, context.Abort, path);
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        Stats.CountAccepted();
        _connections[id] = connection;
        LogAccepted(_log, Venue, id, remote);
        Task sending = Task.CompletedTask;
        try
        {
            _protocol.OnConnected(connection);
            sending = SendLoopGuardedAsync(connection, lifetime);
            await ReceiveLoopAsync(connection, socket, lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ConnectionAbortedException or IOException)
        {
            LogConnectionEnded(_log, Venue, id, ex.Message);
        }
        catch (Exception ex)
        {
            LogConnectionFailed(_log, Venue, id, ex);
        }
        finally
        {
            connection.CompleteOutgoing();
            await lifetime.CancelAsync().ConfigureAwait(false);
            await sending.ConfigureAwait(false); // never throws: guarded
            _connections.TryRemove(id, out _);
            try
            {
                _protocol.OnDisconnected(connection);
            }
            catch (Exception ex)
            {
                LogConnectionFailed(_log, Venue, id, ex);
            }

            Stats.CountClosed();
        }
    }

    private async Task SendLoopGuardedAsync(VenueConnection connection, CancellationTokenSource lifetime)
    {
        try
        {
            await connection.SendLoopAsync(lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException)
        {
            // The socket went away; the receive loop sees the same and ends the connection.
        }
        catch (Exception ex)
        {
            LogConnectionFailed(_log, Venue, connection.Id, ex);
        }
        finally
        {
            // Without a sender the connection is useless: end the receive side too.
            await lifetime.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task ReceiveLoopAsync(VenueConnection connection, WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_options.MaxReceiveMessageBytes);
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == _options.MaxReceiveMessageBytes)
                    {
                        await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, "message too big", cancellationToken).ConfigureAwait(false);
                        return;
                    }

                    result = await socket.ReceiveAsync(buffer.AsMemory(length, _options.MaxReceiveMessageBytes - length), cancellationToken).ConfigureAwait(false);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken).ConfigureAwait(false);
                    return;
                }

                connection.CountReceived();
                try
                {
                    await _protocol.OnTextMessageAsync(connection, buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogProtocolFailed(_log, Venue, connection.Id, ex);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private IReadOnlyList<VenueConnectionStats> SnapshotConnections()
    {
        var list = new List<VenueConnectionStats>(_connections.Count);
        foreach (var c in _connections.Values)
        {
            list.Add(new VenueConnectionStats(c.Id, c.Remote?.ToString(), c.ConnectedAt, c.MessagesSent, c.MessagesDropped, c.MessagesReceived,
                _protocol.DescribeSubscriptions(c)));
        }

        list.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        return list;
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "{Venue} simulator listening on {Endpoint}")]
    private static partial void LogStarted(ILogger logger, string venue, Uri endpoint);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Debug, Message = "{Venue} connection {ConnectionId} accepted from {Remote}")]
    private static partial void LogAccepted(ILogger logger, string venue, long connectionId, IPEndPoint? remote);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Debug, Message = "{Venue} connection {ConnectionId} ended: {Reason}")]
    private static partial void LogConnectionEnded(ILogger logger, string venue, long connectionId, string reason);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "{Venue} connection {ConnectionId} failed")]
    private static partial void LogConnectionFailed(ILogger logger, string venue, long connectionId, Exception exception);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Warning, Message = "{Venue} protocol handler failed on connection {ConnectionId}")]
    private static partial void LogProtocolFailed(ILogger logger, string venue, long connectionId, Exception exception);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Warning, Message = "{Venue} abort of connection {ConnectionId} failed")]
    private static partial void LogAbortFailed(ILogger logger, string venue, long connectionId, Exception exception);
}
