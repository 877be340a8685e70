using Cloudwall.Rx.Quality.Alerts;

namespace Cloudwall.Rx.Quality.Detectors;

/// <summary>
/// Update-rate drop against the series' own baseline: a fast EWMA of updates per second below DropFraction × a slow
/// baseline EWMA, held for a duration. The baseline does not learn while the rate is low, so a drop cannot become the
/// new normal while it is being judged. Windows without data are the no-data detector's business and are skipped.
/// </summary>
public sealed class UpdateRateDetector(UpdateRateOptions options, SeriesSettingsCache settings, IAlertReporter reporter)
{
    private const string What = "update rate dropped below its baseline";
    private readonly Dictionary<SeriesKey, Series> _series = new();
    private readonly long _forNs = SeriesSettings.Ns(options.For);
    private readonly long _clearNs = SeriesSettings.Ns(options.ClearAfter);

    public void Observe(SeriesWindow w)
    {
        if (!options.Enabled || w.Count <= 0) return;
        if (!_series.TryGetValue(w.Key, out var s))
        {
            s = new Series(new AlertKey(DetectorNames.UpdateRate, AlertScope.ForSeries(w.Key)), settings.Get(w.Key));
            _series.Add(w.Key, s);
        }

        var from = s.PrevDataEndNs > 0 ? s.PrevDataEndNs : w.WindowStartNs;
        s.PrevDataEndNs = w.WindowEndNs;
        s.Settings = settings.Get(w.Key);
        if (w.WindowEndNs <= from || !s.Settings.Enabled) return;
        var rate = w.Count / ((w.WindowEndNs - from) / 1e9);
        s.Current.Update(rate, options.CurrentAlpha);
        if (s.Baseline.Samples < options.WarmUpWindows)
        {
            s.Baseline.Update(rate, options.BaselineAlpha);
            return;
        }

        var low = s.Baseline.Value >= options.MinBaselinePerSecond && s.Current.Value < s.Settings.UpdateRateDropFraction * s.Baseline.Value;
        if (!low) s.Baseline.Update(rate, options.BaselineAlpha);
        var wasActive = s.Condition.Active;
        if (s.Condition.Observe(low, w.WindowEndNs, _forNs, _clearNs))
        {
            reporter.Fire(s.Key, new AlertReading(AlertSeverity.Warning, What, s.Current.Value, s.Baseline.Value, "updates/s", s.Condition.SinceNs), w.WindowEndNs);
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
        public Ewma Baseline;
        public Ewma Current;
        public SustainedCondition Condition;
        public long PrevDataEndNs;
    }
}
