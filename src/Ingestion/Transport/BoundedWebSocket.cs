using System.Net.WebSockets;

namespace Cloudwall.Rx.Ingestion.Transport;

/// <summary>
/// A client WebSocket that runs the connection's receive loop itself. Websocket.Client owns the connection's lifecycle
/// (connect, reconnect, close handshake, the send queue) and calls <see cref="ReceiveAsync(ArraySegment{byte}, CancellationToken)"/>
/// in its listen loop; this socket answers that call only with a close or an error. Every data message is assembled in
/// the socket's own buffer (grown on demand, reused for every message, never past the cap) and handed to
/// <c>onMessage</c> in place, on the receive thread, with no copy, no string and no per-message object. The next read
/// waits until the handler's task completes: back-pressure is a paused read, so the socket's TCP window closes on the
/// venue instead of a pool thread blocking.
/// </summary>
/// <remarks>
/// The size cap is enforced while a message arrives: once its fragments pass <see cref="MaxMessageBytes"/>, the socket sends
/// a close (1009, message too big) and the receive throws <see cref="WebSocketMessageTooBigException"/>, which the client
/// treats as a lost connection and reconnects. The buffer never holds more than the cap and one read. The first
/// <see cref="DeadLetter.MaxRawBytes"/> bytes of the message go to <c>onTooBig</c> for the dead letter.
/// </remarks>
public sealed class BoundedWebSocket : WebSocket
{
    /// <summary>The largest single read: the buffer never grows past the cap plus this.</summary>
    internal const int ReadChunk = 16 * 1024;

    private readonly WebSocket _inner;
    private readonly Action<ReadOnlyMemory<byte>, long> _onTooBig;
    private readonly Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> _onMessage;
    private byte[] _buffer = new byte[ReadChunk];

    /// <param name="onMessage">Called on the receive thread with each whole data message; the memory is valid until its task completes.</param>
    /// <param name="onTooBig">Called on the receive thread with the message's first bytes and the bytes received so far.</param>
    public BoundedWebSocket(WebSocket inner, int maxMessageBytes, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> onMessage,
        Action<ReadOnlyMemory<byte>, long> onTooBig)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageBytes);
        _inner = inner;
        MaxMessageBytes = maxMessageBytes;
        _onMessage = onMessage;
        _onTooBig = onTooBig;
    }

    public int MaxMessageBytes { get; }

    /// <summary>Messages handed to the handler by this socket.</summary>
    public long Messages { get; private set; }

    /// <summary>A Websocket.Client connection factory: connects a socket and runs its receive loop.</summary>
    /// <param name="connect">Opens the underlying socket; null: a <see cref="ClientWebSocket"/>.</param>
    public static Func<Uri, CancellationToken, Task<WebSocket>> Factory(int maxMessageBytes,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> onMessage, Action<ReadOnlyMemory<byte>, long> onTooBig,
        Func<Uri, CancellationToken, Task<WebSocket>>? connect = null) =>
        async (uri, ct) => new BoundedWebSocket(await (connect ?? ConnectClientAsync)(uri, ct).ConfigureAwait(false), maxMessageBytes, onMessage, onTooBig);

    private static async Task<WebSocket> ConnectClientAsync(Uri uri, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        try
        {
            await socket.ConnectAsync(uri, ct).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return socket;
    }

    public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var close = await PumpAsync(cancellationToken).ConfigureAwait(false);
        return new ValueWebSocketReceiveResult(0, close.MessageType, close.EndOfMessage);
    }

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        var close = await PumpAsync(cancellationToken).ConfigureAwait(false);
        return new WebSocketReceiveResult(0, close.MessageType, close.EndOfMessage, _inner.CloseStatus, _inner.CloseStatusDescription);
    }

    /// <summary>Reads and hands over messages until the venue closes (returned) or the socket fails (thrown).</summary>
    private async ValueTask<ValueWebSocketReceiveResult> PumpAsync(CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            if (length == _buffer.Length)
            {
                // Full and the message goes on: grow, but never past the cap plus one read.
                Array.Resize(ref _buffer, (int)Math.Min((long)_buffer.Length * 2, (long)MaxMessageBytes + ReadChunk));
            }

            var room = Math.Min(_buffer.Length - length, ReadChunk);
            var r = await _inner.ReceiveAsync(_buffer.AsMemory(length, room), cancellationToken).ConfigureAwait(false);
            if (r.MessageType == WebSocketMessageType.Close)
            {
                return r;
            }

            length += r.Count;
            if (length > MaxMessageBytes)
            {
                _onTooBig(_buffer.AsMemory(0, Math.Min(length, DeadLetter.MaxRawBytes)), length);
                await CloseTooBigAsync().ConfigureAwait(false);
                throw new WebSocketMessageTooBigException(MaxMessageBytes, length);
            }

            if (!r.EndOfMessage)
            {
                continue;
            }

            Messages++;
            var message = _buffer.AsMemory(0, length);
            length = 0;
            var handled = _onMessage(message, cancellationToken);
            if (!handled.IsCompletedSuccessfully)
            {
                await handled.ConfigureAwait(false);
            }
        }
    }

    private async Task CloseTooBigAsync()
    {
        // Tell the venue why (1009); the client aborts and disposes this socket as it reconnects, so no need to wait for the echo.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await _inner.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, $"message exceeds {MaxMessageBytes} bytes", timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            _inner.Abort();
        }
    }

    public override WebSocketCloseStatus? CloseStatus => _inner.CloseStatus;
    public override string? CloseStatusDescription => _inner.CloseStatusDescription;
    public override WebSocketState State => _inner.State;
    public override string? SubProtocol => _inner.SubProtocol;
    public override void Abort() => _inner.Abort();

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        _inner.CloseAsync(closeStatus, statusDescription, cancellationToken);

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        _inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        _inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        _inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, WebSocketMessageFlags messageFlags, CancellationToken cancellationToken) =>
        _inner.SendAsync(buffer, messageType, messageFlags, cancellationToken);

    public override void Dispose() => _inner.Dispose();
}

/// <summary>A WebSocket message passed the connection's cap while it was received; the connection was closed with 1009.</summary>
public sealed class WebSocketMessageTooBigException(int maxMessageBytes, long received)
    : IOException($"message exceeds {maxMessageBytes} bytes ({received} received before closing)");
