using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Cloudwall.Rx.Simulation.Hosting;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Simulation.Deribit;

/// <summary>One connection: its channels and its heartbeat. Channels are read and written under the protocol's gate.</summary>
internal sealed class DeribitSession(VenueConnection connection) : IVenueSession
{
    private readonly List<string> _ordered = [];

    public VenueConnection Connection { get; } = connection;

    /// <summary><c>trades.BTC-PERPETUAL</c> → the intervals subscribed on it (<c>raw</c>, <c>100ms</c>).</summary>
    public Dictionary<string, List<string>> ByStream { get; } = new(StringComparer.Ordinal);

    public readonly Lock HeartbeatGate = new();
    public ITimer? Heartbeat;
    public bool AwaitingTest;

    public bool Add(DeribitChannel c)
    {
        if (!ByStream.TryGetValue(c.Stream, out var intervals))
        {
            ByStream[c.Stream] = intervals = [];
        }

        if (intervals.Contains(c.Interval))
        {
            return false;
        }

        intervals.Add(c.Interval);
        _ordered.Add(c.Name);
        return true;
    }

    public bool Remove(DeribitChannel c)
    {
        if (!ByStream.TryGetValue(c.Stream, out var intervals) || !intervals.Remove(c.Interval))
        {
            return false;
        }

        if (intervals.Count == 0)
        {
            ByStream.Remove(c.Stream);
        }

        _ordered.Remove(c.Name);
        return true;
    }

    public List<string> RemoveAll()
    {
        var all = _ordered.ToList();
        _ordered.Clear();
        ByStream.Clear();
        return all;
    }

    public IReadOnlyList<string> Describe() => [.. _ordered];
}

/// <summary>A parsed channel name: <c>{kind}.{instrument}.{interval}</c>, or <c>quote.{instrument}</c> (no interval: empty).</summary>
internal readonly record struct DeribitChannel(string Kind, string Instrument, string Interval)
{
    public const string Quote = "quote";

    public string Stream => Kind + "." + Instrument;

    public string Name => NameOf(Stream, Interval);

    /// <summary>The channel of a stream at an interval; an interval-less stream (<c>quote</c>) is its own name.</summary>
    public static string NameOf(string stream, string interval) => interval.Length == 0 ? stream : stream + "." + interval;

    public static bool TryParse(string? text, out DeribitChannel channel)
    {
        channel = default;
        if (text is null)
        {
            return false;
        }

        var first = text.IndexOf('.', StringComparison.Ordinal);
        if (first > 0 && text[..first] == Quote && first < text.Length - 1)
        {
            channel = new DeribitChannel(Quote, text[(first + 1)..], "");
            return true;
        }

        var last = text.LastIndexOf('.');
        if (first <= 0 || last <= first + 1 || last == text.Length - 1)
        {
            return false;
        }

        var kind = text[..first];
        var interval = text[(last + 1)..];
        if (kind is not ("trades" or "ticker") || interval is not ("raw" or "100ms" or "agg2"))
        {
            return false;
        }

        channel = new DeribitChannel(kind, text[(first + 1)..last], interval);
        return true;
    }
}

/// <summary>
/// The Deribit API v2 JSON-RPC server side: <c>public/subscribe</c>, <c>public/unsubscribe</c>, <c>public/unsubscribe_all</c>,
/// <c>public/set_heartbeat</c>, <c>public/disable_heartbeat</c>, <c>public/test</c>, <c>public/get_time</c>. Everything
/// else is <c>-32601 Method not found</c>; bad JSON is <c>-32700 Parse error</c>, a request without a method
/// <c>-32600 Invalid Request</c>, a bad or unknown channel or a too-short heartbeat interval <c>-32602 Invalid params</c>
/// (a subscribe is applied whole or not at all). After <c>public/set_heartbeat</c> the connection gets a
/// <c>test_request</c> every interval and is closed when the previous one was not answered with <c>public/test</c>, as
/// the venue does. One gate serialises the feed against subscription changes, so an ack precedes the first notification.
/// </summary>
internal sealed partial class DeribitRpcProtocol : IVenueProtocol
{
    /// <summary>The venue's error for a raw channel on an unauthorized connection (seen on production; docs/venues.md#deribit).</summary>
    internal const int RawUnauthorizedCode = 13778;
    internal const string RawUnauthorizedMessage = "raw_subscriptions_not_available_for_unauthorized";

    private readonly Lock _gate = new();
    private readonly HashSet<string> _instruments = new(StringComparer.Ordinal);
    private readonly DeribitSimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly VenueSessions<DeribitSession> _sessions;
    private long _heartbeatCloses;

    public DeribitRpcProtocol(DeribitSimulatorOptions options, TimeProvider time, ILogger log)
    {
        _sessions = new(_gate);
        _options = options;
        _time = time;
        _log = log;
    }

    public Lock Gate => _gate;

    public SimulatorStats? Stats { get; set; }

    /// <summary>Connections closed because a <c>test_request</c> went unanswered.</summary>
    public long HeartbeatCloses => Interlocked.Read(ref _heartbeatCloses);

    public IReadOnlyCollection<string> Instruments
    {
        get
        {
            lock (_gate)
            {
                return [.. _instruments];
            }
        }
    }

    public void AddInstrument(string name)
    {
        lock (_gate)
        {
            _instruments.Add(name);
        }
    }

    public void OnConnected(VenueConnection connection)
    {
        var session = new DeribitSession(connection);
        _sessions.Add(session);
    }

    public void OnDisconnected(VenueConnection connection)
    {
        _sessions.Remove(connection);

        if (connection.ProtocolState is DeribitSession session)
        {
            lock (session.HeartbeatGate)
            {
                session.Heartbeat?.Dispose();
                session.Heartbeat = null;
            }
        }
    }

    public IReadOnlyList<string> DescribeSubscriptions(VenueConnection connection) =>
        _sessions.Describe(connection, static session => session.Describe());

    /// <summary>True when any connection listens to <c>{kind}.{instrument}</c> on any interval. Gate held.</summary>
    public bool AnySubscribed(string stream)
    {
        AssertGateHeld();
        foreach (var s in _sessions.All)
        {
            if (s.ByStream.ContainsKey(stream))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Sends a notification to every connection on the stream, built once per interval. Gate held.</summary>
    public void Deliver(string stream, Func<string, byte[]> frameForChannel)
    {
        AssertGateHeld();
        Dictionary<string, byte[]>? built = null;
        foreach (var s in _sessions.All)
        {
            if (!s.ByStream.TryGetValue(stream, out var intervals))
            {
                continue;
            }

            foreach (var interval in intervals)
            {
                built ??= new Dictionary<string, byte[]>(StringComparer.Ordinal);
                if (!built.TryGetValue(interval, out var frame))
                {
                    frame = frameForChannel(DeribitChannel.NameOf(stream, interval));
                    built[interval] = frame;
                }

                s.Connection.Enqueue(frame);
            }
        }
    }

    public ValueTask OnTextMessageAsync(VenueConnection connection, ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken)
    {
        var session = (DeribitSession)connection.ProtocolState!;
        var usIn = MicrosNow();
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8);
        }
        catch (JsonException)
        {
            Reply(connection, DeribitWire.Error(null, -32700, "Parse error", null, null, usIn, MicrosNow()), error: true);
            return ValueTask.CompletedTask;
        }

        using (doc)
        {
            var root = doc.RootElement;
            string? id = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var idElement) ? idElement.GetRawText() : null;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("method", out var methodElement) || methodElement.ValueKind != JsonValueKind.String)
            {
                Reply(connection, DeribitWire.Error(id, -32600, "Invalid Request", null, null, usIn, MicrosNow()), error: true);
                return ValueTask.CompletedTask;
            }

            var parameters = root.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
            var method = methodElement.GetString()!;
            LogRequest(_log, connection.Id, method);
            switch (method)
            {
                case "public/subscribe":
                    Subscribe(connection, session, id, parameters, usIn);
                    break;
                case "public/unsubscribe":
                    Unsubscribe(connection, session, id, parameters, usIn);
                    break;
                case "public/unsubscribe_all":
                    lock (_gate)
                    {
                        session.RemoveAll();
                        Reply(connection, DeribitWire.Result(id, usIn, MicrosNow(), static w => w.WriteStringValue("ok"u8)));
                    }

                    break;
                case "public/set_heartbeat":
                    SetHeartbeat(connection, session, id, parameters, usIn);
                    break;
                case "public/disable_heartbeat":
                    StopHeartbeat(session);
                    Reply(connection, DeribitWire.Result(id, usIn, MicrosNow(), static w => w.WriteStringValue("ok"u8)));
                    break;
                case "public/test":
                    lock (session.HeartbeatGate)
                    {
                        session.AwaitingTest = false;
                    }

                    var version = _options.ApiVersion;
                    Reply(connection, DeribitWire.Result(id, usIn, MicrosNow(), w =>
                    {
                        w.WriteStartObject();
                        w.WriteString("version"u8, version);
                        w.WriteEndObject();
                    }));
                    break;
                case "public/get_time":
                    var ms = _time.GetUtcNow().ToUnixTimeMilliseconds();
                    Reply(connection, DeribitWire.Result(id, usIn, MicrosNow(), w => w.WriteNumberValue(ms)));
                    break;
                default:
                    Reply(connection, DeribitWire.Error(id, -32601, "Method not found", null, null, usIn, MicrosNow()), error: true);
                    break;
            }
        }

        return ValueTask.CompletedTask;
    }

    private void Subscribe(VenueConnection connection, DeribitSession session, string? id, JsonElement parameters, long usIn)
    {
        if (!TryChannels(parameters, out var channels, out var bad))
        {
            Reply(connection, DeribitWire.Error(id, -32602, "Invalid params", "channels", bad, usIn, MicrosNow()), error: true);
            return;
        }

        if (_options.RawRequiresAuthorization && channels.Any(c => c.Interval == "raw"))
        {
            // What the venue answers an unauthorized connection (no authentication here): the whole request is refused.
            Reply(connection, DeribitWire.Error(id, RawUnauthorizedCode, RawUnauthorizedMessage, null, null, usIn, MicrosNow()), error: true);
            return;
        }

        lock (_gate)
        {
            foreach (var c in channels)
            {
                if (!_instruments.Contains(c.Instrument))
                {
                    Reply(connection, DeribitWire.Error(id, -32602, "Invalid params", "channels", "unknown instrument in channel " + c.Name, usIn, MicrosNow()), error: true);
                    return;
                }
            }

            foreach (var c in channels)
            {
                session.Add(c);
            }

            Reply(connection, DeribitWire.Result(id, usIn, MicrosNow(), w => WriteNames(w, channels)));
        }
    }

    private void Unsubscribe(VenueConnection connection, DeribitSession session, string? id, JsonElement parameters, long usIn)
    {
        if (!TryChannels(parameters, out var channels, out var bad))
        {
            Reply(connection, DeribitWire.Error(id, -32602, "Invalid params", "channels", bad, usIn, MicrosNow()), error: true);
            return;
        }

        lock (_gate)
        {
            var removed = channels.Where(session.Remove).ToList();
            Reply(connection, DeribitWire.Result(id, usIn, MicrosNow(), w => WriteNames(w, removed)));
        }
    }

    private void SetHeartbeat(VenueConnection connection, DeribitSession session, string? id, JsonElement parameters, long usIn)
    {
        if (parameters.ValueKind != JsonValueKind.Object || !parameters.TryGetProperty("interval", out var i) || i.ValueKind != JsonValueKind.Number ||
            !i.TryGetDouble(out var seconds) || !double.IsFinite(seconds) || seconds > 3600 ||
            TimeSpan.FromSeconds(seconds) < _options.MinHeartbeatInterval)
        {
            var min = _options.MinHeartbeatInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture);
            Reply(connection, DeribitWire.Error(id, -32602, "Invalid params", "interval", $"must be a number of seconds, at least {min}", usIn, MicrosNow()), error: true);
            return;
        }

        var interval = TimeSpan.FromSeconds(seconds);
        lock (session.HeartbeatGate)
        {
            session.Heartbeat?.Dispose();
            session.AwaitingTest = false;
            session.Heartbeat = _time.CreateTimer(static s => ((HeartbeatState)s!).Owner.OnHeartbeat(((HeartbeatState)s!).Session),
                new HeartbeatState(this, session), interval, interval);
        }

        Reply(connection, DeribitWire.Result(id, usIn, MicrosNow(), static w => w.WriteStringValue("ok"u8)));
    }

    private static void StopHeartbeat(DeribitSession session)
    {
        lock (session.HeartbeatGate)
        {
            session.Heartbeat?.Dispose();
            session.Heartbeat = null;
            session.AwaitingTest = false;
        }
    }

    /// <summary>Each interval: close the connection when the last test_request is unanswered, else send a new one.</summary>
    private void OnHeartbeat(DeribitSession session)
    {
        bool close;
        lock (session.HeartbeatGate)
        {
            if (session.Heartbeat is null)
            {
                return;
            }

            close = session.AwaitingTest;
            if (close)
            {
                session.Heartbeat.Dispose();
                session.Heartbeat = null;
            }
            else
            {
                session.AwaitingTest = true;
                session.Connection.Enqueue(DeribitWire.TestRequest);
            }
        }

        if (close)
        {
            Interlocked.Increment(ref _heartbeatCloses);
            LogHeartbeatMissed(_log, session.Connection.Id);
            try
            {
                session.Connection.Abort();
            }
            catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException)
            {
                // Already gone.
            }
        }
    }

    private static bool TryChannels(JsonElement parameters, out List<DeribitChannel> channels, out string reason)
    {
        channels = [];
        reason = "";
        if (parameters.ValueKind != JsonValueKind.Object || !parameters.TryGetProperty("channels", out var list) || list.ValueKind != JsonValueKind.Array ||
            list.GetArrayLength() == 0)
        {
            reason = "channels must be a non-empty list of channel names";
            return false;
        }

        foreach (var item in list.EnumerateArray())
        {
            var text = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
            if (!DeribitChannel.TryParse(text, out var c))
            {
                reason = "invalid channel " + (text ?? item.GetRawText());
                return false;
            }

            channels.Add(c);
        }

        return true;
    }

    private static void WriteNames(Utf8JsonWriter w, List<DeribitChannel> channels)
    {
        w.WriteStartArray();
        foreach (var c in channels)
        {
            w.WriteStringValue(c.Name);
        }

        w.WriteEndArray();
    }

    private void Reply(VenueConnection connection, byte[] frame, bool error = false)
    {
        if (error)
        {
            Stats?.CountProtocolError();
        }

        connection.Enqueue(frame);
    }

    private long MicrosNow() => _time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;

    [Conditional("DEBUG")]
    private void AssertGateHeld() => Debug.Assert(_gate.IsHeldByCurrentThread, "the feed must hold the protocol gate");

    private sealed record HeartbeatState(DeribitRpcProtocol Owner, DeribitSession Session);

    [LoggerMessage(EventId = 7601, Level = LogLevel.Debug, Message = "Deribit connection {ConnectionId}: {Method}")]
    private static partial void LogRequest(ILogger logger, long connectionId, string method);

    [LoggerMessage(EventId = 7602, Level = LogLevel.Information, Message = "Deribit connection {ConnectionId}: test_request unanswered, closing")]
    private static partial void LogHeartbeatMissed(ILogger logger, long connectionId);
}
