using Cloudwall.Rx.Quality.Alerts;

namespace Cloudwall.Rx.Quality.Detectors;

/// <summary>
/// A source's price over the instrument's fair price: |ratio − 1| above the threshold for a sustained duration.
/// A one-window excursion (even a large one) is not an alert here; it is a spike. Funding series are rates, not prices,
/// and are not judged. A window without a price or a fair price is no observation.
/// </summary>
public sealed class DivergenceDetector(DivergenceOptions options, SeriesSettingsCache settings, IAlertReporter reporter)
{
    private const string What = "price diverges from the fair price";
    private readonly Dictionary<SeriesKey, Series> _series = new();
    private readonly long _clearNs = SeriesSettings.Ns(options.ClearAfter);

    /// <summary>The price ratio of a window (last price over fair price), or null when either is missing.</summary>
    public static double? Ratio(SeriesWindow w, decimal? fallbackFair)
    {
        if (w.Key.DataClass == DataClass.Funding || w.LastPrice is not { } price || price <= 0) return null;
        var fair = w.FairPrice ?? fallbackFair;
        if (fair is not { } f || f <= 0) return null;
        return (double)(price / f);
    }

    public void Observe(SeriesWindow w, double? ratio)
    {
        if (!options.Enabled || ratio is not { } r) return;
        if (!_series.TryGetValue(w.Key, out var s))
        {
            s = new Series(new AlertKey(DetectorNames.Divergence, AlertScope.ForSeries(w.Key)), settings.Get(w.Key));
            _series.Add(w.Key, s);
        }

        s.Settings = settings.Get(w.Key);
        if (!s.Settings.Enabled) return;
        var deviation = Math.Abs(r - 1);
        var wasActive = s.Condition.Active;
        if (s.Condition.Observe(deviation > s.Settings.DivergenceThreshold, w.WindowEndNs, s.Settings.DivergenceForNs, _clearNs))
        {
            var severity = deviation >= options.CriticalThreshold ? AlertSeverity.Critical : AlertSeverity.Warning;
            var expected = r >= 1 ? 1 + s.Settings.DivergenceThreshold : 1 - s.Settings.DivergenceThreshold;
            reporter.Fire(s.Key, new AlertReading(severity, What, r, expected, "price/fair", s.Condition.SinceNs), w.WindowEndNs);
        }
        else if (wasActive)
        {
            reporter.Clear(s.Key, w.WindowEndNs);
        }
    }

    private sealed class Series(AlertKey key, SeriesSettings settings)
    {
        public readonly AlertKey Key = key;
        public SeriesSettings Settings = settings; // refreshed per window: thresholds may change at run time
        public SustainedCondition Condition;
    }
}
