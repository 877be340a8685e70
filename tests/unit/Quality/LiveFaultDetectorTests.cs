using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality;
using Cloudwall.Rx.Quality.Alerts;
using Xunit.Abstractions;

namespace Cloudwall.Rx.Tests.Unit.Quality;

/// <summary>
/// The faults of a feed that stays alive but is wrong — frozen prices, a venue clock ahead, a lagging feed, a gross price
/// error, invalid updates — on the synthetic market in virtual time. The fault starts at 120 s (its first window ends at
/// <see cref="FaultAt"/>); each alert must come from the right detector, name the right source, within the target of
/// docs/quality.md, and say what is wrong.
/// </summary>
public sealed class LiveFaultDetectorTests(ITestOutputHelper output)
{
    private const int FaultAt = 121;
    private const int FaultStart = FaultAt - 1;
    private static readonly ProviderId Agg = ProviderId.Aggregator;

    private double Ttd(string name, AlertNotification fired)
    {
        var ttd = SyntheticMarket.SecondOf(fired) - FaultStart;
        output.WriteLine($"{name}: detected {ttd} s after the fault began: {fired.Message}");
        return ttd;
    }

    [Fact]
    public void A_frozen_price_while_the_other_sources_move_is_alerted_within_30_s_and_clears_when_it_moves()
    {
        using var m = new SyntheticMarket { DriftPerSecond = 0.0002 };
        var target = new SeriesKey(Agg, VenueId.Kraken, new InstrumentId(3), DataClass.Trade, MarketType.Spot);
        m.Fault = (k, s) => new Tweak(Frozen: s >= FaultAt && s < FaultAt + 60 && k == target);
        m.Run(FaultAt + 70);

        var fired = Assert.Single(m.Notifier.Firing(DetectorNames.Frozen));
        Assert.Equal(new AlertLabels("aggregator", "kraken", "SOL-USD.SPOT", "trade", "spot"), fired.Labels);
        Assert.InRange(Ttd("frozen", fired), 10, 30);
        Assert.Matches(@"^aggregator kraken SOL-USD trades price unchanged for \d+ s while \d+ other sources moved 0\.\d+ %$", fired.Message);
        Assert.True(fired.Expected > 0, "the learned interval between changes is the expected value");
        var resolved = Assert.Single(m.Notifier.Resolved(DetectorNames.Frozen));
        Assert.InRange(SyntheticMarket.SecondOf(resolved), FaultAt + 60, FaultAt + 61);
    }

    [Fact]
    public void A_price_unchanged_in_a_market_where_nothing_moves_is_not_frozen()
    {
        // A flat market: the other sources do not move 5 bp, so a still price is a quiet market (a stablecoin), not a fault.
        using var m = new SyntheticMarket { Noise = 0 };
        var target = new SeriesKey(Agg, VenueId.Kraken, new InstrumentId(3), DataClass.Trade, MarketType.Spot);
        m.Fault = (k, s) => new Tweak(Frozen: s >= FaultAt && k == target);
        m.Run(FaultAt + 60);
        Assert.Empty(m.Notifier.Firing(DetectorNames.Frozen));
    }

    [Fact]
    public void Quotes_that_stop_while_trades_continue_are_one_data_class_alert_within_2_s()
    {
        using var m = new SyntheticMarket();
        m.Fault = (k, s) => new Tweak(Silent: s >= FaultAt && s < FaultAt + 20 && k.Provider == Agg && k.Venue == VenueId.Coinbase && k.DataClass == DataClass.Quote);
        m.Run(FaultAt + 30);

        var fired = Assert.Single(m.Notifier.All, n => n.Status == AlertStatus.Firing);
        Assert.Equal(DetectorNames.NoData, fired.Detector);
        Assert.Equal(AlertLevel.DataClass, fired.Level);
        Assert.Equal(new AlertLabels("aggregator", "coinbase", null, "quote", null), fired.Labels);
        Assert.InRange(Ttd("quotes stop", fired), 1, 2);
        Assert.StartsWith("aggregator coinbase quotes: no data for ", fired.Message);
        Assert.Single(m.Notifier.Resolved(DetectorNames.NoData));
    }

    [Fact]
    public void Every_provider_silent_for_a_second_is_our_own_stall_and_raises_nothing_but_a_lasting_one_is_each_provider_s_alert()
    {
        using var m = new SyntheticMarket();
        m.Fault = (_, s) => new Tweak(Silent: s == FaultAt || (s >= FaultAt + 20 && s < FaultAt + 40));
        m.Run(FaultAt + 10);
        Assert.Empty(m.Notifier.All); // one second of nothing from anyone: the process or its network paused

        m.Run(30);
        var fired = m.Notifier.Firing(DetectorNames.NoData);
        Assert.Equal(3, fired.Count); // the aggregator and the two direct providers, each once, at provider level
        Assert.All(fired, f => Assert.Equal(AlertLevel.Provider, f.Level));
        Assert.All(fired, f => Assert.InRange(SyntheticMarket.SecondOf(f) - (FaultStart + 20), 1, 3));
    }

    [Fact]
    public void Most_providers_silent_for_half_a_second_is_our_own_stall_even_when_one_is_read_first()
    {
        // A stall ends provider by provider: here the aggregator is read again while the two direct providers are not yet.
        using var m = new SyntheticMarket();
        m.Fault = (k, s) => new Tweak(Silent: s == FaultAt && k.Provider != ProviderId.Aggregator);
        m.Run(FaultAt + 10);
        Assert.Empty(m.Notifier.All);

        // One provider of three silent is no stall: its own alert, at provider level, as soon as its threshold is passed.
        m.Fault = (k, s) => new Tweak(Silent: s >= FaultAt + 20 && s < FaultAt + 30 && k.Provider == ProviderId.Kraken);
        m.Run(40);
        var fired = Assert.Single(m.Notifier.Firing(DetectorNames.NoData));
        Assert.Equal((AlertLevel.Provider, "kraken"), (fired.Level, fired.Labels.Provider));
    }

    [Theory]
    [InlineData(0.0, false)]   // two of six stopped at the same instant: our own stall, held
    [InlineData(0.45, true)]   // two of six stopped 0.45 s apart (more than GroupingMargin): two outages, each alerted
    public void A_minority_of_providers_silent_from_the_same_instant_is_our_own_stall(double apartSeconds, bool alerted)
    {
        using var m = new SyntheticMarket(directVenues: [VenueId.Coinbase, VenueId.Kraken, VenueId.Binance, VenueId.Okx, VenueId.Bybit]);
        var (first, second) = (ProviderId.Direct(VenueId.Okx), ProviderId.Direct(VenueId.Bybit));
        m.Fault = (k, s) => (k.Provider == first || k.Provider == second) && s == FaultAt
            ? new Tweak(Silent: true)
            : new Tweak(LastEventEarlierSeconds: k.Provider == first && s == FaultAt - 1 ? apartSeconds : 0);
        m.Run(FaultAt + 10);

        var fired = m.Notifier.Firing(DetectorNames.NoData);
        if (!alerted)
        {
            Assert.Empty(m.Notifier.All);
            return;
        }

        Assert.Equal(2, fired.Count);
        Assert.All(fired, f => Assert.Equal(AlertLevel.Provider, f.Level));
        Assert.Equal(["bybit", "okx"], fired.Select(f => f.Labels.Provider).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_venue_clock_two_seconds_ahead_is_a_clock_skew_alert_with_the_offset_and_nothing_else()
    {
        using var m = new SyntheticMarket();
        m.Fault = (k, s) => new Tweak(ClockOffsetSeconds: s >= FaultAt && s < FaultAt + 40 && k.Provider == ProviderId.Kraken ? 2.1 : 0);
        m.Run(FaultAt + 60);

        var fired = Assert.Single(m.Notifier.All, n => n.Status == AlertStatus.Firing);
        Assert.Equal(DetectorNames.ClockSkew, fired.Detector);
        Assert.Equal(AlertLevel.Venue, fired.Level);
        Assert.Equal(new AlertLabels("kraken", "kraken", null, null, null), fired.Labels);
        Assert.InRange(Ttd("clock ahead", fired), 5, 30);
        Assert.Equal("kraken clock 2.1 s ahead", fired.Message);
        Assert.Single(m.Notifier.Resolved(DetectorNames.ClockSkew));
    }

    [Fact]
    public void A_feed_lagging_30_s_is_a_critical_latency_alert_within_5_s_and_a_clock_offset_behind()
    {
        using var m = new SyntheticMarket();
        m.Fault = (k, s) => s >= FaultAt && s < FaultAt + 60 && k.Provider == ProviderId.Coinbase
            ? new Tweak(ExtraLatencySeconds: 30, ClockOffsetSeconds: -30)
            : Tweak.None;
        m.Run(FaultAt + 80);

        var latency = Assert.Single(m.Notifier.Firing(DetectorNames.Latency));
        Assert.Equal(new AlertLabels("coinbase", "coinbase", null, null, null), latency.Labels);
        Assert.Equal(AlertSeverity.Critical, latency.Severity);
        Assert.InRange(Ttd("lagging feed", latency), 1, 5);
        Assert.InRange(latency.Expected, 0.04, 0.07); // the learned normal p99, not the threshold
        Assert.Matches(@"^coinbase data arrives 30\.\d s after its exchange time \(p99; normally 0\.0\d+ s\)$", latency.Message);
        var skew = Assert.Single(m.Notifier.Firing(DetectorNames.ClockSkew));
        Assert.Equal("coinbase clock 30.0 s behind", skew.Message);
        Assert.Empty(m.Notifier.Firing(DetectorNames.NoData));
    }

    [Fact]
    public void Prices_100x_on_one_source_are_critical_in_their_first_window_naming_that_source()
    {
        using var m = new SyntheticMarket();
        var target = new SeriesKey(ProviderId.Coinbase, VenueId.Coinbase, new InstrumentId(3), DataClass.Trade, MarketType.Spot);
        m.Fault = (k, s) => new Tweak(PriceFactor: s >= FaultAt && s < FaultAt + 30 && k == target ? 100 : 1);
        m.Run(FaultAt + 50);

        var fired = Assert.Single(m.Notifier.Firing(DetectorNames.Divergence));
        Assert.Equal(AlertSeverity.Critical, fired.Severity);
        Assert.Equal(new AlertLabels("coinbase", "coinbase", "SOL-USD.SPOT", "trade", "spot"), fired.Labels);
        Assert.InRange(Ttd("gross error", fired), 0, 2);
        Assert.Matches(@"^coinbase SOL-USD trades 100\.0× the fair price \([\d,]+ vs 1\d\d(\.\d+)?\)$", fired.Message);
        Assert.InRange(fired.Expected, 100, 200); // the fair price, not a threshold
        Assert.Single(m.Notifier.Resolved(DetectorNames.Divergence));
    }

    [Fact]
    public void Crossed_quotes_at_a_steady_rate_raise_one_venue_alert_and_a_stray_one_does_not()
    {
        // The market's monitor with no windows delivered: only ingestion's running totals reach it.
        using var m = new SyntheticMarket();
        var (monitor, notifier, t0) = (m.Monitor, m.Notifier, m.NowNs);
        long events = 0, crossed = 0;
        for (var s = 0; s <= 60; s++)
        {
            events += 40;
            if (s == 10) crossed += 1; // one stray crossed quote: no alert
            if (s >= 30) crossed += 10; // a quarter of the updates from 30 s on
            monitor.OnIngestionTotals(ProviderId.Coinbase, VenueId.Coinbase, events,
                [new("crossed_quote", crossed), new("duplicate", 0)], t0 + s * UnixTime.NanosPerSecond);
            if (s == 29) Assert.Empty(notifier.All);
        }

        var fired = Assert.Single(notifier.Firing(DetectorNames.InvalidData));
        Assert.Equal(AlertLevel.Venue, fired.Level);
        Assert.InRange((fired.AtNs - t0) / 1e9, 30, 31);
        Assert.Matches(@"^coinbase crossed quotes \(bid at or above ask\) at [\d.]+/s \([\d.]+ % of updates\)$", fired.Message);
    }

    [Fact]
    public void Every_trade_sent_twice_is_a_duplicates_alert()
    {
        // The market's monitor with no windows delivered: only ingestion's running totals reach it.
        using var m = new SyntheticMarket();
        var (monitor, notifier, t0) = (m.Monitor, m.Notifier, m.NowNs);
        for (var s = 0; s <= 20; s++)
        {
            monitor.OnIngestionTotals(ProviderId.Kraken, VenueId.Kraken, 20L * s, [new("duplicate", s >= 5 ? 20L * (s - 5) : 0)], t0 + s * UnixTime.NanosPerSecond);
        }

        var fired = Assert.Single(notifier.Firing(DetectorNames.InvalidData));
        Assert.StartsWith("kraken duplicate trades at ", fired.Message);
    }
}
