using System.Globalization;

namespace Cloudwall.Rx.Hosting.Bench;

/// <summary>
/// A scrape of the platform's <c>/metrics</c> (Prometheus text format), read for the few series the harness needs: sums
/// of counters and the cumulative buckets of a histogram. Two scrapes bound the steady window.
/// </summary>
public sealed class MetricsText
{
    private readonly List<(string Name, string Labels, double Value)> _samples = [];

    public static MetricsText Parse(string text)
    {
        var metrics = new MetricsText();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.LastIndexOf(' ');
            if (space <= 0) continue;
            string name, labels;
            if (brace > 0 && brace < space)
            {
                var close = line.LastIndexOf('}');
                name = line[..brace];
                labels = line[(brace + 1)..close];
            }
            else
            {
                name = line[..space];
                labels = "";
            }

            var valueText = line[(space + 1)..];
            var value = valueText switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                _ => double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN,
            };
            metrics._samples.Add((name, labels, value));
        }

        return metrics;
    }

    /// <summary>The sum of every sample of <paramref name="name"/> whose labels contain each of <paramref name="labels"/> (<c>topic="md.events.v1"</c>).</summary>
    public double Sum(string name, params string[] labels) =>
        _samples.Where(s => s.Name == name && labels.All(l => s.Labels.Contains(l, StringComparison.Ordinal))).Sum(s => s.Value);

    /// <summary>A histogram's cumulative bucket counts by upper bound (<c>le</c>), ascending, +Inf last.</summary>
    public IReadOnlyList<(double UpperBound, double Cumulative)> Buckets(string histogram) =>
        [.. _samples.Where(s => s.Name == histogram + "_bucket")
            .Select(s => (UpperBound: LeOf(s.Labels), Cumulative: s.Value))
            .GroupBy(b => b.UpperBound).Select(g => (g.Key, g.Sum(b => b.Cumulative)))
            .OrderBy(b => b.Key)];

    /// <summary>
    /// Quantile <paramref name="q"/> of what a histogram recorded between two scrapes, interpolated linearly inside the
    /// bucket holding the rank, as PromQL's <c>histogram_quantile</c> does (the bucket's lower bound when that bucket is
    /// +Inf); 0 when nothing was recorded. The platform's Prometheus buckets are coarse (…, 10, 25, 50, 100 ms, …), so
    /// read it as "between the bounds", exact only at a bound: p99 ≤ 50 ms holds exactly when 99 % fell at or under 50 ms.
    /// </summary>
    public static double WindowQuantile(IReadOnlyList<(double UpperBound, double Cumulative)> before,
        IReadOnlyList<(double UpperBound, double Cumulative)> after, double q)
    {
        var start = before.ToDictionary(b => b.UpperBound, b => b.Cumulative);
        var delta = after.Select(b => (b.UpperBound, Cumulative: b.Cumulative - start.GetValueOrDefault(b.UpperBound))).ToList();
        var total = delta.Count == 0 ? 0 : delta[^1].Cumulative;
        if (total <= 0) return 0;
        var rank = q * total;
        double lower = 0, below = 0;
        foreach (var (upper, cumulative) in delta)
        {
            if (cumulative >= rank && cumulative > below)
            {
                return double.IsPositiveInfinity(upper) ? lower : lower + ((upper - lower) * (rank - below) / (cumulative - below));
            }

            (lower, below) = (upper, cumulative);
        }

        return lower;
    }

    private static double LeOf(string labels)
    {
        const string key = "le=\"";
        var at = labels.IndexOf(key, StringComparison.Ordinal);
        if (at < 0) return double.NaN;
        var end = labels.IndexOf('"', at + key.Length);
        var text = labels[(at + key.Length)..end];
        return text == "+Inf" ? double.PositiveInfinity : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}
