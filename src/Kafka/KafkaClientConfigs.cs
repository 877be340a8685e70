using Confluent.Kafka;

namespace Cloudwall.Rx.Kafka;

/// <summary>
/// The one place that builds a Kafka client's configuration. Every client (the producer, the group consumers, the shard
/// assignment, <c>tail</c>, admin) starts from <see cref="Common"/>: the bootstrap servers, the security settings
/// (SASL/TLS) and a <c>client.id</c> unique per pod and client kind; each caller then adds only what is its own.
/// </summary>
/// <remarks>
/// <c>client.id</c> is <c>{Kafka:ClientId}-{kind}</c>; with no <c>Kafka:ClientId</c> it is
/// <c>cloudwall-rx-{POD_NAME, else HOSTNAME, else the machine name}-{kind}</c>, so brokers' logs and quotas tell pods apart.
/// </remarks>
public sealed class KafkaClientConfigs
{
    /// <summary>The environment variables the default client id is taken from, first found wins (then the machine name).</summary>
    public static readonly string[] PodNameVariables = ["POD_NAME", "HOSTNAME"];

    private readonly KafkaOptions _options;

    /// <param name="environment">Reads an environment variable; <see cref="Environment.GetEnvironmentVariable(string)"/> by default.</param>
    public KafkaClientConfigs(KafkaOptions options, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        ClientIdPrefix = ResolveClientIdPrefix(options.ClientId, environment ?? Environment.GetEnvironmentVariable);
    }

    /// <summary><c>Kafka:ClientId</c>, else <c>cloudwall-rx-{pod name}</c>; every client id starts with it.</summary>
    public string ClientIdPrefix { get; }

    public string BootstrapServers => _options.BootstrapServers;

    /// <summary>The client id of one kind of client (<c>producer</c>, <c>shards</c>, <c>tail</c>, ...).</summary>
    public string ClientId(string kind) => $"{ClientIdPrefix}-{kind}";

    /// <summary>Bootstrap servers, client id and the security settings: what every client shares.</summary>
    public ClientConfig Common(string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        var o = _options;
        var config = new ClientConfig { BootstrapServers = o.BootstrapServers, ClientId = ClientId(kind) };
        if (o.SecurityProtocol is { } protocol) config.SecurityProtocol = protocol;
        if (o.SaslMechanism is { } mechanism) config.SaslMechanism = mechanism;
        if (o.SaslUsername is not null) config.SaslUsername = o.SaslUsername;
        if (o.ResolveSaslPassword() is { } password) config.SaslPassword = password;
        if (o.SslCaLocation is not null) config.SslCaLocation = o.SslCaLocation;
        if (o.SslCertificateLocation is not null) config.SslCertificateLocation = o.SslCertificateLocation;
        if (o.SslKeyLocation is not null) config.SslKeyLocation = o.SslKeyLocation;
        if (o.SslKeyPassword is not null) config.SslKeyPassword = o.SslKeyPassword;
        if (o.SslEndpointIdentificationAlgorithm is { } algorithm) config.SslEndpointIdentificationAlgorithm = algorithm;
        return config;
    }

    /// <summary>
    /// The producer: idempotent, acks=all, bounded local queue, the preset's batching, and the <c>murmur2_random</c>
    /// partitioner — a keyed record goes to <c>toPositive(murmur2(key)) % partitions</c>, the partition Java's client picks.
    /// </summary>
    public ProducerConfig Producer(string kind = "producer")
    {
        var o = _options;
        return new ProducerConfig(Common(kind))
        {
            EnableIdempotence = true,
            Acks = Acks.All,
            Partitioner = Partitioner.Murmur2Random,
            LingerMs = o.EffectiveLingerMs,
            BatchSize = o.EffectiveBatchSize,
            CompressionType = o.EffectiveCompression,
            QueueBufferingMaxMessages = o.QueueBufferingMaxMessages,
            QueueBufferingMaxKbytes = o.QueueBufferingMaxKbytes,
            MessageTimeoutMs = o.MessageTimeoutMs,
            // Delivery reports carry only topic, partition, offset and error: we never read back keys, values or headers.
            EnableDeliveryReports = true,
            DeliveryReportFields = "none",
            // We poll on our own thread, so the produce path may poll too while it waits for queue room.
            EnableBackgroundPoll = false,
            StatisticsIntervalMs = o.StatisticsIntervalMs,
        };
    }

    /// <summary>A consumer in <paramref name="groupId"/>; the caller sets offsets, commits and timing.</summary>
    public ConsumerConfig Consumer(string groupId, string kind = "consumer")
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        return new ConsumerConfig(Common(kind)) { GroupId = groupId };
    }

    public AdminClientConfig Admin(string kind = "admin") => new(Common(kind));

    private static string ResolveClientIdPrefix(string? configured, Func<string, string?> environment)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured.Trim();
        }

        foreach (var name in PodNameVariables)
        {
            if (environment(name) is { Length: > 0 } pod && !string.IsNullOrWhiteSpace(pod))
            {
                return "cloudwall-rx-" + pod.Trim();
            }
        }

        return "cloudwall-rx-" + Environment.MachineName;
    }
}
