using System.Diagnostics;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Configuration;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Kafka.Groups;

/// <summary>
/// A consume-transform-produce worker: a member of a consumer group on one input topic that feeds an
/// <see cref="IGroupProcessor"/> and produces its outputs with its own (the process's one) producer.
/// </summary>
/// <remarks>
/// <para>Batches close every <see cref="GroupWorkerOptions.CommitInterval"/>, and on revocation and shutdown. In the
/// transactional mode (the default) a batch is one Kafka transaction: the outputs plus the consumed offsets
/// (<c>SendOffsetsToTransaction</c>), committed together, so a downstream read_committed consumer sees every output
/// exactly once. Otherwise the batch's outputs are flushed, and the offsets are committed only once every output was
/// acknowledged (at-least-once).</para>
/// <para>When a batch cannot be committed (an abortable transaction error, a failed delivery) it is abandoned: the
/// worker seeks its partitions back to their committed offsets and rebuilds the processor's state for them, so the
/// batch is replayed. A fatal error (e.g. a fenced producer) stops the worker and raises <see cref="FatalError"/>.</para>
/// <para>The blocking loop runs on its own thread (<see cref="RunAsync"/>); rebalance callbacks run inside
/// <c>Consume</c> on that same thread, so the processor is only ever called from one thread.</para>
/// </remarks>
public sealed class KafkaGroupWorker : IRecordOutput
{
    private readonly KafkaOptions _kafka;
    private readonly GroupWorkerOptions _options;
    private readonly string _inputTopic;
    private readonly IGroupProcessor _processor;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly KafkaFailureLog _failures;
    private readonly Dictionary<TopicPartition, long> _pending = [];
    private readonly SortedSet<int> _owned = [];
    private readonly KafkaLatencyHistogram _inputLatency = new();
    private readonly Action<DeliveryReport<byte[], byte[]>> _onDelivered;
    private IProducer<byte[], byte[]>? _producer;
    private IConsumer<byte[], byte[]>? _consumer;
    private bool _inTransaction;
    private int _batchOutputs;
    private long _batchFailures;
    private long _consumed;
    private long _emitted;
    private long _delivered;
    private long _failed;
    private long _committedOutputs;
    private long _batchesCommitted;
    private long _batchesAbandoned;
    private long _rebalances;
    private long _lastAssignmentTicks;
    private volatile int[] _assigned = [];

    public KafkaGroupWorker(KafkaOptions kafka, GroupWorkerOptions options, string inputTopic, IGroupProcessor processor,
        ILogger<KafkaGroupWorker>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(inputTopic);
        ArgumentNullException.ThrowIfNull(processor);
        _kafka = OptionsCheck.ThrowIfInvalid(kafka);
        _options = OptionsCheck.ThrowIfInvalid(options);
        _inputTopic = inputTopic;
        _processor = processor;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _failures = new KafkaFailureLog(_logger, _time);
        _onDelivered = OnDelivered;
    }

    /// <summary>Raised once, on the worker thread, when the worker stops on a fatal error.</summary>
    public event Action<Error>? FatalError;

    /// <summary>Input partitions this instance owns now.</summary>
    public IReadOnlyList<int> Assigned => _assigned;

    /// <summary>True once the first assignment arrived (readiness).</summary>
    public bool HasJoined => Interlocked.Read(ref _rebalances) > 0;

    public GroupWorkerStats Snapshot() => new(
        Interlocked.Read(ref _consumed),
        Interlocked.Read(ref _emitted),
        Interlocked.Read(ref _delivered),
        Interlocked.Read(ref _failed),
        Interlocked.Read(ref _committedOutputs),
        Interlocked.Read(ref _batchesCommitted),
        Interlocked.Read(ref _batchesAbandoned),
        Interlocked.Read(ref _rebalances),
        _assigned,
        _options.Transactional,
        _inputLatency.Snapshot());

    /// <summary>Runs the loop on a dedicated thread until <paramref name="ct"/> is cancelled, then commits the open batch and leaves the group.</summary>
    public Task RunAsync(CancellationToken ct) =>
        Task.Factory.StartNew(() => Run(ct), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    void IRecordOutput.Emit(string topic, byte[] key, byte[] value, long inputReceiveNs)
    {
        EnsureBatch();
        // No schema header: the topic names the schema (RecordSchema).
        var message = new Message<byte[], byte[]> { Key = key, Value = value, Headers = ProduceBuffers.NoHeaders, Timestamp = new Timestamp(_time.GetUtcNow()) };
        if (inputReceiveNs > 0)
        {
            // The message timestamp is wall-clock ms; the input latency is measured here against the enqueue instant instead.
            _inputLatency.Record(UnixTime.FromTimeProvider(_time) - inputReceiveNs);
        }

        while (true)
        {
            try
            {
                _producer!.Produce(topic, message, _onDelivered);
                break;
            }
            catch (ProduceException<byte[], byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                // Backpressure: the consumer simply stops consuming while the producer drains.
                _producer!.Poll(TimeSpan.FromMilliseconds(50));
            }
        }

        _batchOutputs++;
        Interlocked.Increment(ref _emitted);
    }

    private void Run(CancellationToken ct)
    {
        var clients = new KafkaClientConfigs(_kafka);
        var producerConfig = clients.Producer();
        producerConfig.EnableBackgroundPoll = true;
        producerConfig.StatisticsIntervalMs = 0;
        if (_options.Transactional)
        {
            producerConfig.TransactionalId = $"{_options.TransactionalIdPrefix}-{Guid.NewGuid():N}";
            // A crashed instance's open transaction holds read_committed readers back until it times out: keep it short,
            // and a message may not outlive its transaction.
            producerConfig.TransactionTimeoutMs = (int)Math.Max(_options.OperationTimeout.TotalMilliseconds * 2, 60_000);
            producerConfig.MessageTimeoutMs = Math.Min(producerConfig.MessageTimeoutMs ?? int.MaxValue, producerConfig.TransactionTimeoutMs.Value);
        }

        var consumerConfig = clients.Consumer(_options.GroupId);
        consumerConfig.EnableAutoCommit = false;
        consumerConfig.EnableAutoOffsetStore = false;
        consumerConfig.AutoOffsetReset = AutoOffsetReset.Earliest;
        consumerConfig.IsolationLevel = IsolationLevel.ReadCommitted;
        consumerConfig.FetchWaitMaxMs = _options.FetchWaitMaxMs;
        consumerConfig.SessionTimeoutMs = _options.SessionTimeoutMs;
        consumerConfig.HeartbeatIntervalMs = Math.Max(100, _options.SessionTimeoutMs / 10);
        consumerConfig.PartitionAssignmentStrategy = PartitionAssignmentStrategy.RoundRobin;

        try
        {
            using var producer = new ProducerBuilder<byte[], byte[]>(producerConfig)
                .SetLogHandler((_, m) => KafkaLog.Librdkafka(_logger, m.Facility, m.Message))
                .SetErrorHandler((_, e) => KafkaLog.ClientError(_logger, e.Code.ToString(), e.Reason))
                .Build();
            _producer = producer;
            if (_options.Transactional)
            {
                producer.InitTransactions(_options.OperationTimeout);
            }

            using var consumer = new ConsumerBuilder<byte[], byte[]>(consumerConfig)
                .SetLogHandler((_, m) => KafkaLog.Librdkafka(_logger, m.Facility, m.Message))
                .SetErrorHandler((_, e) => KafkaLog.ClientError(_logger, e.Code.ToString(), e.Reason))
                .SetPartitionsAssignedHandler((_, parts) => OnAssigned(parts))
                .SetPartitionsRevokedHandler((_, parts) => OnRevoked(parts.Select(p => p.TopicPartition), lost: false))
                .SetPartitionsLostHandler((_, parts) => OnRevoked(parts.Select(p => p.TopicPartition), lost: true))
                .Build();
            _consumer = consumer;
            consumer.Subscribe(_inputTopic);
            KafkaLog.WorkerStarted(_logger, _options.GroupId, _inputTopic, _options.Transactional);
            Loop(ct);
            CloseBatch();
            consumer.Close(); // leaves the group: the others take the partitions over at once
            if (_inTransaction)
            {
                producer.AbortTransaction(_options.OperationTimeout); // an empty batch left open
            }

            producer.Flush(_options.OperationTimeout);
        }
        catch (KafkaException ex) when (ex.Error.IsFatal)
        {
            KafkaLog.FatalError(_logger, ex.Error.Code.ToString(), ex.Error.Reason);
            FatalError?.Invoke(ex.Error);
        }
        catch (Exception ex) when (ex is KafkaException or InvalidOperationException or ArgumentException)
        {
            // Configuration the client refuses, or a non-fatal error where none may happen (init, close): stop, loudly.
            var error = ex is KafkaException k ? k.Error : new Error(ErrorCode.Local_Fail, ex.Message);
            KafkaLog.FatalError(_logger, error.Code.ToString(), error.Reason);
            FatalError?.Invoke(error);
        }
        finally
        {
            _producer = null;
            _consumer = null;
        }
    }

    private void Loop(CancellationToken ct)
    {
        var consumer = _consumer!;
        var batchClock = Stopwatch.StartNew();
        var tickClock = Stopwatch.StartNew();
        while (!ct.IsCancellationRequested)
        {
            ConsumeResult<byte[], byte[]>? r;
            try
            {
                r = consumer.Consume(TimeSpan.FromMilliseconds(20));
            }
            catch (ConsumeException ex) when (!ex.Error.IsFatal)
            {
                KafkaLog.ClientError(_logger, ex.Error.Code.ToString(), ex.Error.Reason);
                continue;
            }

            if (r is { IsPartitionEOF: false, Message: not null })
            {
                EnsureBatch();
                Interlocked.Increment(ref _consumed);
                var m = r.Message;
                _processor.OnRecord(r.Partition.Value, m.Key ?? [], m.Value ?? [], RecordSchema.Of(r.Topic, m.Headers, m.Value), UnixTime.FromTimeProvider(_time), this);
                _pending[r.TopicPartition] = r.Offset.Value + 1;
            }

            if (tickClock.Elapsed >= _options.TickInterval)
            {
                tickClock.Restart();
                _processor.OnTick(UnixTime.FromTimeProvider(_time), this);
            }

            if (batchClock.Elapsed >= _options.CommitInterval)
            {
                batchClock.Restart();
                CloseBatch();
            }
        }
    }

    private void EnsureBatch()
    {
        if (_options.Transactional && !_inTransaction)
        {
            _producer!.BeginTransaction();
            _inTransaction = true;
        }
    }

    /// <summary>Commits the open batch (outputs and offsets together), or abandons and replays it when that fails.</summary>
    private void CloseBatch()
    {
        if (_pending.Count == 0 && _batchOutputs == 0)
        {
            return;
        }

        var offsets = _pending.Select(kv => new TopicPartitionOffset(kv.Key, new Offset(kv.Value))).ToList();
        try
        {
            if (_options.Transactional)
            {
                if (offsets.Count > 0)
                {
                    _producer!.SendOffsetsToTransaction(offsets, _consumer!.ConsumerGroupMetadata, _options.OperationTimeout);
                }

                _producer!.CommitTransaction(_options.OperationTimeout);
                _inTransaction = false;
            }
            else
            {
                // At-least-once: the offsets move only once every output of the batch is acknowledged.
                if (_producer!.Flush(_options.OperationTimeout) > 0 || Interlocked.Read(ref _failed) != _batchFailures)
                {
                    _batchFailures = Interlocked.Read(ref _failed);
                    Abandon("outputs not acknowledged");
                    return;
                }

                if (offsets.Count > 0)
                {
                    _consumer!.Commit(offsets);
                }
            }

            Interlocked.Add(ref _committedOutputs, _batchOutputs);
            Interlocked.Increment(ref _batchesCommitted);
            _pending.Clear();
            _batchOutputs = 0;
        }
        catch (KafkaException ex) when (!ex.Error.IsFatal)
        {
            Abandon($"{ex.Error.Code}: {ex.Error.Reason}");
        }
    }

    /// <summary>Drops the batch: aborts its transaction, rewinds owned partitions to their committed offsets, rebuilds their state.</summary>
    private void Abandon(string why)
    {
        KafkaLog.BatchAbandoned(_logger, _pending.Count, _batchOutputs, why);
        Interlocked.Increment(ref _batchesAbandoned);
        if (_options.Transactional && _inTransaction)
        {
            try
            {
                _producer!.AbortTransaction(_options.OperationTimeout);
            }
            catch (KafkaException ex) when (!ex.Error.IsFatal)
            {
                KafkaLog.ClientError(_logger, ex.Error.Code.ToString(), ex.Error.Reason);
            }

            _inTransaction = false;
        }

        _pending.Clear();
        _batchOutputs = 0;
        var owned = _owned.Select(p => new TopicPartition(_inputTopic, p)).ToList();
        if (owned.Count == 0)
        {
            return;
        }

        foreach (var committed in _consumer!.Committed(owned, _options.OperationTimeout))
        {
            _consumer.Seek(new TopicPartitionOffset(committed.TopicPartition, committed.Offset == Offset.Unset ? Offset.Beginning : committed.Offset));
            _processor.OnRevoked(committed.Partition.Value);
            _processor.OnAssigned(committed.Partition.Value);
        }
    }

    private void OnAssigned(List<TopicPartition> partitions)
    {
        foreach (var p in partitions)
        {
            if (_owned.Add(p.Partition.Value))
            {
                _processor.OnAssigned(p.Partition.Value);
            }
        }

        _assigned = [.. _owned];
        Interlocked.Increment(ref _rebalances);
        Interlocked.Exchange(ref _lastAssignmentTicks, Stopwatch.GetTimestamp());
        KafkaLog.PartitionsAssigned(_logger, _options.GroupId, string.Join(",", _owned));
    }

    private void OnRevoked(IEnumerable<TopicPartition> partitions, bool lost)
    {
        var list = partitions.ToList();
        if (lost)
        {
            // Lost (not revoked): another member may own them already, so this batch must not commit.
            if (_pending.Count > 0 || _batchOutputs > 0)
            {
                Abandon("partitions lost");
            }
        }
        else
        {
            CloseBatch();
        }

        foreach (var p in list)
        {
            if (_owned.Remove(p.Partition.Value))
            {
                _processor.OnRevoked(p.Partition.Value);
            }
        }

        _assigned = [.. _owned];
        KafkaLog.PartitionsRevoked(_logger, _options.GroupId, string.Join(",", list.Select(p => p.Partition.Value)), lost);
    }

    private void OnDelivered(DeliveryReport<byte[], byte[]> report)
    {
        if (report.Error.IsError)
        {
            Interlocked.Increment(ref _failed);
            _failures.DeliveryFailed(report.Topic, report.Error.Code.ToString(), report.Error.Reason);
        }
        else
        {
            Interlocked.Increment(ref _delivered);
        }
    }
}

/// <summary>A worker's counters. <paramref name="CommittedOutputs"/> counts outputs of committed batches (visible to read_committed readers).</summary>
public sealed record GroupWorkerStats(
    long Consumed,
    long Emitted,
    long Delivered,
    long DeliveryFailed,
    long CommittedOutputs,
    long BatchesCommitted,
    long BatchesAbandoned,
    long Rebalances,
    IReadOnlyList<int> Assigned,
    bool Transactional,
    LatencySnapshot InputLatency);
