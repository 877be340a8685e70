using System.Diagnostics;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Kafka;
using Cloudwall.Rx.Kafka.Embedded;
using Cloudwall.Rx.Pricing;
using Cloudwall.Rx.Pricing.Aggregation;
using Cloudwall.Rx.Quality;
using Cloudwall.Rx.Quality.Stats;
using Cloudwall.Rx.Simulation;
using Cloudwall.Rx.Simulation.Market;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>
/// Starts and stops the platform in dependency order. Start: embedded Kafka, the producer, the pricing pipeline,
/// simulators, then providers. Stop, the reverse: providers close, the pipeline drains, Kafka flushes, the summary is taken.
/// </summary>
public sealed partial class PlatformService : IHostedService, IAsyncDisposable
{
    private readonly ILogger<PlatformService> _logger;
    private readonly ILoggerFactory _loggers;
    private readonly IOptions<KafkaOptions> _kafkaOptions;
    private readonly EmbeddedKafkaOptions _embedded;
    private readonly PipelineOptions _pipelineOptions;
    private readonly ProvidersOptions _providers;
    private readonly SimulationOptions _simulation;
    private readonly TimeProvider _time;
    private readonly Stopwatch _uptime = Stopwatch.StartNew();
    private readonly List<IDisposable> _subscriptions = [];
    private readonly IHostApplicationLifetime _lifetime;
    private readonly List<string> _composites;
    private readonly AggregationOptions _aggregation;
    private readonly RunRole _role;
    private long _deadLetters;
    private int[]? _subscriptionsAtStop;
    private int _stopped;

    public PlatformService(ILogger<PlatformService> logger, ILoggerFactory loggers, IOptions<KafkaOptions> kafka,
        IOptions<EmbeddedKafkaOptions> embedded, IOptions<PipelineOptions> pipeline, IOptions<ProvidersOptions> providers,
        IOptions<SimulationOptions> simulation, ReferenceData refData, TimeProvider time, IHostApplicationLifetime lifetime,
        PricingParametersSource pricing, IOptions<PricingHostOptions> pricingHost, IOptions<AggregationOptions> aggregation, RunRole role)
    {
        _aggregation = aggregation.Value;
        _role = role;
        PricingParameters = pricing;
        _composites = pricingHost.Value.Composites;
        _lifetime = lifetime;
        _logger = logger;
        _loggers = loggers;
        _kafkaOptions = kafka;
        _embedded = embedded.Value;
        _pipelineOptions = pipeline.Value;
        _providers = providers.Value;
        _simulation = simulation.Value;
        Market = new SyntheticMarket(_simulation.Seed);
        RefData = refData;
        _time = time;
    }

    public ReferenceData RefData { get; }

    /// <summary>The live pricing parameters (swapped by the control plane).</summary>
    public PricingParametersSource PricingParameters { get; }

    /// <summary>Per-source detail of every emitted fair price, for the quality layer (ratio to fair, status).</summary>
    public event FairPriceDetailHandler? FairPriceDetail;

    public EmbeddedKafkaCluster? Cluster { get; private set; }

    public KafkaPublisher? Publisher { get; private set; }

    public EventPipeline? Pipeline { get; private set; }

    /// <summary>The pre-aggregator, when <c>Pipeline:Aggregation:Enabled</c> (bars to md.bars.v1 instead of raw events).</summary>
    public BarAggregator? Aggregator { get; private set; }

    /// <summary>The role this process runs: <c>all</c> or <c>ingest</c> (the price role runs <see cref="PriceRoleService"/> instead).</summary>
    public string Role => _role.Name;

    public List<IMarketDataProvider> Providers { get; } = [];

    /// <summary>Running simulators by provider name (embedded defaults).</summary>
    public Dictionary<string, IVenueSimulator> Simulators { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The configured name of each entry of <see cref="Providers"/>, in the same order.</summary>
    public List<string> ProviderNames { get; } = [];

    /// <summary>The catalog kind of each entry of <see cref="Providers"/>.</summary>
    public List<string> ProviderTypes { get; } = [];

    /// <summary>The synthetic market all simulators share, so venues quote one price with their own noise.</summary>
    public SyntheticMarket Market { get; }

    /// <summary>Where 1 s series windows go (the metrics exporter; later also detectors). Set before start; null disables series statistics.</summary>
    public ISeriesWindowSink? SeriesWindowSink { get; set; }

    /// <summary>Per-partition series statistics, when a <see cref="SeriesWindowSink"/> was set.</summary>
    public SeriesStatsTap? SeriesStats { get; private set; }

    public string? KafkaBootstrap { get; private set; }

    public long DeadLetters => Interlocked.Read(ref _deadLetters);

    public TimeSpan Uptime => _uptime.Elapsed;

    /// <summary>Set once the platform has stopped: the final counts.</summary>
    public RunSummary? FinalSummary { get; private set; }

    public bool IsReady => Publisher is not null && Providers.Count > 0 && Providers.All(p => Connections(p).Connected > 0);

    /// <summary>Connections (or streams) of a provider, and how many are up.</summary>
    public static (int Total, int Connected) Connections(IMarketDataProvider provider) => (provider.ConnectionCount, provider.ConnectedCount);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var kafka = _kafkaOptions.Value;
        if (string.IsNullOrWhiteSpace(kafka.BootstrapServers))
        {
            Cluster = new EmbeddedKafkaCluster(_embedded.Brokers);
            KafkaTopology.CreateDefaultTopics(Cluster, new KafkaTopicLayout
            {
                EventsPartitions = _embedded.EventsPartitions,
                FairPricesPartitions = _embedded.FairPricesPartitions,
            });
            kafka.BootstrapServers = Cluster.BootstrapServers;
            LogEmbeddedKafka(Cluster.BootstrapServers, _embedded.Brokers);
        }

        KafkaBootstrap = kafka.BootstrapServers;
        Publisher = new KafkaPublisher(kafka, RefData, _loggers.CreateLogger<KafkaPublisher>(), _time);
        Publisher.OnFatalError += OnKafkaFatal;
        // Gaps are routed with the pipeline's own partition function (they only arrive once providers run, after it exists).
        SeriesStats = SeriesWindowSink is { } sink
            ? new SeriesStatsTap(_pipelineOptions.Partitions, id => Pipeline!.PartitionOf(id), new SeriesStatsOptions(),
                id => RefData.TryGet(id, out var i) ? i.Market : MarketType.Spot, sink, SubscriptionsOf, FairPriceOf)
            : null;
        IPartitionTap? tap = SeriesStats is { } stats ? new StatsTap(stats) : null;
        if (_aggregation.Enabled)
        {
            // Bars instead of raw events: the aggregator sees every event on its partition's thread.
            _pipelineOptions.PublishEvents = false;
            Aggregator = new BarAggregator(_pipelineOptions.Partitions, _aggregation, Publisher);
            tap = tap is null ? Aggregator : new BothTaps(tap, Aggregator);
        }

        var pricing = new FairPricing(RefData, PricingParameters, _composites, OnDetail);
        Pipeline = _role.Name == RunRole.Ingest
            // Ingest only: events to md.events.v1; fair prices come from the price role's consumer group.
            ? new EventPipeline(Publisher, _pipelineOptions, static () => NoFairPrice.Instance, _time, _loggers.CreateLogger<EventPipeline>(), tap)
            : new EventPipeline(Publisher, _pipelineOptions, pricing, _time, _loggers.CreateLogger<EventPipeline>(), tap);

        var providerContext = new ProviderContext(RefData, OnDeadLetter, OnGap, _time, _loggers);
        var simulatorContext = new SimulatorContext(Market, _simulation, _time, _loggers);
        foreach (var (name, options) in _providers.Where(p => p.Value.Enabled).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var kind = ProviderCatalog.TryGet(options.Type!, out var k) ? k : throw new InvalidOperationException($"unknown provider kind {options.Type}");
            kind.RegisterSymbols(RefData);
            var endpoint = string.IsNullOrEmpty(options.Endpoint) ? null : new Uri(options.Endpoint);
            if (_simulation.Enabled && endpoint is null)
            {
                var simulator = await kind.Simulate(simulatorContext, options, cancellationToken).ConfigureAwait(false);
                Simulators[name] = simulator;
                endpoint = simulator.Endpoint;
                LogSimulator(name, endpoint.ToString());
            }

            Providers.Add(kind.Create(providerContext, options, endpoint));
            ProviderNames.Add(name);
            ProviderTypes.Add(kind.Name);
        }

        foreach (var provider in Providers)
        {
            // The one hand-off from Rx into the bounded Dataflow pipeline.
            _subscriptions.Add(provider.Events.Subscribe(Pipeline.Input(provider.Id.Name)));
        }

        LogStarted(Providers.Count);
    }

    /// <summary>Non-zero when the platform had to stop on a fatal error.</summary>
    public int ExitCode { get; private set; }

    private void OnKafkaFatal(Confluent.Kafka.Error error)
    {
        // A fatal producer error (fenced, unauthorized, ...) cannot be retried: stop the host with a clear message.
        LogKafkaFatal(error.Code.ToString(), error.Reason);
        ExitCode = 3;
        _lifetime.StopApplication();
    }

    /// <summary>Sequence gaps seen by ingestion, newest last; the quality layer drains it. Bounded.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<SequenceGap> RecentGaps { get; } = new();

    private long _gaps;

    public long SequenceGaps => Interlocked.Read(ref _gaps);

    /// <summary>Raised for every sequence gap ingestion reports (from connection threads).</summary>
    public event Action<SequenceGap>? GapObserved;

    private void OnGap(SequenceGap gap)
    {
        Interlocked.Increment(ref _gaps);
        GapObserved?.Invoke(gap);
        SeriesStats?.PostGap(gap);
        RecentGaps.Enqueue(gap);
        while (RecentGaps.Count > 10_000 && RecentGaps.TryDequeue(out _))
        {
            // Oldest first out: the total stays in SequenceGaps.
        }
    }

    private void OnDetail(in FairPrice price, ReadOnlySpan<SourceDetail> sources) => FairPriceDetail?.Invoke(price, sources);

    private bool FairPriceOf(InstrumentId instrument, out decimal price)
    {
        var found = Pipeline!.LatestFairPrices.TryGetValue(instrument, out var fp);
        price = fp.Price;
        return found;
    }

    /// <summary>Subscriptions of a series: shards of its provider that carry the instrument's venue symbol, per route (once per series per window).</summary>
    private int SubscriptionsOf(in SeriesKey key)
    {
        if (RefData.VenueSymbol(key.Instrument, key.Venue) is not { } symbol)
        {
            return 0;
        }

        foreach (var p in Providers)
        {
            if (p.Id == key.Provider)
            {
                return p.SubscriptionsOf(symbol);
            }
        }

        return 0;
    }

    private sealed class StatsTap(SeriesStatsTap stats) : IPartitionTap
    {
        public void OnEvent(int partition, in MarketEvent e, long nowNs) => stats.OnEvent(partition, e, nowNs);

        public void OnTick(int partition, long nowNs) => stats.OnTick(partition, nowNs);
    }

    private sealed class BothTaps(IPartitionTap first, IPartitionTap second) : IPartitionTap
    {
        public void OnEvent(int partition, in MarketEvent e, long nowNs)
        {
            first.OnEvent(partition, e, nowNs);
            second.OnEvent(partition, e, nowNs);
        }

        public void OnTick(int partition, long nowNs)
        {
            first.OnTick(partition, nowNs);
            second.OnTick(partition, nowNs);
        }
    }

    private sealed class NoFairPrice : IFairPriceEngine
    {
        public static readonly NoFairPrice Instance = new();

        public bool OnEvent(in MarketEvent e, long nowNs, out FairPrice price)
        {
            price = default;
            return false;
        }

        public int OnTick(long nowNs, Span<FairPrice> output) => 0;
    }

    private void OnDeadLetter(DeadLetter letter)
    {
        Interlocked.Increment(ref _deadLetters);
        Publisher?.PublishDeadLetter(letter);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        LogStopping();
        _subscriptionsAtStop = [.. Providers.Select(p => p.ActiveSubscriptions)];
        foreach (var s in _subscriptions)
        {
            s.Dispose();
        }

        if (Pipeline is not null)
        {
            await Pipeline.CompleteAsync().ConfigureAwait(false);
        }

        // Partition threads are done: the open bars go out before the producer is flushed.
        Aggregator?.FlushAll();

        if (Publisher is not null)
        {
            var remaining = Publisher.Flush(_kafkaOptions.Value.DisposeFlushTimeout);
            LogFlushed(remaining);
        }

        FinalSummary = Summarize();
        foreach (var sim in Simulators.Values)
        {
            await sim.DisposeAsync().ConfigureAwait(false);
        }

        Simulators.Clear();
    }

    public RunSummary Summarize()
    {
        var stats = Publisher?.Snapshot();
        var events = stats?.For(Topics.Events);
        var fair = stats?.For(Topics.FairPrices);
        var pipeline = Pipeline?.Stats;
        var latest = Pipeline?.LatestFairPrices ?? new Dictionary<InstrumentId, FairPrice>();
        return new RunSummary
        {
            Role = _role.Name,
            DurationSeconds = Math.Round(_uptime.Elapsed.TotalSeconds, 3),
            EventsReceived = pipeline?.Received ?? 0,
            EventsProcessed = pipeline?.Processed ?? 0,
            EventsDropped = pipeline?.Dropped ?? 0,
            EventsPublished = events?.Delivered ?? 0,
            FairPricesComputed = pipeline?.FairPricesPublished ?? 0,
            FairPricesPublished = fair?.Delivered ?? 0,
            DeadLetters = DeadLetters,
            SequenceGaps = SequenceGaps,
            KafkaDelivered = stats?.Delivered ?? 0,
            KafkaDeliveryFailures = stats?.DeliveryFailed ?? 0,
            KafkaDropped = stats?.Dropped ?? 0,
            KafkaBytes = stats?.BytesProduced ?? 0,
            KafkaBootstrap = KafkaBootstrap,
            KafkaSecurity = _kafkaOptions.Value.SecurityInfo(),
            KafkaRetries = stats?.RequestRetries ?? 0,
            KafkaQueueFullWaits = stats?.QueueFullWaits ?? 0,
            KafkaQueueFullPolicy = stats?.QueueFullPolicy,
            BarsPublished = stats?.For(Topics.Bars)?.Delivered ?? 0,
            Cost = CostSummary.Measure(_uptime.Elapsed, pipeline?.Received ?? 0, stats?.Topics ?? [], stats?.InputLatency, stats?.DeliveryLatency),
            Providers = Providers.Select((p, i) => new ProviderSummary(ProviderNames[i], p.Counters.Events, p.Counters.Frames, p.Counters.IgnoredFrames,
                p.Counters.RejectedFrames, p.Counters.Reconnects, p.Counters.Duplicates, p.Counters.SequenceGaps,
                _subscriptionsAtStop is { } atStop && i < atStop.Length ? atStop[i] : p.ActiveSubscriptions)).ToList(),
            Instruments = RefData.Instruments
                .Select(i => latest.TryGetValue(i.Id, out var fp)
                    ? new InstrumentSummary(i.Key, EventJson.Dec(fp.Price), fp.Status.ToText(), fp.SourcesUsed, fp.SourcesKnown, EventJson.Dec(fp.Confidence))
                    : new InstrumentSummary(i.Key, null, null, 0, 0, null))
                .OrderBy(i => i.Instrument, StringComparer.Ordinal)
                .ToList(),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        Publisher?.Dispose();
        Publisher = null;
        Cluster?.Dispose();
        Cluster = null;
    }

    [LoggerMessage(EventId = 3006, Level = LogLevel.Critical, Message = "Fatal Kafka producer error {Code}: {Reason}; stopping")]
    private partial void LogKafkaFatal(string code, string reason);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Embedded Kafka cluster at {Bootstrap} ({Brokers} brokers)")]
    private partial void LogEmbeddedKafka(string bootstrap, int brokers);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Simulator for {Venue} listening at {Endpoint}")]
    private partial void LogSimulator(string venue, string endpoint);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Platform started with {Providers} provider(s)")]
    private partial void LogStarted(int providers);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Stopping: closing providers, draining the pipeline, flushing Kafka")]
    private partial void LogStopping();

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Kafka flushed; {Remaining} record(s) still in flight")]
    private partial void LogFlushed(int remaining);
}
