namespace Cloudwall.Rx.Simulation.Hosting;

/// <summary>
/// One venue's wire protocol on top of <see cref="WebSocketVenueServer"/>: the server owns sockets and queues,
/// the protocol owns what a client may say and what it is sent.
/// </summary>
public interface IVenueProtocol
{
    /// <summary>Called once a socket is accepted, before any message is read. Set <see cref="VenueConnection.ProtocolState"/> here.</summary>
    void OnConnected(VenueConnection connection);

    /// <summary>Called for each complete text message from the client. Exceptions are caught and logged by the server.</summary>
    ValueTask OnTextMessageAsync(VenueConnection connection, ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken);

    /// <summary>Called once when the connection has ended, whatever the reason.</summary>
    void OnDisconnected(VenueConnection connection);

    /// <summary>The connection's current subscriptions as <c>channel:instrument</c> strings, for stats and the console.</summary>
    IReadOnlyList<string> DescribeSubscriptions(VenueConnection connection);
}
