using System.Collections.Concurrent;
using System.Text;
using Cloudwall.Rx.Kafka;
using Cloudwall.Rx.Kafka.Embedded;
using Confluent.Kafka;

namespace Cloudwall.Rx.Tests.Integration.Kafka;

/// <summary>
/// Our producers put a keyed record where Java's producer would: partition = toPositive(murmur2(key)) % partitions.
/// </summary>
public sealed class PartitionerTests
{
    /// <summary>
    /// Java's <c>Utils.murmur2</c> of each key's bytes, from apache/kafka
    /// <c>clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java</c> (<c>testMurmur2</c>). Java picks
    /// <c>Utils.toPositive(Utils.murmur2(key)) % numPartitions</c> (<c>BuiltInPartitioner.partitionForKey</c>), where
    /// toPositive is <c>h &amp; 0x7fffffff</c>.
    /// </summary>
    public static TheoryData<string, int> JavaMurmur2 => new()
    {
        { "21", -973932308 },
        { "foobar", -790332482 },
        { "a-little-bit-long-string", -985981536 },
        { "a-little-bit-longer-string", -1486304829 },
        { "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971 },
        { "abc", 479470107 },
    };

    [Fact]
    public void Keyed_records_land_in_the_partition_javas_producer_picks()
    {
        using var cluster = new EmbeddedKafkaCluster(brokers: 1);
        int[] partitionCounts = [3, 6, 7, 12];
        foreach (var n in partitionCounts)
        {
            cluster.CreateTopic($"keys-{n}", n);
        }

        var landed = new ConcurrentDictionary<(string Key, int Partitions), int>();
        var config = new KafkaClientConfigs(new KafkaOptions { BootstrapServers = cluster.BootstrapServers }).Producer();
        using (var producer = new ProducerBuilder<byte[], byte[]>(config).SetLogHandler((_, _) => { }).Build())
        {
            foreach (var row in JavaMurmur2)
            {
                var key = (string)row[0];
                foreach (var n in partitionCounts)
                {
                    producer.Produce($"keys-{n}", new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(key), Value = [1] }, r =>
                    {
                        Assert.False(r.Error.IsError, r.Error.Reason);
                        landed[(key, n)] = r.Partition.Value;
                    });
                }
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        foreach (var row in JavaMurmur2)
        {
            var (key, hash) = ((string)row[0], (int)row[1]);
            foreach (var n in partitionCounts)
            {
                Assert.True(landed.TryGetValue((key, n), out var partition), $"no delivery report for '{key}' on {n} partitions");
                Assert.Equal((hash & 0x7fffffff) % n, partition);
            }
        }
    }
}
