using System.Diagnostics;
using System.Text.Json;
using Cloudwall.Rx.Ingestion.Venues.Binance;
using Cloudwall.Rx.Simulation.Hosting;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Simulation.Binance;

/// <summary>The stream types this simulator serves, by their name after the <c>@</c>.</summary>
internal enum BinanceStreamType
{
    Trade,
    AggTrade,
    BookTicker,
    /// <summary><c>markPrice</c>: every 3 s.</summary>
    MarkPrice,
    /// <summary><c>markPrice@1s</c>: every second.</summary>
    MarkPrice1s,
}

/// <summary>Per-symbol feed state and its stream names. Guarded by <see cref="BinanceSimProtocol.Gate"/>.</summary>
internal sealed class BinanceSymbolState
{
    public BinanceSymbolState(string symbol)
    {
        Symbol = symbol;
        var lower = symbol.ToLowerInvariant();
        StreamNames = [.. BinanceSimProtocol.StreamTypeNames.Select(type => lower + "@" + type)];
    }

    /// <summary>The symbol as payloads print it (<c>BTCUSDT</c>).</summary>
    public string Symbol { get; }

    /// <summary>Indexed by <see cref="BinanceStreamType"/>.</summary>
    public string[] StreamNames { get; }

    public long LastTradeId;
    public long LastAggregateId;
    public long BookUpdateId;

    public string Stream(BinanceStreamType type) => StreamNames[(int)type];
}

/// <summary>One connection's route and subscribed streams, in the order subscribed. Used only under the protocol gate.</summary>
internal sealed class BinanceSession(VenueConnection connection, BinanceRoute route) : IVenueSession
{
    private readonly HashSet<string> _set = new(StringComparer.Ordinal);
    private readonly List<string> _ordered = [];
    private readonly Queue<long> _recent = new();

    /// <summary>
    /// Counts one incoming message against the venue's limit ("5 incoming messages per second" on spot, 10 on futures);
    /// false when it is one too many within the last second. Called from the connection's receive loop only.
    /// </summary>
    public bool AdmitIncoming(int perSecond)
    {
        var now = Stopwatch.GetTimestamp();
        while (_recent.Count > 0 && now - _recent.Peek() >= Stopwatch.Frequency)
        {
            _recent.Dequeue();
        }

        if (_recent.Count >= perSecond)
        {
            return false;
        }

        _recent.Enqueue(now);
        return true;
    }

    public VenueConnection Connection { get; } = connection;

    /// <summary>The endpoint the client connected to; it receives only the streams that route carries.</summary>
    public BinanceRoute Route { get; } = route;

    public bool Has(string stream) => _set.Contains(stream);

    public void Add(string stream)
    {
        if (_set.Add(stream))
        {
            _ordered.Add(stream);
        }
    }

    public void Remove(string stream)
    {
        if (_set.Remove(stream))
        {
            _ordered.Remove(stream);
        }
    }

    public List<string> List() => [.. _ordered];
}

/// <summary>
/// The Binance combined-stream protocol: answers <c>SUBSCRIBE</c>, <c>UNSUBSCRIBE</c> and <c>LIST_SUBSCRIPTIONS</c> with
/// <c>{"result":..,"id":N}</c>, refuses bad requests with <c>{"error":{"code":2,"msg":"Invalid request: ..."},"id":N}</c>
/// (code 3 for JSON that does not parse), and fans payloads out to the connections subscribed to each stream.
/// One gate serialises the feed against subscription changes, so an ack is always queued before the first payload of the
/// streams it added, and nothing of a removed stream follows its ack.
/// On USDⓈ-M, as on the venue since the 2026 base URL split, a connection receives only its route's streams
/// (<see cref="BinanceRoutes.Delivers"/>): <c>aggTrade</c> or <c>markPrice</c> subscribed on <c>/public</c> or on the unrouted
/// <c>/stream</c> is acknowledged like any other stream, then never sent.
/// </summary>
internal sealed partial class BinanceSimProtocol : IVenueProtocol
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (BinanceSymbolState State, BinanceStreamType Type, BinanceRoute Route)> _streams = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BinanceSymbolState> _symbols = new(StringComparer.Ordinal);
    private readonly BinanceMarket _segment;
    private readonly IReadOnlyDictionary<string, BinanceRoute> _routes;
    private readonly ILogger _log;
    private readonly VenueSessions<BinanceSession> _sessions;

    /// <param name="routes">The route of each request path the server accepts.</param>
    public BinanceSimProtocol(BinanceMarket segment, IReadOnlyDictionary<string, BinanceRoute> routes, ILogger log)
    {
        _sessions = new(_gate);
        _segment = segment;
        _routes = routes;
        _log = log;
    }

    /// <summary>The stream type after the <c>@</c>, by <see cref="BinanceStreamType"/>: the key of <see cref="SimulatorStats.SentByStream"/>.</summary>
    public static readonly string[] StreamTypeNames = ["trade", "aggTrade", "bookTicker", "markPrice", "markPrice@1s"];

    public Lock Gate => _gate;

    public BinanceMarket Segment => _segment;

    /// <summary>Set once the server exists.</summary>
    public SimulatorStats? Stats { get; set; }

    public IReadOnlyCollection<string> Symbols
    {
        get
        {
            lock (_gate)
            {
                return [.. _symbols.Keys];
            }
        }
    }

    public BinanceSymbolState AddSymbol(string symbol)
    {
        lock (_gate)
        {
            if (_symbols.TryGetValue(symbol, out var s))
            {
                return s;
            }

            s = new BinanceSymbolState(symbol);
            _symbols.Add(symbol, s);
            foreach (var type in Enum.GetValues<BinanceStreamType>())
            {
                if (Serves(type))
                {
                    var name = s.Stream(type);
                    _streams[name] = (s, type, _segment.RouteOf(name[(name.IndexOf('@') + 1)..]));
                }
            }

            return s;
        }
    }

    /// <summary>True when any connection subscribes <paramref name="stream"/>. Gate held.</summary>
    public bool AnySubscribed(string stream)
    {
        AssertGateHeld();
        foreach (var s in _sessions.All)
        {
            if (s.Has(stream))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Queues <paramref name="frame"/> on every connection subscribed to <paramref name="stream"/> on a route that carries it. Gate held.</summary>
    public void Deliver(string stream, byte[] frame)
    {
        AssertGateHeld();
        var (_, type, route) = _streams[stream];
        foreach (var s in _sessions.All)
        {
            if (s.Has(stream) && s.Route.Delivers(route))
            {
                s.Connection.Enqueue(frame);
                Stats?.CountSent(StreamTypeNames[(int)type], frame.Length);
            }
        }
    }

    public void OnConnected(VenueConnection connection)
    {
        var session = new BinanceSession(connection, _routes.TryGetValue(connection.Path, out var route) ? route : BinanceRoute.Unrouted);
        _sessions.Add(session);
    }

    public void OnDisconnected(VenueConnection connection)
    {
        _sessions.Remove(connection);
    }

    public IReadOnlyList<string> DescribeSubscriptions(VenueConnection connection) =>
        _sessions.Describe(connection, static session => session.List());

    public ValueTask OnTextMessageAsync(VenueConnection connection, ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken)
    {
        var session = (BinanceSession)connection.ProtocolState!;
        if (!session.AdmitIncoming(_segment.IncomingMessagesPerSecond()))
        {
            // As the venue: "any connection that goes beyond the limit will be disconnected".
            LogRateLimited(_log, connection.Id, _segment.IncomingMessagesPerSecond());
            connection.Abort();
            return ValueTask.CompletedTask;
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8);
        }
        catch (JsonException ex)
        {
            Reject(connection, 3, $"Invalid JSON: {ex.Message}", null);
            return ValueTask.CompletedTask;
        }

        using (doc)
        {
            Handle(connection, session, doc.RootElement);
        }

        return ValueTask.CompletedTask;
    }

    private void Handle(VenueConnection connection, BinanceSession session, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            Reject(connection, 3, "Invalid JSON: expected an object", null);
            return;
        }

        JsonElement? id = root.TryGetProperty("id", out var idElement) ? idElement : null;
        if (id is not { } i || !(i.ValueKind == JsonValueKind.String || (i.ValueKind == JsonValueKind.Number && i.TryGetInt64(out var n) && n >= 0)))
        {
            Reject(connection, 2, "Invalid request: request ID must be an unsigned integer", null);
            return;
        }

        if (!root.TryGetProperty("method", out var methodElement) || methodElement.ValueKind != JsonValueKind.String)
        {
            Reject(connection, 2, "Invalid request: missing field `method`", id);
            return;
        }

        var method = methodElement.GetString();
        switch (method)
        {
            case "LIST_SUBSCRIPTIONS":
                lock (_gate)
                {
                    connection.Enqueue(BinanceWire.Result(session.List(), id));
                }

                return;
            case "SUBSCRIBE" or "UNSUBSCRIBE":
                break;
            default:
                Reject(connection, 2,
                    $"Invalid request: unknown variant `{method}`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`", id);
                return;
        }

        if (!root.TryGetProperty("params", out var ps) || ps.ValueKind != JsonValueKind.Array)
        {
            Reject(connection, 2, "Invalid request: params must be an array of stream names", id);
            return;
        }

        var streams = new List<string>(ps.GetArrayLength());
        foreach (var p in ps.EnumerateArray())
        {
            if (p.ValueKind != JsonValueKind.String)
            {
                Reject(connection, 2, "Invalid request: params must be an array of stream names", id);
                return;
            }

            streams.Add(p.GetString()!);
        }

        lock (_gate)
        {
            // All or nothing: one unknown stream refuses the whole request.
            foreach (var s in streams)
            {
                if (!_streams.ContainsKey(s))
                {
                    Reject(connection, 2, $"Invalid request: invalid stream name `{s}`", id);
                    return;
                }
            }

            foreach (var s in streams)
            {
                if (method == "SUBSCRIBE")
                {
                    session.Add(s);
                }
                else
                {
                    session.Remove(s);
                }
            }

            connection.Enqueue(BinanceWire.Result(null, id));
            LogSubscriptionChanged(_log, connection.Id, method, session.List().Count);
        }
    }

    private bool Serves(BinanceStreamType type) => type switch
    {
        BinanceStreamType.MarkPrice or BinanceStreamType.MarkPrice1s => _segment.IsFutures(),
        _ => true,
    };

    private void Reject(VenueConnection connection, int code, string message, JsonElement? id)
    {
        Stats?.CountProtocolError();
        LogRejected(_log, connection.Id, code, message);
        connection.Enqueue(BinanceWire.Error(code, message, id));
    }

    [Conditional("DEBUG")]
    private void AssertGateHeld() => Debug.Assert(_gate.IsHeldByCurrentThread, "the feed must hold the protocol gate");

    [LoggerMessage(EventId = 7301, Level = LogLevel.Debug, Message = "Binance connection {ConnectionId}: {Method} applied, {Count} streams")]
    private static partial void LogSubscriptionChanged(ILogger logger, long connectionId, string? method, int count);

    [LoggerMessage(EventId = 7302, Level = LogLevel.Debug, Message = "Binance connection {ConnectionId}: rejected request ({Code}: {Message})")]
    private static partial void LogRejected(ILogger logger, long connectionId, int code, string message);

    [LoggerMessage(EventId = 7303, Level = LogLevel.Warning, Message = "Binance connection {ConnectionId}: more than {Limit} incoming messages in a second, disconnected")]
    private static partial void LogRateLimited(ILogger logger, long connectionId, int limit);
}
