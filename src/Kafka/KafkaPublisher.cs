using System.Text;
using Cloudwall.Rx.Core;
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
/// thread polls for up to <see cref="KafkaOptions.QueueFullRetries"/> × <see cref="KafkaOptions.QueueFullPollMs"/> and then
/// drops the record, counting it. Memory stays bounded while Kafka is down.</para>
/// <para>A fatal error (<see cref="Error.IsFatal"/>, e.g. the idempotent producer lost its guarantees) raises
/// <see cref="OnFatalError"/> once; from then on every record is dropped and counted. Recovery is a new producer.</para>
/// <para>Thread-safe. Publishing allocates the value array and Confluent's message and delivery objects; keys are cached.</para>
/// </remarks>
public sealed class KafkaPublisher : IMarketDataPublisher, IDisposable
{
    private static readonly Headers EventHeaders = SchemaHeaders(SchemaIds.MarketEventV1);
    private static readonly Headers FairPriceHeaders = SchemaHeaders(SchemaIds.FairPriceV1);
    private static readonly Headers DeadLetterHeaders = SchemaHeaders(SchemaIds.DeadLetterV1);

    private readonly KafkaOptions _options;
    private readonly ReferenceData _refData;
    private readonly ILogger _logger;
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly Thread _pollThread;
    private readonly CancellationTokenSource _stopPolling = new();
    private readonly Lock _gate = new();
    private readonly byte[]?[] _venueKeys = new byte[]?[256];
    private volatile byte[]?[] _instrumentKeys = new byte[]?[256];

    private readonly TopicCounters _events = new(Topics.Events);
    private readonly TopicCounters _fairPrices = new(Topics.FairPrices);
    private readonly TopicCounters _deadLetters = new(Topics.DeadLetters);
    private readonly TopicCounters _quality = new(Topics.Quality);
    private readonly Action<DeliveryReport<byte[], byte[]>> _onQualityDelivered;
    private readonly Action<DeliveryReport<byte[], byte[]>> _onEventDelivered;
    private readonly Action<DeliveryReport<byte[], byte[]>> _onFairPriceDelivered;
    private readonly Action<DeliveryReport<byte[], byte[]>> _onDeadLetterDelivered;

    private long _queueFullWaits;
    private volatile Error? _fatal;
    private int _disposed;

    public KafkaPublisher(KafkaOptions options, ReferenceData refData, ILogger<KafkaPublisher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(refData);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid Kafka options: " + string.Join("; ", errors), nameof(options));
        }

        _options = options;
        _refData = refData;
        _logger = (ILogger?)logger ?? NullLogger.Instance;

        // One handler per topic, made once: the hot path passes a cached delegate, never a fresh closure.
        _onEventDelivered = r => OnDelivered(_events, r);
        _onFairPriceDelivered = r => OnDelivered(_fairPrices, r);
        _onDeadLetterDelivered = r => OnDelivered(_deadLetters, r);
        _onQualityDelivered = r => OnDelivered(_quality, r);

        _producer = new ProducerBuilder<byte[], byte[]>(options.ToProducerConfig())
            .SetErrorHandler((_, e) => OnClientError(e))
            .SetLogHandler((_, m) => KafkaLog.Librdkafka(_logger, m.Facility, m.Message))
            .Build();

        _pollThread = new Thread(PollLoop) { IsBackground = true, Name = "kafka-producer-poll" };
        _pollThread.Start();
        KafkaLog.ProducerStarted(_logger, options.ClientId, options.BootstrapServers, options.LingerMs, options.BatchSize, options.CompressionType.ToString());
    }

    /// <summary>
    /// Raised once, on a librdkafka thread, when the producer hits a fatal error. Publishing has already stopped when it runs.
    /// </summary>
    public event Action<Error>? OnFatalError;

    /// <summary>The fatal error that stopped the producer, if any.</summary>
    public Error? FatalError => _fatal;

    public bool IsStopped => _fatal is not null || Volatile.Read(ref _disposed) != 0;

    public long Produced => _events.Produced + _fairPrices.Produced + _deadLetters.Produced + _quality.Produced;
    public long Delivered => _events.Delivered + _fairPrices.Delivered + _deadLetters.Delivered + _quality.Delivered;
    public long DeliveryFailed => _events.DeliveryFailed + _fairPrices.DeliveryFailed + _deadLetters.DeliveryFailed + _quality.DeliveryFailed;
    public long Dropped => _events.Dropped + _fairPrices.Dropped + _deadLetters.Dropped + _quality.Dropped;
    public long BytesProduced => _events.Bytes + _fairPrices.Bytes + _deadLetters.Bytes + _quality.Bytes;

    /// <summary>How many times a caller waited for room in the full local queue.</summary>
    public long QueueFullWaits => Interlocked.Read(ref _queueFullWaits);

    public KafkaStats Snapshot()
    {
        KafkaTopicStats[] topics = [_events.Snapshot(), _fairPrices.Snapshot(), _deadLetters.Snapshot(), _quality.Snapshot()];
        return new KafkaStats(
            topics.Sum(t => t.Produced),
            topics.Sum(t => t.Delivered),
            topics.Sum(t => t.DeliveryFailed),
            topics.Sum(t => t.Dropped),
            topics.Sum(t => t.BytesProduced),
            QueueFullWaits,
            IsStopped,
            topics);
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
        var value = scratch[..EventCodec.Encode(e, scratch)].ToArray();
        Produce(_events, key, value, EventHeaders, _onEventDelivered);
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
        var value = scratch[..FairPriceCodec.Encode(price, scratch)].ToArray();
        Produce(_fairPrices, key, value, FairPriceHeaders, _onFairPriceDelivered);
    }

    public void PublishDeadLetter(DeadLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        var key = _venueKeys[letter.Venue.Code] ??= Encoding.UTF8.GetBytes(letter.Venue.Name);
        Produce(_deadLetters, key, DeadLetterCodec.Encode(letter), DeadLetterHeaders, _onDeadLetterDelivered);
    }

    /// <summary>Publishes a quality record (alert or series statistics) to md.quality.v1 with its schema header.</summary>
    public void PublishQualityRecord(byte[] key, byte[] value, byte schemaId) =>
        Produce(_quality, key, value, SchemaHeaders(schemaId), _onQualityDelivered);

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

    private void Produce(TopicCounters topic, byte[] key, byte[] value, Headers headers, Action<DeliveryReport<byte[], byte[]>> handler)
    {
        if (_fatal is not null || Volatile.Read(ref _disposed) != 0)
        {
            topic.OnDropped();
            return;
        }

        var message = new Message<byte[], byte[]> { Key = key, Value = value, Headers = headers };
        // Counted before the call so a delivery report can never run ahead of its own "produced" count.
        topic.OnProduced(key.Length + value.Length);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                _producer.Produce(topic.Topic, message, handler);
                return;
            }
            catch (ProduceException<byte[], byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull && attempt < _options.QueueFullRetries && _fatal is null)
            {
                Interlocked.Increment(ref _queueFullWaits);
                // Serving delivery reports frees queue room; this also paces the caller (backpressure).
                _producer.Poll(TimeSpan.FromMilliseconds(_options.QueueFullPollMs));
            }
            catch (ProduceException<byte[], byte[]> ex)
            {
                topic.OnNotProduced(key.Length + value.Length);
                topic.OnDropped();
                if (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    KafkaLog.QueueFullDropped(_logger, topic.Topic, attempt);
                }
                else
                {
                    KafkaLog.ProduceFailed(_logger, topic.Topic, ex.Error.Code.ToString(), ex.Error.Reason);
                    if (ex.Error.IsFatal)
                    {
                        OnClientError(ex.Error);
                    }
                }

                return;
            }
            catch (ObjectDisposedException)
            {
                topic.OnNotProduced(key.Length + value.Length);
                topic.OnDropped();
                return;
            }
        }
    }

    private void OnDelivered(TopicCounters topic, DeliveryReport<byte[], byte[]> report)
    {
        if (report.Error.IsError)
        {
            topic.OnFailed();
            KafkaLog.DeliveryFailed(_logger, topic.Topic, report.Error.Code.ToString(), report.Error.Reason);
        }
        else
        {
            topic.OnDelivered();
        }
    }

    private void OnClientError(Error error)
    {
        if (!error.IsFatal)
        {
            // Transport errors while brokers are down land here; librdkafka keeps retrying on its own.
            KafkaLog.ClientError(_logger, error.Code.ToString(), error.Reason);
            return;
        }

        lock (_gate)
        {
            if (_fatal is not null)
            {
                return;
            }

            _fatal = error;
        }

        KafkaLog.FatalError(_logger, error.Code.ToString(), error.Reason);
        try
        {
            OnFatalError?.Invoke(error);
        }
        catch (Exception ex)
        {
            KafkaLog.FatalHandlerThrew(_logger, ex);
        }
    }

    private void Drop(TopicCounters topic, string why)
    {
        topic.OnDropped();
        KafkaLog.RecordDropped(_logger, topic.Topic, why);
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

    private static Headers SchemaHeaders(byte schemaId) => new() { { Topics.SchemaHeader, [schemaId] } };
}
