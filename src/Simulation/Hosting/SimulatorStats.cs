namespace Cloudwall.Rx.Simulation.Hosting;

/// <summary>Live counters of one simulator, for tests and the run console. Reads are safe from any thread.</summary>
public sealed class SimulatorStats
{
    private readonly Func<IReadOnlyList<VenueConnectionStats>> _connections;
    private long _accepted;
    private long _closed;
    private long _protocolErrors;
    private long _malformedSent;
    private readonly Dictionary<string, StreamSent> _sent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SymbolTraded> _traded = new(StringComparer.Ordinal);

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

    /// <summary>
    /// Market-data messages and payload bytes queued to clients, per stream type (the venue's channel name, such as Binance
    /// <c>trade</c>, <c>aggTrade</c>, <c>bookTicker</c>), counted once per connection sent to. Replies and heartbeats are not
    /// in it. Simulators that count it say so; the others leave it empty.
    /// </summary>
    public IReadOnlyDictionary<string, StreamSent> SentByStream
    {
        get
        {
            lock (_sent)
            {
                return _sent.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>
    /// What the simulator traded per venue symbol since start, every fill, whether or not anyone subscribed it: the truth a
    /// client's volume and VWAP are compared with. Simulators that count it say so; the others leave it empty.
    /// </summary>
    public IReadOnlyDictionary<string, SymbolTraded> TradedBySymbol
    {
        get
        {
            lock (_traded)
            {
                return _traded.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            }
        }
    }

    internal void CountSent(string streamType, int bytes)
    {
        lock (_sent)
        {
            var was = _sent.GetValueOrDefault(streamType);
            _sent[streamType] = new StreamSent(was.Messages + 1, was.Bytes + bytes);
        }
    }

    internal void CountTraded(string symbol, decimal quantity, decimal price)
    {
        lock (_traded)
        {
            var was = _traded.GetValueOrDefault(symbol);
            _traded[symbol] = new SymbolTraded(was.Fills + 1, was.Volume + quantity, was.Notional + quantity * price);
        }
    }

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

/// <summary>Messages and payload bytes of one stream type queued to clients (<see cref="SimulatorStats.SentByStream"/>).</summary>
public readonly record struct StreamSent(long Messages, long Bytes);

/// <summary>Fills, base volume and notional (price × quantity) traded on one symbol (<see cref="SimulatorStats.TradedBySymbol"/>).</summary>
public readonly record struct SymbolTraded(long Fills, decimal Volume, decimal Notional)
{
    /// <summary>Notional over volume, or null before the first fill.</summary>
    public decimal? Vwap => Volume > 0 ? Notional / Volume : null;
}
