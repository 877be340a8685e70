using System.Net.WebSockets;

namespace Cloudwall.Rx.Tests.Unit.TestSupport;

/// <summary>
/// A venue socket in memory, for a connection's <c>ConnectionOptions.Connect</c>: each receive completes at once (allocating
/// nothing) with the next frame, until <c>pauseAfter</c> frames; then it waits for <see cref="Release"/>, serves the rest, and
/// waits until aborted. A frame whose <c>endOfMessage</c> entry is false is a fragment: the next frame continues its message.
/// Also compiled into the integration tests (the whole-path allocation test).
/// </summary>
internal sealed class ScriptedVenueSocket(byte[][] frames, int pauseAfter = int.MaxValue, bool[]? endOfMessage = null) : WebSocket
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _never = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _next;

    public Task<WebSocket> ConnectAsync(Uri uri, CancellationToken ct) => Task.FromResult<WebSocket>(this);

    public void Release() => _released.TrySetResult();

    public override ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_next == pauseAfter && !_released.Task.IsCompleted)
        {
            return WaitThenReceive(_released.Task, buffer, cancellationToken);
        }

        if (_next == frames.Length)
        {
            return WaitThenReceive(_never.Task, buffer, cancellationToken);
        }

        var end = endOfMessage?[_next] ?? true;
        var frame = frames[_next++];
        frame.CopyTo(buffer);
        return new ValueTask<ValueWebSocketReceiveResult>(new ValueWebSocketReceiveResult(frame.Length, WebSocketMessageType.Text, end));
    }

    private async ValueTask<ValueWebSocketReceiveResult> WaitThenReceive(Task gate, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the connection's receive loop reads into memory");

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) => default;

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) => Task.CompletedTask;

    public override WebSocketCloseStatus? CloseStatus => null;
    public override string? CloseStatusDescription => null;
    public override WebSocketState State => WebSocketState.Open;
    public override string? SubProtocol => null;

    public override void Abort() => _never.TrySetCanceled();

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Dispose() => _never.TrySetCanceled();
}
