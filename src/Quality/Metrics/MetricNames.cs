namespace Cloudwall.Rx.Quality.Metrics;

/// <summary>The one place for the names of the series metrics and their labels (ARCHITECTURE.md, metric naming).</summary>
public static class MetricNames
{
    public const string Messages = "cloudwall_md_messages_total";
    public const string MessageAge = "cloudwall_md_message_age_seconds";
    public const string Latency = "cloudwall_md_latency_seconds";
    public const string LatencyP99 = "cloudwall_md_latency_p99_seconds";
    public const string PublishLatency = "cloudwall_md_publish_latency_seconds";
    public const string PublishLatencyP99 = "cloudwall_md_publish_latency_p99_seconds";
    public const string UpdateRate = "cloudwall_md_update_rate";
    public const string PriceRatio = "cloudwall_md_price_ratio";
    public const string SequenceGaps = "cloudwall_md_sequence_gaps_total";
    public const string MissingSequences = "cloudwall_md_missing_sequences_total";
    public const string ActiveSubscriptions = "cloudwall_md_active_subscriptions";
    public const string LastPrice = "cloudwall_md_last_price";
    public const string FairPrice = "cloudwall_md_fair_price";
    public const string SeriesCapped = "cloudwall_md_series_capped_total";
    public const string SeriesExported = "cloudwall_md_series_exported";
    public const string ClockOffset = "cloudwall_md_clock_offset_seconds";

    public static readonly string[] SeriesLabels = ["provider", "venue", "instrument", "data_class", "market"];
    public static readonly string[] InstrumentLabels = ["instrument", "market"];
    public static readonly string[] SourceLabels = ["provider", "venue"];

    /// <summary>
    /// Metrics of one configured provider (<c>Providers:&lt;name&gt;</c>): <c>provider</c> and <c>venue</c> as
    /// <see cref="SeriesLabels"/> carry them, so every family joins on (provider, venue); <c>feed</c> is the configured name,
    /// which keeps two providers of one venue apart (<c>bybit-spot</c>, <c>bybit-linear</c>). docs/quality.md has the vocabulary.
    /// </summary>
    public static readonly string[] FeedLabels = ["provider", "venue", "feed"];

    /// <summary>Latency histogram buckets, seconds: 0.5 ms .. 10 s.</summary>
    public static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
}
