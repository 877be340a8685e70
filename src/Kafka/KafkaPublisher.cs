using System.Text;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Core.Wire;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Kafka;

/// <summary>
/// The process's one Kafka producer: idempotent, acks=all, keyed by canonical instrument so each instrument keeps its order
/// within its partition. Records are enqueued with <c>Produce</c> and a delivery handler, never awaited one by one.
/// </summary>
/// <remarks>
/// <para>Backpressure: when librdkafka's bounded local queue is full (<see cref="ErrorCode.Local_QueueFull"/>) the calling
/// thread polls delivery reports and tries again. Under <see cref="QueueFullPolicy.Wait"/> (the default) it waits until
/// there is room, so the wait propagates through the bounded pipeline to the providers' sockets and nothing is dropped;
/// under <see cref="QueueFullPolicy.DropWrite"/> it gives up after <see cref="KafkaOptions.QueueFullRetries"/> ×
/// <see cref="KafkaOptions.QueueFullPollMs"/> and drops the record, counting it. Either way memory stays bounded while
/// Kafka is down (queue.buffering.max.messages / kbytes).</para>
/// <para>Records carry no header (the topic names the schema, docs/wire-format.md). One delivery handler serves every
/// record: the report names the topic (the very string of the cached <see cref="TopicPartition"/>) and holds the value
/// array, whose length is the delivered byte count, so produced/delivered/failed counts and bytes are exact with no
/// per-record state of ours. Latency is sampled: at most about one record per millisecond carries one of a fixed set of
/// probes (its enqueue time and the input's receive time, with a handler of its own) for the enqueue-to-acknowledgement
/// and input-to-acknowledgement histograms.</para>
/// <para>A fatal error (<see cref="Error.IsFatal"/>, e.g. the idempotent producer lost its guarantees) raises
/// <see cref="OnFatalError"/> once; from then on every record is dropped and counted. Recovery is a new producer.</para>
/// <para>Thread-safe. Keys are cached per instrument; the message and value arrays are reused per producing thread
/// (<see cref="ProduceBuffers"/>). What remains per record is Confluent.Kafka's own delivery shim
/// (<c>TypedDeliveryHandlerShim_Action</c>, made by <c>Producer.Produce</c> for every record that has a handler):
/// <c>KafkaPublisherAllocationTests</c> pins it.</para>
/// </remarks>
public sealed class KafkaPublisher : IMarketDataPublisher, IBarPublisher, IDisposable
{
    private readonly KafkaOptions _options;
    private readonly ReferenceData _refData;
    private readonly ILogger _logger;
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly Thread _pollThread;
    private readonly CancellationTokenSource _stopPolling = new();
    private readonly Lock _gate = new();
    private Action<Error>? _onFatalError;
    private readonly byte[]?[] _venueKeys = new byte[]?[256];
    private volatile byte[]?[] _instrumentKeys = new byte[]?[256];

    private readonly TopicCounters _events = new(Topics.Events);
    private readonly TopicCounters _fairPrices = new(Topics.FairPrices);
    private readonly TopicCounters _deadLetters = new(Topics.DeadLetters);
    private readonly TopicCounters _bars = new(Topics.Bars);
    private readonly TopicCounters _quality = new(Topics.Quality);
    private readonly TopicCounters[] _topics;
    private readonly Action<DeliveryReport<byte[], byte[]>> _onDelivered;
    private readonly Probe[] _probes = new Probe[ProbeCount];
    private int _probesBusy;
    private long _nextProbeMs;
    private readonly KafkaLatencyHistogram _deliveryLatency = new();
    private readonly KafkaLatencyHistogram _inputLatency = new();
    private readonly TimeProvider _time;
    private readonly KafkaFailureLog _failures;

    private long _queueFullWaits;
    private long _requestRetries;
    private long _brokerQueueBytes;
    private volatile Error? _fatal;
    private int _disposed;

    public KafkaPublisher(KafkaOptions options, ReferenceData refData, ILogger<KafkaPublisher>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(refData);
        _options = OptionsCheck.ThrowIfInvalid(options);
        _refData = refData;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _failures = new KafkaFailureLog(_logger, _time);
        _topics = [_events, _fairPrices, _deadLetters, _bars, _quality];

        _onDelivered = OnDelivered;
        for (var i = 0; i < _probes.Length; i++)
        {
            _probes[i] = new Probe(this, i);
        }

        var config = new KafkaClientConfigs(options).Producer();
        // The value array's reference (no copy) comes back in the report: its length is the delivered byte count.
        config.DeliveryReportFields = "value";
        _producer = new ProducerBuilder<byte[], byte[]>(config)
            .SetErrorHandler((_, e) => OnClientError(e))
            .SetLogHandler((_, m) => KafkaLog.Librdkafka(_logger, m.Facility, m.Message))
            .SetStatisticsHandler((_, json) => OnStatistics(json))
            .Build();

        _pollThread = new Thread(PollLoop) { IsBackground = true, Name = "kafka-producer-poll" };
        _pollThread.Start();
        KafkaLog.ProducerStarted(_logger, config.ClientId, options.BootstrapServers, options.Preset.ToString(), options.EffectiveLingerMs,
            options.EffectiveBatchSize, options.EffectiveCompression.ToString(), options.QueueFullPolicy.ToString());
    }

    /// <summary>
    /// Raised once, on a librdkafka thread, when the producer hits a fatal error. Publishing has already stopped when it runs.
    /// The error can arrive while the constructor is still returning (the producer id is requested at once), so a handler
    /// added after the error is called at once, on a thread-pool thread: no subscriber misses it.
    /// </summary>
    public event Action<Error>? OnFatalError
    {
        add
        {
            Error? already;
            lock (_gate)
            {
                already = _fatal;
                if (already is null)
                {
                    _onFatalError += value;
                }
            }

            if (already is not null && value is not null)
            {
                // As if raised now: on another thread, never inside the caller's subscription (which may hold its locks).
                ThreadPool.QueueUserWorkItem(static s => s.Self.InvokeFatalHandler(s.Handler, s.Error), (Self: this, Handler: value, Error: already), false);
            }
        }
        remove
        {
            lock (_gate)
            {
                _onFatalError -= value;
            }
        }
    }

    /// <summary>The fatal error that stopped the producer, if any.</summary>
    public Error? FatalError => _fatal;

    public bool IsStopped => _fatal is not null || Volatile.Read(ref _disposed) != 0;

    public long Produced => _topics.Sum(t => t.Produced);
    public long Delivered => _topics.Sum(t => t.Delivered);
    public long DeliveryFailed => _topics.Sum(t => t.DeliveryFailed);
    public long Dropped => _topics.Sum(t => t.Dropped);
    public long BytesProduced => _topics.Sum(t => t.Bytes);

    /// <summary>Records enqueued and not yet acknowledged or failed (all topics): the producer's queue depth.</summary>
    public long QueueDepth => Produced - Delivered - DeliveryFailed;

    /// <summary>Produce requests librdkafka retried, from its statistics (updated every <see cref="KafkaOptions.StatisticsIntervalMs"/>).</summary>
    public long RequestRetries => Interlocked.Read(ref _requestRetries);

    /// <summary>How many times a caller waited for room in the full local queue (local retries).</summary>
    public long QueueFullWaits => Interlocked.Read(ref _queueFullWaits);

    public KafkaStats Snapshot()
    {
        var topics = _topics.Select(t => t.Snapshot()).ToArray();
        return new KafkaStats(
            topics.Sum(t => t.Produced),
            topics.Sum(t => t.Delivered),
            topics.Sum(t => t.DeliveryFailed),
            topics.Sum(t => t.Dropped),
            topics.Sum(t => t.BytesProduced),
            QueueFullWaits,
            IsStopped,
            topics,
            RequestRetries,
            topics.Sum(t => t.InFlight),
            Interlocked.Read(ref _brokerQueueBytes),
            _deliveryLatency.Snapshot(),
            _inputLatency.Snapshot(),
            _options.QueueFullPolicy.ToString());
    }

    public void PublishEvent(in MarketEvent e)
    {
        var key = InstrumentKey(e.Instrument);
        if (key is null)
        {
            Drop(_events, "unknown instrument " + e.Instrument.Value);
            return;
        }

        Span<byte> scratch = stackalloc byte[EventCodec.MaxSize];
        var buffers = ProduceBuffers.Enter();
        try
        {
            Produce(_events, key, buffers.Value(scratch[..EventCodec.Encode(e, scratch)]), buffers.Message, e.ReceiveTimeNs);
        }
        finally
        {
            buffers.Exit();
        }
    }

    public void PublishFairPrice(in FairPrice price)
    {
        var key = InstrumentKey(price.Instrument);
        if (key is null)
        {
            Drop(_fairPrices, "unknown instrument " + price.Instrument.Value);
            return;
        }

        Span<byte> scratch = stackalloc byte[FairPriceCodec.MaxSize];
        var buffers = ProduceBuffers.Enter();
        try
        {
            // No input time: a conflated fair price waits up to Pipeline:FairPriceMinInterval for its tick by design, and
            // in the input→ack histogram that wait showed as a 50-100 ms p99 at 28 k events/s (bench harness), which is
            // not the path's latency. Its delivery still counts, and enqueue→ack still samples it.
            Produce(_fairPrices, key, buffers.Value(scratch[..FairPriceCodec.Encode(price, scratch)]), buffers.Message, inputReceiveNs: 0);
        }
        finally
        {
            buffers.Exit();
        }
    }

    /// <summary>Publishes one pre-aggregate (topic md.bars.v1), keyed by canonical instrument; input latency counts from the bar's first input.</summary>
    public void PublishBar(in Bar bar)
    {
        var key = InstrumentKey(bar.Instrument);
        if (key is null)
        {
            Drop(_bars, "unknown instrument " + bar.Instrument.Value);
            return;
        }

        Span<byte> scratch = stackalloc byte[BarCodec.MaxSize];
        var buffers = ProduceBuffers.Enter();
        try
        {
            Produce(_bars, key, buffers.Value(scratch[..BarCodec.Encode(bar, scratch)]), buffers.Message, bar.FirstReceiveTimeNs);
        }
        finally
        {
            buffers.Exit();
        }
    }

    /// <summary>
    /// Publishes a quality record (md.quality.v1) written by the quality layer: UTF-8 JSON under schema
    /// <see cref="SchemaIds.QualityAlertV1"/> or <see cref="SchemaIds.SeriesWindowV1"/>, told apart by the value's own
    /// <c>"type"</c> field (<see cref="RecordSchema.OfQualityRecord"/>). The arrays are owned by the producer from here on.
    /// </summary>
    public void PublishQuality(byte schemaId, byte[] key, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (schemaId is not (SchemaIds.QualityAlertV1 or SchemaIds.SeriesWindowV1))
        {
            throw new ArgumentOutOfRangeException(nameof(schemaId), schemaId, "md.quality.v1 carries schema 5 (alert) or 6 (series window)");
        }

        ProduceOwned(_quality, key, value);
    }

    public void PublishDeadLetter(DeadLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        var key = _venueKeys[letter.Venue.Code] ??= Encoding.UTF8.GetBytes(letter.Venue.Name);
        ProduceOwned(_deadLetters, key, DeadLetterCodec.Encode(letter));
    }

    /// <summary>Waits up to <paramref name="timeout"/> for every enqueued record to be delivered or to fail. Returns how many are still outstanding.</summary>
    public int Flush(TimeSpan timeout) => _producer.Flush(timeout);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var outstanding = _fatal is null ? _producer.Flush(_options.DisposeFlushTimeout) : _producer.Flush(TimeSpan.Zero);
        KafkaLog.Closing(_logger, outstanding);
        _stopPolling.Cancel();
        _pollThread.Join();
        _producer.Dispose();
        _stopPolling.Dispose();
    }

    /// <summary>Produces a record whose arrays the caller handed over (no input latency).</summary>
    private void ProduceOwned(TopicCounters topic, byte[] key, byte[] value)
    {
        var buffers = ProduceBuffers.Enter();
        try
        {
            Produce(topic, key, value, buffers.Message, 0);
        }
        finally
        {
            buffers.Exit();
        }
    }

    private void Produce(TopicCounters topic, byte[] key, byte[] value, Message<byte[], byte[]> message, long inputReceiveNs)
    {
        if (_fatal is not null || Volatile.Read(ref _disposed) != 0)
        {
            topic.OnDropped();
            return;
        }

        message.Key = key;
        message.Value = value;
        var probe = TryStartProbe(inputReceiveNs);
        var handler = probe?.Handler ?? _onDelivered;
        // Counted before the call so a delivery report can never run ahead of its own "produced" count.
        topic.OnProduced(key.Length + value.Length);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                probe?.EnqueuedTicks = System.Diagnostics.Stopwatch.GetTimestamp();
                _producer.Produce(topic.Destination, message, handler);
                return;
            }
            catch (ProduceException<byte[], byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull && KeepWaiting(attempt))
            {
                Interlocked.Increment(ref _queueFullWaits);
                // Serving delivery reports frees queue room; this also paces the caller (backpressure).
                _producer.Poll(TimeSpan.FromMilliseconds(_options.QueueFullPollMs));
            }
            catch (ProduceException<byte[], byte[]> ex)
            {
                probe?.Release();
                topic.OnNotProduced(key.Length + value.Length);
                topic.OnDropped();
                if (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    _failures.QueueFullDropped(topic.Topic, attempt, _options.QueueFullPolicy.ToString());
                }
                else
                {
                    _failures.ProduceFailed(topic.Topic, ex.Error.Code.ToString(), ex.Error.Reason);
                    if (ex.Error.IsFatal)
                    {
                        OnClientError(ex.Error);
                    }
                }

                return;
            }
            catch (ObjectDisposedException)
            {
                probe?.Release();
                topic.OnNotProduced(key.Length + value.Length);
                topic.OnDropped();
                return;
            }
        }
    }

    /// <summary>Whether a caller facing a full queue waits once more: always under Wait (until fatal or disposed), else up to the retry budget.</summary>
    private bool KeepWaiting(int attempt) =>
        _fatal is null && Volatile.Read(ref _disposed) == 0 &&
        (_options.QueueFullPolicy == QueueFullPolicy.Wait || attempt < _options.QueueFullRetries);

    /// <summary>
    /// A free latency probe for this record, at most about one per millisecond (<see cref="Environment.TickCount64"/>, a cheap
    /// coarse clock) and never more than <see cref="ProbeCount"/> in flight; null for most records.
    /// </summary>
    private Probe? TryStartProbe(long inputReceiveNs)
    {
        var now = Environment.TickCount64;
        var next = Volatile.Read(ref _nextProbeMs);
        if (now < next || Interlocked.CompareExchange(ref _nextProbeMs, now + 1, next) != next)
        {
            return null;
        }

        while (true)
        {
            var busy = Volatile.Read(ref _probesBusy);
            if (busy == -1)
            {
                return null; // every probe waits for its report (a slow or unreachable cluster): skip this sample
            }

            var slot = System.Numerics.BitOperations.TrailingZeroCount(~busy);
            if (Interlocked.CompareExchange(ref _probesBusy, busy | (1 << slot), busy) == busy)
            {
                var probe = _probes[slot];
                probe.InputReceiveNs = inputReceiveNs;
                return probe;
            }
        }
    }

    /// <summary>The one delivery handler of unprobed records: counts by the report's topic and value length.</summary>
    private void OnDelivered(DeliveryReport<byte[], byte[]> report)
    {
        var topic = TopicOf(report.Topic);
        if (report.Error.IsError)
        {
            topic.OnFailed();
            _failures.DeliveryFailed(topic.Topic, report.Error.Code.ToString(), report.Error.Reason);
        }
        else
        {
            topic.OnDelivered(report.Message?.Value?.Length ?? 0);
        }
    }

    private void OnProbeDelivered(Probe probe, DeliveryReport<byte[], byte[]> report)
    {
        if (!report.Error.IsError)
        {
            _deliveryLatency.Record(System.Diagnostics.Stopwatch.GetElapsedTime(probe.EnqueuedTicks).Ticks * 100);
            if (probe.InputReceiveNs > 0)
            {
                _inputLatency.Record(UnixTime.FromTimeProvider(_time) - probe.InputReceiveNs);
            }
        }

        probe.Release();
        OnDelivered(report);
    }

    /// <summary>
    /// The counters of a report's topic. Confluent.Kafka sets the report's topic to the string of the
    /// <see cref="TopicPartition"/> passed to <c>Produce</c> (our <see cref="TopicCounters.Destination"/>), so a reference
    /// comparison finds it; the string comparison is only a fallback.
    /// </summary>
    private TopicCounters TopicOf(string topic)
    {
        foreach (var t in _topics)
        {
            if (ReferenceEquals(t.Topic, topic))
            {
                return t;
            }
        }

        foreach (var t in _topics)
        {
            if (string.Equals(t.Topic, topic, StringComparison.Ordinal))
            {
                return t;
            }
        }

        throw new InvalidOperationException($"delivery report for topic '{topic}', which this producer never produced to");
    }

    /// <summary>Reads the few figures we export from librdkafka's statistics JSON (once per interval, off the hot path).</summary>
    private void OnStatistics(string json)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.TryGetProperty("brokers", out var brokers) && brokers.ValueKind == System.Text.Json.JsonValueKind.Object)
            {
                // Retries are per broker connection; the sum over brokers only grows while the producer lives.
                long retries = 0;
                foreach (var broker in brokers.EnumerateObject())
                {
                    if (broker.Value.TryGetProperty("txretries", out var n))
                    {
                        retries += n.GetInt64();
                    }
                }

                Interlocked.Exchange(ref _requestRetries, Math.Max(retries, Interlocked.Read(ref _requestRetries)));
            }

            if (root.TryGetProperty("msg_size", out var size))
            {
                Interlocked.Exchange(ref _brokerQueueBytes, size.GetInt64());
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Statistics are best effort; a malformed document only delays the next figures.
        }
    }

    /// <summary>Probes in flight at most (one bit each in <see cref="_probesBusy"/>).</summary>
    private const int ProbeCount = 32;

    /// <summary>A latency sample's context: its handler delegate is made once, so a probed record allocates no closure either.</summary>
    private sealed class Probe
    {
        private readonly KafkaPublisher _owner;
        private readonly int _bit;

        public Probe(KafkaPublisher owner, int slot)
        {
            _owner = owner;
            _bit = 1 << slot;
            Handler = r => owner.OnProbeDelivered(this, r);
        }

        public Action<DeliveryReport<byte[], byte[]>> Handler { get; }

        public long EnqueuedTicks { get; set; }

        public long InputReceiveNs { get; set; }

        public void Release() => Interlocked.And(ref _owner._probesBusy, ~_bit);
    }

    private void OnClientError(Error error)
    {
        if (!error.IsFatal)
        {
            // Transport errors while brokers are down land here; librdkafka keeps retrying on its own.
            KafkaLog.ClientError(_logger, error.Code.ToString(), error.Reason);
            return;
        }

        Action<Error>? handlers;
        lock (_gate)
        {
            if (_fatal is not null)
            {
                return;
            }

            _fatal = error;
            handlers = _onFatalError;
            _onFatalError = null;
        }

        KafkaLog.FatalError(_logger, error.Code.ToString(), error.Reason);
        InvokeFatalHandler(handlers, error);
    }

    private void InvokeFatalHandler(Action<Error>? handler, Error error)
    {
        try
        {
            handler?.Invoke(error);
        }
        catch (Exception ex)
        {
            KafkaLog.FatalHandlerThrew(_logger, ex);
        }
    }

    private void Drop(TopicCounters topic, string why)
    {
        topic.OnDropped();
        _failures.RecordDropped(topic.Topic, why);
    }

    /// <summary>UTF-8 canonical key, encoded once per instrument and then read from an array indexed by id.</summary>
    private byte[]? InstrumentKey(InstrumentId id)
    {
        var keys = _instrumentKeys;
        if ((uint)id.Value < (uint)keys.Length && keys[id.Value] is { } cached)
        {
            return cached;
        }

        if (!_refData.TryGet(id, out var instrument))
        {
            return null;
        }

        lock (_gate)
        {
            keys = _instrumentKeys;
            if (id.Value >= keys.Length)
            {
                Array.Resize(ref keys, Math.Max(keys.Length * 2, id.Value + 1));
            }

            var key = keys[id.Value] ??= Encoding.UTF8.GetBytes(instrument.Key);
            _instrumentKeys = keys;
            return key;
        }
    }

    private void PollLoop()
    {
        var ct = _stopPolling.Token;
        while (!ct.IsCancellationRequested)
        {
            _producer.Poll(TimeSpan.FromMilliseconds(100));
        }
    }
}
