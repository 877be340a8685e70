using System.Net.Http;
using System.Reactive;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Ingestion.Venues.Aggregator.Protocol;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Ingestion.Venues.Aggregator;

/// <summary>
/// The gRPC aggregator provider: trades of many exchanges through one aggregator's server stream
/// (<c>cloudwall.aggregator.v1.StreamMarketData/Subscribe</c>). Subscriptions are criteria strings <c>exchange:class:code</c>
/// (see <see cref="AggregatorCriteria"/>), spread over shards of at most <see cref="AggregatorProviderOptions.MaxCriteriaPerStream"/>;
/// each shard is one concurrent call on a shared HTTP/2 channel.
/// </summary>
/// <remarks>
/// <para><see cref="Events"/> is cold: subscribing opens the channel and the shards' calls; disposing closes them. It never
/// errors because of the server or its data: failed calls reconnect with backoff, bad updates are dead-lettered and counted,
/// a refused token stops the shard and is logged, counted (<see cref="FrameReason.VenueError"/>) and dead-lettered.</para>
/// <para>A subscription change restarts only the calls of the shards it touches (new criteria fill the last shard with room,
/// then open new shards); every other shard keeps its call, so its sequence runs on without a gap. A restarted shard is
/// briefly silent while its new call opens: the server cannot change the criteria of a call in flight.</para>
/// <para>Checked (our own contract, no venue documentation): docs/venues.md#aggregator.</para>
/// </remarks>
public sealed partial class AggregatorProvider : IMarketDataProvider
{
    private readonly AggregatorProviderOptions _options;
    private readonly IReadOnlyList<string> _initialCriteria;
    private readonly ReferenceData _refData;
    private readonly Action<DeadLetter> _deadLetters;
    private readonly Action<SequenceGap>? _gaps;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;
    private readonly Lock _gate = new();
    private readonly List<AggregatorStream> _shards = [];
    private IObserver<MarketEvent>? _sink;
    private readonly Backfill.BackfillSetup? _backfillSetup;
    private Backfill.BackfillCoordinator? _backfill;
    private GrpcChannel? _channel;
    private StreamMarketData.StreamMarketDataClient? _client;

    /// <param name="options">Endpoint, token, shard size, watchdog and backoff; validated here.</param>
    /// <param name="criteria">Initial subscriptions, such as <c>cbse:spot:btc-usd</c> or <c>*:spot:*</c>.</param>
    /// <param name="deadLetters">Receives every update that could not be used (and every refusal of the token).</param>
    /// <param name="sequenceGaps">Receives every gap in a stream's <c>sequence_id</c>; null to only count them.</param>
    public AggregatorProvider(AggregatorProviderOptions options, IReadOnlyList<string> criteria, ReferenceData refData,
        Action<DeadLetter> deadLetters, Action<SequenceGap>? sequenceGaps = null, TimeProvider? time = null, ILoggerFactory? loggers = null,
        Backfill.BackfillSetup? backfill = null)
    {
        _backfillSetup = backfill is { Options.Enabled: true } ? backfill : null;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(criteria);
        ArgumentNullException.ThrowIfNull(refData);
        ArgumentNullException.ThrowIfNull(deadLetters);
        _options = OptionsCheck.ThrowIfInvalid(options);
        _initialCriteria = Normalize(criteria);
        _refData = refData;
        _deadLetters = deadLetters;
        _gaps = sequenceGaps;
        _time = time ?? TimeProvider.System;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _log = _loggers.CreateLogger<AggregatorProvider>();
        AggregatorCodes.Register(refData);
        Events = Observable.Create<MarketEvent>(SubscribeCore);
    }

    public ProviderId Id => ProviderId.Aggregator;

    /// <summary>None: one aggregator carries many venues.</summary>
    public VenueId Venue => VenueId.None;

    /// <summary>Shards (one call each).</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_gate)
            {
                return _shards.Count;
            }
        }
    }

    /// <summary>Shards whose call is streaming.</summary>
    public int ConnectedCount
    {
        get
        {
            lock (_gate)
            {
                return _shards.Count(s => s.Status().State == AggregatorStreamState.Streaming);
            }
        }
    }

    /// <summary>Shards that carry a criteria string (normalized).</summary>
    public int SubscriptionsOf(string symbol)
    {
        if (!AggregatorCriteria.TryNormalize(symbol, out var criteria))
        {
            return 0;
        }

        lock (_gate)
        {
            return _shards.Count(s => s.Contains(criteria));
        }
    }

    public Task PauseAsync() => _pause.PauseAsync(this, Shards.SelectMany(s => s.Criteria).Distinct(StringComparer.Ordinal).ToList());

    public Task ResumeAsync() => _pause.ResumeAsync(this);

    private readonly SubscriptionPause _pause = new();

    public IngestionCounters Counters { get; } = new();

    public IObservable<MarketEvent> Events { get; }

    public int ActiveSubscriptions
    {
        get
        {
            lock (_gate)
            {
                return _shards.Sum(s => s.Count);
            }
        }
    }

    /// <summary>A snapshot of every shard: criteria, state, restart and reconnect counters, sequence.</summary>
    public IReadOnlyList<AggregatorShardStatus> Shards
    {
        get
        {
            lock (_gate)
            {
                return _shards.Select(s => s.Status()).ToList();
            }
        }
    }

    /// <summary>Gaps in <c>sequence_id</c> over all shards since start.</summary>
    public long SequenceGaps
    {
        get
        {
            lock (_gate)
            {
                return _shards.Sum(s => s.SequenceGaps);
            }
        }
    }

    /// <summary>Calls the server refused (UNAUTHENTICATED or PERMISSION_DENIED) over all shards.</summary>
    public long Refusals
    {
        get
        {
            lock (_gate)
            {
                return _shards.Sum(s => s.Refusals);
            }
        }
    }

    /// <summary>
    /// The channel to the aggregator every call of the provider (streams and the back-fill's <c>GetTrades</c>) goes over.
    /// <paramref name="throwOperationCanceled"/>: a cancelled call throws <see cref="OperationCanceledException"/> rather than
    /// an <see cref="Grpc.Core.RpcException"/> with <c>Cancelled</c> (what a resilience pipeline's timeout recognises).
    /// </summary>
    internal static GrpcChannel CreateChannel(AggregatorProviderOptions options, ILoggerFactory loggers, bool throwOperationCanceled = false) =>
        GrpcChannel.ForAddress(options.Endpoint, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                // Shards are concurrent calls; past the server's stream limit per connection, open another connection.
                EnableMultipleHttp2Connections = true,
                KeepAlivePingDelay = options.KeepAlivePingDelay,
                KeepAlivePingTimeout = options.KeepAlivePingTimeout,
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            },
            MaxReceiveMessageSize = options.MaxReceiveMessageBytes,
            LoggerFactory = loggers,
            ThrowOperationCanceledOnCancellation = throwOperationCanceled,
        });

    /// <summary>The call metadata of every call: <c>authorization: Bearer &lt;token&gt;</c> when a token is set.</summary>
    internal static Grpc.Core.Metadata AuthHeaders(AggregatorProviderOptions options)
    {
        var headers = new Grpc.Core.Metadata();
        if (!string.IsNullOrEmpty(options.ApiToken))
        {
            headers.Add("authorization", "Bearer " + options.ApiToken);
        }

        return headers;
    }

    private Task<IDisposable> SubscribeCore(IObserver<MarketEvent> observer, CancellationToken ct)
    {
        lock (_gate)
        {
            if (_sink is not null)
            {
                throw new InvalidOperationException($"provider {Id} already has a subscriber; share it with Publish()");
            }

            _sink = Observer.Synchronize(observer);
            if (_backfillSetup is { } b)
            {
                _backfill = b.CreateCoordinator(Counters, _deadLetters, _options.Bounds, _time, _loggers);
                _backfill.Start(new SerializedBatchObserver(_sink));
            }

            _channel = CreateChannel(_options, _loggers);
            _client = new StreamMarketData.StreamMarketDataClient(_channel);
        }

        LogStarting(_log, _options.Endpoint, _initialCriteria.Count, _options.MaxCriteriaPerStream);
        AddNormalized(_initialCriteria);
        return Task.FromResult(Disposable.Create(this, static p => p.StopAll()));
    }

    /// <summary>
    /// Adds criteria: the last shard with room takes what fits (its call restarts), the rest open new shards. Other shards are
    /// untouched. Completes once the shards are told; data follows when their calls open.
    /// </summary>
    /// <exception cref="ArgumentException">A criteria string is not <c>exchange:class:code</c>.</exception>
    public Task AddSubscriptionsAsync(IReadOnlyCollection<string> symbols)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        AddNormalized(Normalize(symbols));
        return Task.CompletedTask;
    }

    /// <summary>Removes criteria (exact strings, normalized); only the shards that carried them restart, or close when emptied.</summary>
    public void RemoveSubscriptions(IReadOnlyCollection<string> symbols)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in symbols)
        {
            if (AggregatorCriteria.TryNormalize(s, out var n))
            {
                set.Add(n);
            }
        }

        lock (_gate)
        {
            foreach (var shard in _shards)
            {
                shard.Remove(set);
            }
        }
    }

    private void AddNormalized(IReadOnlyList<string> criteria)
    {
        var toStart = new List<(AggregatorStream Shard, List<string> Criteria)>();
        lock (_gate)
        {
            var sink = _sink ?? throw new InvalidOperationException("provider not started: subscribe to Events first");
            var pending = new Queue<string>(criteria.Where(c => !_shards.Any(s => s.Contains(c))).Distinct(StringComparer.Ordinal));
            var max = _options.MaxCriteriaPerStream;

            // Fill shards with room, emptied ones first (they have no call to disturb), then the last partly filled one.
            foreach (var shard in _shards.Where(s => s.Count == 0).Concat(_shards.Where(s => s.Count > 0 && s.Count < max).Reverse()))
            {
                if (pending.Count == 0)
                {
                    break;
                }

                shard.Add(pending, max);
            }

            while (pending.Count > 0)
            {
                var batch = new List<string>();
                while (batch.Count < max && pending.Count > 0)
                {
                    batch.Add(pending.Dequeue());
                }

                var shard = new AggregatorStream(_shards.Count, _client!, _options, _refData, sink, _deadLetters, _gaps, Counters, _time,
                    _loggers.CreateLogger<AggregatorStream>(), _backfill?.CreateTracker(_refData, SequenceScope.None, _shards.Count));
                _shards.Add(shard);
                toStart.Add((shard, batch));
            }
        }

        foreach (var (shard, batch) in toStart)
        {
            shard.Start(batch);
        }
    }

    private void StopAll()
    {
        List<AggregatorStream> all;
        GrpcChannel? channel;
        Backfill.BackfillCoordinator? backfill;
        lock (_gate)
        {
            all = [.. _shards];
            _shards.Clear();
            _sink = null;
            channel = _channel;
            _channel = null;
            _client = null;
            backfill = _backfill;
            _backfill = null;
        }

        foreach (var s in all)
        {
            s.Dispose();
        }

        if (backfill is not null)
        {
            _ = backfill.DisposeAsync().AsTask(); // the worker stops at its next await
        }

        channel?.Dispose();
        LogStopped(_log, all.Count);
    }

    private static List<string> Normalize(IEnumerable<string> criteria)
    {
        var list = new List<string>();
        foreach (var c in criteria)
        {
            if (!AggregatorCriteria.TryNormalize(c, out var n))
            {
                throw new ArgumentException($"'{c}' is not an aggregator subscription: expected exchange:class:code, each a value or '*' (e.g. cbse:spot:btc-usd)",
                    nameof(criteria));
            }

            list.Add(n);
        }

        return list;
    }

    [LoggerMessage(EventId = 1251, Level = LogLevel.Information,
        Message = "Aggregator provider starting on {Endpoint}: {Count} criteria, at most {PerStream} per stream")]
    private static partial void LogStarting(ILogger logger, Uri endpoint, int count, int perStream);

    [LoggerMessage(EventId = 1252, Level = LogLevel.Information, Message = "Aggregator provider stopped ({Shards} shards)")]
    private static partial void LogStopped(ILogger logger, int shards);
}
