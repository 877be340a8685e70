using System.Text.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Kafka;
using Cloudwall.Rx.Kafka.Embedded;
using Confluent.Kafka;

namespace Cloudwall.Rx.Tests.Integration.Kafka;

public sealed class KafkaTailTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Prints_each_event_as_EventJson_with_the_instrument_resolved_from_the_key()
    {
        using var cluster = new EmbeddedKafkaCluster();
        KafkaTopology.CreateDefaultTopics(cluster, new KafkaTopicLayout { EventsPartitions = 1 });
        var (refData, instruments) = KafkaTestData.Instruments();
        var sent = Enumerable.Range(0, 8).Select(i => KafkaTestData.Event(instruments[i % 3], i)).ToList();
        Publish(cluster, refData, p => sent.ForEach(e => p.PublishEvent(e)));

        var output = new StringWriter();
        var printed = await KafkaTail.RunAsync(Topics.Events, cluster.BootstrapServers, output, sent.Count, Deadline, CancellationToken.None);

        Assert.Equal(sent.Count, printed);
        // A tail starts with empty reference data of its own: the key alone must name the instrument.
        var expected = sent.Select(e => EventJson.ToJson(e, refData)).ToList();
        var lines = Lines(output);
        Assert.Equal(sent.Count, lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            using var line = JsonDocument.Parse(lines[i]);
            using var want = JsonDocument.Parse(expected[i]);
            // The tail's own reference data knows no venue symbols, so "symbol" is null there; everything else matches.
            foreach (var field in want.RootElement.EnumerateObject().Where(f => f.Name != "symbol"))
            {
                Assert.Equal(field.Value.ToString(), line.RootElement.GetProperty(field.Name).ToString());
            }

            Assert.Equal(JsonValueKind.Null, line.RootElement.GetProperty("symbol").ValueKind);
        }
    }

    [Fact]
    public async Task Prints_fair_prices_and_dead_letters_with_their_fields()
    {
        using var cluster = new EmbeddedKafkaCluster();
        KafkaTopology.CreateDefaultTopics(cluster, new KafkaTopicLayout { FairPricesPartitions = 1 });
        var (refData, instruments) = KafkaTestData.Instruments();
        var price = KafkaTestData.FairPrice(instruments[2], 4);
        var letter = KafkaTestData.DeadLetter();
        Publish(cluster, refData, p =>
        {
            p.PublishFairPrice(price);
            p.PublishDeadLetter(letter);
        });

        var prices = new StringWriter();
        Assert.Equal(1, await KafkaTail.RunAsync(Topics.FairPrices, cluster.BootstrapServers, prices, 1, Deadline, CancellationToken.None));
        using (var doc = JsonDocument.Parse(Assert.Single(Lines(prices))))
        {
            var r = doc.RootElement;
            Assert.Equal("BTC-USD.PERP", r.GetProperty("instrument").GetString());
            Assert.Equal("63004.15", r.GetProperty("price").GetString());
            Assert.Equal(price.Status.ToText(), r.GetProperty("status").GetString());
            Assert.Equal("0.25", r.GetProperty("confidence").GetString());
            Assert.Equal(3, r.GetProperty("sources_used").GetInt32());
            Assert.Equal(4, r.GetProperty("sources_known").GetInt32());
            Assert.Equal("2026-01-01T00:00:00.004Z", r.GetProperty("newest_input_ts").GetString());
            Assert.Equal("2026-01-01T00:00:00.00404Z", r.GetProperty("computed_ts").GetString());
            Assert.Equal(7, r.GetProperty("parameters_version").GetInt32());
        }

        var letters = new StringWriter();
        Assert.Equal(1, await KafkaTail.RunAsync(Topics.DeadLetters, cluster.BootstrapServers, letters, 1, Deadline, CancellationToken.None));
        using (var doc = JsonDocument.Parse(Assert.Single(Lines(letters))))
        {
            var r = doc.RootElement;
            Assert.Equal("kraken", r.GetProperty("venue").GetString());
            Assert.Equal("kraken", r.GetProperty("provider").GetString());
            Assert.Equal("malformed", r.GetProperty("reason").GetString());
            Assert.Equal("2026-01-01T00:00:00.000000005Z", r.GetProperty("receive_ts").GetString());
            Assert.Equal(letter.OriginalLength, r.GetProperty("original_length").GetInt32());
            Assert.Equal("{\"event\":\"trade\",\"price\":", r.GetProperty("raw").GetString());
            Assert.Equal("unexpected end", r.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task Prints_an_error_line_for_records_it_cannot_decode_and_stops_when_idle()
    {
        const string topic = "md.garbage.v1";
        using var cluster = new EmbeddedKafkaCluster();
        cluster.CreateTopic(topic, 1);
        using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build())
        {
            producer.Produce(topic, new Message<byte[], byte[]> { Key = "BTC-USD.SPOT"u8.ToArray(), Value = [1, 2, 3] }); // no header
            producer.Produce(topic, new Message<byte[], byte[]>
            {
                Key = "BTC-USD.SPOT"u8.ToArray(), Value = [9, 9], Headers = new Headers { { Topics.SchemaHeader, [SchemaIds.MarketEventV1] } },
            });
            producer.Produce(topic, new Message<byte[], byte[]>
            {
                Key = "not a key"u8.ToArray(), Value = [1], Headers = new Headers { { Topics.SchemaHeader, [SchemaIds.FairPriceV1] } },
            });
            Assert.Equal(0, producer.Flush(Deadline));
        }

        var output = new StringWriter();
        var printed = await KafkaTail.RunAsync(topic, cluster.BootstrapServers, output, maxRecords: null, idleTimeout: TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.Equal(3, printed);
        var errors = Lines(output).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            return doc.RootElement.GetProperty("error").GetString();
        }).ToList();
        Assert.Equal([KafkaRecordJson.NoSchema, "undecodable market event", "unknown instrument key"], errors);
    }

    [Fact]
    public async Task Reads_records_without_a_header_and_old_records_that_still_carry_one()
    {
        using var cluster = new EmbeddedKafkaCluster();
        KafkaTopology.CreateDefaultTopics(cluster, new KafkaTopicLayout { EventsPartitions = 1 });
        var (refData, instruments) = KafkaTestData.Instruments();
        var old = KafkaTestData.Event(instruments[0], 1);
        var current = KafkaTestData.Event(instruments[0], 2);
        var oldValue = new byte[Core.Wire.EventCodec.MaxSize];
        oldValue = oldValue[..Core.Wire.EventCodec.Encode(old, oldValue)];
        using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build())
        {
            // What earlier releases wrote: the same value, with the cw-schema header.
            producer.Produce(Topics.Events, new Message<byte[], byte[]>
            {
                Key = "BTC-USD.SPOT"u8.ToArray(), Value = oldValue,
                Headers = new Headers { { Topics.SchemaHeader, [SchemaIds.MarketEventV1] } },
            });
            Assert.Equal(0, producer.Flush(Deadline));
        }

        Publish(cluster, refData, p => p.PublishEvent(current));

        var output = new StringWriter();
        Assert.Equal(2, await KafkaTail.RunAsync(Topics.Events, cluster.BootstrapServers, output, 2, Deadline, CancellationToken.None));
        var sequences = Lines(output).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            Assert.False(doc.RootElement.TryGetProperty("error", out _), l);
            return doc.RootElement.GetProperty("sequence").GetInt64();
        });
        Assert.Equal([old.Sequence, current.Sequence], sequences);
    }

    [Fact]
    public async Task Stops_when_cancelled()
    {
        using var cluster = new EmbeddedKafkaCluster();
        KafkaTopology.CreateDefaultTopics(cluster);
        using var cts = new CancellationTokenSource();
        var output = new StringWriter();

        var tail = KafkaTail.RunAsync(Topics.Quality, cluster.BootstrapServers, output, maxRecords: null, idleTimeout: null, cts.Token);
        await cts.CancelAsync();

        Assert.Equal(0, await tail.WaitAsync(Deadline));
        Assert.Equal("", output.ToString());
    }

    private static void Publish(EmbeddedKafkaCluster cluster, ReferenceData refData, Action<KafkaPublisher> publish)
    {
        using var publisher = new KafkaPublisher(KafkaTestData.Options(cluster.BootstrapServers), refData);
        publish(publisher);
        Assert.Equal(0, publisher.Flush(Deadline));
        Assert.Equal(0, publisher.DeliveryFailed);
    }

    private static string[] Lines(StringWriter output) =>
        output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
