using System.Text.Json;
using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Kafka;

/// <summary>
/// Which schema a record of ours carries, the one rule every consumer (<c>tail</c>, the price role, the quality role) uses.
/// Each topic carries one schema family, so the topic names it and the decoder checks the value's first byte (its
/// version). md.quality.v1 carries two JSON schemas, told apart by the <c>"type"</c> field both already write
/// (<c>"alert"</c>, <c>"series_window"</c>). Records written before the producer stopped adding the <c>cw-schema</c>
/// header still carry it, and a header, when present, wins (docs/wire-format.md, "Compatibility").
/// </summary>
public static class RecordSchema
{
    /// <summary>The schema of a record read from <paramref name="topic"/>; null when neither the header nor the topic names one.</summary>
    public static byte? Of(string? topic, Confluent.Kafka.Headers? headers, ReadOnlySpan<byte> value) =>
        FromHeader(headers) ?? OfTopic(topic, value);

    /// <summary>The schema id in a legacy <c>cw-schema</c> header, or null when the header is missing or malformed.</summary>
    public static byte? FromHeader(Confluent.Kafka.Headers? headers)
    {
        if (headers is { Count: > 0 } && headers.TryGetLastBytes(Topics.SchemaHeader, out var id) && id is { Length: 1 })
        {
            return id[0];
        }

        return null;
    }

    /// <summary>The schema a record of <paramref name="topic"/> carries without a header; null for a topic that is not ours.</summary>
    public static byte? OfTopic(string? topic, ReadOnlySpan<byte> value) => topic switch
    {
        Topics.Events => SchemaIds.MarketEventV1,
        Topics.FairPrices => SchemaIds.FairPriceV1,
        Topics.DeadLetters => SchemaIds.DeadLetterV1,
        Topics.Bars => SchemaIds.BarV1,
        Topics.Quality => OfQualityRecord(value),
        _ => null,
    };

    /// <summary>
    /// <see cref="SchemaIds.QualityAlertV1"/> or <see cref="SchemaIds.SeriesWindowV1"/> by the top-level <c>"type"</c> of a
    /// md.quality.v1 value (<c>AlertNotification.Type</c>, <c>SeriesWindowRecord.Type</c>); null when the value is not a
    /// JSON object with one of those types.
    /// </summary>
    public static byte? OfQualityRecord(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                if (!reader.Read())
                {
                    return null;
                }

                if (isType)
                {
                    return reader.TokenType != JsonTokenType.String ? null
                        : reader.ValueTextEquals("alert"u8) ? SchemaIds.QualityAlertV1
                        : reader.ValueTextEquals("series_window"u8) ? SchemaIds.SeriesWindowV1
                        : null;
                }

                reader.Skip();
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
