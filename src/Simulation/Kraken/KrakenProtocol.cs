using System.Diagnostics;
using System.Text.Json;
using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Market;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Simulation.Kraken;

/// <summary>Per-pair feed state. Guarded by <see cref="KrakenProtocol.Gate"/>.</summary>
internal sealed class KrakenPairState(string symbol)
{
    public const int SnapshotTrades = 50;

    public string Symbol { get; } = symbol;

    /// <summary>The last trade id the pair printed; ids are contiguous per pair unless a sequence-skip fault jumps them.</summary>
    public long LastTradeId;

    /// <summary>The latest trades, oldest first, for a subscriber asking for the trade snapshot.</summary>
    public readonly Queue<KrakenTrade> Recent = new();

    /// <summary>The latest ticker, for a subscriber asking for the ticker snapshot.</summary>
    public KrakenTicker? Ticker;
}

/// <summary>One connection's subscriptions. Read and written only under the protocol gate.</summary>
internal sealed class KrakenSession(VenueConnection connection) : IVenueSession
{
    public VenueConnection Connection { get; } = connection;

    public List<string> Trade { get; } = [];

    public List<string> Ticker { get; } = [];

    /// <summary>Of <see cref="Ticker"/>, the symbols subscribed with <c>event_trigger: bbo</c> (the rest tick on trades).</summary>
    public HashSet<string> TickerOnBbo { get; } = new(StringComparer.Ordinal);

    public bool Any => Trade.Count > 0 || Ticker.Count > 0;

    public List<string> For(string channel) => channel == KrakenProtocol.TradeChannel ? Trade : Ticker;

    public List<string> Describe() =>
        [.. Trade.Select(s => KrakenProtocol.TradeChannel + ":" + s), .. Ticker.Select(s => KrakenProtocol.TickerChannel + ":" + s)];
}

/// <summary>
/// The Kraken spot WebSocket v2 protocol (<c>ws.kraken.com/v2</c>): a <c>status</c> message on connect; <c>subscribe</c> and
/// <c>unsubscribe</c> of the <c>trade</c> and <c>ticker</c> channels, acknowledged per symbol (with <c>time_in</c>/<c>time_out</c>),
/// with the optional snapshot and the ticker's <c>event_trigger</c> (<c>trades</c>, the default, or <c>bbo</c>); <c>ping</c> answered by <c>pong</c>; errors in Kraken's <c>"success":false</c> shape. One gate
/// serialises the feed loop against subscription changes, so an ack and its snapshot are always queued before the first update
/// that follows them, and nothing of an unsubscribed pair is queued after its ack.
/// </summary>
internal sealed partial class KrakenProtocol : IVenueProtocol
{
    public const string TradeChannel = "trade";
    public const string TickerChannel = "ticker";
    public const string TriggerTrades = "trades";
    public const string TriggerBbo = "bbo";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, KrakenPairState> _pairs = new(StringComparer.Ordinal);
    private readonly SimulatorFaults _faults;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly VenueSessions<KrakenSession> _sessions;

    public KrakenProtocol(SimulatorFaults faults, TimeProvider time, ILogger log)
    {
        _sessions = new(_gate);
        _faults = faults;
        _time = time;
        _log = log;
    }

    public Lock Gate => _gate;

    /// <summary>Set once the server exists.</summary>
    public SimulatorStats? Stats { get; set; }

    /// <summary>Every trade published (withheld ones included, lost ones not), for the REST trade history.</summary>
    public TradeHistory<KrakenHistoricTrade> History { get; } = new();

    public IReadOnlyCollection<string> Symbols
    {
        get
        {
            lock (_gate)
            {
                return [.. _pairs.Keys];
            }
        }
    }

    public KrakenPairState AddPair(string symbol)
    {
        lock (_gate)
        {
            if (!_pairs.TryGetValue(symbol, out var p))
            {
                p = new KrakenPairState(symbol);
                _pairs.Add(symbol, p);
            }

            return p;
        }
    }

    /// <summary>The pair's next trade id, applying any pending <see cref="SimulatorFaults.SkipSequence"/>. Gate held.</summary>
    public long NextTradeId(KrakenPairState pair)
    {
        AssertGateHeld();
        pair.LastTradeId += 1 + _faults.TakeSequenceSkip(pair.Symbol);
        return pair.LastTradeId;
    }

    /// <summary>
    /// Publishes a batch of the pair's trades and records each for REST, except those <see cref="SimulatorFaults.DropTrades"/>
    /// withholds (recorded, not sent) or loses (neither); those are removed from <paramref name="trades"/>.
    /// </summary>
    public void PublishTrades(KrakenPairState pair, List<KrakenTrade> trades)
    {
        AssertGateHeld();
        for (var i = 0; i < trades.Count; i++)
        {
            var drop = _faults.TakeTradeDrop(pair.Symbol);
            History.Record(pair.Symbol, new KrakenHistoricTrade(trades[i]), drop);
            if (drop != TradeDrop.None)
            {
                trades.RemoveAt(i--);
            }
        }

        foreach (var t in trades)
        {
            pair.Recent.Enqueue(t);
            if (pair.Recent.Count > KrakenPairState.SnapshotTrades)
            {
                pair.Recent.Dequeue();
            }
        }

        if (trades.Count > 0 && AnySubscribed(TradeChannel, pair.Symbol))
        {
            var frame = KrakenWire.Trades(trades, snapshot: false);
            Deliver(TradeChannel, pair.Symbol, frame);
            if (_faults.DuplicatesTrades(pair.Symbol))
            {
                Deliver(TradeChannel, pair.Symbol, frame); // the same trade ids again, as a venue resend
            }
        }
    }

    /// <summary>
    /// The pair's ticker, to the subscribers whose trigger fired: <paramref name="traded"/> for <c>event_trigger: trades</c>
    /// (the default), <paramref name="bboChanged"/> for <c>event_trigger: bbo</c>.
    /// </summary>
    public void PublishTicker(KrakenPairState pair, in KrakenTicker ticker, bool traded = true, bool bboChanged = true)
    {
        AssertGateHeld();
        pair.Ticker = ticker;
        byte[]? frame = null;
        foreach (var s in _sessions.All)
        {
            if (s.Ticker.Contains(pair.Symbol) && (s.TickerOnBbo.Contains(pair.Symbol) ? bboChanged : traded))
            {
                s.Connection.Enqueue(frame ??= KrakenWire.Ticker(ticker, snapshot: false));
            }
        }
    }

    /// <summary>Heartbeats go to every connection with at least one subscription (Kraken sends none before that).</summary>
    public void PublishHeartbeat()
    {
        AssertGateHeld();
        foreach (var s in _sessions.All)
        {
            if (s.Any)
            {
                s.Connection.Enqueue(KrakenWire.Heartbeat);
            }
        }
    }

    public void OnConnected(VenueConnection connection)
    {
        var session = new KrakenSession(connection);
        lock (_gate)
        {
            _sessions.Add(session);
            connection.Enqueue(KrakenWire.Status(connection.Id));
        }
    }

    public void OnDisconnected(VenueConnection connection)
    {
        _sessions.Remove(connection);
    }

    public IReadOnlyList<string> DescribeSubscriptions(VenueConnection connection) =>
        _sessions.Describe(connection, static session => session.Describe());

    public ValueTask OnTextMessageAsync(VenueConnection connection, ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken)
    {
        var session = (KrakenSession)connection.ProtocolState!;
        var timeIn = _time.GetUtcNow().UtcDateTime;
        if (!KrakenRequest.TryParse(utf8, out var request, out var error))
        {
            Reject(connection, request?.Method, error, null, request?.ReqId, timeIn);
            return ValueTask.CompletedTask;
        }

        switch (request!.Method)
        {
            case "ping":
                connection.Enqueue(KrakenWire.Pong(request.ReqId, timeIn, _time.GetUtcNow().UtcDateTime));
                break;
            case "subscribe" or "unsubscribe":
                Apply(connection, session, request, timeIn);
                break;
            default:
                Reject(connection, request.Method, "Method not found", null, request.ReqId, timeIn);
                break;
        }

        return ValueTask.CompletedTask;
    }

    private void Apply(VenueConnection connection, KrakenSession session, KrakenRequest request, DateTime timeIn)
    {
        var subscribe = request.Method == "subscribe";
        if (request.Channel is not (TradeChannel or TickerChannel))
        {
            Reject(connection, request.Method, "Channel not found", null, request.ReqId, timeIn);
            return;
        }

        if (request.Symbols is not { Length: > 0 } symbols)
        {
            Reject(connection, request.Method, "EGeneral:Invalid arguments:symbol", null, request.ReqId, timeIn);
            return;
        }

        if (request.EventTrigger is { } trigger && (request.Channel != TickerChannel || trigger is not (TriggerTrades or TriggerBbo)))
        {
            Reject(connection, request.Method, "EGeneral:Invalid arguments:event_trigger", null, request.ReqId, timeIn);
            return;
        }

        lock (_gate)
        {
            // Kraken answers per symbol: an unknown pair fails alone, the others are applied.
            var list = session.For(request.Channel);
            foreach (var symbol in symbols)
            {
                if (!_pairs.TryGetValue(symbol, out var pair))
                {
                    Reject(connection, request.Method, "Currency pair not supported", symbol, request.ReqId, timeIn);
                    continue;
                }

                var now = _time.GetUtcNow().UtcDateTime;
                if (!subscribe)
                {
                    session.TickerOnBbo.Remove(symbol);
                    if (!list.Remove(symbol))
                    {
                        Reject(connection, request.Method, "Subscription Not Found", symbol, request.ReqId, timeIn);
                        continue;
                    }

                    connection.Enqueue(KrakenWire.MethodAck("unsubscribe", request.Channel, symbol, null, request.ReqId, timeIn, now));
                    continue;
                }

                if (list.Contains(symbol))
                {
                    Reject(connection, request.Method, "Already subscribed", symbol, request.ReqId, timeIn);
                    continue;
                }

                list.Add(symbol);
                if (request.EventTrigger == TriggerBbo)
                {
                    session.TickerOnBbo.Add(symbol);
                }

                var snapshot = request.Snapshot ?? true; // the documented default
                connection.Enqueue(KrakenWire.MethodAck("subscribe", request.Channel, symbol, snapshot, request.ReqId, timeIn, now));
                if (!snapshot)
                {
                    continue;
                }

                if (request.Channel == TradeChannel)
                {
                    connection.Enqueue(KrakenWire.Trades([.. pair.Recent], snapshot: true));
                }
                else if (pair.Ticker is { } t)
                {
                    connection.Enqueue(KrakenWire.Ticker(t, snapshot: true));
                }
            }

            LogSubscriptionChanged(_log, connection.Id, request.Method, session.Trade.Count + session.Ticker.Count);
        }
    }

    private void Reject(VenueConnection connection, string? method, string error, string? symbol, long? reqId, DateTime timeIn)
    {
        Stats?.CountProtocolError();
        LogRejected(_log, connection.Id, method ?? "", error);
        connection.Enqueue(KrakenWire.Error(method, error, symbol, reqId, timeIn, _time.GetUtcNow().UtcDateTime));
    }

    private bool AnySubscribed(string channel, string symbol)
    {
        foreach (var s in _sessions.All)
        {
            if (s.For(channel).Contains(symbol))
            {
                return true;
            }
        }

        return false;
    }

    private void Deliver(string channel, string symbol, byte[] frame)
    {
        foreach (var s in _sessions.All)
        {
            if (s.For(channel).Contains(symbol))
            {
                s.Connection.Enqueue(frame);
            }
        }
    }

    [Conditional("DEBUG")]
    private void AssertGateHeld() => Debug.Assert(_gate.IsHeldByCurrentThread, "the feed must hold the protocol gate");

    [LoggerMessage(EventId = 7201, Level = LogLevel.Debug, Message = "Kraken connection {ConnectionId}: {Action} applied, {Count} subscriptions")]
    private static partial void LogSubscriptionChanged(ILogger logger, long connectionId, string action, int count);

    [LoggerMessage(EventId = 7202, Level = LogLevel.Debug, Message = "Kraken connection {ConnectionId}: rejected request ({Method}: {Error})")]
    private static partial void LogRejected(ILogger logger, long connectionId, string method, string error);
}

/// <summary>A client request: <c>{"method":..,"params":{"channel":..,"symbol":[..],"event_trigger":..,"snapshot":..},"req_id":..}</c>.</summary>
internal sealed record KrakenRequest(string Method, string? Channel, string[]? Symbols, bool? Snapshot, long? ReqId, string? EventTrigger = null)
{
    public static bool TryParse(ReadOnlyMemory<byte> utf8, out KrakenRequest? request, out string error)
    {
        request = null;
        error = "";
        try
        {
            using var doc = JsonDocument.Parse(utf8);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "EGeneral:Invalid arguments";
                return false;
            }

            long? reqId = root.TryGetProperty("req_id", out var r) && r.TryGetInt64(out var id) ? id : null;
            if (!root.TryGetProperty("method", out var m) || m.ValueKind != JsonValueKind.String)
            {
                request = new KrakenRequest("", null, null, null, reqId);
                error = "EGeneral:Invalid arguments:method";
                return false;
            }

            string? channel = null;
            string[]? symbols = null;
            bool? snapshot = null;
            string? trigger = null;
            if (root.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Object)
            {
                channel = p.TryGetProperty("channel", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                if (p.TryGetProperty("symbol", out var s) && s.ValueKind == JsonValueKind.Array)
                {
                    symbols = [.. s.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)];
                }

                snapshot = p.TryGetProperty("snapshot", out var sn) && sn.ValueKind is JsonValueKind.True or JsonValueKind.False ? sn.GetBoolean() : null;
                trigger = p.TryGetProperty("event_trigger", out var et) ? et.ValueKind == JsonValueKind.String ? et.GetString() : "" : null;
            }

            request = new KrakenRequest(m.GetString()!, channel, symbols, snapshot, reqId, trigger);
            return true;
        }
        catch (JsonException)
        {
            error = "EGeneral:Invalid arguments:JSON";
            return false;
        }
    }
}
