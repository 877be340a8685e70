using System.Text.Json;
using System.Text.Json.Serialization;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality.Alerts;
using Cloudwall.Rx.Quality.Detectors;

namespace Cloudwall.Rx.Quality.Scorecard;

/// <summary>Divergence of a source from the fair price, in basis points of |price / fair − 1|.</summary>
public sealed record DivergenceStats(
    [property: JsonPropertyName("samples")] long Samples,
    [property: JsonPropertyName("mean_abs_bps")] double MeanAbsBps,
    [property: JsonPropertyName("p95_abs_bps")] double P95AbsBps,
    [property: JsonPropertyName("max_abs_bps")] double MaxAbsBps);

/// <summary>One provider × venue.</summary>
public sealed record SourceScorecard(
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("venue")] string Venue,
    [property: JsonPropertyName("series")] int Series,
    [property: JsonPropertyName("completeness")] double Completeness,
    [property: JsonPropertyName("expected_seconds")] double ExpectedSeconds,
    [property: JsonPropertyName("seconds_with_data")] double SecondsWithData,
    [property: JsonPropertyName("latency_p50_seconds")] double? LatencyP50Seconds,
    [property: JsonPropertyName("latency_p99_seconds")] double? LatencyP99Seconds,
    [property: JsonPropertyName("divergence")] DivergenceStats Divergence,
    [property: JsonPropertyName("sequence_gaps")] long SequenceGaps,
    [property: JsonPropertyName("missing_sequences")] long MissingSequences,
    [property: JsonPropertyName("reconnects")] long Reconnects,
    [property: JsonPropertyName("open_alerts")] int OpenAlerts,
    [property: JsonPropertyName("clock_offset_seconds")] double? ClockOffsetSeconds = null);

/// <summary>The /quality body and the run summary's quality section.</summary>
/// <param name="Ingress">By configured provider, what it received since the scorecard started; null where no provider runs (role quality).</param>
/// <param name="Backfill">By configured provider, its gap-fill (docs/backfill.md); null where no provider runs.</param>
public sealed record QualityScorecard(
    [property: JsonPropertyName("generated_at")] string GeneratedAt,
    [property: JsonPropertyName("sources")] IReadOnlyList<SourceScorecard> Sources,
    [property: JsonPropertyName("ingress")] IReadOnlyDictionary<string, ProviderIngress>? Ingress = null,
    [property: JsonPropertyName("backfill")] IReadOnlyDictionary<string, ProviderBackfill>? Backfill = null);

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(QualityScorecard))]
internal sealed partial class ScorecardJsonContext : JsonSerializerContext;

/// <summary>
/// Aggregates windows into a per provider × venue scorecard. Completeness is the share of series-seconds (since each
/// series was first seen) that had data. Latency p50 / p99 are the median of per-window mean latencies and the median
/// of per-window p99s, and the divergence figures are taken, over the series-windows that ended within the last
/// <c>recent</c> (default 60 s, at most <c>historyPerSource</c> of them): the scorecard shows the current state within a
/// window, and one bad minute does not distort it for the rest of the run (estimates; the exact distribution is the
/// Prometheus histogram); latencies are never negative (a venue clock ahead of ours counts as no latency), and the skew
/// is <c>clock_offset_seconds</c>, the newest per-source estimate the windows carry. <c>ingress</c> (per configured provider,
/// from <see cref="Ingress"/>) is totals and rates since the scorecard started, not over the recent window: bytes and
/// frames are counters, and the rate of the last minute is Prometheus's <c>rate(cloudwall_md_received_bytes_total[1m])</c>.
/// Thread-safe; windows arrive once per series per second.
/// </summary>
public sealed class ScorecardAggregator(TimeProvider time, AlertManager? alerts = null, int historyPerSource = 3600, TimeSpan? recent = null)
{
    private readonly long _recentNs = (recent ?? TimeSpan.FromSeconds(60)).Ticks * UnixTime.NanosPerTick;
    private readonly object _gate = new();
    private readonly Dictionary<(ProviderId, VenueId), Source> _sources = new();
    private readonly long _startedAt = time.GetTimestamp();

    /// <summary>
    /// Reads what each configured provider received, given the time since this scorecard started (ingestion runs in this
    /// process); null: the scorecard has no <c>ingress</c>.
    /// </summary>
    public Func<TimeSpan, IReadOnlyDictionary<string, ProviderIngress>>? Ingress { get; init; }

    /// <summary>Reads each configured provider's gap-fill (ingestion runs in this process); null: the scorecard has no <c>backfill</c>.</summary>
    public Func<IReadOnlyDictionary<string, ProviderBackfill>>? Backfill { get; init; }

    public void OnWindow(SeriesWindow w, double? ratio)
    {
        lock (_gate)
        {
            var src = Get(w.Key.Provider, w.Key.Venue);
            if (!src.FirstSeenNs.TryGetValue(w.Key, out _)) src.FirstSeenNs.Add(w.Key, w.WindowStartNs);
            if (w.Count > 0) src.SecondsWithData += (w.WindowEndNs - w.WindowStartNs) / 1e9;
            src.SequenceGaps += w.SequenceGaps;
            src.MissingSequences += w.MissingSequences;
            if (w.ExchangeToReceive.Samples > 0)
            {
                src.LatencyMean.Add(w.ExchangeToReceive.MeanSeconds, w.WindowEndNs);
                src.LatencyP99.Add(w.ExchangeToReceive.P99Seconds, w.WindowEndNs);
            }

            if (ratio is { } r) src.Divergence.Add(Math.Abs(r - 1) * 10_000, w.WindowEndNs);
            if (w.ClockOffset is { } offset) src.ClockOffsetSeconds = offset.Seconds;
        }
    }

    /// <summary>From ingestion gap events (when windows do not already count them, feed one source only).</summary>
    public void OnSequenceGap(in SeriesKey key, long missing)
    {
        lock (_gate)
        {
            var src = Get(key.Provider, key.Venue);
            src.GapEvents++;
            src.GapEventMissing += missing;
        }
    }

    public void OnReconnect(ProviderId provider, VenueId venue)
    {
        lock (_gate) Get(provider, venue).Reconnects++;
    }

    public QualityScorecard Build()
    {
        var nowNs = UnixTime.FromTimeProvider(time);
        var open = alerts?.OpenAlerts() ?? [];
        var ingress = Ingress?.Invoke(time.GetElapsedTime(_startedAt));
        var backfill = Backfill?.Invoke();
        lock (_gate)
        {
            var list = new List<SourceScorecard>(_sources.Count);
            foreach (var ((provider, venue), s) in _sources)
            {
                var expected = 0.0;
                foreach (var first in s.FirstSeenNs.Values) expected += Math.Max(0, nowNs - first) / 1e9;
                var openAlerts = 0;
                foreach (var a in open)
                {
                    if (a.Labels.Provider == provider.Name && (a.Labels.Venue is null || a.Labels.Venue == venue.Name)) openAlerts++;
                }

                var since = nowNs - _recentNs;
                var div = s.Divergence.Sorted(since);
                list.Add(new SourceScorecard(provider.Name, venue.Name, s.FirstSeenNs.Count,
                    expected > 0 ? Math.Min(1, s.SecondsWithData / expected) : 0, expected, s.SecondsWithData,
                    s.LatencyMean.Median(since), s.LatencyP99.Median(since),
                    new DivergenceStats(div.Length, div.Length > 0 ? Mean(div) : 0, Quantile(div, 0.95), div.Length > 0 ? div[^1] : 0),
                    Math.Max(s.SequenceGaps, s.GapEvents), Math.Max(s.MissingSequences, s.GapEventMissing), s.Reconnects, openAlerts,
                    s.ClockOffsetSeconds));
            }

            list.Sort(static (a, b) => string.CompareOrdinal(a.Provider + "/" + a.Venue, b.Provider + "/" + b.Venue));
            return new QualityScorecard(UnixTime.ToIso(nowNs), list, ingress is { Count: > 0 } ? ingress : null,
                backfill is { Count: > 0 } ? backfill : null);
        }
    }

    public byte[] BuildJson() => JsonSerializer.SerializeToUtf8Bytes(Build(), ScorecardJsonContext.Default.QualityScorecard);

    private Source Get(ProviderId p, VenueId v)
    {
        if (!_sources.TryGetValue((p, v), out var s))
        {
            s = new Source(historyPerSource);
            _sources.Add((p, v), s);
        }

        return s;
    }

    private static double Mean(double[] v)
    {
        var sum = 0.0;
        foreach (var x in v) sum += x;
        return sum / v.Length;
    }

    private static double Quantile(double[] sorted, double q) => sorted.Length == 0 ? 0 : sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(q * sorted.Length) - 1)];

    private sealed class Source(int history)
    {
        public readonly Dictionary<SeriesKey, long> FirstSeenNs = new();
        public readonly Ring LatencyMean = new(history);
        public readonly Ring LatencyP99 = new(history);
        public readonly Ring Divergence = new(history);
        public double SecondsWithData;
        public long SequenceGaps;
        public long MissingSequences;
        public long GapEvents;
        public long GapEventMissing;
        public long Reconnects;
        /// <summary>The newest clock offset estimate of this provider × venue (null until a window carries one).</summary>
        public double? ClockOffsetSeconds;
    }

    /// <summary>The newest values with their window end times; read back over those since a time.</summary>
    private sealed class Ring(int capacity)
    {
        private readonly double[] _values = new double[capacity];
        private readonly long[] _times = new long[capacity];
        private int _count;
        private int _next;

        public void Add(double v, long atNs)
        {
            _values[_next] = v;
            _times[_next] = atNs;
            _next = (_next + 1) % _values.Length;
            if (_count < _values.Length) _count++;
        }

        public double[] Sorted(long sinceNs)
        {
            var list = new List<double>(_count);
            for (var i = 0; i < _count; i++)
            {
                if (_times[i] >= sinceNs) list.Add(_values[i]);
            }

            var copy = list.ToArray();
            Array.Sort(copy);
            return copy;
        }

        public double? Median(long sinceNs)
        {
            var sorted = Sorted(sinceNs);
            return sorted.Length == 0 ? null : RobustStats.Median(sorted);
        }
    }
}
