using System.Reactive;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using Cloudwall.Rx.Ingestion.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Ingestion;

/// <summary>
/// One endpoint of a provider and the protocol its connections speak there. A venue that routes streams to different
/// endpoints (Binance USDⓈ-M: <c>/public</c> for book tickers, <c>/market</c> for trades and marks) has one route each;
/// every symbol is subscribed on every route, with that route's streams.
/// </summary>
public sealed record WebSocketRoute(IVenueProtocol Protocol, Uri Endpoint);

/// <summary>
/// A provider that reaches one venue over WebSocket. On each of its routes, its subscriptions are spread over shards
/// (connections) within the route's per-connection limit. <see cref="Events"/> is cold: subscribing opens the connections;
/// disposing closes them.
/// </summary>
/// <remarks>
/// A subscriber that is an <see cref="IEventBatchObserver"/> (the event pipeline's input) gets each frame's events as one
/// batch, from every connection at once without a lock, and back-pressures a connection by leaving its batch pending.
/// Any other observer gets the Rx contract: events one at a time, serialized across the provider's connections.
/// </remarks>
public sealed class WebSocketProvider : IMarketDataProvider
{
    private readonly IVenueProtocol _protocol;
    private readonly Route[] _routes;
    private readonly IReadOnlyList<string> _initialSymbols;
    private readonly ReferenceData _refData;
    private readonly Action<DeadLetter> _deadLetters;
    private readonly ConnectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly Lock _gate = new();
    private IEventBatchObserver? _sink;
    private readonly Action<SequenceGap>? _gapSink;
    private readonly Backfill.BackfillSetup? _backfillSetup;
    private Backfill.BackfillCoordinator? _backfill;

    public WebSocketProvider(IVenueProtocol protocol, Uri? endpoint, IReadOnlyList<string> symbols, ReferenceData refData,
        Action<DeadLetter> deadLetters, ConnectionOptions? options = null, TimeProvider? time = null, ILoggerFactory? loggers = null,
        Action<SequenceGap>? gaps = null, Backfill.BackfillSetup? backfill = null)
        : this([new WebSocketRoute(protocol, endpoint ?? protocol.DefaultEndpoint)], symbols, refData, deadLetters, options, time, loggers, gaps, backfill)
    {
    }

    /// <param name="routes">At least one; all of the same provider. Every symbol is subscribed on each.</param>
    public WebSocketProvider(IReadOnlyList<WebSocketRoute> routes, IReadOnlyList<string> symbols, ReferenceData refData,
        Action<DeadLetter> deadLetters, ConnectionOptions? options = null, TimeProvider? time = null, ILoggerFactory? loggers = null,
        Action<SequenceGap>? gaps = null, Backfill.BackfillSetup? backfill = null)
    {
        ArgumentNullException.ThrowIfNull(routes);
        if (routes.Count == 0)
        {
            throw new ArgumentException("a provider needs at least one route", nameof(routes));
        }

        _protocol = routes[0].Protocol;
        if (routes.Any(r => r.Protocol.Provider != _protocol.Provider))
        {
            throw new ArgumentException($"every route of provider {_protocol.Provider} must belong to it", nameof(routes));
        }

        _routes = [.. routes.Select(r => new Route(r))];
        _gapSink = gaps;
        _initialSymbols = symbols;
        _refData = refData;
        _deadLetters = deadLetters;
        _options = options ?? new ConnectionOptions();
        _time = time ?? TimeProvider.System;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _backfillSetup = backfill is { Options.Enabled: true } ? backfill : null;
        Events = new EventStream(this);
    }

    public ProviderId Id => _protocol.Provider;

    public VenueId Venue => _protocol.Venue;

    public IngestionCounters Counters { get; } = new();

    /// <summary>The running gap-fill, or null when back-fill is off or the provider is not subscribed.</summary>
    public Backfill.BackfillCoordinator? Backfill
    {
        get
        {
            lock (_gate)
            {
                return _backfill;
            }
        }
    }

    private readonly SubscriptionPause _pause = new();

    public IObservable<MarketEvent> Events { get; }

    public int ConnectionCount
    {
        get
        {
            lock (_gate)
            {
                return _routes.Sum(r => r.Connections.Count);
            }
        }
    }

    public int ConnectedCount
    {
        get
        {
            lock (_gate)
            {
                return AllConnections().Count(c => c.IsRunning);
            }
        }
    }

    /// <summary>The symbols of each connection, route after route (a symbol appears once per route).</summary>
    public IReadOnlyList<IReadOnlyCollection<string>> Shards
    {
        get
        {
            lock (_gate)
            {
                return AllConnections().Select(c => c.Symbols).ToList();
            }
        }
    }

    /// <summary>The shards of each route, by endpoint: on every route the same symbols, within that route's limit.</summary>
    public IReadOnlyList<(Uri Endpoint, IReadOnlyCollection<string> Symbols)> RoutedShards
    {
        get
        {
            lock (_gate)
            {
                return _routes.SelectMany(r => r.Connections.Select(c => (r.Endpoint, c.Symbols))).ToList();
            }
        }
    }

    /// <summary>
    /// How many times a symbol is subscribed: its shards on the route that carries it most often (1 when healthy, 0 when
    /// absent). Each route carries different streams of the symbol, so routes do not add up.
    /// </summary>
    /// <remarks>
    /// The quality windows ask this once per series per window, on the pipeline's partitions: it allocates nothing and
    /// looks the symbol up in each connection's set (with 2,000 subscriptions, copying every connection's symbols per
    /// series cost the partitions ~100 MB/s of garbage and a 170 ms input→ack p99; bench/README.md).
    /// </remarks>
    public int SubscriptionsOf(string symbol)
    {
        lock (_gate)
        {
            var most = 0;
            foreach (var route in _routes)
            {
                var shards = 0;
                foreach (var connection in route.Connections)
                {
                    if (connection.Carries(symbol)) shards++;
                }

                most = Math.Max(most, shards);
            }

            return most;
        }
    }

    /// <summary>Symbols subscribed: each counts once, however many routes carry it.</summary>
    public int ActiveSubscriptions
    {
        get
        {
            lock (_gate)
            {
                return AllConnections().SelectMany(c => c.Symbols).Distinct(StringComparer.Ordinal).Count();
            }
        }
    }

    private IDisposable Subscribe(IObserver<MarketEvent> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (_gate)
        {
            if (_sink is not null)
            {
                throw new InvalidOperationException($"provider {Id} already has a subscriber; share it with Publish()");
            }

            _sink = observer as IEventBatchObserver ?? new SerializedBatchObserver(Observer.Synchronize(observer));
            if (_backfillSetup is { } b)
            {
                _backfill = b.CreateCoordinator(Counters, _deadLetters, _options.Bounds, _time, _loggers);
                _backfill.Start(_sink);
            }
        }

        var subscription = Disposable.Create(this, static p => p.StopAll());
        _ = StartAsync(observer);
        return subscription;
    }

    /// <summary>Opens the first connections; a failure to start ends the stream with the error, as Rx's Create would.</summary>
    private async Task StartAsync(IObserver<MarketEvent> observer)
    {
        try
        {
            await AddSubscriptionsAsync(_initialSymbols).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            observer.OnError(ex);
        }
    }

    /// <summary>
    /// Subscribes more symbols on every route: fills the route's open shards first (subscribe frames on live connections),
    /// then opens new ones.
    /// </summary>
    public async Task AddSubscriptionsAsync(IReadOnlyCollection<string> symbols)
    {
        var toStart = new List<(WebSocketConnection Connection, List<string> Symbols)>();
        lock (_gate)
        {
            var sink = _sink ?? throw new InvalidOperationException("provider not started: subscribe to Events first");
            var index = _routes.Sum(r => r.Connections.Count);
            foreach (var route in _routes)
            {
                var max = route.Protocol.MaxSymbolsPerConnection;
                var known = route.Connections.SelectMany(c => c.Symbols).ToHashSet(StringComparer.Ordinal);
                var pending = new Queue<string>(symbols.Where(known.Add));
                foreach (var c in route.Connections)
                {
                    var room = max - c.SymbolCount;
                    if (room <= 0 || pending.Count == 0)
                    {
                        continue;
                    }

                    var batch = new List<string>();
                    while (room-- > 0 && pending.Count > 0)
                    {
                        batch.Add(pending.Dequeue());
                    }

                    c.Add(batch);
                }

                while (pending.Count > 0)
                {
                    var batch = new List<string>();
                    while (batch.Count < max && pending.Count > 0)
                    {
                        batch.Add(pending.Dequeue());
                    }

                    var tracker = _backfill?.CreateTracker(_refData, route.Protocol.SequenceScope, index);
                    var conn = new WebSocketConnection(index++, route.Endpoint, route.Protocol, _refData, sink, _deadLetters, Counters,
                        _options, _time, _loggers, _gapSink, tracker);
                    route.Connections.Add(conn);
                    toStart.Add((conn, batch));
                }
            }
        }

        // Shards connect at the same time.
        await Task.WhenAll(toStart.Select(s => s.Connection.StartAsync(s.Symbols))).ConfigureAwait(false);
    }

    public Task PauseAsync() => _pause.PauseAsync(this, Shards.SelectMany(s => s).Distinct(StringComparer.Ordinal).ToList());

    public Task ResumeAsync() => _pause.ResumeAsync(this);

    /// <summary>Unsubscribes symbols on the live connections that carry them; other connections are untouched.</summary>
    public void RemoveSubscriptions(IReadOnlyCollection<string> symbols)
    {
        lock (_gate)
        {
            foreach (var c in AllConnections())
            {
                c.Remove(symbols);
            }
        }
    }

    /// <summary>Every connection of every route. Gate held.</summary>
    private IEnumerable<WebSocketConnection> AllConnections() => _routes.SelectMany(r => r.Connections);

    private void StopAll()
    {
        List<WebSocketConnection> all;
        Backfill.BackfillCoordinator? backfill;
        lock (_gate)
        {
            all = [.. AllConnections()];
            foreach (var r in _routes)
            {
                r.Connections.Clear();
            }

            _sink = null;
            backfill = _backfill;
            _backfill = null;
        }

        foreach (var c in all)
        {
            c.Dispose();
        }

        if (backfill is not null)
        {
            // The worker may be mid-request: it stops at its next await; nothing waits for it here (Dispose is synchronous).
            _ = backfill.DisposeAsync().AsTask();
        }
    }

    /// <summary>The cold stream of the provider's events: subscribing opens the connections.</summary>
    private sealed class EventStream(WebSocketProvider owner) : IObservable<MarketEvent>
    {
        public IDisposable Subscribe(IObserver<MarketEvent> observer) => owner.Subscribe(observer);
    }

    /// <summary>A route and its shards. The list is guarded by the provider's gate.</summary>
    private sealed class Route(WebSocketRoute route)
    {
        public IVenueProtocol Protocol { get; } = route.Protocol;

        public Uri Endpoint { get; } = route.Endpoint;

        public List<WebSocketConnection> Connections { get; } = [];
    }
}
