using System.Diagnostics;
using System.Text;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Wire;
using Cloudwall.Rx.Hosting.Cli;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Kafka;
using Cloudwall.Rx.Kafka.Embedded;
using Cloudwall.Rx.Tests.Integration.Kafka;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Cloudwall.Rx.Tests.Integration.PriceRole;

/// <summary>
/// Two <c>run --role price</c> hosts on one embedded cluster: they share md.events.v1's partitions, and when one stops the
/// other takes its instruments over with no fair-price gap longer than the rebalance.
/// </summary>
[Collection(Hosting.EndToEnd.Name)]
public sealed class PriceRoleTests(ITestOutputHelper output)
{
    private const int Partitions = 6;
    private static readonly string[] Bases = ["BTC", "ETH", "SOL", "XRP", "ADA", "DOGE", "LTC", "DOT"];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Two_instances_share_the_partitions_and_one_takes_over_when_the_other_stops(bool transactional)
    {
        using var cluster = new EmbeddedKafkaCluster(brokers: 3);
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.FromMilliseconds(50));
        KafkaTopology.CreateDefaultTopics(cluster, new KafkaTopicLayout { EventsPartitions = Partitions, FairPricesPartitions = Partitions });
        var refData = new ReferenceData();
        var instruments = Bases.Select(b => refData.Intern(InstrumentSpec.Spot(b, "USD"))).ToArray();

        using var ingest = new KafkaPublisher(KafkaTestData.Options(cluster.BootstrapServers), refData);
        using var stopIngest = new CancellationTokenSource();
        var feeding = Task.Run(() => Feed(ingest, instruments, stopIngest.Token));

        var groupId = "price-" + Guid.NewGuid().ToString("N");
        var a = await StartPrice(cluster.BootstrapServers, groupId, transactional);
        var b = await StartPrice(cluster.BootstrapServers, groupId, transactional);
        var priceA = a.Services.GetRequiredService<PriceRoleService>();
        var priceB = b.Services.GetRequiredService<PriceRoleService>();

        // Both members own a share, disjoint, covering every partition.
        Assert.True(KafkaTestData.WaitUntil(() => priceA.Worker!.Assigned.Count > 0 && priceB.Worker!.Assigned.Count > 0
            && priceA.Worker.Assigned.Count + priceB.Worker.Assigned.Count == Partitions, TimeSpan.FromSeconds(30)),
            $"A owns [{string.Join(",", priceA.Worker!.Assigned)}], B owns [{string.Join(",", priceB.Worker!.Assigned)}]");
        Assert.Empty(priceA.Worker.Assigned.Intersect(priceB.Worker.Assigned));
        Assert.True(KafkaTestData.WaitUntil(() => priceA.Worker.Snapshot().CommittedOutputs > 20 && priceB.Worker.Snapshot().CommittedOutputs > 20, TimeSpan.FromSeconds(30)));
        output.WriteLine($"A owns [{string.Join(",", priceA.Worker.Assigned)}], B owns [{string.Join(",", priceB.Worker.Assigned)}]");

        // A stops cleanly (SIGTERM path): it commits its batch and leaves the group; B must own everything.
        var stopAtNs = UnixTime.FromDateTime(DateTime.UtcNow);
        var rebalance = Stopwatch.StartNew();
        await a.StopAsync();
        Assert.True(KafkaTestData.WaitUntil(() => priceB.Worker.Assigned.Count == Partitions, TimeSpan.FromSeconds(30)));
        var rebalanceTime = rebalance.Elapsed;
        output.WriteLine($"rebalance took {rebalanceTime.TotalMilliseconds:F0} ms");
        var outputsAtTakeover = priceB.Worker.Snapshot().CommittedOutputs;
        Assert.True(KafkaTestData.WaitUntil(() => priceB.Worker.Snapshot().CommittedOutputs > outputsAtTakeover + 50, TimeSpan.FromSeconds(30)));
        await Task.Delay(1000);

        await stopIngest.CancelAsync();
        await feeding;
        await b.StopAsync();
        var statsA = priceA.Worker.Snapshot();
        var statsB = priceB.Worker.Snapshot();
        await a.DisposeAsync();
        await b.DisposeAsync();
        if (transactional)
        {
            // Exactly-once: no batch was replayed, and what is on the topic is exactly what the workers committed.
            Assert.Equal(0, statsA.BatchesAbandoned + statsB.BatchesAbandoned);
        }

        // Read back committed fair prices: every instrument priced, no duplicates, and no gap longer than the rebalance.
        var expected = (int)(statsA.CommittedOutputs + statsB.CommittedOutputs);
        var records = ReadCommitted(cluster.BootstrapServers, Topics.FairPrices, expected, TimeSpan.FromSeconds(30));
        if (transactional)
        {
            Assert.Equal(expected, records.Count);
        }
        else
        {
            // At-least-once: a batch whose offset commit met the rebalance is replayed, so its outputs may appear twice.
            Assert.True(records.Count >= expected, $"{records.Count} < {expected}");
        }

        var prices = records.Select(r =>
        {
            Assert.True(refData.TryResolveKey(Encoding.UTF8.GetString(r.Message.Key), out var inst));
            Assert.True(FairPriceCodec.TryDecode(r.Message.Value, inst.Id, out var fp));
            return (Key: inst.Key, r.Offset.Value, Price: fp);
        }).ToList();
        if (transactional)
        {
            Assert.Equal(prices.Count, prices.Select(p => (p.Key, p.Price.ComputedTimeNs, p.Price.Price, p.Price.NewestInputTimeNs)).Distinct().Count());
        }

        // The allowance over the rebalance is the engine's own cadence: the longest gap any instrument showed before the stop.
        static TimeSpan MaxGap(IEnumerable<long> times)
        {
            var list = times.ToList();
            return list.Zip(list.Skip(1), (x, y) => TimeSpan.FromTicks((y - x) / 100)).DefaultIfEmpty().Max();
        }

        var cadence = prices.GroupBy(p => p.Key)
            .Select(g => MaxGap(g.OrderBy(p => p.Value).Select(p => p.Price.ComputedTimeNs).Where(t => t < stopAtNs)))
            .Max();
        var allowance = rebalanceTime + cadence + TimeSpan.FromMilliseconds(250);
        output.WriteLine($"normal cadence (max gap before the stop) {cadence.TotalMilliseconds:F0} ms");
        foreach (var group in prices.GroupBy(p => p.Key))
        {
            var maxGap = MaxGap(group.OrderBy(p => p.Value).Select(p => p.Price.ComputedTimeNs));
            output.WriteLine($"{group.Key}: {group.Count()} fair prices, max gap {maxGap.TotalMilliseconds:F0} ms");
            Assert.True(maxGap <= allowance,
                $"{group.Key}: gap {maxGap.TotalMilliseconds:F0} ms > rebalance {rebalanceTime.TotalMilliseconds:F0} ms + cadence {cadence.TotalMilliseconds:F0} ms + 250 ms");
        }

        Assert.Equal(Bases.Length, prices.Select(p => p.Key).Distinct().Count());
    }

    private static async Task<WebApplication> StartPrice(string bootstrap, string groupId, bool transactional)
    {
        var app = RunCommand.Build(
        [
            new("Kafka:BootstrapServers", bootstrap),
            new("Admin:Port", "0"),
            new("PriceRole:GroupId", groupId),
            new("PriceRole:Transactional", transactional ? "true" : "false"),
            new("PriceRole:SessionTimeoutMs", "3000"), // the mock rebalances in session timeout − 1 s once a member leaves
            new("Logging:LogLevel:Default", "Warning"),
        ], TextWriter.Null, "price");
        await app.StartAsync();
        return app;
    }

    /// <summary>Two venues per instrument, a trade every few milliseconds, until cancelled.</summary>
    private static void Feed(KafkaPublisher publisher, Instrument[] instruments, CancellationToken ct)
    {
        var i = 0;
        while (!ct.IsCancellationRequested)
        {
            foreach (var inst in instruments)
            {
                var now = UnixTime.FromDateTime(DateTime.UtcNow);
                var venue = i % 2 == 0 ? VenueId.Coinbase : VenueId.Kraken;
                publisher.PublishEvent(new MarketEvent
                {
                    Kind = EventKind.Trade, Side = Side.Buy, Instrument = inst.Id, Venue = venue, Provider = i % 2 == 0 ? ProviderId.Coinbase : ProviderId.Kraken,
                    Price = 100m + (i % 10) * 0.01m, Size = 0.1m, ExchangeTimeNs = now - 1_000_000, ReceiveTimeNs = now, TradeId = TradeId.Numeric(i),
                });
            }

            i++;
            Thread.Sleep(10);
        }

        publisher.Flush(TimeSpan.FromSeconds(10));
    }

    internal static List<ConsumeResult<byte[], byte[]>> ReadCommitted(string bootstrap, string topic, int expected, TimeSpan deadline)
    {
        var config = KafkaTail.ConsumerConfig(bootstrap);
        config.IsolationLevel = IsolationLevel.ReadCommitted;
        var records = new List<ConsumeResult<byte[], byte[]>>();
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).SetLogHandler((_, _) => { }).Build();
        consumer.Assign(KafkaTail.AllPartitionsFromStart(consumer, topic, TimeSpan.FromSeconds(10)));
        var clock = Stopwatch.StartNew();
        var idle = Stopwatch.StartNew();
        while (clock.Elapsed < deadline && (records.Count < expected || idle.Elapsed < TimeSpan.FromSeconds(1)))
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (r is { IsPartitionEOF: false, Message: not null })
            {
                records.Add(r);
                idle.Restart();
            }
        }

        consumer.Close();
        return records;
    }
}
