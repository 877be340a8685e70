namespace Cloudwall.Rx.Simulation.Hosting;

/// <summary>Live counters of one simulator, for tests and the run console. Reads are safe from any thread.</summary>
public sealed class SimulatorStats
{
    private readonly Func<IReadOnlyList<VenueConnectionStats>> _connections;
    private long _accepted;
    private long _closed;
    private long _protocolErrors;
    private long _malformedSent;

    internal SimulatorStats(Func<IReadOnlyList<VenueConnectionStats>> connections) => _connections = connections;

    /// <summary>WebSocket upgrades accepted since start.</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref _accepted);

    /// <summary>Connections that have ended since start.</summary>
    public long ConnectionsClosed => Interlocked.Read(ref _closed);

    /// <summary>Client messages answered with an error (malformed JSON, unknown product, ...).</summary>
    public long ProtocolErrors => Interlocked.Read(ref _protocolErrors);

    /// <summary>Broken frames sent on purpose by <see cref="SimulatorFaults.SendMalformed"/>.</summary>
    public long MalformedFramesSent => Interlocked.Read(ref _malformedSent);

    /// <summary>A snapshot of the open connections.</summary>
    public IReadOnlyList<VenueConnectionStats> Connections => _connections();

    /// <summary>Frames sent over all open connections.</summary>
    public long MessagesSent => Connections.Sum(c => c.MessagesSent);

    internal void CountAccepted() => Interlocked.Increment(ref _accepted);

    internal void CountClosed() => Interlocked.Increment(ref _closed);

    internal void CountProtocolError() => Interlocked.Increment(ref _protocolErrors);

    internal void CountMalformedSent(long n) => Interlocked.Add(ref _malformedSent, n);
}

/// <summary>One open connection's counters and subscriptions (<c>channel:instrument</c>).</summary>
public sealed record VenueConnectionStats(
    long Id,
    string? Remote,
    DateTimeOffset ConnectedAt,
    long MessagesSent,
    long MessagesDropped,
    long MessagesReceived,
    IReadOnlyList<string> Subscriptions);
