using Cloudwall.Rx.Core;
using Cloudwall.Rx.Kafka.Embedded;
using Confluent.Kafka;

namespace Cloudwall.Rx.Tests.Integration.Kafka;

public sealed class EmbeddedKafkaClusterTests
{
    [Fact]
    public void Starts_and_gives_one_bootstrap_address_per_broker()
    {
        using var cluster = new EmbeddedKafkaCluster(brokers: 3);

        var addresses = cluster.BootstrapServers.Split(',');
        Assert.Equal(3, addresses.Length);
        Assert.All(addresses, a => Assert.Matches(@"^[\w.\-]+:\d+$", a));
        Assert.Equal(3, addresses.Distinct().Count());
    }

    [Fact]
    public void Shares_the_single_librdkafka_copy_that_Confluent_Kafka_loaded()
    {
        using var cluster = new EmbeddedKafkaCluster();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        _ = admin.GetMetadata(TimeSpan.FromSeconds(10));

        var mapped = File.ReadLines("/proc/self/maps")
            .Select(l => l.IndexOf('/', StringComparison.Ordinal) is var i and >= 0 ? l[i..] : "")
            .Where(p => Path.GetFileName(p).Contains("librdkafka", StringComparison.Ordinal))
            .Distinct()
            .ToList();
        Assert.Single(mapped);
        Assert.Equal(mapped[0], EmbeddedKafkaCluster.NativeLibraryPath);
    }

    [Fact]
    public void Default_topology_creates_every_topic_with_its_partitions()
    {
        using var cluster = new EmbeddedKafkaCluster(brokers: 2);
        var layout = new KafkaTopicLayout { DeadLettersPartitions = 2, QualityPartitions = 1 };
        KafkaTopology.CreateDefaultTopics(cluster, layout);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        var meta = admin.GetMetadata(TimeSpan.FromSeconds(10));
        var partitions = meta.Topics.ToDictionary(t => t.Topic, t => t.Partitions.Count);

        Assert.Equal(6, partitions[Topics.Events]);
        Assert.Equal(6, partitions[Topics.FairPrices]);
        Assert.Equal(2, partitions[Topics.DeadLetters]);
        Assert.Equal(1, partitions[Topics.Quality]);
        Assert.Equal(3, partitions[Topics.Bars]);
    }

    [Fact]
    public void Creating_an_existing_topic_fails_with_the_brokers_error()
    {
        using var cluster = new EmbeddedKafkaCluster();
        cluster.CreateTopic("dup", 1);

        var ex = Assert.Throws<KafkaException>(() => cluster.CreateTopic("dup", 1));
        Assert.Equal(ErrorCode.TopicAlreadyExists, ex.Error.Code);
    }

    [Fact]
    public void Rejects_unknown_broker_ids_and_use_after_dispose()
    {
        var cluster = new EmbeddedKafkaCluster(brokers: 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => cluster.SetBrokerDown(3));
        cluster.SetBrokerDown(2);
        cluster.SetBrokerUp(2);
        cluster.Dispose();
        Assert.Throws<ObjectDisposedException>(() => cluster.CreateTopic("late", 1));
    }
}
