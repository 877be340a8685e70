using System.Globalization;
using System.Text;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Pricing;
using Cloudwall.Rx.Quality;
using Cloudwall.Rx.Quality.Metrics;
using Cloudwall.Rx.Quality.Scorecard;
using Cloudwall.Rx.Quality.Stats;
using Cloudwall.Rx.Quality.Wire;
using Cloudwall.Rx.Tests.Unit.Pricing;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace Cloudwall.Rx.Tests.Unit.QualityStats;

/// <summary>A venue whose clock runs ahead of ours: the offset is estimated, latencies and ages stay non-negative, pricing is unaffected.</summary>
public sealed class ClockOffsetTests
{
    private const long Second = UnixTime.NanosPerSecond;
    private const long Ms = UnixTime.NanosPerMilli;
    private const long T0 = 1_767_225_600L * Second;
    private static readonly InstrumentId Btc = new(1);

    /// <summary>Exchange-to-receive latency of the k-th event of a second: 5..40 ms.</summary>
    private static long LatencyNs(int k) => (5 + (k * 7 % 40)) * Ms;

    private static MarketEvent Trade(InstrumentId id, VenueId venue, decimal price, long receiveNs, long exchangeNs) => new()
    {
        Kind = EventKind.Trade, Instrument = id, Venue = venue, Provider = ProviderId.Direct(venue),
        Price = price, Size = 0.1m, Side = Side.Buy, ExchangeTimeNs = exchangeNs, ReceiveTimeNs = receiveNs,
    };

    [Fact]
    public void The_estimator_reads_plus_two_seconds_for_a_clock_two_seconds_ahead_and_keeps_only_recent_samples()
    {
        var estimator = new ClockOffsetEstimator(64);
        Assert.False(estimator.TryEstimate(out _));
        for (var k = 0; k < 200; k++)
        {
            // receive − exchange = latency − 2 s.
            estimator.Add(LatencyNs(k) - (2 * Second));
        }

        Assert.True(estimator.TryEstimate(out var offsetNs));
        Assert.Equal(64, estimator.Count);
        Assert.InRange(offsetNs / 1e9, 1.9, 2.1);
        Assert.Equal((2 * Second) - (7 * Ms), offsetNs); // minus the low-end latency: the 4th smallest of 64 (nearest rank of 5 %)

        // The clock is fixed: the last 64 samples are honest, and the old skew is forgotten.
        for (var k = 0; k < 64; k++)
        {
            estimator.Add(LatencyNs(k));
        }

        Assert.True(estimator.TryEstimate(out offsetNs));
        Assert.Equal(-6 * Ms, offsetNs);
    }

    [Fact]
    public void A_window_of_a_venue_two_seconds_ahead_carries_the_offset_zero_latency_and_a_bounded_exchange_time()
    {
        var acc = new SeriesStatsAccumulator(new SeriesStatsOptions(), _ => MarketType.Spot);
        var output = new List<SeriesWindow>();
        for (var k = 0; k < 20; k++)
        {
            var receive = T0 + (k * 10 * Ms);
            acc.OnEvent(Trade(Btc, VenueId.Binance, 100m, receive, receive - LatencyNs(k) + (2 * Second)), receive + Ms);
            acc.OnEvent(Trade(Btc, VenueId.Coinbase, 100m, receive, receive - LatencyNs(k)), receive + Ms);
        }

        // A funding rate stamped with its (future) funding time is no clock evidence.
        acc.OnEvent(Trade(Btc, VenueId.Coinbase, 0.0001m, T0, T0 + (3600 * Second)) with { Kind = EventKind.Funding }, T0 + Ms);
        acc.AdvanceTo(T0 + Second, output);

        var binance = output.Single(w => w.Key.Venue == VenueId.Binance);
        Assert.NotNull(binance.ClockOffset);
        Assert.InRange(binance.ClockOffset!.Value.Seconds, 1.9, 2.1);
        Assert.Equal(20, binance.ClockOffset.Value.Samples);
        Assert.Equal((0.0, 0.0, 0.0), (binance.ExchangeToReceive.MinSeconds, binance.ExchangeToReceive.MaxSeconds, binance.ExchangeToReceive.P99Seconds));
        Assert.Equal(T0 + (190 * Ms), binance.LastExchangeTimeNs); // the last receive time, not 2 s in our future
        foreach (var w in output.Where(w => w.Key.Venue == VenueId.Coinbase))
        {
            Assert.Equal(-0.005, w.ClockOffset!.Value.Seconds, 9);
            Assert.Equal(20, w.ClockOffset.Value.Samples);
        }
    }

    [Fact]
    public void The_window_json_carries_the_offset_and_a_record_without_it_still_reads()
    {
        var refData = new ReferenceData();
        var btc = refData.Intern(InstrumentSpec.Spot("BTC", "USD")).Id;
        var key = new SeriesKey(ProviderId.Binance, VenueId.Binance, btc, DataClass.Trade, MarketType.Spot);
        var window = new SeriesWindow(key, T0, T0 + Second, 3, 100m, 100m, new LatencyStats(0, 0, 0, 0, 3), default, 0, 0, T0 + 500 * Ms, 1, 100m,
            new ClockOffset(1.995, 3));

        var json = SeriesWindowCodec.Encode(window, refData);
        Assert.Equal(window, SeriesWindowCodec.Decode(json, refData));

        var text = Encoding.UTF8.GetString(json);
        Assert.Contains("\"clock_offset_s\":1.995", text, StringComparison.Ordinal);
        var old = text.Replace(",\"clock_offset_s\":1.995,\"clock_offset_samples\":3", "", StringComparison.Ordinal)
            .Replace("\"exchange_to_receive\":{\"min_s\":0", "\"exchange_to_receive\":{\"min_s\":-1.5", StringComparison.Ordinal);
        Assert.DoesNotContain("clock_offset", old, StringComparison.Ordinal);
        var decoded = SeriesWindowCodec.Decode(Encoding.UTF8.GetBytes(old), refData);
        Assert.NotNull(decoded);
        Assert.Null(decoded!.ClockOffset);
        Assert.Equal(0, decoded.ExchangeToReceive.MinSeconds); // an old producer's negative latency reads as none
    }

    private sealed class QualitySinks(SeriesMetricsExporter exporter, ScorecardAggregator scorecard) : ISeriesWindowSink
    {
        public void OnWindows(IReadOnlyList<SeriesWindow> windows)
        {
            exporter.OnWindows(windows);
            foreach (var w in windows)
            {
                scorecard.OnWindow(w, null);
            }
        }
    }

    private sealed record RunResult(FairPrice Fair, string[] Metrics, QualityScorecard Scorecard);

    /// <summary>The real pipeline, engine, statistics tap, exporter and scorecard in virtual time; Binance's clock optionally 2 s ahead.</summary>
    private static async Task<RunResult> Run(bool binanceAhead)
    {
        VenueId[] venues = [VenueId.Coinbase, VenueId.Kraken, VenueId.Binance, VenueId.Bybit];
        decimal[] prices = [100_000m, 100_020m, 99_990m, 100_005m];
        var refData = new ReferenceData();
        var btc = refData.Intern(InstrumentSpec.Spot("BTC", "USD")).Id;
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(T0 / Second));
        var registry = Metrics.NewCustomRegistry();
        var exporter = new SeriesMetricsExporter(registry, new QualityMetricsOptions(), refData.KeyOf, time);
        var scorecard = new ScorecardAggregator(time);
        EventPipeline? pipeline = null;
        var tap = new SeriesStatsTap(2, id => pipeline!.PartitionOf(id), new SeriesStatsOptions(), _ => MarketType.Spot, new QualitySinks(exporter, scorecard));
        pipeline = new EventPipeline(new RecordingPublisher(), new PipelineOptions { Partitions = 2, PublishEvents = false }, new FairPricing(refData),
            time, tap: new SeriesStatsTapTests.Adapter(tap));
        var posted = 0;
        for (var s = 0; s < 6; s++)
        {
            var now = UnixTime.FromTimeProvider(time);
            for (var k = 0; k < 10; k++)
            {
                for (var v = 0; v < venues.Length; v++)
                {
                    var skew = binanceAhead && venues[v] == VenueId.Binance ? 2 * Second : 0;
                    pipeline.Post(Trade(btc, venues[v], prices[v], now, now - LatencyNs(k) + skew));
                    posted++;
                }
            }

            var expected = posted;
            await FairPricePipelineTests.WaitFor(() => pipeline.Stats.Processed == expected);
            time.Advance(TimeSpan.FromSeconds(1)); // the ticks close the second's windows
        }

        await pipeline.CompleteAsync();
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return new RunResult(pipeline.LatestFairPrices[btc], Encoding.UTF8.GetString(stream.ToArray()).Split('\n'), scorecard.Build());
    }

    private static double Sample(string[] lines, string prefix) =>
        double.Parse(Assert.Single(lines, l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..].Trim(), CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_venue_clock_two_seconds_ahead_reads_plus_two_in_the_gauge_and_scorecard_and_is_still_priced_as_with_correct_clocks()
    {
        var correct = await Run(binanceAhead: false);
        var ahead = await Run(binanceAhead: true);

        // Pricing: Binance is used, and the fair price is the one with correct clocks.
        Assert.Equal((FairPriceStatus.Ok, 4), (ahead.Fair.Status, ahead.Fair.SourcesUsed));
        Assert.Equal(correct.Fair.Price, ahead.Fair.Price);
        Assert.Equal(correct.Fair.SourcesUsed, ahead.Fair.SourcesUsed);

        // The gauge and /quality read about +2 s for Binance, about 0 (minus its 5 ms minimum latency) for the others.
        Assert.InRange(Sample(ahead.Metrics, "cloudwall_md_clock_offset_seconds{provider=\"binance\",venue=\"binance\"}"), 1.9, 2.1);
        Assert.InRange(Sample(ahead.Metrics, "cloudwall_md_clock_offset_seconds{provider=\"coinbase\",venue=\"coinbase\"}"), -0.1, 0);
        Assert.InRange(Sample(correct.Metrics, "cloudwall_md_clock_offset_seconds{provider=\"binance\",venue=\"binance\"}"), -0.1, 0);
        var binance = ahead.Scorecard.Sources.Single(x => x.Venue == "binance");
        Assert.InRange(binance.ClockOffsetSeconds!.Value, 1.9, 2.1);
        Assert.InRange(ahead.Scorecard.Sources.Single(x => x.Venue == "kraken").ClockOffsetSeconds!.Value, -0.1, 0);
        Assert.All(ahead.Scorecard.Sources, x => Assert.True(x.LatencyP50Seconds >= 0 && x.LatencyP99Seconds >= 0, x.Venue));

        // Ages and latencies never go negative.
        var ages = ahead.Metrics.Where(l => l.StartsWith("cloudwall_md_message_age_seconds{", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, ages.Count);
        Assert.All(ages, l => Assert.True(double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture) >= 0, l));
        Assert.InRange(Sample(ahead.Metrics,
            "cloudwall_md_latency_seconds_sum{provider=\"binance\",venue=\"binance\",instrument=\"BTC-USD.SPOT\",data_class=\"trade\",market=\"spot\"}"), 0, 0);
    }
}
