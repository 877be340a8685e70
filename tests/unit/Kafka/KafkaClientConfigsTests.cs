using Cloudwall.Rx.Control.Sharding;
using Cloudwall.Rx.Hosting.Cli;
using Cloudwall.Rx.Kafka;
using Confluent.Kafka;

namespace Cloudwall.Rx.Tests.Unit.Kafka;

/// <summary>Every Kafka client of the platform is configured in one place: cluster, SASL/TLS and a per-pod client id.</summary>
public sealed class KafkaClientConfigsTests : IDisposable
{
    private readonly string _ca = Path.GetTempFileName();
    private readonly string _passwordFile = Path.GetTempFileName();

    public KafkaClientConfigsTests() => File.WriteAllText(_passwordFile, "pw-from-file\n");

    public void Dispose()
    {
        File.Delete(_ca);
        File.Delete(_passwordFile);
    }

    private KafkaOptions Secured() => new()
    {
        BootstrapServers = "b1:9093,b2:9093",
        SecurityProtocol = SecurityProtocol.SaslSsl,
        SaslMechanism = SaslMechanism.ScramSha512,
        SaslUsername = "md",
        SaslPasswordFile = _passwordFile,
        SslCaLocation = _ca,
        SslEndpointIdentificationAlgorithm = SslEndpointIdentificationAlgorithm.Https,
    };

    [Fact]
    public void Every_client_kind_gets_the_cluster_and_the_sasl_and_tls_settings()
    {
        var options = Secured();
        Assert.Empty(options.Errors());
        var clients = new KafkaClientConfigs(options, Pod("ingest-0"));

        var configs = new Dictionary<string, ClientConfig>
        {
            ["producer"] = clients.Producer(),
            ["consumer"] = clients.Consumer("cloudwall-rx-price"),
            ["shards"] = ShardAssignment.ConsumerConfig(new ShardOptions(), clients),
            ["tail"] = KafkaTail.ConsumerConfig(clients),
            ["admin"] = clients.Admin(),
        };

        Assert.All(configs, c =>
        {
            Assert.Equal("b1:9093,b2:9093", c.Value.BootstrapServers);
            Assert.Equal(SecurityProtocol.SaslSsl, c.Value.SecurityProtocol);
            Assert.Equal(SaslMechanism.ScramSha512, c.Value.SaslMechanism);
            Assert.Equal("md", c.Value.SaslUsername);
            Assert.Equal("pw-from-file", c.Value.SaslPassword);
            Assert.Equal(_ca, c.Value.SslCaLocation);
            Assert.Equal(SslEndpointIdentificationAlgorithm.Https, c.Value.SslEndpointIdentificationAlgorithm);
            Assert.Equal("cloudwall-rx-ingest-0-" + c.Key, c.Value.ClientId);
        });
    }

    [Fact]
    public void The_shard_and_tail_consumers_keep_their_own_settings_on_top()
    {
        var clients = new KafkaClientConfigs(Secured(), Pod("p"));

        var shards = ShardAssignment.ConsumerConfig(new ShardOptions { GroupId = "g-shards", SessionTimeoutMs = 9000, HeartbeatIntervalMs = 900 }, clients);
        Assert.Equal(("g-shards", PartitionAssignmentStrategy.CooperativeSticky, 9000, 900, false),
            (shards.GroupId, shards.PartitionAssignmentStrategy!.Value, shards.SessionTimeoutMs!.Value, shards.HeartbeatIntervalMs!.Value, shards.EnableAutoCommit!.Value));

        var tail = KafkaTail.ConsumerConfig(clients);
        Assert.Equal((AutoOffsetReset.Earliest, false), (tail.AutoOffsetReset!.Value, tail.EnableAutoCommit!.Value));
        Assert.StartsWith("cloudwall-tail-", tail.GroupId, StringComparison.Ordinal);
    }

    [Fact]
    public void The_tail_verb_reads_the_kafka_section_and_bootstrap_wins()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:SecurityProtocol"] = "SaslSsl",
            ["Kafka:SaslMechanism"] = "ScramSha256",
            ["Kafka:SaslUsername"] = "tailer",
            ["Kafka:SaslPassword"] = "pw",
            ["Kafka:SslCaLocation"] = _ca,
        };

        var options = TailCommand.Options(settings, bootstrap: "k:9093");
        var config = KafkaTail.ConsumerConfig(new KafkaClientConfigs(options));

        Assert.Empty(options.Errors());
        Assert.Equal(("k:9093", SecurityProtocol.SaslSsl, SaslMechanism.ScramSha256, "tailer", "pw", _ca),
            (config.BootstrapServers, config.SecurityProtocol!.Value, config.SaslMechanism!.Value, config.SaslUsername, config.SaslPassword, config.SslCaLocation));
        Assert.Equal(TailCommand.DefaultBootstrap, TailCommand.Options([], bootstrap: null).BootstrapServers);
    }

    [Fact]
    public void Client_id_differs_per_pod_and_per_client_kind()
    {
        var options = new KafkaOptions { BootstrapServers = "k:9092" };

        var a = new KafkaClientConfigs(options, Pod("cloudwall-rx-ingest-7c9f-a"));
        var b = new KafkaClientConfigs(options, Pod("cloudwall-rx-ingest-7c9f-b"));

        Assert.Equal("cloudwall-rx-cloudwall-rx-ingest-7c9f-a-producer", a.Producer().ClientId);
        Assert.NotEqual(a.Producer().ClientId, b.Producer().ClientId);
        Assert.NotEqual(a.Producer().ClientId, a.Consumer("g").ClientId);

        var byHostName = new KafkaClientConfigs(options, name => name == "HOSTNAME" ? "host-1" : null);
        Assert.Equal("cloudwall-rx-host-1-admin", byHostName.Admin().ClientId);

        var noEnvironment = new KafkaClientConfigs(options, _ => null);
        Assert.Equal($"cloudwall-rx-{Environment.MachineName}-producer", noEnvironment.Producer().ClientId);

        // What the manifests set from the pod name (downward API) wins over the environment's guess.
        var configured = new KafkaClientConfigs(new KafkaOptions { BootstrapServers = "k:9092", ClientId = "price-2" }, Pod("ignored"));
        Assert.Equal("price-2-shards", configured.Consumer("g", "shards").ClientId);
    }

    [Fact]
    public void A_blank_client_id_is_an_error_that_names_the_key()
    {
        Assert.Contains(new KafkaOptions { BootstrapServers = "k:9092", ClientId = " " }.Errors(), e => e.StartsWith("Kafka:ClientId", StringComparison.Ordinal));
        Assert.Empty(new KafkaOptions { BootstrapServers = "k:9092", ClientId = null }.Errors());
    }

    [Fact]
    public void Producers_partition_keys_with_murmur2_as_java_does()
    {
        Assert.Equal(Partitioner.Murmur2Random, new KafkaClientConfigs(new KafkaOptions { BootstrapServers = "k:9092" }).Producer().Partitioner);
    }

    private static Func<string, string?> Pod(string name) => variable => variable == "POD_NAME" ? name : "other-host";
}
