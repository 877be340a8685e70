using Confluent.Kafka;

namespace Cloudwall.Rx.Kafka.Embedded;

/// <summary>
/// An in-process Kafka cluster: librdkafka's built-in mock cluster, reached through its C API. It speaks the Kafka
/// protocol on loopback ports, so ordinary Confluent.Kafka clients connect to <see cref="BootstrapServers"/> unchanged.
/// Broker ids run from 1 to <see cref="BrokerCount"/>. Dispose clients before the cluster.
/// </summary>
/// <remarks>
/// The mock keeps everything in memory and supports produce, fetch, idempotence, consumer groups and fault injection
/// (brokers down, request errors, leader moves). It is for the embedded default and for tests, not for durability.
/// </remarks>
public sealed class EmbeddedKafkaCluster : IDisposable
{
    private const int ProducerType = 0; // RD_KAFKA_PRODUCER: the handle only hosts the cluster's threads

    private readonly RdKafkaMockNative.Api _api;
    private readonly Lock _gate = new();
    private IntPtr _rk;
    private IntPtr _cluster;

    public EmbeddedKafkaCluster(int brokers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        _api = RdKafkaMockNative.Functions;
        BrokerCount = brokers;

        var conf = _api.ConfNew();
        var errstr = new byte[512];
        // The host handle never connects anywhere; keep its own logging quiet.
        if (_api.ConfSet(conf, RdKafkaMockNative.Utf8Z("log_level"), RdKafkaMockNative.Utf8Z("3"), errstr, (UIntPtr)errstr.Length) != 0)
        {
            _api.ConfDestroy(conf);
            throw new KafkaException(new Error(ErrorCode.Local_InvalidArg, "mock cluster conf: " + RdKafkaMockNative.FromErrstr(errstr)));
        }

        _rk = _api.New(ProducerType, conf, errstr, (UIntPtr)errstr.Length);
        if (_rk == IntPtr.Zero)
        {
            _api.ConfDestroy(conf); // rd_kafka_new owns conf only when it succeeds
            throw new KafkaException(new Error(ErrorCode.Local_Fail, "mock cluster host handle: " + RdKafkaMockNative.FromErrstr(errstr)));
        }

        _cluster = _api.MockClusterNew(_rk, brokers);
        if (_cluster == IntPtr.Zero)
        {
            _api.Destroy(_rk);
            _rk = IntPtr.Zero;
            throw new KafkaException(new Error(ErrorCode.Local_Fail, "rd_kafka_mock_cluster_new failed"));
        }

        BootstrapServers = System.Runtime.InteropServices.Marshal.PtrToStringUTF8(_api.MockClusterBootstraps(_cluster))
            ?? throw new KafkaException(new Error(ErrorCode.Local_Fail, "mock cluster returned no bootstrap servers"));
    }

    public int BrokerCount { get; }

    /// <summary>Comma-separated <c>host:port</c> list of the mock brokers, for <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>The librdkafka file this cluster runs on (the same one Confluent.Kafka loaded).</summary>
    public static string NativeLibraryPath => RdKafkaMockNative.LibraryPath;

    /// <summary>Creates a topic. The mock rejects a second create of the same name with <see cref="ErrorCode.TopicAlreadyExists"/>.</summary>
    public void CreateTopic(string name, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(replicationFactor, BrokerCount);
        Check(_api.MockTopicCreate(Handle(), RdKafkaMockNative.Utf8Z(name), partitions, replicationFactor), $"create topic '{name}'");
    }

    /// <summary>Disconnects broker <paramref name="brokerId"/> and refuses new connections (no leader change).</summary>
    public void SetBrokerDown(int brokerId) => Check(_api.MockBrokerSetDown(Handle(), CheckBroker(brokerId)), $"set broker {brokerId} down");

    /// <summary>Lets broker <paramref name="brokerId"/> accept connections again.</summary>
    public void SetBrokerUp(int brokerId) => Check(_api.MockBrokerSetUp(Handle(), CheckBroker(brokerId)), $"set broker {brokerId} up");

    /// <summary>Sets every broker down (a whole-cluster outage).</summary>
    public void SetAllBrokersDown()
    {
        for (var id = 1; id <= BrokerCount; id++)
        {
            SetBrokerDown(id);
        }
    }

    /// <summary>Sets every broker up.</summary>
    public void SetAllBrokersUp()
    {
        for (var id = 1; id <= BrokerCount; id++)
        {
            SetBrokerUp(id);
        }
    }

    /// <summary>
    /// Makes the next <c>errors.Length</c> requests of protocol type <paramref name="apiKey"/> (e.g. 0 = Produce,
    /// 22 = InitProducerId) fail with the given errors, in order, on any broker.
    /// </summary>
    public void PushRequestErrors(short apiKey, params ErrorCode[] errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Length == 0)
        {
            return;
        }

        var codes = new int[errors.Length];
        for (var i = 0; i < errors.Length; i++)
        {
            codes[i] = (int)errors[i];
        }

        _api.MockPushRequestErrorsArray(Handle(), apiKey, (UIntPtr)codes.Length, codes);
    }

    /// <summary>Drops the pending injected errors for <paramref name="apiKey"/>.</summary>
    public void ClearRequestErrors(short apiKey) => _api.MockClearRequestErrors(Handle(), apiKey);

    /// <summary>Moves the leadership of one partition to <paramref name="brokerId"/> (-1 makes it leaderless).</summary>
    public void SetPartitionLeader(string topic, int partition, int brokerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        if (brokerId != -1)
        {
            CheckBroker(brokerId);
        }

        Check(_api.MockPartitionSetLeader(Handle(), RdKafkaMockNative.Utf8Z(topic), partition, brokerId), $"set leader of {topic}[{partition}]");
    }

    /// <summary>The mock's group.initial.rebalance.delay.ms (librdkafka's default is 3 s, slow for tests).</summary>
    public void SetGroupInitialRebalanceDelay(TimeSpan delay) =>
        _api.MockGroupInitialRebalanceDelayMs(Handle(), checked((int)delay.TotalMilliseconds));

    public void Dispose()
    {
        lock (_gate)
        {
            if (_cluster != IntPtr.Zero)
            {
                _api.MockClusterDestroy(_cluster);
                _cluster = IntPtr.Zero;
            }

            if (_rk != IntPtr.Zero)
            {
                _api.Destroy(_rk);
                _rk = IntPtr.Zero;
            }
        }
    }

    private IntPtr Handle()
    {
        var cluster = _cluster;
        ObjectDisposedException.ThrowIf(cluster == IntPtr.Zero, this);
        return cluster;
    }

    private int CheckBroker(int brokerId)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerId, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(brokerId, BrokerCount);
        return brokerId;
    }

    private static void Check(int err, string what)
    {
        if (err != 0)
        {
            var code = (ErrorCode)err;
            throw new KafkaException(new Error(code, $"mock cluster: {what}: {code}"));
        }
    }
}
