using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality;
using Cloudwall.Rx.Quality.Alerts;

namespace Cloudwall.Rx.Tests.Unit.Quality;

public sealed class AlertManagerTests
{
    private const long S = UnixTime.NanosPerSecond;
    private static readonly AlertKey Key = new(DetectorNames.Latency, AlertScope.ForVenue(ProviderId.Coinbase, VenueId.Coinbase));
    private static readonly AlertReading Reading = new(AlertSeverity.Warning, "w", 1, 0.25, "s", 0);

    [Fact]
    public void Fires_once_while_held_and_resolves_once()
    {
        var rec = new RecordingNotifier();
        var m = new AlertManager(new AlertOptions(), rec);
        for (var t = 1; t <= 10; t++) m.Fire(Key, Reading, t * S);
        m.Clear(Key, 11 * S);
        m.Clear(Key, 12 * S);
        Assert.Equal([AlertStatus.Firing, AlertStatus.Resolved], rec.All.ConvertAll(n => n.Status));
        Assert.Equal(new AlertLabels("coinbase", "coinbase", null, null, null), rec.All[0].Labels);
        Assert.Equal("latency|venue|coinbase|coinbase|||", rec.All[0].Fingerprint);
    }

    [Fact]
    public void Escalation_updates_the_open_alert_without_a_second_notification()
    {
        var rec = new RecordingNotifier();
        var m = new AlertManager(new AlertOptions(), rec);
        m.Fire(Key, Reading, S);
        m.Fire(Key, Reading with { Severity = AlertSeverity.Critical, Current = 2 }, 2 * S);
        Assert.Single(rec.All);
        Assert.Equal(AlertSeverity.Critical, Assert.Single(m.OpenAlerts()).Severity);
    }

    [Fact]
    public void Rate_limit_defers_announcements_and_never_sends_a_lone_resolve()
    {
        var rec = new RecordingNotifier();
        var m = new AlertManager(new AlertOptions { MaxNotificationsPerMinute = 60, Burst = 2 }, rec);
        var keys = new AlertKey[4];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = new AlertKey(DetectorNames.NoData, AlertScope.ForSeries(new SeriesKey(ProviderId.Kraken, VenueId.Kraken, new InstrumentId(i + 1), DataClass.Trade, MarketType.Spot)));
            m.Fire(keys[i], Reading, S);
        }

        Assert.Equal(2, rec.All.Count);
        Assert.Equal(2, m.Stats.Suppressed);
        m.Clear(keys[3], S); // never announced: its resolve is not sent either
        Assert.Equal(2, rec.All.Count);
        m.Fire(keys[2], Reading, 2 * S); // one token refilled after a second: announced late
        Assert.Equal(3, rec.All.Count);
        Assert.Equal(keys[2].Scope.Instrument.ToString(), rec.All[2].Labels.Instrument);
    }

    [Fact]
    public void A_flapping_key_is_held_down_after_a_resolve()
    {
        var rec = new RecordingNotifier();
        var m = new AlertManager(new AlertOptions { RefireHoldDown = TimeSpan.FromSeconds(60) }, rec);
        m.Fire(Key, Reading, S);
        m.Clear(Key, 2 * S);
        m.Fire(Key, Reading, 3 * S);
        m.Clear(Key, 4 * S);
        Assert.Equal(2, rec.All.Count);
        m.Fire(Key, Reading, 70 * S);
        Assert.Equal(3, rec.All.Count);
    }
}
