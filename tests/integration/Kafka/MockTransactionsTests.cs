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
    /// <summary>
    /// One attempt's bound. Every call below has its own 20 s timeout, but librdkafka's native calls (consumer close, client
    /// destroy) can block without one; under the full suite's load the mock cluster once left this test blocked until the
    /// 5-minute hang detector killed the whole test host. A blocked attempt is abandoned (its thread is a background one)
    /// and reported with the step it was in; a second attempt on a fresh cluster decides the test.
    /// </summary>
    private static readonly TimeSpan AttemptBound = TimeSpan.FromSeconds(60);

    [Fact]
    public void A_transaction_with_consumed_offsets_commits_and_only_committed_records_are_read()
    {
        const int attempts = 2;
        for (var attempt = 1; ; attempt++)
        {
            var step = new StepMarker();
            Exception? failure = null;
            var thread = new Thread(() =>
            {
                try
                {
                    CommitThenAbort(step);
                }
                catch (Exception e)
                {
                    failure = e;
                }
            }) { IsBackground = true, Name = $"mock-transactions-{attempt}" };
            thread.Start();
            if (thread.Join(AttemptBound))
            {
                if (failure is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
                }

                return;
            }

            output.WriteLine($"attempt {attempt} blocked for {AttemptBound.TotalSeconds:0} s in native code at step '{step.Current}'");
            Assert.True(attempt < attempts, $"every attempt blocked in librdkafka; last at step '{step.Current}'");
        }
    }

    private void CommitThenAbort(StepMarker step)
    {
        step.Current = "cluster";
        using var cluster = new EmbeddedKafkaCluster(brokers: 3);
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.FromMilliseconds(50));
        KafkaTopology.CreateDefaultTopics(cluster);
        var clock = Stopwatch.StartNew();
        var config = new KafkaClientConfigs(new KafkaOptions { BootstrapServers = cluster.BootstrapServers }).Producer();
        config.TransactionalId = "tx-" + Guid.NewGuid().ToString("N");
        config.EnableBackgroundPoll = true;
        config.MessageTimeoutMs = 60_000;
        step.Current = "init transactions";
        using var producer = new ProducerBuilder<byte[], byte[]>(config).SetLogHandler((_, m) => Log($"{clock.ElapsedMilliseconds} {m.Facility} {m.Message}")).Build();
        producer.InitTransactions(TimeSpan.FromSeconds(20));
        Log($"init after {clock.ElapsedMilliseconds} ms");

        step.Current = "subscribe";
        var consumerConfig = KafkaTail.ConsumerConfig(cluster.BootstrapServers);
        using var consumer = new ConsumerBuilder<byte[], byte[]>(consumerConfig).Build();
        consumer.Subscribe(Topics.Events);

        step.Current = "commit transaction";
        producer.BeginTransaction();
        producer.Produce(Topics.FairPrices, new Message<byte[], byte[]> { Key = "k"u8.ToArray(), Value = [1] });
        producer.SendOffsetsToTransaction([new TopicPartitionOffset(Topics.Events, 0, 1)], consumer.ConsumerGroupMetadata, TimeSpan.FromSeconds(20));
        producer.CommitTransaction(TimeSpan.FromSeconds(20));
        Log($"commit after {clock.ElapsedMilliseconds} ms");

        step.Current = "abort transaction";
        producer.BeginTransaction();
        producer.Produce(Topics.FairPrices, new Message<byte[], byte[]> { Key = "k"u8.ToArray(), Value = [2] });
        producer.AbortTransaction(TimeSpan.FromSeconds(20));

        step.Current = "read committed";
        var read = PriceRole.PriceRoleTests.ReadCommitted(cluster.BootstrapServers, Topics.FairPrices, 1, TimeSpan.FromSeconds(10));
        Assert.Equal([1], Assert.Single(read).Message.Value);
        step.Current = "close consumer";
        consumer.Close();
        step.Current = "dispose";
    }

    /// <summary>An abandoned attempt's native threads may still log after the test has ended, when xunit's output refuses.</summary>
    private void Log(string line)
    {
        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private sealed class StepMarker
    {
        private volatile string _current = "start";

        public string Current
        {
            get => _current;
            set => _current = value;
        }
    }
}
