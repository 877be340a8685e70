using System.Diagnostics;
using System.Text;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Wire;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Kafka;
using Cloudwall.Rx.Kafka.Groups;
using Cloudwall.Rx.Pricing;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>
/// <c>run --role price</c>: a member of the price consumer group on md.events.v1 that produces md.fairprice.v1. Each
/// owned input partition has its own <see cref="IFairPriceEngine"/>: built on assignment, dropped on revocation.
/// Exactly-once output by default (Kafka transactions carrying the consumed offsets); see <see cref="KafkaGroupWorker"/>.
/// </summary>
public sealed partial class PriceRoleService : IHostedService, IGroupProcessor, IAsyncDisposable
{
    private readonly ILogger<PriceRoleService> _logger;
    private readonly ILoggerFactory _loggers;
    private readonly KafkaConnection _kafka;
    private readonly GroupWorkerOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly PartitionedPricing _pricing;
    private readonly Dictionary<string, Instrument> _instrumentsByKey = new(StringComparer.Ordinal);
    private readonly Dictionary<InstrumentId, byte[]> _keys = [];
    private readonly Stopwatch _uptime = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly LoopHeartbeats _heartbeats;
    private LoopHeartbeat? _heartbeat;
    private long _undecodable;
    private Task? _run;

    public PriceRoleService(ILogger<PriceRoleService> logger, ILoggerFactory loggers, KafkaConnection kafka, IOptions<GroupWorkerOptions> options,
        ReferenceData refData, FairPricing pricing, IHostApplicationLifetime lifetime, LoopHeartbeats heartbeats, TimeProvider time)
    {
        _heartbeats = heartbeats;
        _logger = logger;
        _loggers = loggers;
        _kafka = kafka;
        _options = options.Value;
        _lifetime = lifetime;
        _time = time;
        RefData = refData;
        // The same pricing as role all, composites included.
        _pricing = new PartitionedPricing(pricing);
    }

    public ReferenceData RefData { get; }

    public KafkaGroupWorker? Worker { get; private set; }

    public string? KafkaBootstrap => _kafka.Bootstrap;

    public int ExitCode { get; private set; }

    /// <summary>Readiness: the worker (consumer and producer) runs and has joined the price group.</summary>
    public bool InGroup => ExitCode == 0 && _run is { IsCompleted: false } && Worker is { HasJoined: true };

    /// <summary>Newest fair price per instrument this instance produced (a view for summaries).</summary>
    public IReadOnlyDictionary<InstrumentId, FairPrice> LatestFairPrices => _pricing.Latest.View;

    public long Undecodable => Interlocked.Read(ref _undecodable);

    public RunSummary? FinalSummary { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // The embedded cluster when Kafka:BootstrapServers is empty (a lone price instance for a demo).
        var kafka = _kafka.ResolveEndpoint();
        Worker = new KafkaGroupWorker(kafka, _options, Topics.Events, this, _loggers.CreateLogger<KafkaGroupWorker>(), _time);
        Worker.FatalError += OnFatal;
        _heartbeat = _heartbeats.Register("price-consumer");
        _run = Worker.RunAsync(_stop.Token);
        LogStarted(_options.GroupId, _options.Transactional);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_run is null)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        _run = null;
        if (_heartbeat is not null)
        {
            _heartbeats.Remove(_heartbeat);
        }

        FinalSummary = Summarize();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stop.Dispose();
    }

    private void OnFatal(Confluent.Kafka.Error error)
    {
        LogFatal(error.Code.ToString(), error.Reason);
        ExitCode = ExitCodes.FatalKafka;
        _lifetime.StopApplication();
    }

    void IGroupProcessor.OnAssigned(int partition) => _pricing.Assign(partition);

    void IGroupProcessor.OnRevoked(int partition) => _pricing.Revoke(partition);

    void IGroupProcessor.OnRecord(int partition, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, byte? schemaId, long nowNs, IRecordOutput output)
    {
        if (schemaId != SchemaIds.MarketEventV1 || !_pricing.IsOwned(partition) || !TryInstrument(key, out var instrument)
            || !EventCodec.TryDecode(value, instrument.Id, out var e))
        {
            Interlocked.Increment(ref _undecodable);
            return;
        }

        _pricing.OnEvent(partition, e, nowNs, (this, output), EmitOutput);
    }

    void IGroupProcessor.OnTick(long nowNs, IRecordOutput output)
    {
        _heartbeat?.Beat(); // the worker loop ticks every GroupWorker:TickInterval
        _pricing.OnTick(nowNs, (this, output), EmitOutput);
    }

    private static readonly FairPriceOutput<(PriceRoleService Self, IRecordOutput Output)> EmitOutput =
        static ((PriceRoleService Self, IRecordOutput Output) state, in FairPrice fp) => state.Self.Emit(fp, state.Output);

    private void Emit(in FairPrice fp, IRecordOutput output)
    {
        if (!_keys.TryGetValue(fp.Instrument, out var key))
        {
            _keys[fp.Instrument] = key = Encoding.UTF8.GetBytes(RefData.KeyOf(fp.Instrument));
        }

        output.Emit(Topics.FairPrices, key, FairPriceCodec.Encode(fp), fp.NewestInputTimeNs);
    }

    private bool TryInstrument(ReadOnlySpan<byte> key, out Instrument instrument)
    {
        // Keys repeat endlessly: resolve each distinct key once (one string per new key, none per record after that).
        var lookup = _instrumentsByKey.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<char> chars = stackalloc char[Math.Min(256, key.Length)];
        if (key.Length <= 256 && Encoding.UTF8.TryGetChars(key, chars, out var n) && lookup.TryGetValue(chars[..n], out var known))
        {
            instrument = known;
            return true;
        }

        var text = Encoding.UTF8.GetString(key);
        if (!RefData.TryResolveKey(text, out instrument))
        {
            return false;
        }

        _instrumentsByKey[text] = instrument;
        return true;
    }

    public RunSummary Summarize()
    {
        var stats = Worker?.Snapshot();
        var latency = stats?.InputLatency;
        return new RunSummary
        {
            Role = "price",
            DurationSeconds = Math.Round(_uptime.Elapsed.TotalSeconds, 3),
            EventsReceived = stats?.Consumed ?? 0,
            EventsProcessed = stats?.Consumed ?? 0,
            FairPricesComputed = stats?.Emitted ?? 0,
            FairPricesPublished = stats?.CommittedOutputs ?? 0,
            KafkaDelivered = stats?.Delivered ?? 0,
            KafkaDeliveryFailures = stats?.DeliveryFailed ?? 0,
            KafkaBootstrap = KafkaBootstrap,
            KafkaSecurity = _kafka.Security,
            Price = stats is null ? null : new PriceRoleSummary(_options.GroupId, stats.Transactional, stats.Assigned, stats.Rebalances,
                stats.BatchesCommitted, stats.BatchesAbandoned, Undecodable),
            Cost = CostSummary.Measure(_uptime.Elapsed, stats?.Consumed ?? 0, [], latency, null),
            Providers = [],
            Instruments = LatestFairPrices
                .Select(kv => new InstrumentSummary(RefData.KeyOf(kv.Key), EventJson.Dec(kv.Value.Price), kv.Value.Status.ToText(),
                    kv.Value.SourcesUsed, kv.Value.SourcesKnown, EventJson.Dec(kv.Value.Confidence)))
                .OrderBy(i => i.Instrument, StringComparer.Ordinal)
                .ToList(),
        };
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Price role joining group {GroupId} (transactional: {Transactional})")]
    private partial void LogStarted(string groupId, bool transactional);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Critical, Message = "Price role stopped on a fatal Kafka error {Code}: {Reason}")]
    private partial void LogFatal(string code, string reason);
}
