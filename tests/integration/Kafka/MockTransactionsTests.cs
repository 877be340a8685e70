using System.Diagnostics;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Kafka;
using Cloudwall.Rx.Kafka.Embedded;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace Cloudwall.Rx.Tests.Integration.Kafka;

/// <summary>What the librdkafka mock cluster does with transactions: the price role's exactly-once mode rests on it.</summary>
public sealed class MockTransactionsTests(ITestOutputHelper output)
{
    [Fact]
    public void A_transaction_with_consumed_offsets_commits_and_only_committed_records_are_read()
    {
        using var cluster = new EmbeddedKafkaCluster(brokers: 3);
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.FromMilliseconds(50));
        KafkaTopology.CreateDefaultTopics(cluster);
        var clock = Stopwatch.StartNew();
        var config = new KafkaClientConfigs(new KafkaOptions { BootstrapServers = cluster.BootstrapServers }).Producer();
        config.TransactionalId = "tx-" + Guid.NewGuid().ToString("N");
        config.EnableBackgroundPoll = true;
        config.MessageTimeoutMs = 60_000;
        using var producer = new ProducerBuilder<byte[], byte[]>(config).SetLogHandler((_, m) => output.WriteLine($"{clock.ElapsedMilliseconds} {m.Facility} {m.Message}")).Build();
        producer.InitTransactions(TimeSpan.FromSeconds(20));
        output.WriteLine($"init after {clock.ElapsedMilliseconds} ms");

        var consumerConfig = KafkaTail.ConsumerConfig(cluster.BootstrapServers);
        using var consumer = new ConsumerBuilder<byte[], byte[]>(consumerConfig).Build();
        consumer.Subscribe(Topics.Events);

        producer.BeginTransaction();
        producer.Produce(Topics.FairPrices, new Message<byte[], byte[]> { Key = "k"u8.ToArray(), Value = [1] });
        producer.SendOffsetsToTransaction([new TopicPartitionOffset(Topics.Events, 0, 1)], consumer.ConsumerGroupMetadata, TimeSpan.FromSeconds(20));
        producer.CommitTransaction(TimeSpan.FromSeconds(20));
        output.WriteLine($"commit after {clock.ElapsedMilliseconds} ms");

        producer.BeginTransaction();
        producer.Produce(Topics.FairPrices, new Message<byte[], byte[]> { Key = "k"u8.ToArray(), Value = [2] });
        producer.AbortTransaction(TimeSpan.FromSeconds(20));

        var read = PriceRole.PriceRoleTests.ReadCommitted(cluster.BootstrapServers, Topics.FairPrices, 1, TimeSpan.FromSeconds(10));
        Assert.Equal([1], Assert.Single(read).Message.Value);
        consumer.Close();
    }
}
