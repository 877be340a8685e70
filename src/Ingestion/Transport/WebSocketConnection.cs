using System.Net.WebSockets;
using System.Reactive.Linq;
using Microsoft.Extensions.Logging;
using Websocket.Client;

namespace Cloudwall.Rx.Ingestion.Transport;

/// <summary>
/// One WebSocket connection carrying one shard of a provider's subscriptions. Websocket.Client reconnects it; after every
/// (re)connect the shard's current symbol set is subscribed again. The receive loop is <see cref="BoundedWebSocket"/>'s:
/// each message is decoded in place in its buffer on the receive thread, and the frame's events go to the provider's sink
/// as one batch. While the sink is back-pressured the connection reads no further, and the stale watchdog counts that
/// time as alive.
/// </summary>
public sealed partial class WebSocketConnection : IDisposable
{
    private readonly IVenueProtocol _protocol;
    private readonly WebsocketClient _client;
    private readonly FrameHandler _handler;
    private readonly IEventBatchObserver _sink;
    private readonly EventBuffer _batch = new(64);
    private readonly TimeProvider _time;
    private readonly IngestionCounters _counters;
    private readonly IngressCell _ingress;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _symbols = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _subscriptions = [];
    private readonly SeriesGuard _guard;
    private readonly Backfill.BackfillTracker? _backfill;
    // A venue that loses sequence on every message would otherwise write a line per message: one per interval, with the
    // count in between (every gap is still counted and reported to the gap sink).
    private readonly LogRateLimiter _gapLogLimit;
    private readonly Action<SequenceGap> _gaps;
    private readonly ConnectionOptions _options;
    private readonly OutboundPacer? _pacer;
    private readonly Action<DeadLetter> _deadLetters;
    private ITimer? _keepAlive;
    private ITimer? _watchdog;
    private bool _started;
    private long _lastDataNs;
    private int _failures;
    private int _backPressured;
    private int _closed;
    private int _inFrame;

    public WebSocketConnection(int index, Uri endpoint, IVenueProtocol protocol, ReferenceData refData, IEventBatchObserver sink,
        Action<DeadLetter> deadLetters, IngestionCounters counters, ConnectionOptions options, TimeProvider time, ILoggerFactory loggers,
        Action<SequenceGap>? gaps = null, Backfill.BackfillTracker? backfill = null)
    {
        _options = options;
        _backfill = backfill;
        _gaps = gaps ?? (static _ => { });
        _guard = new SeriesGuard(protocol.SequenceScope, options.DedupWindow);
        _gapLogLimit = new LogRateLimiter(1, time);
        Index = index;
        _protocol = protocol;
        _sink = sink;
        _time = time;
        _counters = counters;
        _ingress = counters.Ingress(protocol.Venue);
        _logger = loggers.CreateLogger<WebSocketConnection>();
        _deadLetters = deadLetters;
        _handler = new FrameHandler(protocol.CreateDecoder(refData), protocol.Provider, counters, deadLetters, _logger, options.Bounds, refData, time);
        // The receive loop runs under the client, in the socket it connects: messages are decoded there, in place, and the
        // size cap is enforced while a message arrives. The client's own MessageReceived stream carries nothing.
        _client = new WebsocketClient(endpoint, loggers.CreateLogger<WebsocketClient>(), BoundedWebSocket.Factory(options.MaxMessageBytes, OnFrame, OnTooBig, options.Connect))
        {
            Name = $"{protocol.Venue.Name}#{index}",
            IsTextMessageConversionEnabled = false,
            // Our watchdog decides staleness from market data only: the client's own timer would count heartbeats.
            ReconnectTimeout = null,
            ErrorReconnectTimeout = options.ReconnectDelay,
            LostReconnectTimeout = options.ReconnectDelay,
        };
        if (protocol.MaxMessagesPerSecond > 0)
        {
            // Subscription changes in bursts (a control-plane command, a rebalance) must not break the venue's rate limit.
            _pacer = new OutboundPacer(protocol.MaxMessagesPerSecond, f => _client.SendInstant(f), time);
        }
    }


    public int Index { get; }

    public string Name => _client.Name ?? "";

    public bool IsRunning => _client.IsRunning;

    public IReadOnlyCollection<string> Symbols
    {
        get
        {
            lock (_gate)
            {
                return [.. _symbols];
            }
        }
    }

    /// <summary>Whether this connection carries <paramref name="symbol"/>: a lookup, where <see cref="Symbols"/> copies the set.</summary>
    public bool Carries(string symbol)
    {
        lock (_gate)
        {
            return _symbols.Contains(symbol);
        }
    }

    public int SymbolCount
    {
        get
        {
            lock (_gate)
            {
                return _symbols.Count;
            }
        }
    }

    public async Task StartAsync(IReadOnlyCollection<string> symbols)
    {
        lock (_gate)
        {
            _symbols.UnionWith(symbols);
            _started = true;
        }

        _subscriptions.Add(_client.ReconnectionHappened.Subscribe(OnConnected, ex => LogStreamError(ex, Name)));
        _subscriptions.Add(_client.DisconnectionHappened.Subscribe(OnDisconnected, ex => LogStreamError(ex, Name)));
        if (_protocol.KeepAlive is { } ka)
        {
            _keepAlive = _time.CreateTimer(static s => ((WebSocketConnection)s!).SendKeepAlive(), this, ka.Interval, ka.Interval);
        }

        Volatile.Write(ref _lastDataNs, UnixTime.FromTimeProvider(_time));
        var check = _options.StaleAfter / 4;
        _watchdog = _time.CreateTimer(static s => ((WebSocketConnection)s!).CheckStale(), this, check, check);

        await _client.Start().ConfigureAwait(false);
    }

    /// <summary>Adds symbols to this live connection: sends subscribe frames without reconnecting.</summary>
    public void Add(IReadOnlyCollection<string> symbols)
    {
        List<string> added;
        lock (_gate)
        {
            added = symbols.Where(_symbols.Add).ToList();
        }

        if (added.Count > 0 && _client.IsRunning)
        {
            SendAll(_protocol.SubscribeFrames(added));
        }
    }

    /// <summary>Removes symbols from this live connection: sends unsubscribe frames without reconnecting.</summary>
    public void Remove(IReadOnlyCollection<string> symbols)
    {
        List<string> removed;
        lock (_gate)
        {
            removed = symbols.Where(_symbols.Remove).ToList();
        }

        if (removed.Count > 0 && _client.IsRunning)
        {
            SendAll(_protocol.UnsubscribeFrames(removed));
        }
    }

    private void OnConnected(ReconnectionInfo info)
    {
        if (info.Type != ReconnectionType.Initial)
        {
            _counters.RecordReconnect();
            _backfill?.OnReconnect(); // trades lost while the socket was down are fetched back (docs/backfill.md)
        }

        LogConnected(Name, info.Type.ToString());
        Volatile.Write(ref _lastDataNs, UnixTime.FromTimeProvider(_time));
        // Frames still waiting for budget belonged to the old socket; the full subscribe below supersedes them.
        _pacer?.Clear();
        Send(_protocol.ConnectFrames());

        IReadOnlyCollection<string> current;
        lock (_gate)
        {
            if (!_started)
            {
                return;
            }

            current = [.. _symbols];
        }

        if (current.Count > 0)
        {
            SendAll(_protocol.SubscribeFrames(current));
        }
    }

    private void OnDisconnected(DisconnectionInfo info)
    {
        LogDisconnected(Name, info.Type.ToString(), info.Exception?.Message ?? info.CloseStatusDescription ?? "");
        if (info.Type is DisconnectionType.Exit or DisconnectionType.ByUser)
        {
            return;
        }

        if (info.Exception is not WebSocketMessageTooBigException)
        {
            ApplyBackoff(); // an oversized message applied it already, before the client started reconnecting
        }
    }

    /// <summary>
    /// A message passed <see cref="ConnectionOptions.MaxMessageBytes"/> while arriving (receive thread): the socket is closing
    /// with 1009 and the client reconnects. Counted as a frame rejected <c>oversized</c>, dead-lettered with its first bytes.
    /// </summary>
    private void OnTooBig(ReadOnlyMemory<byte> prefix, long received)
    {
        var rx = UnixTime.FromTimeProvider(_time);
        _ingress.Record(received); // received and paid for, though never decoded
        _counters.Record(FrameOutcome.Rejected(FrameReason.Oversized));
        var detail = $"message exceeds {_options.MaxMessageBytes} bytes: connection closed (1009) after {received} bytes; first {prefix.Length} kept";
        _deadLetters(new DeadLetter(_protocol.Provider, _protocol.Venue, FrameReason.Oversized, rx, prefix.ToArray(), (int)Math.Min(received, int.MaxValue), detail));
        LogTooBig(Name, _options.MaxMessageBytes, received);
        ApplyBackoff();
    }

    private void ApplyBackoff()
    {
        // Exponential backoff with jitter and a cap; reset by the next frame of market data.
        var failures = Interlocked.Increment(ref _failures);
        var delay = Backoff.Delay(failures, _options.ReconnectDelay, _options.ReconnectDelayCap, Random.Shared.NextDouble());
        _client.ErrorReconnectTimeout = delay;
        _client.LostReconnectTimeout = delay;
    }

    private void CheckStale()
    {
        if (!_client.IsRunning)
        {
            return;
        }

        var now = UnixTime.FromTimeProvider(_time);
        if (Volatile.Read(ref _backPressured) != 0)
        {
            // Not reading because the pipeline is full is not a dead socket: the idle clock restarts when reading does.
            Volatile.Write(ref _lastDataNs, now);
            return;
        }

        var idle = now - Volatile.Read(ref _lastDataNs);
        if (idle > (long)(_options.StaleAfter.TotalMilliseconds * UnixTime.NanosPerMilli))
        {
            _counters.RecordStale();
            LogStale(Name, idle / UnixTime.NanosPerMilli);
            Volatile.Write(ref _lastDataNs, now);
            _ = _client.Reconnect();
        }
    }

    /// <summary>
    /// One whole message, in the socket's buffer (receive thread): decoded in place; its admitted events go to the sink as
    /// one batch. The returned task is pending while the sink is back-pressured, and the socket reads no further until then.
    /// </summary>
    private ValueTask OnFrame(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        // Every whole message is ingress, whatever it turns out to be (market data, an acknowledgement, a heartbeat).
        _ingress.Record(frame.Length);
        // Once disposed, a frame still in the socket is not ingested: the provider's subscriber may be completing. One that
        // was already being handed over is waited for by Dispose, so nothing reaches a completed sink.
        Interlocked.Exchange(ref _inFrame, 1); // a full fence: Dispose's write of _closed and this write are ordered
        if (Volatile.Read(ref _closed) != 0)
        {
            Volatile.Write(ref _inFrame, 0);
            return default;
        }

        var handed = HandleFrame(frame, cancellationToken);
        if (handed.IsCompletedSuccessfully)
        {
            Volatile.Write(ref _inFrame, 0);
            return default;
        }

        return WaitForSinkAsync(handed);
    }

    private ValueTask HandleFrame(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        var rx = UnixTime.FromTimeProvider(_time);
        _batch.Clear();
        var outcome = _handler.Handle(frame.Span, rx, this, static (conn, in e) => conn.Collect(in e), static (conn, in e) => conn.Admit(in e));
        if (outcome.Status == FrameStatus.Decoded)
        {
            Volatile.Write(ref _lastDataNs, rx);
            if (Volatile.Read(ref _failures) != 0)
            {
                Volatile.Write(ref _failures, 0);
                _client.ErrorReconnectTimeout = _options.ReconnectDelay;
                _client.LostReconnectTimeout = _options.ReconnectDelay;
            }
        }
        else if (outcome.Status == FrameStatus.Ignored && _protocol.ReplyTo(frame.Span) is { } reply)
        {
            _client.Send(reply);
            _counters.RecordReply();
        }

        if (_batch.Count == 0)
        {
            return default;
        }

        return _sink.OnNextBatchAsync(_batch.AsMemory(), cancellationToken);
    }

    private async ValueTask WaitForSinkAsync(ValueTask handed)
    {
        Volatile.Write(ref _backPressured, 1);
        _counters.RecordBackPressure();
        try
        {
            await handed.ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _lastDataNs, UnixTime.FromTimeProvider(_time));
            Volatile.Write(ref _backPressured, 0);
            Volatile.Write(ref _inFrame, 0);
        }
    }

    private void Collect(in MarketEvent e)
    {
        if (Admit(in e))
        {
            _batch.Add(in e);
            if (e.Kind == EventKind.Trade)
            {
                _backfill?.OnTrade(in e);
            }
        }
    }

    /// <summary>
    /// The series checks of one event: false for a duplicate to drop; a gap is reported. Events refused by validation pass
    /// here too (and go no further), so they take their sequence number as the aggregator's bad updates do.
    /// </summary>
    private bool Admit(in MarketEvent e)
    {
        if (!_guard.Admit(e, e.ReceiveTimeNs, out var gap, out var hasGap))
        {
            _counters.RecordDuplicate();
            return false;
        }

        if (hasGap)
        {
            _counters.RecordGap(gap.Missing);
            if (_gapLogLimit.TryAcquire(0, out var suppressed))
            {
                LogGap(Name, e.Instrument.Value, gap.LastSeen, gap.Received, suppressed);
            }

            _gaps(gap);
            _backfill?.OnGap(in gap);
        }

        return true;
    }

    private void SendKeepAlive()
    {
        if (_protocol.KeepAlive is { } ka && _client.IsRunning)
        {
            _client.Send(ka.Frame);
        }
    }

    private void SendAll(IReadOnlyList<string> frames)
    {
        Send(frames);
        _counters.RecordSubscriptionFrames(frames.Count);
    }

    /// <summary>Control frames: through the venue's rate budget when it has one, else straight to the client's queue.</summary>
    private void Send(IReadOnlyList<string> frames)
    {
        if (_pacer is not null)
        {
            _pacer.Send(frames);
            return;
        }

        foreach (var f in frames)
        {
            _client.Send(f);
        }
    }

    /// <summary>Aborts the socket, as a venue disconnect would; the client reconnects by itself.</summary>
    public void ForceReconnect() => _ = _client.Reconnect();

    public void Dispose()
    {
        Interlocked.Exchange(ref _closed, 1);
        _pacer?.Dispose();
        _keepAlive?.Dispose();
        _watchdog?.Dispose();
        foreach (var s in _subscriptions)
        {
            s.Dispose();
        }

        try
        {
            _client.Stop(WebSocketCloseStatus.NormalClosure, "shutdown").Wait(TimeSpan.FromSeconds(2));
        }
        catch (Exception ex) when (ex is AggregateException or WebSocketException or ObjectDisposedException)
        {
            // Shutting down: a failed close handshake changes nothing.
        }

        _client.Dispose();
        // A frame being handed over when the close began finishes first (a waiting one is cancelled by the client's stop):
        // the caller completes the sink next, and an event must not arrive after that.
        SpinWait.SpinUntil(() => Volatile.Read(ref _inFrame) == 0, TimeSpan.FromSeconds(2));
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Connection {Name} connected ({Type})")]
    private partial void LogConnected(string name, string type);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Connection {Name} disconnected ({Type}): {Reason}")]
    private partial void LogDisconnected(string name, string type, string reason);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Connection {Name} stale: no market data for {IdleMs} ms; reconnecting")]
    private partial void LogStale(string name, long idleMs);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning,
        Message = "Connection {Name} sequence gap on instrument {Instrument}: {LastSeen} then {Received} ({Suppressed} more gaps since the last line)")]
    private partial void LogGap(string name, int instrument, long lastSeen, long received, long suppressed);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning,
        Message = "Connection {Name}: a message passed {Max} bytes ({Received} received); closed (1009), dead-lettered, reconnecting")]
    private partial void LogTooBig(string name, int max, long received);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Error, Message = "Connection {Name} stream error")]
    private partial void LogStreamError(Exception ex, string name);
}

/// <summary>Per-connection transport settings.</summary>
public sealed record ConnectionOptions
{
    /// <summary>Reconnect when no frame at all arrives for this long.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>First delay before reconnecting after a failure; doubles per consecutive failure, with jitter.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest reconnect delay.</summary>
    public TimeSpan ReconnectDelayCap { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Trade ids remembered per connection to drop the overlap replayed after a reconnect.</summary>
    public int DedupWindow { get; init; } = 8192;

    /// <summary>The default of <see cref="MaxMessageBytes"/>: the decoders' own frame cap.</summary>
    public const int DefaultMaxMessageBytes = Venues.Kit.JsonFrameDecoder.DefaultMaxFrameBytes;

    /// <summary>The largest message accepted, enforced while it is received (<see cref="BoundedWebSocket"/>).</summary>
    public int MaxMessageBytes { get; init; } = DefaultMaxMessageBytes;

    /// <summary>What <see cref="EventValidator"/> accepts as an exchange time.</summary>
    public EventBounds Bounds { get; init; } = EventBounds.Default;

    /// <summary>Opens the underlying socket, for tests that script a venue in memory; null: a real <see cref="ClientWebSocket"/>.</summary>
    internal Func<Uri, CancellationToken, Task<System.Net.WebSockets.WebSocket>>? Connect { get; init; }
}

