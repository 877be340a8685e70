using Cloudwall.Rx.Core;
using Cloudwall.Rx.Kafka;
using Cloudwall.Rx.Kafka.Embedded;

namespace Cloudwall.Rx.Tests.Integration.Kafka;

/// <summary>
/// What publishing an event allocates on the producing thread in the steady state, against the embedded cluster.
/// </summary>
/// <remarks>
/// Our part allocates nothing: the key is cached per instrument, the value array and the <c>Message</c> are reused per
/// thread (<c>ProduceBuffers</c>), records carry no header, the <c>TopicPartition</c> is made once per topic, and one
/// delivery handler serves every record. What remains is Confluent.Kafka's own: <c>Producer&lt;TKey,TValue&gt;.Produce</c>
/// (src/Confluent.Kafka/Producer.cs) wraps the handler in a new <c>TypedDeliveryHandlerShim_Action</c> per record (topic,
/// key, value and handler references: 48 bytes on 64-bit), which the native delivery report finds again through a
/// <c>GCHandle</c>. The public API has no way around it short of dropping delivery reports, and with them the exact counts.
/// </remarks>
public sealed class KafkaPublisherAllocationTests
{
    /// <summary>Confluent.Kafka's per-record delivery shim: object header and method table (16) plus four references (32).</summary>
    private const long ConfluentShimBytes = 48;

    [Fact]
    public void Publishing_an_event_allocates_only_Confluents_delivery_shim_on_the_producing_thread()
    {
        const int batch = 5_000, measured = 20_000;
        using var cluster = new EmbeddedKafkaCluster(brokers: 1);
        KafkaTopology.CreateDefaultTopics(cluster);
        var (refData, instruments) = KafkaTestData.Instruments();
        // Every kind, trade-id form and time precision of the fixtures, so every value length in use is warmed up.
        var events = Enumerable.Range(0, 64).Select(i => KafkaTestData.Event(instruments[i % instruments.Length], i)).ToArray();
        using var publisher = new KafkaPublisher(KafkaTestData.Options(cluster.BootstrapServers), refData);

        // Warm up past tiered compilation (tier-0 code and its promotion allocate on the calling thread for a while): publish
        // for at least a second, flushing between batches so the queue never fills, and on until one batch allocates no
        // more than the shim (a busy machine can delay the background tier-1 compiles); then measure a batch of its own.
        var warmup = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        double batchPerEvent;
        do
        {
            var start = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < batch; i++, warmup++)
            {
                publisher.PublishEvent(events[i % events.Length]);
            }

            batchPerEvent = (double)(GC.GetAllocatedBytesForCurrentThread() - start) / batch;
            Assert.Equal(0, publisher.Flush(TimeSpan.FromSeconds(30)));
        }
        while ((clock.Elapsed < TimeSpan.FromSeconds(1) || batchPerEvent > ConfluentShimBytes) && clock.Elapsed < TimeSpan.FromSeconds(30));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < measured; i++)
        {
            publisher.PublishEvent(events[i % events.Length]);
        }

        var perEvent = (double)(GC.GetAllocatedBytesForCurrentThread() - before) / measured;

        Assert.Equal(0, publisher.QueueFullWaits); // no Poll on this thread: delivery reports ran on the publisher's poll thread
        Assert.Equal(ConfluentShimBytes, perEvent);
        Assert.Equal(0, publisher.Flush(TimeSpan.FromSeconds(30)));
        Assert.Equal(warmup + measured, publisher.Delivered);
        Assert.Equal(0, publisher.Dropped + publisher.DeliveryFailed);
    }
}
