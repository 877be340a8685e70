using System.Buffers;
using System.Text;
using System.Text.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Wire;

namespace Cloudwall.Rx.Kafka;

/// <summary>
/// Renders one Kafka record of ours as one line of JSON for people, choosing the decoder by the record's schema
/// (<see cref="RecordSchema.Of"/>: the topic, or a legacy <c>cw-schema</c> header). Never throws for bad input: an
/// undecodable record becomes a line with an <c>"error"</c> field.
/// </summary>
public static class KafkaRecordJson
{
    /// <summary>The error of a record whose schema nothing names: not one of our topics (or a quality value without a known type), and no header.</summary>
    public const string NoSchema = "no schema: not a Cloudwall topic or record type, and no cw-schema header";

    public static string Format(byte? schema, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ReferenceData refData)
    {
        ArgumentNullException.ThrowIfNull(refData);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            Write(w, schema, key, value, refData);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static void Write(Utf8JsonWriter w, byte? schema, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ReferenceData refData)
    {
        switch (schema)
        {
            case SchemaIds.MarketEventV1:
                if (!TryInstrument(key, refData, out var eventInstrument))
                {
                    WriteError(w, "unknown instrument key", schema, key, value);
                }
                else if (!EventCodec.TryDecode(value, eventInstrument.Id, out var e))
                {
                    WriteError(w, "undecodable market event", schema, key, value);
                }
                else
                {
                    EventJson.Write(w, e, refData);
                }

                break;
            case SchemaIds.FairPriceV1:
                if (!TryInstrument(key, refData, out var priceInstrument))
                {
                    WriteError(w, "unknown instrument key", schema, key, value);
                }
                else if (!FairPriceCodec.TryDecode(value, priceInstrument.Id, out var price))
                {
                    WriteError(w, "undecodable fair price", schema, key, value);
                }
                else
                {
                    WriteFairPrice(w, price, priceInstrument.Key);
                }

                break;
            case SchemaIds.DeadLetterV1:
                if (DeadLetterCodec.TryDecode(value, out var letter))
                {
                    WriteDeadLetter(w, letter);
                }
                else
                {
                    WriteError(w, "undecodable dead letter", schema, key, value);
                }

                break;
            case SchemaIds.BarV1:
                if (!TryInstrument(key, refData, out var barInstrument))
                {
                    WriteError(w, "unknown instrument key", schema, key, value);
                }
                else if (!BarCodec.TryDecode(value, barInstrument.Id, out var bar))
                {
                    WriteError(w, "undecodable bar", schema, key, value);
                }
                else
                {
                    WriteBar(w, bar, barInstrument.Key);
                }

                break;
            case SchemaIds.QualityAlertV1 or SchemaIds.SeriesWindowV1:
                // Written by the quality layer as UTF-8 JSON: printed as-is when it is one well-formed JSON value.
                if (IsJsonValue(value))
                {
                    w.WriteRawValue(value, skipInputValidation: true);
                }
                else
                {
                    WriteError(w, "quality record is not JSON", schema, key, value);
                }

                break;
            default:
                WriteError(w, schema is null ? NoSchema : "unknown schema", schema, key, value);
                break;
        }
    }

    public static void WriteFairPrice(Utf8JsonWriter w, in FairPrice p, string instrumentKey)
    {
        w.WriteStartObject();
        w.WriteString("instrument", instrumentKey);
        w.WriteString("price", EventJson.Dec(p.Price));
        w.WriteString("status", p.Status.ToText());
        w.WriteString("method", p.Method == FairPriceMethod.MarkBased ? "mark" : "trade");
        w.WriteString("confidence", EventJson.Dec(p.Confidence));
        if (p.Basis is { } basis) w.WriteString("basis", EventJson.Dec(basis));
        if (p.FundingRate is { } funding) w.WriteString("funding_rate", EventJson.Dec(funding));
        if (p.MarkIv is { } iv) w.WriteString("mark_iv", EventJson.Dec(iv));
        w.WriteNumber("sources_used", p.SourcesUsed);
        w.WriteNumber("sources_known", p.SourcesKnown);
        w.WriteString("newest_input_ts", UnixTime.ToIso(p.NewestInputTimeNs));
        w.WriteString("computed_ts", UnixTime.ToIso(p.ComputedTimeNs));
        w.WriteNumber("parameters_version", p.ParametersVersion);
        w.WriteEndObject();
    }

    public static void WriteBar(Utf8JsonWriter w, in Bar b, string instrumentKey)
    {
        w.WriteStartObject();
        w.WriteString("instrument", instrumentKey);
        w.WriteString("kind", b.Kind.ToString().ToLowerInvariant());
        w.WriteString("venue", b.Venue.Name);
        w.WriteString("provider", b.Provider.Name);
        w.WriteString("start_ts", UnixTime.ToIso(b.StartTimeNs));
        w.WriteNumber("interval_ms", b.IntervalNs / UnixTime.NanosPerMilli);
        w.WriteString("open", EventJson.Dec(b.Open));
        w.WriteString("high", EventJson.Dec(b.High));
        w.WriteString("low", EventJson.Dec(b.Low));
        w.WriteString("close", EventJson.Dec(b.Close));
        w.WriteString("vwap", EventJson.Dec(b.Vwap));
        w.WriteString("volume", EventJson.Dec(b.Volume));
        w.WriteNumber("count", b.Count);
        w.WriteNumber("revision", b.Revision); // always, 0 included: a consumer keeps the highest per series and start_ts
        if (b.FirstExchangeTimeNs != 0 || b.LastExchangeTimeNs != 0)
        {
            w.WriteString("first_exchange_ts", UnixTime.ToIso(b.FirstExchangeTimeNs));
            w.WriteString("last_exchange_ts", UnixTime.ToIso(b.LastExchangeTimeNs));
        }

        w.WriteEndObject();
    }

    private static bool IsJsonValue(ReadOnlySpan<byte> value)
    {
        try
        {
            var reader = new Utf8JsonReader(value);
            if (!reader.Read())
            {
                return false;
            }

            reader.Skip();
            return !reader.Read(); // exactly one value, nothing after it
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static void WriteDeadLetter(Utf8JsonWriter w, DeadLetter d)
    {
        w.WriteStartObject();
        w.WriteString("venue", d.Venue.Name);
        w.WriteString("provider", d.Provider.Name);
        w.WriteString("reason", d.Reason.ToText());
        w.WriteString("receive_ts", UnixTime.ToIso(d.ReceiveTimeNs));
        w.WriteNumber("original_length", d.OriginalLength);
        WriteRaw(w, "raw", d.Raw);
        if (d.Detail is null)
        {
            w.WriteNull("detail");
        }
        else
        {
            w.WriteString("detail", d.Detail);
        }

        w.WriteEndObject();
    }

    /// <summary>Text frames (the usual case) as escaped text; anything that is not valid UTF-8 as base64 under <c>name_base64</c>.</summary>
    private static void WriteRaw(Utf8JsonWriter w, string name, ReadOnlySpan<byte> raw)
    {
        if (System.Text.Unicode.Utf8.IsValid(raw))
        {
            w.WriteString(name, raw);
        }
        else
        {
            w.WriteBase64String(name + "_base64", raw);
        }
    }

    private static void WriteError(Utf8JsonWriter w, string error, byte? schema, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        w.WriteStartObject();
        w.WriteString("error", error);
        if (schema is { } s)
        {
            w.WriteNumber("schema", s);
        }
        else
        {
            w.WriteNull("schema");
        }

        WriteRaw(w, "key", key);
        w.WriteBase64String("value_base64", value);
        w.WriteEndObject();
    }

    private static bool TryInstrument(ReadOnlySpan<byte> key, ReferenceData refData, out Instrument instrument)
    {
        instrument = null!;
        return System.Text.Unicode.Utf8.IsValid(key) && !key.IsEmpty && refData.TryResolveKey(Encoding.UTF8.GetString(key), out instrument);
    }
}
