using System.Net.WebSockets;

namespace Cloudwall.Rx.Ingestion.Transport;

/// <summary>
/// A client WebSocket whose receive enforces a cap on the size of one message while it arrives. Websocket.Client buffers a
/// message until its end, so the cap must sit under it: once the fragments of one message pass
/// <see cref="MaxMessageBytes"/>, the socket sends a close (1009, message too big) and the receive throws
/// <see cref="WebSocketMessageTooBigException"/>, which the client treats as a lost connection and reconnects. The client's
/// buffer never holds more than the cap. The first <see cref="DeadLetter.MaxRawBytes"/> bytes of the message are kept for
/// the dead letter.
/// </summary>
public sealed class BoundedWebSocket : WebSocket
{
    private readonly WebSocket _inner;
    private readonly Action<ReadOnlyMemory<byte>, long> _onTooBig;
    private readonly byte[] _prefix = new byte[DeadLetter.MaxRawBytes];
    private long _received;

    /// <param name="onTooBig">Called on the receive thread with the message's first bytes and the bytes received so far.</param>
    public BoundedWebSocket(WebSocket inner, int maxMessageBytes, Action<ReadOnlyMemory<byte>, long> onTooBig)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageBytes);
        _inner = inner;
        MaxMessageBytes = maxMessageBytes;
        _onTooBig = onTooBig;
    }

    public int MaxMessageBytes { get; }

    /// <summary>A Websocket.Client connection factory: connects a <see cref="ClientWebSocket"/> and bounds its receive.</summary>
    public static Func<Uri, CancellationToken, Task<WebSocket>> Factory(int maxMessageBytes, Action<ReadOnlyMemory<byte>, long> onTooBig) =>
        async (uri, ct) =>
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

            return new BoundedWebSocket(socket, maxMessageBytes, onTooBig);
        };

    public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var r = await _inner.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
        await AccountAsync(buffer[..r.Count], r.MessageType, r.EndOfMessage).ConfigureAwait(false);
        return r;
    }

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        var r = await _inner.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
        await AccountAsync(buffer.AsMemory(0, r.Count), r.MessageType, r.EndOfMessage).ConfigureAwait(false);
        return r;
    }

    private async ValueTask AccountAsync(ReadOnlyMemory<byte> chunk, WebSocketMessageType type, bool endOfMessage)
    {
        if (type == WebSocketMessageType.Close)
        {
            _received = 0;
            return;
        }

        if (_received < _prefix.Length)
        {
            var n = (int)Math.Min(chunk.Length, _prefix.Length - _received);
            chunk.Span[..n].CopyTo(_prefix.AsSpan((int)_received));
        }

        _received += chunk.Length;
        if (_received > MaxMessageBytes)
        {
            var received = _received;
            _received = 0;
            _onTooBig(_prefix.AsMemory(0, (int)Math.Min(received, _prefix.Length)), received);
            await CloseTooBigAsync().ConfigureAwait(false);
            throw new WebSocketMessageTooBigException(MaxMessageBytes, received);
        }

        if (endOfMessage)
        {
            _received = 0;
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
