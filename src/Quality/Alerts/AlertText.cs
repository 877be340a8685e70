using System.Globalization;

namespace Cloudwall.Rx.Quality.Alerts;

/// <summary>
/// The one sentence an operator reads first: what is wrong, where, and by how much — for example
/// "coinbase BTC-USD trades 100.2× the fair price (6,512,300 vs 65,023)" or "kraken clock 2.1 s ahead". Built when a
/// notification is built (not on every evaluation); docs/quality.md lists the text of each detector.
/// </summary>
public static class AlertText
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Message(string detector, AlertLabels labels, in AlertReading r)
    {
        var who = Who(labels);
        var cur = r.Current;
        var exp = r.Expected;
        return detector switch
        {
            DetectorNames.NoData => exp > 0
                ? $"{who}: no data for {Seconds(cur)} (normally every {Seconds(exp)})"
                : $"{who}: no data for {Seconds(cur)}",
            DetectorNames.Latency => $"{who} data arrives {Seconds(cur)} after its exchange time (p99; normally {Seconds(exp)})",
            DetectorNames.UpdateRate => $"{who} at {Rate(cur)}/s, normally {Rate(exp)}/s",
            DetectorNames.Divergence => Divergence(who, cur, exp),
            DetectorNames.Frozen => r.Context.Others > 0
                ? $"{who} price unchanged for {Seconds(cur, 0)} while {r.Context.Others} other source{(r.Context.Others == 1 ? "" : "s")} moved {Percent(r.Context.Moved)}"
                : $"{who} price unchanged for {Seconds(cur, 0)} (normally changes every {Seconds(exp)})",
            DetectorNames.ClockSkew => $"{who} clock {Seconds(Math.Abs(cur))} {(cur >= 0 ? "ahead" : "behind")}",
            DetectorNames.InvalidData => $"{who} {ReasonText(r.Context.Reason)} at {Rate(cur)}/s ({Percent(r.Context.Moved)} of updates)",
            DetectorNames.SequenceGap => $"{who}: {cur.ToString("0", Inv)} sequence numbers missing",
            DetectorNames.Backfill => r.Context.Reason is { } why && why.EndsWith("count unknown", StringComparison.Ordinal)
                ? $"{who}: trades lost and not fetched back ({why}); {cur.ToString("0", Inv)} counted missing"
                : $"{who}: {cur.ToString("0", Inv)} trades missing after back-fill ({r.Context.Reason})",
            _ => $"{who} {r.What}: {Number(cur)} {r.Unit} (normally {Number(exp)})",
        };
    }

    /// <summary>"coinbase BTC-USD trades", "aggregator kraken", "okx": provider, venue when it differs, instrument, data class.</summary>
    public static string Who(AlertLabels l)
    {
        var parts = new List<string>(4);
        if (l.Provider is { } p) parts.Add(p);
        if (l.Venue is { } v && v != l.Provider) parts.Add(v);
        if (l.Instrument is { } i) parts.Add(i.EndsWith(".SPOT", StringComparison.Ordinal) ? i[..^5] : i);
        if (l.DataClass is { } d) parts.Add(Plural(d));
        return parts.Count == 0 ? "platform" : string.Join(' ', parts);
    }

    private static string Divergence(string who, double price, double fair)
    {
        if (!(fair > 0)) return $"{who} price {Price(price)} diverges from the fair price";
        var ratio = price / fair;
        if (ratio >= 2 || ratio <= 0.5)
        {
            return $"{who} {ratio.ToString(ratio >= 10 ? "0.0" : "0.00", Inv)}× the fair price ({Price(price)} vs {Price(fair)})";
        }

        var pct = (ratio - 1) * 100;
        return $"{who} {Math.Abs(pct).ToString("0.0#", Inv)} % {(pct >= 0 ? "above" : "below")} the fair price ({Price(price)} vs {Price(fair)})";
    }

    private static string Plural(string dataClass) => dataClass switch
    {
        "trade" => "trades",
        "quote" => "quotes",
        "mark" => "marks",
        _ => dataClass,
    };

    private static string ReasonText(string? reason) => reason switch
    {
        "crossed_quote" => "crossed quotes (bid at or above ask)",
        "invalid_price" => "zero or negative prices",
        "invalid_size" => "zero or negative sizes",
        "timestamp_future" => "timestamps in the future",
        "timestamp_past" => "timestamps far in the past",
        "duplicate" => "duplicate trades",
        null => "invalid updates",
        _ => reason.Replace('_', ' '),
    };

    private static string Seconds(double s, int decimals = 1) =>
        s is > 0 and < 0.1 ? s.ToString("0.###", Inv) + " s" : s.ToString(decimals == 0 ? "0" : "0.0", Inv) + " s";

    private static string Rate(double r) => r.ToString(r >= 10 ? "0" : "0.##", Inv);

    private static string Percent(double fraction) => (fraction * 100).ToString("0.0#", Inv) + " %";

    private static string Number(double v) => v.ToString("0.######", Inv);

    /// <summary>Prices with thousands separators, as people write them: 6,512,300 and 65,023; small prices keep their digits.</summary>
    public static string Price(double p) =>
        Math.Abs(p) >= 1000 ? p.ToString("#,0", Inv) : Math.Abs(p) >= 1 ? p.ToString("#,0.##", Inv) : p.ToString("0.########", Inv);
}
