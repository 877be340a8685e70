using System.Text;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Transport;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;
using Cloudwall.Rx.Kafka;
using Cloudwall.Rx.Kafka.Embedded;
using Cloudwall.Rx.Pricing;
using Cloudwall.Rx.Tests.Integration.Kafka;
using Cloudwall.Rx.Tests.Unit.TestSupport;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Cloudwall.Rx.Tests.Integration.Cost;

/// <summary>
/// What the whole path allocates per event in the steady state: a venue frame arrives on the socket, is decoded in place,
/// checked, handed to the pipeline as a batch, partitioned, priced and produced to Kafka. The venue is scripted in memory
/// (no loopback server allocating in this process); Kafka is the embedded cluster; the bytes are the whole process's, so the
/// test runs in the collection that never runs beside another (a CI run that measured it beside a parallel test class saw
/// 2,715 B/event to a null sink and 5,082 to Kafka, where it measures 15 and 470 alone).
/// </summary>
[Collection(Hosting.EndToEnd.Name)]
public sealed class WholePathAllocationTests(ITestOutputHelper output)
{
    private const int Warmup = 20_000;
    private const int Measured = 100_000;
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The budget per event, split by who allocates it (bench/README.md, "What an event still costs"). Our code allocates
    /// nothing per event; TPL Dataflow allocates a task each time a partition goes from idle to busy (per burst, not per
    /// event: 8-15 B per event on a quiet machine, 41 B in a loaded CI run, where partitions idle more often), bounded here
    /// by one task per event. The old path copied every frame into a new array (the 230-byte frames here: 256 B) and
    /// wrapped it in a message object, which this bound catches. Confluent.Kafka 2.16 allocates per record: the
    /// delivery-handler shim on the producing thread (48 B) and the delivery report with a copy of the value on its poll
    /// thread; the Kafka bound is that share on top.
    /// </summary>
    private const double DataflowBudget = 160;
    private const double ConfluentBudget = 520;

    [Fact]
    public void Steady_state_frames_from_the_socket_to_the_Kafka_produce_call_allocate_only_what_Dataflow_and_Confluent_do()
    {
        var toSink = Measure(cluster: null);
        using var cluster = new EmbeddedKafkaCluster();
        KafkaTopology.CreateDefaultTopics(cluster);
        var toKafka = Measure(cluster);

        output.WriteLine($"socket to a null sink: {toSink:F1} B/event; socket to the Kafka produce call and its delivery report: {toKafka:F1} B/event");
        Assert.True(toSink < DataflowBudget, $"{toSink:F1} bytes per event between the socket and the pipeline's sink: our code allocates per event again");
        Assert.True(toKafka - toSink < ConfluentBudget, $"{toKafka - toSink:F1} bytes per event in the Kafka publisher and Confluent.Kafka");
    }

    /// <summary>Bytes allocated by the whole process per event, over <see cref="Measured"/> events after a warm-up.</summary>
    private static double Measure(EmbeddedKafkaCluster? cluster)
    {
        // Every frame is built before anything is measured: distinct trade ids and sequences, as a venue sends them.
        var frames = Enumerable.Range(1, Warmup + Measured).Select(Match).ToArray();
        var socket = new ScriptedVenueSocket(frames, pauseAfter: Warmup);
        var time = new FakeTimeProvider(Start.AddSeconds(1)); // the receive clock: timers never fire on their own
        var refData = new ReferenceData();
        CoinbaseSymbols.Register(refData);
        using var publisher = cluster is null ? null : new KafkaPublisher(KafkaTestData.Options(cluster.BootstrapServers), refData);
        // A capacity small enough that the warm-up grows the partitions' queues to their steady size.
        var pipeline = new EventPipeline(publisher ?? (IMarketDataPublisher)new NullSink(), new PipelineOptions { Partitions = 2, PartitionCapacity = 1024 },
            () => new MedianFairPrice(TimeSpan.FromMilliseconds(100)), time);
        var provider = new WebSocketProvider(new CoinbaseExchangeProtocol(), new Uri("ws://scripted.invalid/"), ["BTC-USD"], refData, _ => { },
            new ConnectionOptions { Connect = socket.ConnectAsync }, time);
        using var subscription = provider.Events.Subscribe(pipeline.Input("coinbase"));
        Func<bool> warm = () => pipeline.Stats.Processed >= Warmup;
        Func<bool> done = () => pipeline.Stats.Processed >= Warmup + Measured;
        Assert.True(SpinWait.SpinUntil(warm, TimeSpan.FromSeconds(60)), $"warm-up: {pipeline.Stats.Processed} of {Warmup} processed");
        Assert.Equal(0, publisher?.Flush(TimeSpan.FromSeconds(30)) ?? 0);

        var before = GC.GetTotalAllocatedBytes(precise: true);
        socket.Release();
        Assert.True(SpinWait.SpinUntil(done, TimeSpan.FromSeconds(120)),
            $"{pipeline.Stats.Processed} of {Warmup + Measured} processed; received {pipeline.Stats.Received}, queue depths [{string.Join(", ", pipeline.QueueDepths())}], " +
            $"back-pressured frames {provider.Counters.BackPressured}, Kafka produced {publisher?.Produced} delivered {publisher?.Delivered}");
        Assert.Equal(0, publisher?.Flush(TimeSpan.FromSeconds(30)) ?? 0);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(Warmup + Measured, provider.Counters.Events);
        Assert.Equal(Warmup + Measured, pipeline.Stats.EventsPublished);
        if (publisher is not null)
        {
            Assert.Equal(Warmup + Measured, publisher.Snapshot().For(Topics.Events)!.Delivered);
        }

        return (double)allocated / Measured;
    }

    private sealed class NullSink : IMarketDataPublisher
    {
        public void PublishEvent(in MarketEvent e)
        {
        }

        public void PublishFairPrice(in FairPrice price)
        {
        }

        public void PublishDeadLetter(DeadLetter letter)
        {
        }
    }

    private static byte[] Match(int i) => Encoding.UTF8.GetBytes(
        $$"""{"type":"match","trade_id":{{i}},"maker_order_id":"m","taker_order_id":"t","side":"{{(i % 2 == 0 ? "buy" : "sell")}}","size":"0.01","price":"{{100 + (i % 100) / 100m}}","product_id":"BTC-USD","sequence":{{i}},"time":"{{Start.AddTicks(i * 10L).UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'}}"}""");
}
