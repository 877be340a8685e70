using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Kafka.Embedded;

/// <summary>Partition counts of the platform's topics. Events and fair prices scale with partitions; the rest are small.</summary>
public sealed record KafkaTopicLayout
{
    public int EventsPartitions { get; init; } = 6;
    public int FairPricesPartitions { get; init; } = 6;
    public int DeadLettersPartitions { get; init; } = 1;
    public int QualityPartitions { get; init; } = 3;
    public int BarsPartitions { get; init; } = 3;
    public int ReplicationFactor { get; init; } = 1;

    public static KafkaTopicLayout Default { get; } = new();

    /// <summary>Every topic with its partition count, in a stable order.</summary>
    public IReadOnlyList<(string Topic, int Partitions)> Topics =>
    [
        (Rx.Core.Topics.Events, EventsPartitions),
        (Rx.Core.Topics.FairPrices, FairPricesPartitions),
        (Rx.Core.Topics.DeadLetters, DeadLettersPartitions),
        (Rx.Core.Topics.Quality, QualityPartitions),
        (Rx.Core.Topics.Bars, BarsPartitions),
    ];
}

/// <summary>Creates the platform's topics on the embedded cluster.</summary>
public static class KafkaTopology
{
    /// <summary>Creates md.events.v1, md.fairprice.v1, md.deadletter.v1, md.quality.v1 and md.bars.v1.</summary>
    public static IReadOnlyList<(string Topic, int Partitions)> CreateDefaultTopics(EmbeddedKafkaCluster cluster, KafkaTopicLayout? layout = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        layout ??= KafkaTopicLayout.Default;
        var rf = Math.Min(layout.ReplicationFactor, cluster.BrokerCount);
        var topics = layout.Topics;
        foreach (var (topic, partitions) in topics)
        {
            cluster.CreateTopic(topic, partitions, rf);
        }

        return topics;
    }
}
