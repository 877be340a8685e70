using System.Diagnostics;
using Cloudwall.Rx.Core;
using Confluent.Kafka;

namespace Cloudwall.Rx.Kafka;

/// <summary>
/// <c>cloudwall-rx tail</c>: reads a topic from the beginning and prints every record as one JSON line. Read-only: it
/// assigns every partition directly (no group membership, no commits), so it never disturbs the pipeline's consumer groups.
/// </summary>
public static class KafkaTail
{
    /// <summary>
    /// Prints records of <paramref name="topic"/> until <paramref name="maxRecords"/> have been printed, no record has arrived
    /// for <paramref name="idleTimeout"/>, or <paramref name="ct"/> is cancelled. Returns the number of records printed.
    /// </summary>
    /// <exception cref="KafkaException">The topic does not exist or the cluster cannot be reached for its metadata.</exception>
    public static Task<int> RunAsync(string topic, string bootstrap, TextWriter output, int? maxRecords, TimeSpan? idleTimeout, CancellationToken ct) =>
        RunAsync(topic, bootstrap, output, maxRecords, idleTimeout, new ReferenceData(), ct);

    /// <inheritdoc cref="RunAsync(string, string, TextWriter, int?, TimeSpan?, CancellationToken)"/>
    public static Task<int> RunAsync(string topic, string bootstrap, TextWriter output, int? maxRecords, TimeSpan? idleTimeout, ReferenceData refData, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(bootstrap);
        return RunAsync(topic, Plaintext(bootstrap), output, maxRecords, idleTimeout, refData, ct);
    }

    /// <summary>As above, with the cluster, security and client id of <paramref name="clients"/> (what <c>cloudwall-rx tail</c> uses).</summary>
    public static Task<int> RunAsync(string topic, KafkaClientConfigs clients, TextWriter output, int? maxRecords, TimeSpan? idleTimeout, ReferenceData refData, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(refData);
        if (maxRecords is <= 0)
        {
            return Task.FromResult(0);
        }

        // Consume blocks: keep the loop off the caller's thread.
        return Task.Run(() => Run(topic, clients, output, maxRecords, idleTimeout, refData, ct), CancellationToken.None);
    }

    /// <summary>A reader of a plaintext cluster (tests, the embedded cluster).</summary>
    public static ConsumerConfig ConsumerConfig(string bootstrap) => ConsumerConfig(Plaintext(bootstrap));

    /// <summary>A reader from the beginning that never commits; its group id is never joined (partitions are assigned).</summary>
    public static ConsumerConfig ConsumerConfig(KafkaClientConfigs clients)
    {
        ArgumentNullException.ThrowIfNull(clients);
        var config = clients.Consumer("cloudwall-tail-" + Guid.NewGuid().ToString("N"), "tail");
        config.AutoOffsetReset = AutoOffsetReset.Earliest;
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        // The mock cluster answers fetches only when fetch.wait.max.ms expires; keep it short so tailing feels live.
        config.FetchWaitMaxMs = 10;
        config.FetchErrorBackoffMs = 50;
        return config;
    }

    private static KafkaClientConfigs Plaintext(string bootstrap) => new(new KafkaOptions { BootstrapServers = bootstrap });

    /// <summary>Every partition of <paramref name="topic"/>, positioned at its beginning.</summary>
    public static IReadOnlyList<TopicPartitionOffset> AllPartitionsFromStart(IConsumer<byte[], byte[]> consumer, string topic, TimeSpan timeout)
    {
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var meta = admin.GetMetadata(topic, timeout);
        var t = meta.Topics.FirstOrDefault(x => x.Topic == topic);
        if (t is null || t.Error.IsError || t.Partitions.Count == 0)
        {
            var error = t?.Error ?? new Error(ErrorCode.UnknownTopicOrPart);
            throw new KafkaException(new Error(error.Code, $"topic '{topic}': {error.Reason}"));
        }

        return t.Partitions.OrderBy(p => p.PartitionId).Select(p => new TopicPartitionOffset(topic, p.PartitionId, Offset.Beginning)).ToArray();
    }

    private static int Run(string topic, KafkaClientConfigs clients, TextWriter output, int? maxRecords, TimeSpan? idleTimeout, ReferenceData refData, CancellationToken ct)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(ConsumerConfig(clients))
            .SetLogHandler((_, _) => { }) // librdkafka chatter would interleave with the JSON lines
            .Build();
        consumer.Assign(AllPartitionsFromStart(consumer, topic, TimeSpan.FromSeconds(10)));

        var printed = 0;
        var idle = Stopwatch.StartNew();
        try
        {
            while (!ct.IsCancellationRequested && (maxRecords is null || printed < maxRecords))
            {
                if (idleTimeout is { } limit && idle.Elapsed >= limit)
                {
                    break;
                }

                ConsumeResult<byte[], byte[]>? record;
                try
                {
                    record = consumer.Consume(TimeSpan.FromMilliseconds(100));
                }
                catch (ConsumeException ex) when (!ex.Error.IsFatal)
                {
                    output.WriteLine(ErrorLine(ex.Error));
                    continue;
                }

                if (record is null || record.IsPartitionEOF || record.Message is null)
                {
                    continue;
                }

                var m = record.Message;
                output.WriteLine(KafkaRecordJson.Format(RecordSchema.Of(record.Topic, m.Headers, m.Value), m.Key, m.Value, refData));
                printed++;
                idle.Restart();
            }
        }
        finally
        {
            output.Flush();
            consumer.Close();
        }

        return printed;
    }

    private static string ErrorLine(Error error)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("error", "consume failed");
            w.WriteString("code", error.Code.ToString());
            w.WriteString("reason", error.Reason);
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
