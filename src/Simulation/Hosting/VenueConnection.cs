using System.Net;
using System.Net.WebSockets;
using System.Threading.Channels;

namespace Cloudwall.Rx.Simulation.Hosting;

/// <summary>
/// One accepted client socket with its bounded outgoing queue. Frames are immutable byte arrays shared by all
/// connections they are sent to; enqueueing never blocks and every dropped frame is counted.
/// </summary>
public sealed class VenueConnection
{
    private readonly Channel<ReadOnlyMemory<byte>> _outgoing;
    private readonly WebSocket _socket;
    private readonly Action _abortTransport;
    private long _sent;
    private long _dropped;
    private long _received;

    internal VenueConnection(long id, WebSocket socket, IPEndPoint? remote, DateTimeOffset connectedAt, WebSocketVenueServerOptions options, Action abortTransport,
        string path = "/")
    {
        Id = id;
        Path = path;
        _socket = socket;
        Remote = remote;
        ConnectedAt = connectedAt;
        _abortTransport = abortTransport;
        _outgoing = Channel.CreateBounded<ReadOnlyMemory<byte>>(
            new BoundedChannelOptions(options.SendQueueCapacity)
            {
                FullMode = options.SendQueueFullMode,
                SingleReader = true,
                SingleWriter = false,
                AllowSynchronousContinuations = false,
            },
            _ => Interlocked.Increment(ref _dropped));
    }

    /// <summary>Server-assigned id, increasing from 1.</summary>
    public long Id { get; }

    public IPEndPoint? Remote { get; }

    /// <summary>The request path the client upgraded on: <see cref="WebSocketVenueServerOptions.Path"/> or one of the server's additional paths.</summary>
    public string Path { get; }

    public DateTimeOffset ConnectedAt { get; }

    /// <summary>Per-connection state owned by the <see cref="IVenueProtocol"/>.</summary>
    public object? ProtocolState { get; set; }

    /// <summary>Frames written to the socket.</summary>
    public long MessagesSent => Interlocked.Read(ref _sent);

    /// <summary>Frames the full queue discarded under <see cref="WebSocketVenueServerOptions.SendQueueFullMode"/>.</summary>
    public long MessagesDropped => Interlocked.Read(ref _dropped);

    /// <summary>Complete text messages received from the client.</summary>
    public long MessagesReceived => Interlocked.Read(ref _received);

    /// <summary>Queues one text frame. Returns false only when the connection is closing.</summary>
    public bool Enqueue(ReadOnlyMemory<byte> utf8Frame) => _outgoing.Writer.TryWrite(utf8Frame);

    /// <summary>Drops the connection without a close handshake, as a venue outage would.</summary>
    public void Abort()
    {
        _outgoing.Writer.TryComplete();
        try
        {
            _socket.Abort();
        }
        finally
        {
            _abortTransport();
        }
    }

    internal void CompleteOutgoing() => _outgoing.Writer.TryComplete();

    /// <summary>Takes the oldest queued frame without a socket, so a test can read what a feed sent on explicit times.</summary>
    internal bool TryTakeQueued(out ReadOnlyMemory<byte> frame) => _outgoing.Reader.TryRead(out frame);

    internal void CountReceived() => Interlocked.Increment(ref _received);

    /// <summary>Drains the queue onto the socket until the queue completes or the socket fails.</summary>
    internal async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        var reader = _outgoing.Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (reader.TryRead(out var frame))
            {
                await _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _sent);
            }
        }
    }
}
