using System.Reactive;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Ingestion;

/// <summary>
/// A provider that reaches one venue over WebSocket. Its subscriptions are spread over shards (connections) within the
/// venue's per-connection limit. <see cref="Events"/> is cold: subscribing opens the connections; disposing closes them.
/// Events from all shards are serialized onto the one observer.
/// </summary>
public sealed class WebSocketProvider : IMarketDataProvider
{
    private readonly IVenueProtocol _protocol;
    private readonly Uri _endpoint;
    private readonly IReadOnlyList<string> _initialSymbols;
    private readonly ReferenceData _refData;
    private readonly Action<DeadLetter> _deadLetters;
    private readonly ConnectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly Lock _gate = new();
    private readonly List<WebSocketConnection> _connections = [];
    private IObserver<MarketEvent>? _sink;
    private readonly Action<SequenceGap>? _gapSink;

    public WebSocketProvider(IVenueProtocol protocol, Uri? endpoint, IReadOnlyList<string> symbols, ReferenceData refData,
        Action<DeadLetter> deadLetters, ConnectionOptions? options = null, TimeProvider? time = null, ILoggerFactory? loggers = null,
        Action<SequenceGap>? gaps = null)
    {
        _gapSink = gaps;
        _protocol = protocol;
        _endpoint = endpoint ?? protocol.DefaultEndpoint;
        _initialSymbols = symbols;
        _refData = refData;
        _deadLetters = deadLetters;
        _options = options ?? new ConnectionOptions();
        _time = time ?? TimeProvider.System;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        Events = Observable.Create<MarketEvent>(SubscribeCore);
    }

    public ProviderId Id => _protocol.Provider;

    public VenueId Venue => _protocol.Venue;

    public IngestionCounters Counters { get; } = new();

    public IObservable<MarketEvent> Events { get; }

    public int ConnectionCount
    {
        get
        {
            lock (_gate)
            {
                return _connections.Count;
            }
        }
    }

    public int ConnectedCount
    {
        get
        {
            lock (_gate)
            {
                return _connections.Count(c => c.IsRunning);
            }
        }
    }

    public IReadOnlyList<IReadOnlyCollection<string>> Shards
    {
        get
        {
            lock (_gate)
            {
                return _connections.Select(c => c.Symbols).ToList();
            }
        }
    }

    public int ActiveSubscriptions
    {
        get
        {
            lock (_gate)
            {
                return _connections.Sum(c => c.SymbolCount);
            }
        }
    }

    private async Task<IDisposable> SubscribeCore(IObserver<MarketEvent> observer, CancellationToken ct)
    {
        lock (_gate)
        {
            if (_sink is not null)
            {
                throw new InvalidOperationException($"provider {Id} already has a subscriber; share it with Publish()");
            }

            _sink = Observer.Synchronize(observer);
        }

        await AddSubscriptionsAsync(_initialSymbols).ConfigureAwait(false);
        return Disposable.Create(this, static p => p.StopAll());
    }

    /// <summary>Subscribes more symbols: fills open shards first (subscribe frames on live connections), then opens new ones.</summary>
    public async Task AddSubscriptionsAsync(IReadOnlyCollection<string> symbols)
    {
        var toStart = new List<(WebSocketConnection Connection, List<string> Symbols)>();
        lock (_gate)
        {
            var sink = _sink ?? throw new InvalidOperationException("provider not started: subscribe to Events first");
            var known = _connections.SelectMany(c => c.Symbols).ToHashSet(StringComparer.Ordinal);
            var pending = new Queue<string>(symbols.Where(known.Add));
            foreach (var c in _connections)
            {
                var room = _protocol.MaxSymbolsPerConnection - c.SymbolCount;
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
                while (batch.Count < _protocol.MaxSymbolsPerConnection && pending.Count > 0)
                {
                    batch.Add(pending.Dequeue());
                }

                var conn = new WebSocketConnection(_connections.Count, _endpoint, _protocol, _refData, sink, _deadLetters, Counters,
                    _options, _time, _loggers, _gapSink);
                _connections.Add(conn);
                toStart.Add((conn, batch));
            }
        }

        // Shards connect at the same time.
        await Task.WhenAll(toStart.Select(s => s.Connection.StartAsync(s.Symbols))).ConfigureAwait(false);
    }

    /// <summary>Unsubscribes symbols on the live connections that carry them; other connections are untouched.</summary>
    public void RemoveSubscriptions(IReadOnlyCollection<string> symbols)
    {
        lock (_gate)
        {
            foreach (var c in _connections)
            {
                c.Remove(symbols);
            }
        }
    }

    private void StopAll()
    {
        List<WebSocketConnection> all;
        lock (_gate)
        {
            all = [.. _connections];
            _connections.Clear();
            _sink = null;
        }

        foreach (var c in all)
        {
            c.Dispose();
        }
    }
}
