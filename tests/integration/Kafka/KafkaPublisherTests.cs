using System.Text;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Wire;
using Cloudwall.Rx.Kafka;
using Cloudwall.Rx.Kafka.Embedded;
using Confluent.Kafka;

namespace Cloudwall.Rx.Tests.Integration.Kafka;

public sealed class KafkaPublisherTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public void Publishes_events_fair_prices_and_dead_letters_that_read_back_equal_and_in_order_per_key()
    {
        const int events = 300, prices = 30;
        using var cluster = new EmbeddedKafkaCluster(brokers: 3);
        KafkaTopology.CreateDefaultTopics(cluster);
        var (refData, instruments) = KafkaTestData.Instruments();
        var sentEvents = Enumerable.Range(0, events).Select(i => KafkaTestData.Event(instruments[i % instruments.Length], i)).ToList();
        var sentPrices = Enumerable.Range(0, prices).Select(i => KafkaTestData.FairPrice(instruments[i % instruments.Length], i)).ToList();
        var letter = KafkaTestData.DeadLetter();

        using (var publisher = new KafkaPublisher(KafkaTestData.Options(cluster.BootstrapServers), refData))
        {
            foreach (var e in sentEvents) publisher.PublishEvent(e);
            foreach (var p in sentPrices) publisher.PublishFairPrice(p);
            publisher.PublishDeadLetter(letter);

            Assert.Equal(0, publisher.Flush(Deadline));
            var stats = publisher.Snapshot();
            Assert.Equal(events + prices + 1, publisher.Produced);
            Assert.Equal(events + prices + 1, publisher.Delivered);
            Assert.Equal(0, publisher.DeliveryFailed);
            Assert.Equal(0, publisher.Dropped);
            Assert.Equal(events, stats.For(Topics.Events)!.Delivered);
            Assert.Equal(prices, stats.For(Topics.FairPrices)!.Delivered);
            Assert.Equal(1, stats.For(Topics.DeadLetters)!.Delivered);
            Assert.Equal(0, stats.For(Topics.Events)!.InFlight);
            Assert.True(publisher.BytesProduced > events * 10);
            // Value bytes come from the delivery reports' value arrays (reused per length, so only their length is read).
            Assert.Equal(sentEvents.Sum(EncodedLength), stats.For(Topics.Events)!.ValueBytesDelivered);
        }

        // Events: decoded equal, and each instrument's events arrive in the order they were published.
        var eventRecords = KafkaTestData.ReadAll(cluster.BootstrapServers, Topics.Events, events, Deadline);
        Assert.Equal(events, eventRecords.Count);
        var decoded = eventRecords.Select(r =>
        {
            // No header: the topic names the schema.
            Assert.Empty(r.Message.Headers);
            Assert.Equal(SchemaIds.MarketEventV1, RecordSchema.Of(r.Topic, r.Message.Headers, r.Message.Value));
            Assert.True(refData.TryResolveKey(Encoding.UTF8.GetString(r.Message.Key), out var inst));
            Assert.True(EventCodec.TryDecode(r.Message.Value, inst.Id, out var e));
            return (Key: inst.Key, Partition: r.Partition.Value, Event: e);
        }).ToList();
        foreach (var instrument in instruments)
        {
            var expected = sentEvents.Where(e => e.Instrument == instrument.Id).ToList();
            var actual = decoded.Where(d => d.Key == instrument.Key).ToList();
            Assert.Equal(expected, actual.Select(a => a.Event).ToList());
            Assert.Single(actual.Select(a => a.Partition).Distinct()); // keyed: one instrument, one partition
            Assert.Equal(expected.Select(e => e.Price.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                actual.Select(a => a.Event.Price.ToString(System.Globalization.CultureInfo.InvariantCulture))); // scale survives
        }

        var priceRecords = KafkaTestData.ReadAll(cluster.BootstrapServers, Topics.FairPrices, prices, Deadline);
        Assert.Equal(prices, priceRecords.Count);
        var decodedPrices = priceRecords.Select(r =>
        {
            Assert.Empty(r.Message.Headers);
            Assert.Equal(SchemaIds.FairPriceV1, RecordSchema.Of(r.Topic, r.Message.Headers, r.Message.Value));
            Assert.True(refData.TryResolveKey(Encoding.UTF8.GetString(r.Message.Key), out var inst));
            Assert.True(FairPriceCodec.TryDecode(r.Message.Value, inst.Id, out var p));
            return p;
        }).ToList();
        foreach (var instrument in instruments)
        {
            Assert.Equal(sentPrices.Where(p => p.Instrument == instrument.Id), decodedPrices.Where(p => p.Instrument == instrument.Id));
        }

        var letterRecord = Assert.Single(KafkaTestData.ReadAll(cluster.BootstrapServers, Topics.DeadLetters, 1, Deadline));
        Assert.Equal("kraken", Encoding.UTF8.GetString(letterRecord.Message.Key));
        Assert.True(DeadLetterCodec.TryDecode(letterRecord.Message.Value, out var back));
        Assert.Equal((letter.Provider, letter.Venue, letter.Reason, letter.ReceiveTimeNs, letter.OriginalLength, letter.Detail),
            (back.Provider, back.Venue, back.Reason, back.ReceiveTimeNs, back.OriginalLength, back.Detail));
        Assert.Equal(letter.Raw, back.Raw);
    }

    [Fact]
    public void Threads_publishing_at_once_each_send_their_own_values()
    {
        // Each producing thread reuses its value arrays (one per length) as soon as Produce returns: every record must
        // still carry the bytes it was published with.
        const int threads = 4, perThread = 500;
        using var cluster = new EmbeddedKafkaCluster(brokers: 1);
        KafkaTopology.CreateDefaultTopics(cluster);
        var (refData, instruments) = KafkaTestData.Instruments();
        var sent = Enumerable.Range(0, threads * perThread).Select(i => KafkaTestData.Event(instruments[i % instruments.Length], i)).ToArray();
        using (var publisher = new KafkaPublisher(KafkaTestData.Options(cluster.BootstrapServers), refData))
        {
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                for (var i = t; i < sent.Length; i += threads)
                {
                    publisher.PublishEvent(sent[i]);
                }
            });
            Assert.Equal(0, publisher.Flush(Deadline));
            Assert.Equal(sent.Length, publisher.Delivered);
        }

        var received = KafkaTestData.ReadAll(cluster.BootstrapServers, Topics.Events, sent.Length, Deadline).Select(r =>
        {
            Assert.True(refData.TryResolveKey(Encoding.UTF8.GetString(r.Message.Key), out var inst));
            Assert.True(EventCodec.TryDecode(r.Message.Value, inst.Id, out var e));
            return e;
        });
        Assert.Equal(sent.OrderBy(e => e.Sequence), received.OrderBy(e => e.Sequence));
    }

    private static long EncodedLength(MarketEvent e)
    {
        Span<byte> scratch = stackalloc byte[EventCodec.MaxSize];
        return EventCodec.Encode(e, scratch);
    }

    [Fact]
    public void Loses_nothing_while_every_broker_is_down_and_delivers_once_they_are_back()
    {
        const int whileDown = 50;
        using var cluster = new EmbeddedKafkaCluster(brokers: 2);
        KafkaTopology.CreateDefaultTopics(cluster, new KafkaTopicLayout { EventsPartitions = 2 });
        var (refData, instruments) = KafkaTestData.Instruments();
        using var publisher = new KafkaPublisher(KafkaTestData.Options(cluster.BootstrapServers), refData);

        // Warm up: connected, producer id assigned.
        publisher.PublishEvent(KafkaTestData.Event(instruments[0], 0));
        Assert.Equal(0, publisher.Flush(Deadline));
        Assert.Equal(1, publisher.Delivered);

        cluster.SetAllBrokersDown();
        for (var i = 1; i <= whileDown; i++)
        {
            publisher.PublishEvent(KafkaTestData.Event(instruments[i % 2], i));
        }

        // Nothing can be acknowledged while the cluster is down: the records wait in the bounded local queue.
        Assert.True(publisher.Flush(TimeSpan.FromMilliseconds(300)) > 0);
        Assert.Equal(1, publisher.Delivered);
        Assert.Equal(0, publisher.DeliveryFailed);

        cluster.SetAllBrokersUp();
        Assert.Equal(0, publisher.Flush(Deadline));
        Assert.Equal(1 + whileDown, publisher.Delivered);
        Assert.Equal(0, publisher.DeliveryFailed);
        Assert.Equal(0, publisher.Dropped);

        var records = KafkaTestData.ReadAll(cluster.BootstrapServers, Topics.Events, 1 + whileDown, Deadline);
        var sequences = records
            .Select(r => (Key: Encoding.UTF8.GetString(r.Message.Key), Ok: EventCodec.TryDecode(r.Message.Value, InstrumentId.None, out var e), e.Sequence))
            .ToList();
        Assert.All(sequences, s => Assert.True(s.Ok));
        Assert.Equal(1 + whileDown, sequences.Select(s => s.Sequence).Distinct().Count()); // no duplicates, no losses
        foreach (var group in sequences.GroupBy(s => s.Key))
        {
            var seq = group.Select(s => s.Sequence).ToList();
            Assert.Equal(seq.Order(), seq);
        }
    }

    [Fact]
    public void A_full_local_queue_waits_then_drops_and_counts_keeping_memory_bounded()
    {
        const int queueBound = 10, attempted = 25;
        using var cluster = new EmbeddedKafkaCluster();
        KafkaTopology.CreateDefaultTopics(cluster);
        var (refData, instruments) = KafkaTestData.Instruments();
        var options = KafkaTestData.Options(cluster.BootstrapServers);
        options.QueueBufferingMaxMessages = queueBound;
        options.QueueFullPolicy = QueueFullPolicy.DropWrite;
        options.QueueFullRetries = 2;
        options.QueueFullPollMs = 10;
        using var publisher = new KafkaPublisher(options, refData);
        publisher.PublishEvent(KafkaTestData.Event(instruments[0], 0));
        Assert.Equal(0, publisher.Flush(Deadline));

        cluster.SetAllBrokersDown();
        for (var i = 1; i <= attempted; i++)
        {
            publisher.PublishEvent(KafkaTestData.Event(instruments[0], i));
        }

        // While nothing can leave, exactly the bounded queue's worth is held; the rest waited, then were dropped.
        Assert.Equal(1 + queueBound, publisher.Produced);
        Assert.Equal(attempted - queueBound, publisher.Dropped);
        Assert.Equal((attempted - queueBound) * options.QueueFullRetries, publisher.QueueFullWaits);

        cluster.SetAllBrokersUp();
        Assert.Equal(0, publisher.Flush(Deadline));
        Assert.Equal(1 + queueBound, publisher.Delivered);
        Assert.Equal(0, publisher.DeliveryFailed);
    }

    [Fact]
    public void Counters_stay_exact_when_many_threads_publish_at_once()
    {
        const int threads = 4, perThread = 250;
        using var cluster = new EmbeddedKafkaCluster();
        KafkaTopology.CreateDefaultTopics(cluster);
        var (refData, instruments) = KafkaTestData.Instruments();
        using var publisher = new KafkaPublisher(KafkaTestData.Options(cluster.BootstrapServers), refData);

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (var i = 0; i < perThread; i++)
            {
                publisher.PublishEvent(KafkaTestData.Event(instruments[t % instruments.Length], t * perThread + i));
            }
        });

        Assert.Equal(0, publisher.Flush(Deadline));
        Assert.Equal(threads * perThread, publisher.Produced);
        Assert.Equal(threads * perThread, publisher.Delivered);
        Assert.Equal(threads * perThread, KafkaTestData.ReadAll(cluster.BootstrapServers, Topics.Events, threads * perThread, Deadline).Count);
    }

    [Fact]
    public void A_fatal_idempotence_error_raises_OnFatalError_and_stops_publishing()
    {
        const short initProducerId = 22;
        using var cluster = new EmbeddedKafkaCluster();
        KafkaTopology.CreateDefaultTopics(cluster);
        cluster.PushRequestErrors(initProducerId, ErrorCode.ClusterAuthorizationFailed);
        var (refData, instruments) = KafkaTestData.Instruments();
        using var publisher = new KafkaPublisher(KafkaTestData.Options(cluster.BootstrapServers), refData);
        Error? raised = null;
        publisher.OnFatalError += e => Volatile.Write(ref raised, e);

        publisher.PublishEvent(KafkaTestData.Event(instruments[0], 0));

        // The handler runs on a librdkafka thread just after the producer is marked stopped, so wait for both.
        Assert.True(KafkaTestData.WaitUntil(() => publisher.IsStopped && Volatile.Read(ref raised) is not null, Deadline));
        Assert.True(raised!.IsFatal);
        Assert.Same(raised, publisher.FatalError);

        // A handler added after the error is told at once: the error can arrive before the constructor's caller subscribes.
        Error? late = null;
        publisher.OnFatalError += e => Volatile.Write(ref late, e);
        Assert.True(KafkaTestData.WaitUntil(() => Volatile.Read(ref late) is not null, Deadline));
        Assert.Same(raised, late);

        publisher.PublishEvent(KafkaTestData.Event(instruments[0], 1));
        Assert.Equal(1, publisher.Dropped);
        Assert.True(publisher.Snapshot().Stopped);
    }

    [Fact]
    public void An_event_for_an_instrument_reference_data_does_not_know_is_dropped_and_counted()
    {
        using var cluster = new EmbeddedKafkaCluster();
        KafkaTopology.CreateDefaultTopics(cluster);
        var (refData, instruments) = KafkaTestData.Instruments();
        using var publisher = new KafkaPublisher(KafkaTestData.Options(cluster.BootstrapServers), refData);

        publisher.PublishEvent(KafkaTestData.Event(instruments[0], 0) with { Instrument = new InstrumentId(999) });

        Assert.Equal(0, publisher.Produced);
        Assert.Equal(1, publisher.Snapshot().For(Topics.Events)!.Dropped);
    }
}
