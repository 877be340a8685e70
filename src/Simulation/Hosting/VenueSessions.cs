namespace Cloudwall.Rx.Simulation.Hosting;

/// <summary>A protocol's per-connection state: it knows the connection it belongs to.</summary>
internal interface IVenueSession
{
    VenueConnection Connection { get; }
}

/// <summary>
/// The sessions of a protocol's open connections: a copy-on-write array changed under the protocol's gate, so a feed step can
/// walk <see cref="All"/> without copying while connections come and go.
/// </summary>
internal sealed class VenueSessions<TSession>(Lock gate)
    where TSession : class, IVenueSession
{
    private TSession[] _all = [];

    /// <summary>The open sessions; the array is never changed in place.</summary>
    public TSession[] All => _all;

    /// <summary>Attaches <paramref name="session"/> to its connection (<see cref="VenueConnection.ProtocolState"/>) and adds it.</summary>
    public void Add(TSession session)
    {
        session.Connection.ProtocolState = session;
        lock (gate)
        {
            _all = [.. _all, session];
        }
    }

    public void Remove(VenueConnection connection)
    {
        lock (gate)
        {
            _all = Array.FindAll(_all, s => s.Connection != connection);
        }
    }

    /// <summary>The connection's subscriptions, read under the gate; none before the session is attached.</summary>
    public IReadOnlyList<string> Describe(VenueConnection connection, Func<TSession, IReadOnlyList<string>> describe)
    {
        if (connection.ProtocolState is not TSession session)
        {
            return [];
        }

        lock (gate)
        {
            return describe(session);
        }
    }
}
