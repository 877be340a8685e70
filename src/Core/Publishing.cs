namespace Cloudwall.Rx.Core;

/// <summary>
/// Where the pipeline's outputs go (Kafka in production and in the embedded default; in-memory in tests).
/// Implementations are thread-safe, never throw for a single bad record, and count what they cannot deliver.
/// </summary>
public interface IMarketDataPublisher
{
    /// <summary>Publishes one normalized event (topic md.events.v1), keyed by canonical instrument.</summary>
    void PublishEvent(in MarketEvent e);

    /// <summary>Publishes one fair price (topic md.fairprice.v1), keyed by canonical instrument.</summary>
    void PublishFairPrice(in FairPrice price);

    /// <summary>Publishes a dead-letter record (topic md.deadletter.v1), keyed by venue.</summary>
    void PublishDeadLetter(DeadLetter letter);
}

/// <summary>Kafka topic names, one place for every name.</summary>
public static class Topics
{
    public const string Events = "md.events.v1";
    public const string FairPrices = "md.fairprice.v1";
    public const string DeadLetters = "md.deadletter.v1";
    public const string Quality = "md.quality.v1";
    public const string Bars = "md.bars.v1";
    public const string Shards = "md.shards.v1";

    /// <summary>
    /// Legacy record header naming the value's schema (one byte, see <see cref="SchemaIds"/>). Earlier releases wrote it on
    /// every record; records are now written without it (the topic names the schema), and readers still honour it on old records.
    /// </summary>
    public const string SchemaHeader = "cw-schema";
}

/// <summary>
/// Schema ids: what a record's value is, named by its topic (and on md.quality.v1 by the value's <c>"type"</c>), or on
/// records of earlier releases by the <see cref="Topics.SchemaHeader"/> header. Never renumber.
/// </summary>
public static class SchemaIds
{
    public const byte MarketEventV1 = 1;
    public const byte FairPriceV1 = 2;
    public const byte DeadLetterV1 = 3;

    /// <summary>A per-interval pre-aggregate of one series (md.bars.v1), compact binary (<c>BarCodec</c>).</summary>
    public const byte BarV1 = 4;

    /// <summary>A quality alert notification on md.quality.v1: UTF-8 JSON, written by the quality layer.</summary>
    public const byte QualityAlertV1 = 5;

    /// <summary>A series statistics window on md.quality.v1: UTF-8 JSON, written by the quality layer.</summary>
    public const byte SeriesWindowV1 = 6;

    /// <summary>True for schemas whose value is UTF-8 JSON meant to be printed as-is.</summary>
    public static bool IsJson(byte schema) => schema is QualityAlertV1 or SeriesWindowV1;
}

/// <summary>Where per-interval pre-aggregates go (topic md.bars.v1), keyed by canonical instrument. Same contract as <see cref="IMarketDataPublisher"/>.</summary>
public interface IBarPublisher
{
    void PublishBar(in Bar bar);
}
