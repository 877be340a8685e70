using System.Text.Json;
using System.Text.Json.Serialization;
using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Quality.Wire;

/// <summary>
/// A statistics window as it travels on md.quality.v1 (schema <see cref="SchemaIds.SeriesWindowV1"/>): UTF-8 JSON keyed by
/// the canonical instrument, so the quality role — a separate pod — consumes windows, never raw trades. Ids travel as names
/// (venue, provider, canonical instrument key): they are process-local numbers elsewhere.
/// </summary>
public static class SeriesWindowCodec
{
    public static byte[] Encode(SeriesWindow w, ReferenceData refData) =>
        JsonSerializer.SerializeToUtf8Bytes(new SeriesWindowRecord(
            w.Key.Provider.Name, w.Key.Venue.Name, refData.KeyOf(w.Key.Instrument), w.Key.DataClass.ToString().ToLowerInvariant(),
            w.Key.Market.ToText(), w.WindowStartNs, w.WindowEndNs, w.Count, w.LastPrice, w.Vwap,
            Latency.From(w.ExchangeToReceive), Latency.From(w.ReceiveToPublish), w.SequenceGaps, w.MissingSequences,
            w.LastExchangeTimeNs, w.ActiveSubscriptions, w.FairPrice, w.ClockOffset?.Seconds, w.ClockOffset?.Samples ?? 0,
            w.LastEventNs, w.PriceChanges),
            SeriesWindowJsonContext.Default.SeriesWindowRecord);

    /// <summary>Decodes a window, resolving names against this process's reference data; null when it is not a valid window.</summary>
    public static SeriesWindow? Decode(ReadOnlySpan<byte> utf8, ReferenceData refData)
    {
        SeriesWindowRecord? r;
        try
        {
            r = JsonSerializer.Deserialize(utf8, SeriesWindowJsonContext.Default.SeriesWindowRecord);
        }
        catch (JsonException)
        {
            return null;
        }

        if (r is null || !ProviderId.TryParse(r.Provider, out var provider) || !VenueId.TryParse(r.Venue, out var venue) ||
            !refData.TryResolveKey(r.Instrument, out var instrument) || !Enum.TryParse<DataClass>(r.DataClass, ignoreCase: true, out var dataClass))
        {
            return null;
        }

        return new SeriesWindow(new SeriesKey(provider, venue, instrument.Id, dataClass, instrument.Market), r.WindowStartNs, r.WindowEndNs,
            r.Count, r.LastPrice, r.Vwap, r.ExchangeToReceive.To(), r.ReceiveToPublish.To(), r.SequenceGaps, r.MissingSequences,
            r.LastExchangeTimeNs, r.ActiveSubscriptions, r.FairPrice,
            r.ClockOffsetSeconds is { } offset && double.IsFinite(offset) && r.ClockOffsetSamples > 0 ? new ClockOffset(offset, r.ClockOffsetSamples) : null,
            Math.Max(0, r.LastEventNs), r.PriceChanges);
    }

    /// <summary>The record key: the canonical instrument, as for every other topic.</summary>
    public static byte[] Key(SeriesWindow w, ReferenceData refData) => System.Text.Encoding.UTF8.GetBytes(refData.KeyOf(w.Key.Instrument));
}

public sealed record SeriesWindowRecord(
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("venue")] string Venue,
    [property: JsonPropertyName("instrument")] string Instrument,
    [property: JsonPropertyName("data_class")] string DataClass,
    [property: JsonPropertyName("market")] string Market,
    [property: JsonPropertyName("window_start_ns")] long WindowStartNs,
    [property: JsonPropertyName("window_end_ns")] long WindowEndNs,
    [property: JsonPropertyName("count")] long Count,
    [property: JsonPropertyName("last_price")] decimal? LastPrice,
    [property: JsonPropertyName("vwap")] decimal? Vwap,
    [property: JsonPropertyName("exchange_to_receive")] Latency ExchangeToReceive,
    [property: JsonPropertyName("receive_to_publish")] Latency ReceiveToPublish,
    [property: JsonPropertyName("sequence_gaps")] long SequenceGaps,
    [property: JsonPropertyName("missing_sequences")] long MissingSequences,
    [property: JsonPropertyName("last_exchange_time_ns")] long LastExchangeTimeNs,
    [property: JsonPropertyName("active_subscriptions")] int ActiveSubscriptions,
    [property: JsonPropertyName("fair_price")] decimal? FairPrice,
    // Added after the first release: records without them read as "no estimate".
    [property: JsonPropertyName("clock_offset_s")] double? ClockOffsetSeconds = null,
    [property: JsonPropertyName("clock_offset_samples")] int ClockOffsetSamples = 0,
    [property: JsonPropertyName("last_event_ns")] long LastEventNs = 0,
    [property: JsonPropertyName("price_changes")] long PriceChanges = -1)
{
    /// <summary>Record type tag: md.quality.v1 also carries alerts.</summary>
    [JsonPropertyName("type")]
    public string Type => "series_window";
}

public sealed record Latency(
    [property: JsonPropertyName("min_s")] double Min,
    [property: JsonPropertyName("mean_s")] double Mean,
    [property: JsonPropertyName("max_s")] double Max,
    [property: JsonPropertyName("p99_s")] double P99,
    [property: JsonPropertyName("samples")] long Samples)
{
    public static Latency From(LatencyStats s) => new(Finite(s.MinSeconds), Finite(s.MeanSeconds), Finite(s.MaxSeconds), Finite(s.P99Seconds), s.Samples);

    // Producers older than the clamp (EventTime.LatencyNs) could send negative latencies from a venue clock ahead of ours.
    public LatencyStats To() => new(Math.Max(0, Min), Math.Max(0, Mean), Math.Max(0, Max), Math.Max(0, P99), Samples);

    // JSON has no NaN: a window without samples carries zeros and Samples = 0.
    private static double Finite(double v) => double.IsFinite(v) ? v : 0;
}

[JsonSerializable(typeof(SeriesWindowRecord))]
internal sealed partial class SeriesWindowJsonContext : JsonSerializerContext;
