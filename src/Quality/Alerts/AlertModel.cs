using System.Globalization;
using System.Text.Json.Serialization;
using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Quality.Alerts;

public enum AlertSeverity : byte
{
    [JsonStringEnumMemberName("info")] Info,
    [JsonStringEnumMemberName("warning")] Warning,
    [JsonStringEnumMemberName("critical")] Critical,
}

public enum AlertStatus : byte
{
    [JsonStringEnumMemberName("firing")] Firing,
    [JsonStringEnumMemberName("resolved")] Resolved,
}

/// <summary>How wide an alert is: a silent provider raises one provider alert, not one per instrument.</summary>
public enum AlertLevel : byte
{
    [JsonStringEnumMemberName("series")] Series,
    [JsonStringEnumMemberName("instrument")] Instrument,
    [JsonStringEnumMemberName("data_class")] DataClass,
    [JsonStringEnumMemberName("venue")] Venue,
    [JsonStringEnumMemberName("provider")] Provider,
}

/// <summary>The detector names (one place per name: they are alert keys, JSON values and Slack titles).</summary>
public static class DetectorNames
{
    public const string NoData = "no_data";
    public const string SequenceGap = "sequence_gap";
    public const string Latency = "latency";
    public const string UpdateRate = "update_rate";
    public const string Divergence = "divergence";
    public const string SpikeRatio = "spike_price_ratio";
    public const string SpikeRate = "spike_update_rate";
    public const string Frozen = "frozen_price";
    public const string ClockSkew = "clock_skew";
    public const string InvalidData = "invalid_data";
    public const string Backfill = "backfill_incomplete";
}

/// <summary>
/// The label set of an alert. Fields wider than <see cref="Level"/> are set; narrower ones are left at None / null.
/// </summary>
public readonly record struct AlertScope(AlertLevel Level, ProviderId Provider, VenueId Venue, InstrumentId Instrument, DataClass? DataClass, MarketType? Market)
{
    public static AlertScope ForSeries(in SeriesKey k) => new(AlertLevel.Series, k.Provider, k.Venue, k.Instrument, k.DataClass, k.Market);

    public static AlertScope ForInstrument(ProviderId p, VenueId v, InstrumentId i, MarketType m) => new(AlertLevel.Instrument, p, v, i, null, m);

    public static AlertScope ForDataClass(ProviderId p, VenueId v, DataClass d) => new(AlertLevel.DataClass, p, v, InstrumentId.None, d, null);

    public static AlertScope ForVenue(ProviderId p, VenueId v) => new(AlertLevel.Venue, p, v, InstrumentId.None, null, null);

    public static AlertScope ForProvider(ProviderId p) => new(AlertLevel.Provider, p, VenueId.None, InstrumentId.None, null, null);
}

/// <summary>De-duplication key: one open alert per (detector, label set).</summary>
public readonly record struct AlertKey(string Detector, AlertScope Scope);

/// <summary>What a detector reports while its condition holds.</summary>
/// <param name="What">A short fixed description (no per-call formatting).</param>
/// <param name="Current">The measured value, in <paramref name="Unit"/>.</param>
/// <param name="Expected">The normal value it is judged against (the fair price, the learned interval or rate), never the threshold.</param>
/// <param name="SinceNs">When the condition started, UTC ns.</param>
/// <param name="Context">Numbers the message needs beyond current and expected; formatted only when a notification is built.</param>
public readonly record struct AlertReading(AlertSeverity Severity, string What, double Current, double Expected, string Unit, long SinceNs,
    AlertContext Context = default);

/// <summary>
/// Extra facts behind an alert's message: how many other sources were compared and how far they moved (frozen prices),
/// and a reason code (invalid data). Plain values: a reading is refreshed on every evaluation and must stay cheap.
/// </summary>
public readonly record struct AlertContext(int Others = 0, double Moved = 0, string? Reason = null);

/// <summary>Where detectors report: the <see cref="AlertManager"/> in production, a recorder in tests.</summary>
public interface IAlertReporter
{
    /// <summary>The condition of <paramref name="key"/> holds now (called on every evaluation while it holds).</summary>
    void Fire(in AlertKey key, in AlertReading reading, long nowNs);

    /// <summary>The condition of <paramref name="key"/> no longer holds (a no-op when nothing is open).</summary>
    void Clear(in AlertKey key, long nowNs);
}

/// <summary>Labels as people and receivers see them (names, not interned numbers).</summary>
public sealed record AlertLabels(
    [property: JsonPropertyName("provider")] string? Provider,
    [property: JsonPropertyName("venue")] string? Venue,
    [property: JsonPropertyName("instrument")] string? Instrument,
    [property: JsonPropertyName("data_class")] string? DataClass,
    [property: JsonPropertyName("market")] string? Market)
{
    /// <summary><c>provider=x venue=y ...</c>, only the labels that are set.</summary>
    public string Describe()
    {
        var parts = new List<string>(5);
        if (Provider is not null) parts.Add("provider=" + Provider);
        if (Venue is not null) parts.Add("venue=" + Venue);
        if (Instrument is not null) parts.Add("instrument=" + Instrument);
        if (DataClass is not null) parts.Add("data_class=" + DataClass);
        if (Market is not null) parts.Add("market=" + Market);
        return string.Join(' ', parts);
    }
}

/// <summary>One notification: an alert started firing, or resolved. This is the record sinks deliver.</summary>
public sealed record AlertNotification(
    [property: JsonPropertyName("fingerprint")] string Fingerprint,
    [property: JsonPropertyName("detector")] string Detector,
    [property: JsonPropertyName("status")] AlertStatus Status,
    [property: JsonPropertyName("severity")] AlertSeverity Severity,
    [property: JsonPropertyName("level")] AlertLevel Level,
    [property: JsonPropertyName("labels")] AlertLabels Labels,
    [property: JsonPropertyName("what")] string What,
    [property: JsonPropertyName("since_ns")] long SinceNs,
    [property: JsonPropertyName("at_ns")] long AtNs,
    [property: JsonPropertyName("current")] double Current,
    [property: JsonPropertyName("expected")] double Expected,
    [property: JsonPropertyName("unit")] string Unit,
    [property: JsonPropertyName("message")] string? Message = null)
{
    /// <summary>Record type tag: md.quality.v1 also carries series statistics.</summary>
    [JsonPropertyName("type")]
    public string Type => "alert";

    [JsonPropertyName("v")]
    public int Version => 1;

    [JsonPropertyName("since")]
    public string Since => UnixTime.ToIso(SinceNs);

    [JsonPropertyName("at")]
    public string At => UnixTime.ToIso(AtNs);

    internal static string Format(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
}
