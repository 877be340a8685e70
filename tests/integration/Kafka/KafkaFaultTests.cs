using System.Diagnostics;
using System.Text;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Wire;
using Cloudwall.Rx.Kafka;
using Cloudwall.Rx.Kafka.Embedded;
using Cloudwall.Rx.Pricing;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace Cloudwall.Rx.Tests.Integration.Kafka;

/// <summary>
/// The pricing pipeline publishing through the one producer while the cluster misbehaves: afterwards every event is on
/// md.events.v1 exactly once and in order per key (counted by trade id), nothing was dropped, and memory stayed bounded.
/// </summary>
[Collection(Hosting.EndToEnd.Name)]
public sealed class KafkaFaultTests(ITestOutputHelper output)
{
    private const short ProduceApi = 0;

    [Fact]
    public async Task The_partition_leader_down_for_30_seconds_loses_nothing_duplicates_nothing_and_memory_stays_bounded()
    {
        var result = await RunPipelineThrough(TimeSpan.FromSeconds(30), cluster =>
        {
            cluster.SetBrokerDown(1); // leader of every md.events.v1 partition
            return () => cluster.SetBrokerUp(1);
        }, queueBound: 5_000);

        Assert.True(result.QueueFullWaits > 0, "the bounded producer queue never filled: backpressure was not exercised");
    }

    [Fact]
    public async Task Injected_retriable_produce_errors_lose_nothing_and_duplicate_nothing()
    {
        var result = await RunPipelineThrough(TimeSpan.FromSeconds(3), cluster =>
        {
            // Retriable for an idempotent producer: it retries in order with the same sequence numbers.
            // (A broker *returning* NETWORK_EXCEPTION in a produce response fails the batch in librdkafka 2.x rather than
            // retrying it; a transport error is a dropped connection, so that is what we inject: the leader bounces.)
            var errors = Enumerable.Repeat(new[] { ErrorCode.NotEnoughReplicas, ErrorCode.RequestTimedOut, ErrorCode.NotEnoughReplicasAfterAppend }, 10)
                .SelectMany(e => e).ToArray();
            cluster.PushRequestErrors(ProduceApi, errors);
            _ = Task.Run(async () =>
            {
                await Task.Delay(500);
                cluster.SetBrokerDown(1); // transport error: connections to the leader drop
                await Task.Delay(300);
                cluster.SetBrokerUp(1);
            });
            return () => cluster.ClearRequestErrors(ProduceApi);
        }, queueBound: 200_000);

        // The injected errors are retried per partition by the idempotent producer (same sequence numbers, same order);
        // librdkafka's txretries counts request-level retries only, so it may stay 0 here: it is reported, not asserted.
        output.WriteLine($"request retries reported: {result.Retries}");
    }

    private sealed record Outcome(long QueueFullWaits, long Retries);

    private async Task<Outcome> RunPipelineThrough(TimeSpan faultFor, Func<EmbeddedKafkaCluster, Action> fault, int queueBound)
    {
        using var cluster = new EmbeddedKafkaCluster(brokers: 3);
        KafkaTopology.CreateDefaultTopics(cluster, new KafkaTopicLayout { EventsPartitions = 3, ReplicationFactor = 3 });
        for (var p = 0; p < 3; p++)
        {
            cluster.SetPartitionLeader(Topics.Events, p, 1);
        }

        var (refData, instruments) = KafkaTestData.Instruments();
        var options = KafkaTestData.Options(cluster.BootstrapServers);
        options.QueueBufferingMaxMessages = queueBound;
        options.MessageTimeoutMs = 300_000;
        options.StatisticsIntervalMs = 200;
        options.QueueFullPolicy = QueueFullPolicy.Wait;
        var log = new ListLogger();
        using var publisher = new KafkaPublisher(options, refData, log);
        var pipeline = new EventPipeline(publisher, new PipelineOptions { Partitions = 2, PartitionCapacity = 1024, Overflow = System.Threading.Channels.BoundedChannelFullMode.Wait },
            () => new NoPrices());

        // Warm up, then take a memory baseline.
        var sent = 0L;
        Feed(pipeline, instruments, ref sent, 200);
        Assert.True(KafkaTestData.WaitUntil(() => publisher.Delivered == sent, TimeSpan.FromSeconds(30)));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = Process.GetCurrentProcess().PrivateMemorySize64;
        long peak = baseline;

        var heal = fault(cluster);
        var clock = Stopwatch.StartNew();
        var feeding = Task.Run(() =>
        {
            var n = 0L;
            var feedClock = Stopwatch.StartNew();
            while (feedClock.Elapsed < faultFor + TimeSpan.FromSeconds(2))
            {
                // Posting blocks while the partitions are full: that is the backpressure reaching the caller.
                Feed(pipeline, instruments, ref n, 10);
                Thread.Sleep(10);
            }

            return n;
        });
        while (clock.Elapsed < faultFor)
        {
            await Task.Delay(250);
            peak = Math.Max(peak, Process.GetCurrentProcess().PrivateMemorySize64);
        }

        heal();
        sent += await feeding;
        await pipeline.CompleteAsync();
        Assert.Equal(0, publisher.Flush(TimeSpan.FromSeconds(60)));
        var stats = publisher.Snapshot();
        output.WriteLine($"sent {sent}, delivered {stats.Delivered}, failed {stats.DeliveryFailed}, dropped {stats.Dropped}, queue-full waits {stats.QueueFullWaits}, " +
            $"retries {stats.RequestRetries}, private memory baseline {baseline >> 20} MiB peak {peak >> 20} MiB");

        foreach (var line in log.Lines.Distinct().Take(10))
        {
            output.WriteLine(line);
        }

        Assert.Equal(sent, pipeline.Stats.Received);
        Assert.Equal(0, pipeline.Stats.Dropped);
        Assert.Equal(sent, stats.Delivered);
        Assert.Equal(0, stats.DeliveryFailed);
        Assert.Equal(0, stats.Dropped);
        // Bounded: the producer queue and the partition queues are capped, so the process grows by far less than the run produced.
        Assert.True(peak - baseline < 256L << 20, $"private memory grew by {(peak - baseline) >> 20} MiB");

        // Nothing beyond what was sent was ever appended (a duplicate would raise a high watermark), and what was appended reads back once each.
        using (var admin = new ConsumerBuilder<byte[], byte[]>(KafkaTail.ConsumerConfig(cluster.BootstrapServers)).Build())
        {
            var appended = Enumerable.Range(0, 3).Sum(p => admin.QueryWatermarkOffsets(new TopicPartition(Topics.Events, p), TimeSpan.FromSeconds(10)).High.Value);
            Assert.Equal(sent, appended);
        }

        var records = KafkaTestData.ReadAll(cluster.BootstrapServers, Topics.Events, (int)sent, TimeSpan.FromSeconds(60));
        var byKey = records
            .Select(r => (Key: Encoding.UTF8.GetString(r.Message.Key), Partition: r.Partition.Value, Offset: r.Offset.Value,
                Id: EventCodec.TryDecode(r.Message.Value, InstrumentId.None, out var e) ? e.TradeId.AsLong : -1))
            .ToList();
        Assert.Equal(sent, byKey.Count);
        Assert.Equal(sent, byKey.Select(r => r.Id).Distinct().LongCount()); // exactly once, by trade id
        foreach (var group in byKey.GroupBy(r => r.Key))
        {
            var ids = group.OrderBy(r => r.Offset).Select(r => r.Id).ToList();
            Assert.Equal(ids.Order(), ids); // in order per key
        }

        return new Outcome(stats.QueueFullWaits, stats.RequestRetries);
    }

    private static long _nextTradeId;

    private static void Feed(EventPipeline pipeline, Instrument[] instruments, ref long count, int n)
    {
        for (var i = 0; i < n; i++)
        {
            var id = Interlocked.Increment(ref _nextTradeId);
            var now = UnixTime.FromDateTime(DateTime.UtcNow);
            pipeline.Post(new MarketEvent
            {
                Kind = EventKind.Trade, Side = Side.Buy, Instrument = instruments[id % instruments.Length].Id, Venue = VenueId.Coinbase, Provider = ProviderId.Coinbase,
                Price = 63000m + id % 100, Size = 0.01m, ExchangeTimeNs = now - 1_000_000, ReceiveTimeNs = now, Sequence = id, TradeId = TradeId.Numeric(id),
            });
            count++;
        }
    }

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger<KafkaPublisher>
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Information;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel) && Lines.Count < 1000)
            {
                Lines.Enqueue($"{logLevel} {formatter(state, exception)}");
            }
        }
    }

    private sealed class NoPrices : IFairPriceEngine
    {
        public bool OnEvent(in MarketEvent e, long nowNs, out FairPrice price)
        {
            price = default;
            return false;
        }

        public int OnTick(long nowNs, Span<FairPrice> output) => 0;
    }
}
