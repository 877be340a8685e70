using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace Cloudwall.Rx.Hosting.Levels;

/// <summary>The result of <c>compare-levels</c>: per level and per instrument what was received and what was lost.</summary>
public sealed record LevelComparisonReport
{
    public required string Provider { get; init; }
    public required string Kind { get; init; }

    /// <summary>Where both levels connected (the simulator on loopback, or the configured endpoint).</summary>
    public string? Endpoint { get; init; }

    public required string LevelA { get; init; }
    public required string LevelB { get; init; }
    public DateTime StartedAt { get; init; }
    public double DurationSeconds { get; init; }
    public double IntervalSeconds { get; init; }
    public required ThresholdsReport Thresholds { get; init; }

    /// <summary>Level A over every instrument.</summary>
    public required LevelTotals A { get; init; }

    /// <summary>Level B over every instrument.</summary>
    public required LevelTotals B { get; init; }

    public required IReadOnlyList<InstrumentComparison> Instruments { get; init; }
    public long DeadLetters { get; init; }
    public long SequenceGaps { get; init; }

    /// <summary>True when every instrument's verdict passes.</summary>
    public bool Pass { get; init; }
}

public sealed record ThresholdsReport(double MaxVwapBp, double MaxVolumePct, double MaxFairBp);

/// <summary>One level's ingress over all instruments: payload bytes and messages received, events decoded, per second of the run.</summary>
public sealed record LevelTotals(string Level, string Carries, string Loses, long IngressBytes, long IngressFrames, double BytesPerSecond, long Events,
    double EventsPerSecond);

/// <summary>One instrument at both levels, and the verdict.</summary>
public sealed record InstrumentComparison
{
    /// <summary>The provider's symbol (<c>BTCUSDT</c>).</summary>
    public required string Symbol { get; init; }

    /// <summary>The canonical instrument (<c>BTC-USDT.SPOT</c>), once an event named it.</summary>
    public string? Instrument { get; init; }

    public required LevelReport A { get; init; }
    public required LevelReport B { get; init; }
    public int ComparedIntervals { get; init; }

    /// <summary>(A bytes − B bytes) / A bytes, in percent: what B saves.</summary>
    public double? ByteSavingPct { get; init; }

    /// <summary>(B volume − A volume) / A volume over the compared intervals, in percent; null when either carries no trades.</summary>
    public double? VolumeDiffPct { get; init; }

    /// <summary>(B VWAP − A VWAP) / A VWAP over the compared intervals, in basis points.</summary>
    public double? VwapDiffBp { get; init; }

    /// <summary>B's mean latency (receive − exchange time) minus A's, in milliseconds.</summary>
    public double? LatencyDiffMs { get; init; }

    /// <summary>Mean |fair price from B alone − fair price from A alone| at the interval ends, in basis points.</summary>
    public double? FairDiffBp { get; init; }

    public bool Pass { get; init; }

    /// <summary>Why the verdict failed, and what could not be compared.</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    public required IReadOnlyList<IntervalComparison> Intervals { get; init; }
}

/// <summary>One level of one instrument. Trades, volume and VWAP are over the compared intervals; the rest over the whole run.</summary>
public sealed record LevelReport
{
    public required string Level { get; init; }
    public long IngressBytes { get; init; }
    public long IngressFrames { get; init; }
    public double BytesPerSecond { get; init; }
    public long Events { get; init; }
    public double EventsPerSecond { get; init; }
    public long Trades { get; init; }
    public decimal Volume { get; init; }
    public decimal? Vwap { get; init; }
    public double? MeanLatencyMs { get; init; }

    /// <summary>Trade-based fair prices this level alone produced.</summary>
    public long FairPrices { get; init; }
}

/// <summary>One interval of exchange time at both levels.</summary>
public sealed record IntervalComparison(DateTime Start, TradeStats A, TradeStats B, double? VolumeDiffPct, double? VwapDiffBp, decimal? FairA, decimal? FairB,
    double? FairDiffBp);

public sealed record TradeStats(long Trades, decimal Volume, decimal? Vwap);

/// <summary>The people's view of a <see cref="LevelComparisonReport"/>: one block per instrument, a verdict line each.</summary>
public static class LevelComparisonTable
{
    public static string Format(LevelComparisonReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"{r.Provider} ({r.Kind}): {r.LevelA} (A) vs {r.LevelB} (B), {r.DurationSeconds:0.0} s, {r.IntervalSeconds:0.###} s intervals, endpoint {r.Endpoint ?? "(default)"}");
        sb.AppendLine(c, $"  A {r.A.Level,-11} {r.A.BytesPerSecond,12:N0} B/s {r.A.EventsPerSecond,9:N1} ev/s   {r.A.Carries}");
        sb.AppendLine(c, $"  B {r.B.Level,-11} {r.B.BytesPerSecond,12:N0} B/s {r.B.EventsPerSecond,9:N1} ev/s   {r.B.Carries}");
        sb.AppendLine();
        sb.AppendLine(c, $"{"instrument",-18} {"level",-11} {"B/s",10} {"ev/s",8} {"trades",7} {"volume",16} {"vwap",14} {"lat ms",7} {"fairs",6}");
        foreach (var i in r.Instruments)
        {
            foreach (var l in (ReadOnlySpan<LevelReport>)[i.A, i.B])
            {
                sb.AppendLine(c, $"{i.Instrument ?? i.Symbol,-18} {l.Level,-11} {l.BytesPerSecond,10:N0} {l.EventsPerSecond,8:N1} {l.Trades,7} {l.Volume,16} {Dec(l.Vwap),14} {Num(l.MeanLatencyMs, "0.00"),7} {l.FairPrices,6}");
            }

            sb.AppendLine(c, $"{"",-18} B vs A: bytes {Num(i.ByteSavingPct is { } s ? -s : null, "+0.0;-0.0;0.0")} %, volume {Num(i.VolumeDiffPct, "+0.000;-0.000;0.000")} %, VWAP {Num(i.VwapDiffBp, "+0.000;-0.000;0.000")} bp, latency {Num(i.LatencyDiffMs, "+0.00;-0.00;0.00")} ms, fair {Num(i.FairDiffBp, "0.000")} bp over {i.ComparedIntervals} intervals: {(i.Pass ? "PASS" : "FAIL")}");
            foreach (var n in i.Notes)
            {
                sb.AppendLine(c, $"{"",-18}   {n}");
            }
        }

        sb.AppendLine(c, $"verdict: {(r.Pass ? "PASS" : "FAIL")} (max VWAP {r.Thresholds.MaxVwapBp} bp, volume {r.Thresholds.MaxVolumePct} %, fair {r.Thresholds.MaxFairBp} bp)");
        return sb.ToString();
    }

    private static string Dec(decimal? d) => d is { } v ? Math.Round(v, 4).ToString(CultureInfo.InvariantCulture) : "-";

    private static string Num(double? d, string format) => d is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LevelComparisonReport))]
internal sealed partial class LevelsJsonContext : JsonSerializerContext;
