using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality;
using Cloudwall.Rx.Quality.Alerts;
using Xunit.Abstractions;

namespace Cloudwall.Rx.Tests.Unit.Quality;

/// <summary>
/// Each fault is injected into a warmed-up synthetic market at second <see cref="FaultAt"/>; the expected alert must fire
/// within the documented time-to-detect (docs/quality.md), at the right level, and resolve after the fault ends.
/// </summary>
public sealed class QualityMonitorTests(ITestOutputHelper output)
{
    private const int FaultAt = 121; // first faulty second (its window ends at 121 s: the fault starts at 120 s), after a 120 s warm-up
    private static readonly ProviderId Agg = ProviderId.Aggregator;

    [Fact]
    public void A_clean_ten_minute_run_raises_no_alert()
    {
        using var m = new SyntheticMarket();
        m.Run(600);
        Assert.Empty(m.Notifier.All);
        Assert.Equal(0, m.Alerts.Stats.Open);
    }

    [Fact]
    public void One_silent_instrument_raises_one_instrument_alert_and_resolves()
    {
        using var m = new SyntheticMarket();
        m.Fault = (k, s) => new Tweak(Silent: s >= FaultAt && s < FaultAt + 30 && k.Provider == Agg && k.Venue == VenueId.Coinbase && k.Instrument.Value == 1);
        m.Run(FaultAt + 40);

        var fired = Assert.Single(m.Notifier.All, n => n.Status == AlertStatus.Firing);
        Assert.Equal(DetectorNames.NoData, fired.Detector);
        Assert.Equal(AlertLevel.Instrument, fired.Level);
        Assert.Equal(new AlertLabels("aggregator", "coinbase", "BTC-USD.SPOT", null, "spot"), fired.Labels);
        var ttd = Report("no_data instrument", fired);
        // Evaluated at 121.25 s on the windows through 121 s: 1.25 s after the fault began (the target is 2 s).
        Assert.InRange(ttd, 0.25, 0.25);
        var resolved = Assert.Single(m.Notifier.Resolved(DetectorNames.NoData));
        Assert.Equal(fired.Fingerprint, resolved.Fingerprint);
        Assert.InRange(SyntheticMarket.SecondOf(resolved), FaultAt + 30, FaultAt + 31);
    }

    [Fact]
    public void One_silent_venue_raises_one_venue_alert_not_one_per_series()
    {
        using var m = new SyntheticMarket();
        m.Fault = (k, s) => new Tweak(Silent: s >= FaultAt && s < FaultAt + 30 && k.Provider == Agg && k.Venue == VenueId.Kraken);
        m.Run(FaultAt + 40);

        var fired = Assert.Single(m.Notifier.All, n => n.Status == AlertStatus.Firing);
        Assert.Equal(AlertLevel.Venue, fired.Level);
        Assert.Equal(AlertSeverity.Critical, fired.Severity);
        Assert.Equal(new AlertLabels("aggregator", "kraken", null, null, null), fired.Labels);
        Assert.InRange(Report("no_data venue", fired), 0.25, 0.25); // 1.25 s after the fault began (target 3 s)
        Assert.Single(m.Notifier.Resolved(DetectorNames.NoData));
    }

    [Fact]
    public void A_silent_provider_raises_one_provider_alert()
    {
        using var m = new SyntheticMarket();
        m.Fault = (k, s) => new Tweak(Silent: s >= FaultAt && s < FaultAt + 30 && k.Provider == Agg);
        m.Run(FaultAt + 40);

        var fired = Assert.Single(m.Notifier.All, n => n.Status == AlertStatus.Firing);
        Assert.Equal(AlertLevel.Provider, fired.Level);
        Assert.Equal(new AlertLabels("aggregator", null, null, null, null), fired.Labels);
        Assert.InRange(Report("no_data provider", fired), 0.25, 0.25);
        Assert.Single(m.Notifier.Resolved(DetectorNames.NoData));
    }

    [Fact]
    public void A_silent_direct_provider_raises_one_provider_alert_not_a_venue_alert()
    {
        using var m = new SyntheticMarket();
        m.Fault = (k, s) => new Tweak(Silent: s >= FaultAt && s < FaultAt + 30 && k.Provider == ProviderId.Kraken);
        m.Run(FaultAt + 40);

        var fired = Assert.Single(m.Notifier.All, n => n.Status == AlertStatus.Firing);
        Assert.Equal(AlertLevel.Provider, fired.Level);
        Assert.Equal("kraken", fired.Labels.Provider);
    }

    [Fact]
    public void A_sequence_gap_fires_at_once_at_venue_level_and_resolves_after_the_quiet_period()
    {
        using var m = new SyntheticMarket();
        m.Run(FaultAt - 1);
        var at = m.NowNs;
        m.Monitor.OnSequenceGap(new SequenceGap(Agg, VenueId.Binance, new InstrumentId(2), EventKind.Trade, 100, 108, at));
        m.Monitor.OnSequenceGap(new SequenceGap(Agg, VenueId.Binance, new InstrumentId(3), EventKind.Trade, 50, 53, at));
        m.Run(70);

        var fired = Assert.Single(m.Notifier.All, n => n.Status == AlertStatus.Firing);
        Assert.Equal(DetectorNames.SequenceGap, fired.Detector);
        Assert.Equal(AlertLevel.Venue, fired.Level);
        Assert.Equal(7, fired.Current); // the first gap's 7; the second joins the open alert
        Assert.Equal(at, fired.AtNs);
        output.WriteLine("sequence_gap TTD 0 s");
        var resolved = Assert.Single(m.Notifier.Resolved(DetectorNames.SequenceGap));
        // At the first evaluation after the 60 s quiet period: evaluations run a quarter second past each boundary.
        Assert.Equal(at + 60_250 * UnixTime.NanosPerMilli, resolved.AtNs);
    }

    [Fact]
    public void A_partly_filled_gap_alerts_with_the_missing_count_and_resolves_after_the_quiet_period()
    {
        using var m = new SyntheticMarket();
        m.Run(FaultAt - 1);
        var at = m.NowNs;
        m.Monitor.OnBackfillShortfall(new BackfillShortfall(Agg, VenueId.Binance, new InstrumentId(2), "partial", 7, 3, "3 of 10 trades are no longer served", at));
        m.Monitor.OnBackfillShortfall(new BackfillShortfall(Agg, VenueId.Binance, new InstrumentId(2), "partial", 1, 2, "2 of 3 trades are no longer served", at));

        var open = Assert.Single(m.Alerts.OpenAlerts());
        Assert.Equal(5, open.Current); // the episode sums what is still missing
        m.Run(310);
        var fired = Assert.Single(m.Notifier.Firing(DetectorNames.Backfill));
        Assert.Equal((AlertLevel.Series, AlertSeverity.Warning, at), (fired.Level, fired.Severity, fired.SinceNs));
        Assert.Equal(new AlertLabels("aggregator", "binance", "ETH-USD.SPOT", "trade", "spot"), fired.Labels);
        Assert.Equal("aggregator binance ETH-USD trades: 3 trades missing after back-fill (partial)", fired.Message);
        var resolved = Assert.Single(m.Notifier.Resolved(DetectorNames.Backfill));
        Assert.Equal(at + 300_250 * UnixTime.NanosPerMilli, resolved.AtNs); // 5 min quiet, at the next evaluation
    }

    [Fact]
    public void A_failed_fill_of_unknown_size_is_critical()
    {
        using var m = new SyntheticMarket();
        m.Run(10);
        m.Monitor.OnBackfillShortfall(new BackfillShortfall(Agg, VenueId.Kraken, new InstrumentId(1), "failed", 0, null, "HTTP 503", m.NowNs));

        var fired = Assert.Single(m.Notifier.Firing(DetectorNames.Backfill));
        Assert.Equal(AlertSeverity.Critical, fired.Severity);
        Assert.Contains("trades lost and not fetched back (failed, count unknown)", fired.Message);
    }

    [Fact]
    public void Window_sequence_gaps_alert_too()
    {
        using var m = new SyntheticMarket();
        m.Run(10);
        var key = m.Series[0];
        var now = m.NowNs;
        m.Monitor.OnWindow(new SeriesWindow(key, now - UnixTime.NanosPerSecond, now, 5, 1m, 1m, default, default, 1, 4, now, 1, 1m));
        var fired = Assert.Single(m.Notifier.Firing(DetectorNames.SequenceGap));
        Assert.Equal(4, fired.Current);
    }

    [Fact]
    public void Latency_500ms_above_normal_on_one_venue_fires_once_and_resolves()
    {
        using var m = new SyntheticMarket();
        m.Fault = (k, s) => new Tweak(ExtraLatencySeconds: s >= FaultAt && s < FaultAt + 60 && k.Provider == Agg && k.Venue == VenueId.Binance ? 0.5 : 0);
        m.Run(FaultAt + 80);

        var fired = Assert.Single(m.Notifier.All, n => n.Status == AlertStatus.Firing);
        Assert.Equal(DetectorNames.Latency, fired.Detector);
        Assert.Equal(new AlertLabels("aggregator", "binance", null, null, null), fired.Labels);
        Assert.InRange(fired.Current, 0.55, 0.56);
        Assert.InRange(Report("latency", fired), 15, 17);
        var resolved = Assert.Single(m.Notifier.Resolved(DetectorNames.Latency));
        Assert.InRange(SyntheticMarket.SecondOf(resolved) - (FaultAt + 60), 10, 12);
    }

    [Fact]
    public void A_2_percent_offset_held_60s_is_a_divergence_alert()
    {
        using var m = new SyntheticMarket();
        var target = new SeriesKey(Agg, VenueId.Kraken, new InstrumentId(2), DataClass.Trade, MarketType.Spot);
        m.Fault = (k, s) => new Tweak(PriceFactor: s >= FaultAt && s < FaultAt + 60 && k == target ? 1.02 : 1);
        m.Run(FaultAt + 80);

        // The step into the offset is also a (price-ratio, Info) spike; the divergence alert is the one that matters.
        var fired = Assert.Single(m.Notifier.Firing(DetectorNames.Divergence));
        Assert.Equal(DetectorNames.SpikeRatio, Assert.Single(m.Notifier.All, n => n.Status == AlertStatus.Firing && n != fired).Detector);
        Assert.Equal(AlertLevel.Series, fired.Level);
        Assert.Equal("ETH-USD.SPOT", fired.Labels.Instrument);
        Assert.Equal("trade", fired.Labels.DataClass);
        Assert.InRange(fired.Current / fired.Expected, 1.019, 1.021); // the source's price over the fair price
        Assert.Equal(AlertSeverity.Warning, fired.Severity);
        Assert.InRange(Report("divergence", fired), 30, 31);
        var resolved = Assert.Single(m.Notifier.Resolved(DetectorNames.Divergence));
        Assert.InRange(SyntheticMarket.SecondOf(resolved) - (FaultAt + 60), 10, 11);
    }

    [Fact]
    public void Thresholds_set_at_run_time_apply_on_the_next_window_without_a_restart()
    {
        using var m = new SyntheticMarket();
        var target = new SeriesKey(Agg, VenueId.Kraken, new InstrumentId(2), DataClass.Trade, MarketType.Spot);
        m.Fault = (k, s) => new Tweak(PriceFactor: s >= FaultAt && k == target ? 1.02 : 1);

        // A 2 % offset is within a 5 % threshold set live before the fault: no divergence alert.
        m.Run(FaultAt - 10);
        m.Monitor.SetLiveThresholds(new DetectorOverrides { DivergenceThreshold = 0.05 });
        m.Run(70);
        Assert.Empty(m.Notifier.Firing(DetectorNames.Divergence));

        // Back to 1 %: the same held offset becomes an alert, on the detector's learned state (no restart).
        m.Monitor.SetLiveThresholds(new DetectorOverrides { DivergenceThreshold = 0.01 });
        m.Run(40);
        Assert.Single(m.Notifier.Firing(DetectorNames.Divergence));

        Assert.Throws<ArgumentException>(() => m.Monitor.SetLiveThresholds(new DetectorOverrides { DivergenceThreshold = 2 }));
    }

    [Fact]
    public void A_single_3_percent_blip_is_no_divergence_alert_but_is_a_spike()
    {
        // Below the 5 % critical threshold, only the sustained rule applies: one window is a spike, not a divergence.
        using var m = new SyntheticMarket();
        var target = new SeriesKey(Agg, VenueId.Kraken, new InstrumentId(2), DataClass.Trade, MarketType.Spot);
        m.Fault = (k, s) => new Tweak(PriceFactor: s == FaultAt && k == target ? 1.03 : 1);
        m.Run(FaultAt + 80);

        Assert.Empty(m.Notifier.Firing(DetectorNames.Divergence));
        var spike = Assert.Single(m.Notifier.All, n => n.Status == AlertStatus.Firing);
        Assert.Equal(DetectorNames.SpikeRatio, spike.Detector);
        Assert.Equal(AlertSeverity.Info, spike.Severity);
    }

    [Fact]
    public void A_price_spike_is_flagged_in_its_own_window_and_resolves()
    {
        using var m = new SyntheticMarket();
        var target = new SeriesKey(Agg, VenueId.Coinbase, new InstrumentId(3), DataClass.Quote, MarketType.Spot);
        m.Fault = (k, s) => new Tweak(PriceFactor: s == FaultAt && k == target ? 0.9 : 1);
        m.Run(FaultAt + 70);

        var spike = Assert.Single(m.Notifier.Firing(DetectorNames.SpikeRatio));
        Assert.Equal("SOL-USD.SPOT", spike.Labels.Instrument);
        // 10 % off the fair price over a whole window is a gross error: critical at once, in the same window.
        var gross = Assert.Single(m.Notifier.Firing(DetectorNames.Divergence));
        Assert.Equal(AlertSeverity.Critical, gross.Severity);
        Assert.Equal(spike.AtNs, gross.AtNs);
        Assert.Equal(2, m.Notifier.All.Count(n => n.Status == AlertStatus.Firing));
        Assert.InRange(spike.Current, 0.89, 0.91);
        Assert.InRange(Report("spike", spike), 0, 0);
        var resolved = Assert.Single(m.Notifier.Resolved(DetectorNames.SpikeRatio));
        Assert.InRange(SyntheticMarket.SecondOf(resolved) - FaultAt, 60, 61);
    }

    [Fact]
    public void An_update_rate_drop_fires_and_resolves()
    {
        using var m = new SyntheticMarket();
        var target = new SeriesKey(ProviderId.Coinbase, VenueId.Coinbase, new InstrumentId(1), DataClass.Trade, MarketType.Spot);
        m.Fault = (k, s) => new Tweak(RateFactor: s >= FaultAt && s < FaultAt + 60 && k == target ? 0.25 : 1);
        m.Run(FaultAt + 80);

        var fired = Assert.Single(m.Notifier.Firing(DetectorNames.UpdateRate));
        Assert.Equal(new AlertLabels("coinbase", "coinbase", "BTC-USD.SPOT", "trade", "spot"), fired.Labels);
        Assert.InRange(fired.Expected, 18, 22);
        Assert.InRange(Report("update_rate", fired), 2, 5); // a count test over 5 s: seen within seconds (target 10 s)
        Assert.Empty(m.Notifier.Firing(DetectorNames.NoData));
        Assert.Single(m.Notifier.Resolved(DetectorNames.UpdateRate));
    }

    [Fact]
    public void Per_instrument_overrides_replace_class_and_default_thresholds()
    {
        var options = new QualityOptions();
        options.Classes["spot"] = new DetectorOverrides { DivergenceThreshold = 0.05 };
        options.Instruments["ETH-USD.SPOT"] = new DetectorOverrides { DivergenceThreshold = 0.015, DivergenceFor = TimeSpan.FromSeconds(10) };
        using var m = new SyntheticMarket(options);
        m.Fault = (k, s) => new Tweak(PriceFactor: s >= FaultAt && s < FaultAt + 60 && k.Provider == Agg && k.Venue == VenueId.Kraken && k.DataClass == DataClass.Trade && k.Instrument.Value <= 2 ? 1.02 : 1);
        m.Run(FaultAt + 30);

        var fired = Assert.Single(m.Notifier.Firing(DetectorNames.Divergence)); // ETH (1.5 % for 10 s), not BTC (spot: 5 %)
        Assert.Equal("ETH-USD.SPOT", fired.Labels.Instrument);
        Assert.InRange(SyntheticMarket.SecondOf(fired) - FaultAt, 10, 11);
    }

    private double Report(string name, AlertNotification fired)
    {
        var ttd = SyntheticMarket.SecondOf(fired) - FaultAt;
        output.WriteLine($"{name} TTD {ttd} s (since {fired.Since}, current {fired.Current}, expected {fired.Expected})");
        return ttd;
    }
}
