using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality.Alerts;

namespace Cloudwall.Rx.Quality.Detectors;

/// <summary>
/// A source's price over the instrument's fair price. Above the warning threshold for a sustained duration: a warning
/// (a one-window excursion is a spike, not a divergence). A gross error — the window's last price AND its VWAP (for quotes,
/// the last mid) beyond the critical threshold — is critical at once, in its first window: a venue printing 100× the
/// market is never left to accumulate for the sustained duration, while one wild print among normal ones (its VWAP stays
/// close) is not. The alert carries the source's price and the fair price. Funding series are rates, not prices, and are
/// not judged. A window without a price or a fair price is no observation.
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
        var wasActive = s.Condition.Active || s.Gross.Active;
        var warning = s.Condition.Observe(deviation > s.Settings.DivergenceThreshold, w.WindowEndNs, s.Settings.DivergenceForNs, _clearNs);
        var vwapRatio = w.Vwap is { } vwap && vwap > 0 && w.Key.DataClass == DataClass.Trade ? (double)(vwap / w.LastPrice!.Value) * r : r;
        var gross = s.Gross.Observe(deviation >= options.CriticalThreshold && Math.Abs(vwapRatio - 1) >= options.CriticalThreshold, w.WindowEndNs, 0, _clearNs);
        if (warning || gross)
        {
            var severity = gross || deviation >= options.CriticalThreshold ? AlertSeverity.Critical : AlertSeverity.Warning;
            var since = gross && !warning ? s.Gross.SinceNs : s.Condition.SinceNs;
            var price = (double)w.LastPrice!.Value;
            reporter.Fire(s.Key, new AlertReading(severity, What, price, price / r, "price", since), w.WindowEndNs);
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
        public SustainedCondition Gross;
    }
}
