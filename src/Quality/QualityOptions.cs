using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Quality.Alerts;

namespace Cloudwall.Rx.Quality;

/// <summary>
/// The quality sidecar's detectors and alerts (configuration section <c>Quality</c>). Every default is documented in
/// docs/quality.md. <see cref="Classes"/> (keyed by market: spot, perp, future, option, index, composite) override the
/// defaults per instrument class, and <see cref="Instruments"/> (keyed by canonical key, e.g. <c>BTC-USD.SPOT</c>) override both.
/// </summary>
public sealed class QualityOptions : ICheckedOptions
{
    public const string Section = "Quality";

    /// <summary>How often the clock-driven detectors (no data, quiet periods) evaluate. Default 1 s.</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Evaluations run this long after each multiple of <see cref="EvaluationInterval"/>, once the partitions (which tick
    /// every 100 ms) have delivered the windows that closed on it. Default 250 ms.
    /// </summary>
    public TimeSpan EvaluationDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    public NoDataOptions NoData { get; set; } = new();
    public SequenceGapOptions SequenceGaps { get; set; } = new();
    public LatencyOptions Latency { get; set; } = new();
    public UpdateRateOptions UpdateRate { get; set; } = new();
    public DivergenceOptions Divergence { get; set; } = new();
    public SpikeOptions Spikes { get; set; } = new();
    public ClockSkewOptions ClockSkew { get; set; } = new();
    public FrozenOptions Frozen { get; set; } = new();
    public InvalidDataOptions InvalidData { get; set; } = new();
    public BackfillAlertOptions Backfill { get; set; } = new();
    public AlertOptions Alerts { get; set; } = new();

    public Dictionary<string, DetectorOverrides> Classes { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, DetectorOverrides> Instruments { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Every problem, each naming its configuration key; empty when valid.</summary>
    public IEnumerable<string> Errors()
    {
        if (EvaluationInterval < TimeSpan.FromMilliseconds(100) || EvaluationInterval > TimeSpan.FromMinutes(1))
            yield return $"{Section}:{nameof(EvaluationInterval)} must be 00:00:00.1..00:01:00 (was {EvaluationInterval})";
        if (EvaluationDelay < TimeSpan.Zero || EvaluationDelay >= EvaluationInterval)
            yield return $"{Section}:{nameof(EvaluationDelay)} must be 0..{nameof(EvaluationInterval)} (was {EvaluationDelay})";
        foreach (var e in NoData.Errors()) yield return e;
        foreach (var e in SequenceGaps.Errors()) yield return e;
        foreach (var e in Latency.Errors()) yield return e;
        foreach (var e in UpdateRate.Errors()) yield return e;
        foreach (var e in Divergence.Errors()) yield return e;
        foreach (var e in Spikes.Errors()) yield return e;
        foreach (var e in ClockSkew.Errors()) yield return e;
        foreach (var e in Frozen.Errors()) yield return e;
        foreach (var e in InvalidData.Errors()) yield return e;
        foreach (var e in Backfill.Errors()) yield return e;
        foreach (var e in Alerts.Errors()) yield return e;
        foreach (var (name, o) in Classes)
        {
            if (!IsMarketName(name)) yield return $"{Section}:{nameof(Classes)}:{name} is not an instrument class (spot, perp, future, option, index, composite)";
            foreach (var e in o.Errors($"{Section}:{nameof(Classes)}:{name}")) yield return e;
        }

        foreach (var (name, o) in Instruments)
        {
            if (!InstrumentSpec.TryParseKey(name, out _)) yield return $"{Section}:{nameof(Instruments)}:{name} is not a canonical instrument key";
            foreach (var e in o.Errors($"{Section}:{nameof(Instruments)}:{name}")) yield return e;
        }
    }

    internal static bool IsMarketName(string name) => TryParseMarket(name, out _);

    internal static bool TryParseMarket(string name, out MarketType market)
    {
        for (var m = MarketType.Spot; m <= MarketType.Composite; m++)
        {
            if (string.Equals(m.ToText(), name, StringComparison.OrdinalIgnoreCase))
            {
                market = m;
                return true;
            }
        }

        market = default;
        return false;
    }

    internal static string Range(string key, string name, object was, string range) => $"{key}:{name} must be {range} (was {was})";
}

/// <summary>No data / gap (section <c>Quality:NoData</c>).</summary>
public sealed class NoDataOptions : ICheckedOptions
{
    public const string Section = QualityOptions.Section + ":NoData";

    public bool Enabled { get; set; } = true;

    /// <summary>EWMA weight of one new inter-arrival sample. Default 0.1.</summary>
    public double Alpha { get; set; } = 0.1;

    /// <summary>Threshold = Multiplier × learned mean interval, clamped to [Floor, Ceiling]. Default 10.</summary>
    public double Multiplier { get; set; } = 10;

    /// <summary>
    /// Default 0.75 s. Silence is measured from the newest event's own time to the newest window end, so with 1 s windows
    /// and the evaluation a quarter second after each boundary, a series of 20 updates/s is reported within
    /// Floor + 1.25 s = 2 s of its last update; slower series are judged by Multiplier × their own interval.
    /// </summary>
    public TimeSpan Floor { get; set; } = TimeSpan.FromMilliseconds(750);

    /// <summary>Default 5 min; also the threshold before any interval is learned.</summary>
    public TimeSpan Ceiling { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A group (provider, venue, data class, instrument) alerts as one when at least this share of its series is silent. Default 0.8.</summary>
    public double GroupSilentFraction { get; set; } = 0.8;

    /// <summary>
    /// The least threshold of a group judged as one stream (nothing at all from any member): twice its normal largest
    /// silence, at least this. Default 0.5 s (with 1 s windows: an instrument, data class, venue or provider silent within 1.75 s).
    /// </summary>
    public TimeSpan GroupFloor { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Two or more providers silent at once, most of them or silent since the same instant (within
    /// <see cref="GroupingMargin"/>), is first of all our own process, network or pipeline stalling: no alert is raised
    /// until that lasts this long. Default 1.75 s (with 1 s windows, provider silence is still reported within 3 s).
    /// </summary>
    public TimeSpan PlatformHold { get; set; } = TimeSpan.FromMilliseconds(1750);

    /// <summary>Groups smaller than this never alert as a group. Default 2.</summary>
    public int MinGroupSize { get; set; } = 2;

    /// <summary>
    /// A group this close to its own threshold (and not yet past it) holds its narrower groups and series back for one
    /// evaluation, so an outage whose streams stopped a few milliseconds apart is reported once, at its widest level. Default 0.3 s.
    /// </summary>
    public TimeSpan GroupingMargin { get; set; } = TimeSpan.FromMilliseconds(300);

    public IEnumerable<string> Errors()
    {
        const string key = Section;
        if (Alpha is <= 0 or > 1) yield return QualityOptions.Range(key, nameof(Alpha), Alpha, "in (0, 1]");
        if (Multiplier is < 1 or > 1000) yield return QualityOptions.Range(key, nameof(Multiplier), Multiplier, "1..1000");
        if (Floor < TimeSpan.FromMilliseconds(500)) yield return QualityOptions.Range(key, nameof(Floor), Floor, "at least 00:00:00.5");
        if (Ceiling < Floor) yield return QualityOptions.Range(key, nameof(Ceiling), Ceiling, $"at least {nameof(Floor)} ({Floor})");
        if (GroupSilentFraction is <= 0 or > 1) yield return QualityOptions.Range(key, nameof(GroupSilentFraction), GroupSilentFraction, "in (0, 1]");
        if (MinGroupSize < 2) yield return QualityOptions.Range(key, nameof(MinGroupSize), MinGroupSize, "at least 2");
        if (GroupFloor < TimeSpan.FromMilliseconds(100) || GroupFloor > Ceiling) yield return QualityOptions.Range(key, nameof(GroupFloor), GroupFloor, $"00:00:00.1..{nameof(Ceiling)}");
        if (PlatformHold < TimeSpan.Zero || PlatformHold > TimeSpan.FromMinutes(1)) yield return QualityOptions.Range(key, nameof(PlatformHold), PlatformHold, "0..00:01:00");
        if (GroupingMargin < TimeSpan.Zero || GroupingMargin > TimeSpan.FromSeconds(10)) yield return QualityOptions.Range(key, nameof(GroupingMargin), GroupingMargin, "0..00:00:10");
    }
}

/// <summary>Breaks gap-fill could not mend (section <c>Quality:Backfill</c>; docs/backfill.md).</summary>
public sealed class BackfillAlertOptions : ICheckedOptions
{
    public const string Section = QualityOptions.Section + ":Backfill";

    public bool Enabled { get; set; } = true;

    /// <summary>Trades still missing in one episode that make the alert critical. Default 100.</summary>
    public long CriticalMissing { get; set; } = 100;

    /// <summary>The alert resolves after this long without another shortfall. Default 5 min.</summary>
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromMinutes(5);

    public IEnumerable<string> Errors()
    {
        if (CriticalMissing < 1) yield return QualityOptions.Range(Section, nameof(CriticalMissing), CriticalMissing, "at least 1");
        if (QuietPeriod <= TimeSpan.Zero) yield return QualityOptions.Range(Section, nameof(QuietPeriod), QuietPeriod, "positive");
    }
}

/// <summary>Sequence gaps (section <c>Quality:SequenceGaps</c>).</summary>
public sealed class SequenceGapOptions : ICheckedOptions
{
    public const string Section = QualityOptions.Section + ":SequenceGaps";

    public bool Enabled { get; set; } = true;

    /// <summary>One alert per venue (true, default: a reconnect gaps every instrument at once) or per series (false).</summary>
    public bool GroupByVenue { get; set; } = true;

    /// <summary>Missing numbers in one episode before alerting. Default 1.</summary>
    public long MinMissing { get; set; } = 1;

    /// <summary>Missing numbers that make the alert critical. Default 1000.</summary>
    public long CriticalMissing { get; set; } = 1000;

    /// <summary>The alert resolves after this long without a new gap. Default 60 s.</summary>
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromSeconds(60);

    public IEnumerable<string> Errors()
    {
        if (MinMissing < 1) yield return QualityOptions.Range(Section, nameof(MinMissing), MinMissing, "at least 1");
        if (CriticalMissing < MinMissing) yield return QualityOptions.Range(Section, nameof(CriticalMissing), CriticalMissing, $"at least {nameof(MinMissing)}");
        if (QuietPeriod < TimeSpan.FromSeconds(1) || QuietPeriod > TimeSpan.FromHours(1)) yield return QualityOptions.Range(Section, nameof(QuietPeriod), QuietPeriod, "00:00:01..01:00:00");
    }
}

/// <summary>Exchange→receive latency per venue (section <c>Quality:Latency</c>).</summary>
public sealed class LatencyOptions : ICheckedOptions
{
    public const string Section = QualityOptions.Section + ":Latency";

    public bool Enabled { get; set; } = true;

    /// <summary>Venue p99 above this alerts. Default 250 ms.</summary>
    public TimeSpan P99Threshold { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>... when held this long. Default 15 s.</summary>
    public TimeSpan For { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Resolves after the p99 is back below the threshold this long. Default 10 s.</summary>
    public TimeSpan ClearAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A p99 beyond this many times the threshold (1 s by default: a lagging feed, not jitter) alerts as critical ... Default 4.</summary>
    public double SevereFactor { get; set; } = 4;

    /// <summary>... once held this long. Default 2 s.</summary>
    public TimeSpan SevereFor { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Per-venue thresholds by venue name (e.g. <c>deribit</c>), overriding <see cref="P99Threshold"/>.</summary>
    public Dictionary<string, TimeSpan> Venues { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public IEnumerable<string> Errors()
    {
        if (P99Threshold <= TimeSpan.Zero) yield return QualityOptions.Range(Section, nameof(P99Threshold), P99Threshold, "positive");
        if (For < TimeSpan.Zero || For > TimeSpan.FromHours(1)) yield return QualityOptions.Range(Section, nameof(For), For, "0..01:00:00");
        if (ClearAfter < TimeSpan.Zero || ClearAfter > TimeSpan.FromHours(1)) yield return QualityOptions.Range(Section, nameof(ClearAfter), ClearAfter, "0..01:00:00");
        if (SevereFactor is < 1 or > 1000) yield return QualityOptions.Range(Section, nameof(SevereFactor), SevereFactor, "1..1000");
        if (SevereFor < TimeSpan.Zero || SevereFor > For) yield return QualityOptions.Range(Section, nameof(SevereFor), SevereFor, $"0..{nameof(For)}");
        foreach (var (venue, t) in Venues)
        {
            if (!VenueId.TryParse(venue, out _)) yield return $"{Section}:{nameof(Venues)}:{venue} is not a known venue";
            if (t <= TimeSpan.Zero) yield return QualityOptions.Range(Section + ":" + nameof(Venues), venue, t, "positive");
        }
    }
}

/// <summary>Update-rate drop against the series' own baseline, as a count test (section <c>Quality:UpdateRate</c>).</summary>
public sealed class UpdateRateOptions : ICheckedOptions
{
    public const string Section = QualityOptions.Section + ":UpdateRate";

    public bool Enabled { get; set; } = true;

    /// <summary>Baseline EWMA weight per window with data (slow). Default 0.02 (time constant ≈ 50 windows).</summary>
    public double BaselineAlpha { get; set; } = 0.02;

    /// <summary>Low when fewer than this share of the updates expected at the baseline arrived over the span. Default 0.5.</summary>
    public double DropFraction { get; set; } = 0.5;

    /// <summary>Windows with data before the baseline is trusted. Default 20.</summary>
    public int WarmUpWindows { get; set; } = 20;

    /// <summary>Series whose baseline is below this many updates per second are not judged. Default 0.5.</summary>
    public double MinBaselinePerSecond { get; set; } = 0.5;

    /// <summary>The shortest span the count is taken over. Default 5 s.</summary>
    public TimeSpan For { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The span is lengthened (up to 120 windows) until this many updates are expected at the baseline. Default 20.</summary>
    public double MinExpected { get; set; } = 20;

    /// <summary>... and the count must be this unlikely under the baseline (Poisson lower tail). Default 0.0001.</summary>
    public double Significance { get; set; } = 1e-4;

    /// <summary>Default 10 s.</summary>
    public TimeSpan ClearAfter { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<string> Errors()
    {
        const string key = Section;
        if (BaselineAlpha is <= 0 or > 1) yield return QualityOptions.Range(key, nameof(BaselineAlpha), BaselineAlpha, "in (0, 1]");
        if (DropFraction is <= 0 or >= 1) yield return QualityOptions.Range(key, nameof(DropFraction), DropFraction, "in (0, 1)");
        if (WarmUpWindows < 1) yield return QualityOptions.Range(key, nameof(WarmUpWindows), WarmUpWindows, "at least 1");
        if (MinBaselinePerSecond < 0) yield return QualityOptions.Range(key, nameof(MinBaselinePerSecond), MinBaselinePerSecond, "non-negative");
        if (For <= TimeSpan.Zero || For > TimeSpan.FromMinutes(2)) yield return QualityOptions.Range(key, nameof(For), For, "(0, 00:02:00]");
        if (MinExpected is < 1 or > 10_000) yield return QualityOptions.Range(key, nameof(MinExpected), MinExpected, "1..10000");
        if (Significance is <= 0 or >= 1) yield return QualityOptions.Range(key, nameof(Significance), Significance, "in (0, 1)");
        if (ClearAfter < TimeSpan.Zero) yield return QualityOptions.Range(key, nameof(ClearAfter), ClearAfter, "non-negative");
    }
}

/// <summary>A venue clock ahead of ours, or steadily behind (section <c>Quality:ClockSkew</c>).</summary>
public sealed class ClockSkewOptions : ICheckedOptions
{
    public const string Section = QualityOptions.Section + ":ClockSkew";

    public bool Enabled { get; set; } = true;

    /// <summary>A venue clock further ahead of ours than this alerts. Default 500 ms.</summary>
    public TimeSpan AheadThreshold { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A venue clock (or feed) steadily further behind ours than this alerts: the least delay seen, not network jitter. Default 2 s.</summary>
    public TimeSpan BehindThreshold { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>... when held this long. Default 5 s.</summary>
    public TimeSpan For { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Default 10 s.</summary>
    public TimeSpan ClearAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Estimates from fewer samples are not judged. Default 20.</summary>
    public int MinSamples { get; set; } = 20;

    public IEnumerable<string> Errors()
    {
        if (AheadThreshold <= TimeSpan.Zero) yield return QualityOptions.Range(Section, nameof(AheadThreshold), AheadThreshold, "positive");
        if (BehindThreshold <= TimeSpan.Zero) yield return QualityOptions.Range(Section, nameof(BehindThreshold), BehindThreshold, "positive");
        if (For < TimeSpan.Zero || For > TimeSpan.FromMinutes(10)) yield return QualityOptions.Range(Section, nameof(For), For, "0..00:10:00");
        if (ClearAfter < TimeSpan.Zero) yield return QualityOptions.Range(Section, nameof(ClearAfter), ClearAfter, "non-negative");
        if (MinSamples < 1) yield return QualityOptions.Range(Section, nameof(MinSamples), MinSamples, "at least 1");
    }
}

/// <summary>A frozen price: updates keep arriving, the price does not change (section <c>Quality:Frozen</c>).</summary>
public sealed class FrozenOptions : ICheckedOptions
{
    public const string Section = QualityOptions.Section + ":Frozen";

    public bool Enabled { get; set; } = true;

    /// <summary>EWMA weight of one learned time-between-changes sample. Default 0.1.</summary>
    public double Alpha { get; set; } = 0.1;

    /// <summary>Unchanged for Multiplier × the learned interval between changes ... Default 20.</summary>
    public double Multiplier { get; set; } = 20;

    /// <summary>... and at least this long. Default 10 s.</summary>
    public TimeSpan Floor { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Another source must have moved at least this much meanwhile (0.0005 = 5 bp). Default 0.0005.</summary>
    public double MinMove { get; set; } = 0.0005;

    /// <summary>With no other source to compare against, alert only after this long unchanged. Default 5 min.</summary>
    public TimeSpan UnconfirmedAfter { get; set; } = TimeSpan.FromMinutes(5);

    public IEnumerable<string> Errors()
    {
        if (Alpha is <= 0 or > 1) yield return QualityOptions.Range(Section, nameof(Alpha), Alpha, "in (0, 1]");
        if (Multiplier is < 1 or > 10_000) yield return QualityOptions.Range(Section, nameof(Multiplier), Multiplier, "1..10000");
        if (Floor < TimeSpan.FromSeconds(1)) yield return QualityOptions.Range(Section, nameof(Floor), Floor, "at least 00:00:01");
        if (MinMove is < 0 or >= 1) yield return QualityOptions.Range(Section, nameof(MinMove), MinMove, "0..1");
        if (UnconfirmedAfter < Floor) yield return QualityOptions.Range(Section, nameof(UnconfirmedAfter), UnconfirmedAfter, $"at least {nameof(Floor)}");
    }
}

/// <summary>Invalid updates and duplicates as a quality signal, per provider × venue (section <c>Quality:InvalidData</c>).</summary>
public sealed class InvalidDataOptions : ICheckedOptions
{
    public const string Section = QualityOptions.Section + ":InvalidData";

    public bool Enabled { get; set; } = true;

    /// <summary>The rate is taken over this trailing span. Default 10 s.</summary>
    public TimeSpan Span { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Alert when more than this many invalid updates (or duplicates) per second arrive ... Default 0.5.</summary>
    public double MaxPerSecond { get; set; } = 0.5;

    /// <summary>... and they are more than this share of the venue's updates. Default 0.01 (1 %).</summary>
    public double MaxShare { get; set; } = 0.01;

    /// <summary>Resolves after the rate is back below the limits this long. Default 30 s.</summary>
    public TimeSpan ClearAfter { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<string> Errors()
    {
        if (Span < TimeSpan.FromSeconds(1) || Span > TimeSpan.FromMinutes(10)) yield return QualityOptions.Range(Section, nameof(Span), Span, "00:00:01..00:10:00");
        if (MaxPerSecond < 0) yield return QualityOptions.Range(Section, nameof(MaxPerSecond), MaxPerSecond, "non-negative");
        if (MaxShare is < 0 or > 1) yield return QualityOptions.Range(Section, nameof(MaxShare), MaxShare, "0..1");
        if (ClearAfter < TimeSpan.Zero) yield return QualityOptions.Range(Section, nameof(ClearAfter), ClearAfter, "non-negative");
    }
}

/// <summary>A source's price over the fair price (section <c>Quality:Divergence</c>).</summary>
public sealed class DivergenceOptions : ICheckedOptions
{
    public const string Section = QualityOptions.Section + ":Divergence";

    public bool Enabled { get; set; } = true;

    /// <summary>|price / fair − 1| above this is divergent. Default 0.01 (1 %).</summary>
    public double Threshold { get; set; } = 0.01;

    /// <summary>Divergent this long before alerting: a one-window blip never alerts. Default 30 s.</summary>
    public TimeSpan For { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Deviation that makes the alert critical. Default 0.05.</summary>
    public double CriticalThreshold { get; set; } = 0.05;

    /// <summary>Default 10 s.</summary>
    public TimeSpan ClearAfter { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<string> Errors()
    {
        const string key = Section;
        if (Threshold is <= 0 or >= 1) yield return QualityOptions.Range(key, nameof(Threshold), Threshold, "in (0, 1)");
        if (CriticalThreshold < Threshold) yield return QualityOptions.Range(key, nameof(CriticalThreshold), CriticalThreshold, $"at least {nameof(Threshold)}");
        if (For < TimeSpan.Zero) yield return QualityOptions.Range(key, nameof(For), For, "non-negative");
        if (ClearAfter < TimeSpan.Zero) yield return QualityOptions.Range(key, nameof(ClearAfter), ClearAfter, "non-negative");
    }
}

/// <summary>Spectral-residual + MAD spikes on the price-ratio and update-rate series (section <c>Quality:Spikes</c>).</summary>
public sealed class SpikeOptions : ICheckedOptions
{
    public const string Section = QualityOptions.Section + ":Spikes";

    public bool Enabled { get; set; } = true;

    /// <summary>Points kept per series. Default 64.</summary>
    public int Window { get; set; } = 64;

    /// <summary>Points before scoring starts. Default 32.</summary>
    public int MinPoints { get; set; } = 32;

    /// <summary>Spectral-residual score threshold ((S − local mean) / local mean). Default 3 (the paper's τ).</summary>
    public double SrThreshold { get; set; } = 3;

    /// <summary>|robust z| threshold (0.6745 (x − median) / MAD). Default 6.</summary>
    public double MadThreshold { get; set; } = 6;

    /// <summary>A price-ratio spike must also move at least this far from the median. Default 0.005 (0.5 %).</summary>
    public double RatioMinDeviation { get; set; } = 0.005;

    /// <summary>An update-rate spike must also move at least this share of the median. Default 0.5.</summary>
    public double RateMinDeviation { get; set; } = 0.5;

    /// <summary>A spike alert resolves after this long without another spike. Default 60 s.</summary>
    public TimeSpan ResolveAfter { get; set; } = TimeSpan.FromSeconds(60);

    public IEnumerable<string> Errors()
    {
        const string key = Section;
        if (Window is < 16 or > 4096) yield return QualityOptions.Range(key, nameof(Window), Window, "16..4096");
        if (MinPoints < 12 || MinPoints > Window) yield return QualityOptions.Range(key, nameof(MinPoints), MinPoints, $"12..{nameof(Window)}");
        if (SrThreshold <= 0) yield return QualityOptions.Range(key, nameof(SrThreshold), SrThreshold, "positive");
        if (MadThreshold <= 0) yield return QualityOptions.Range(key, nameof(MadThreshold), MadThreshold, "positive");
        if (RatioMinDeviation < 0) yield return QualityOptions.Range(key, nameof(RatioMinDeviation), RatioMinDeviation, "non-negative");
        if (RateMinDeviation < 0) yield return QualityOptions.Range(key, nameof(RateMinDeviation), RateMinDeviation, "non-negative");
        if (ResolveAfter < TimeSpan.Zero) yield return QualityOptions.Range(key, nameof(ResolveAfter), ResolveAfter, "non-negative");
    }
}

/// <summary>Per instrument class or per instrument: only the values set here replace the defaults.</summary>
public sealed class DetectorOverrides
{
    public bool? Enabled { get; set; }
    public TimeSpan? NoDataFloor { get; set; }
    public TimeSpan? NoDataCeiling { get; set; }
    public double? NoDataMultiplier { get; set; }
    public double? DivergenceThreshold { get; set; }
    public TimeSpan? DivergenceFor { get; set; }
    public double? UpdateRateDropFraction { get; set; }
    public double? SpikeSrThreshold { get; set; }
    public double? SpikeMadThreshold { get; set; }

    public IEnumerable<string> Errors(string key)
    {
        if (NoDataFloor is { } f && f < TimeSpan.FromMilliseconds(500)) yield return QualityOptions.Range(key, nameof(NoDataFloor), f, "at least 00:00:00.5");
        if (NoDataCeiling is { } c && NoDataFloor is { } f2 && c < f2) yield return QualityOptions.Range(key, nameof(NoDataCeiling), c, $"at least {nameof(NoDataFloor)}");
        if (NoDataMultiplier is { } m && m is < 1 or > 1000) yield return QualityOptions.Range(key, nameof(NoDataMultiplier), m, "1..1000");
        if (DivergenceThreshold is { } d && d is <= 0 or >= 1) yield return QualityOptions.Range(key, nameof(DivergenceThreshold), d, "in (0, 1)");
        if (DivergenceFor is { } df && df < TimeSpan.Zero) yield return QualityOptions.Range(key, nameof(DivergenceFor), df, "non-negative");
        if (UpdateRateDropFraction is { } r && r is <= 0 or >= 1) yield return QualityOptions.Range(key, nameof(UpdateRateDropFraction), r, "in (0, 1)");
        if (SpikeSrThreshold is { } s && s <= 0) yield return QualityOptions.Range(key, nameof(SpikeSrThreshold), s, "positive");
        if (SpikeMadThreshold is { } z && z <= 0) yield return QualityOptions.Range(key, nameof(SpikeMadThreshold), z, "positive");
    }
}

/// <summary>The settings of one series after defaults ← class ← instrument overrides. Resolved once per series.</summary>
public sealed record SeriesSettings(
    bool Enabled,
    long NoDataFloorNs,
    long NoDataCeilingNs,
    double NoDataMultiplier,
    double DivergenceThreshold,
    long DivergenceForNs,
    double UpdateRateDropFraction,
    double SpikeSrThreshold,
    double SpikeMadThreshold)
{
    public static SeriesSettings Resolve(QualityOptions o, MarketType market, string? instrumentKey, DetectorOverrides? live = null)
    {
        o.Classes.TryGetValue(market.ToText(), out var configured);
        // Run-time thresholds (the control plane's set-detector) sit above the configured class defaults.
        var cls = live is null ? configured : Merge(live, configured);
        DetectorOverrides? ins = null;
        if (instrumentKey is not null) o.Instruments.TryGetValue(instrumentKey, out ins);
        return new SeriesSettings(
            ins?.Enabled ?? cls?.Enabled ?? true,
            Ns(ins?.NoDataFloor ?? cls?.NoDataFloor ?? o.NoData.Floor),
            Ns(ins?.NoDataCeiling ?? cls?.NoDataCeiling ?? o.NoData.Ceiling),
            ins?.NoDataMultiplier ?? cls?.NoDataMultiplier ?? o.NoData.Multiplier,
            ins?.DivergenceThreshold ?? cls?.DivergenceThreshold ?? o.Divergence.Threshold,
            Ns(ins?.DivergenceFor ?? cls?.DivergenceFor ?? o.Divergence.For),
            ins?.UpdateRateDropFraction ?? cls?.UpdateRateDropFraction ?? o.UpdateRate.DropFraction,
            ins?.SpikeSrThreshold ?? cls?.SpikeSrThreshold ?? o.Spikes.SrThreshold,
            ins?.SpikeMadThreshold ?? cls?.SpikeMadThreshold ?? o.Spikes.MadThreshold);
    }

    internal static long Ns(TimeSpan t) => t.Ticks * UnixTime.NanosPerTick;

    private static DetectorOverrides Merge(DetectorOverrides top, DetectorOverrides? below) => new()
    {
        Enabled = top.Enabled ?? below?.Enabled,
        NoDataFloor = top.NoDataFloor ?? below?.NoDataFloor,
        NoDataCeiling = top.NoDataCeiling ?? below?.NoDataCeiling,
        NoDataMultiplier = top.NoDataMultiplier ?? below?.NoDataMultiplier,
        DivergenceThreshold = top.DivergenceThreshold ?? below?.DivergenceThreshold,
        DivergenceFor = top.DivergenceFor ?? below?.DivergenceFor,
        UpdateRateDropFraction = top.UpdateRateDropFraction ?? below?.UpdateRateDropFraction,
        SpikeSrThreshold = top.SpikeSrThreshold ?? below?.SpikeSrThreshold,
        SpikeMadThreshold = top.SpikeMadThreshold ?? below?.SpikeMadThreshold,
    };
}
