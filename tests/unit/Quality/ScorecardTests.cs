using System.Text.Json;
using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Tests.Unit.Quality;

public sealed class ScorecardTests
{
    [Fact]
    public void Scorecard_reports_completeness_latency_divergence_gaps_reconnects_and_open_alerts()
    {
        using var m = new SyntheticMarket(scorecard: true);
        var card = m.Monitor.Scorecard!;
        m.Fault = (k, s) => new Tweak(Silent: s > 100 && k.Provider == ProviderId.Aggregator && k.Venue == VenueId.Kraken);
        m.Run(120);
        m.Monitor.OnSequenceGap(new SequenceGap(ProviderId.Aggregator, VenueId.Binance, new InstrumentId(1), EventKind.Trade, 1, 5, m.NowNs));
        card.OnReconnect(ProviderId.Aggregator, VenueId.Kraken);
        var result = card.Build();

        Assert.Equal(5, result.Sources.Count);
        var kraken = result.Sources.Single(s => s.Provider == "aggregator" && s.Venue == "kraken");
        Assert.Equal(8, kraken.Series);
        Assert.Equal(100.0 / 120, kraken.Completeness, 3);
        Assert.Equal(1, kraken.Reconnects);
        Assert.Equal(1, kraken.OpenAlerts); // the venue no-data alert
        Assert.InRange(kraken.LatencyP99Seconds!.Value, 0.05, 0.06);
        Assert.InRange(kraken.LatencyP50Seconds!.Value, 0.025, 0.03);
        Assert.InRange(kraken.Divergence.MeanAbsBps, 0.1, 1.5);
        Assert.True(kraken.Divergence.MaxAbsBps >= kraken.Divergence.P95AbsBps);
        var binance = result.Sources.Single(s => s.Provider == "aggregator" && s.Venue == "binance");
        Assert.Equal(1.0, binance.Completeness, 3);
        Assert.Equal(3, binance.MissingSequences);
        Assert.Equal(1, binance.SequenceGaps);
        Assert.Equal(1, binance.OpenAlerts); // the sequence-gap alert

        using var doc = JsonDocument.Parse(card.BuildJson());
        var first = doc.RootElement.GetProperty("sources")[0];
        Assert.Equal("aggregator", first.GetProperty("provider").GetString());
        Assert.True(first.TryGetProperty("latency_p99_seconds", out _));
        Assert.True(first.GetProperty("divergence").TryGetProperty("p95_abs_bps", out _));
    }
}
