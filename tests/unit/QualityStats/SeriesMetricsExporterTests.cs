using System.Text;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality;
using Cloudwall.Rx.Quality.Metrics;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace Cloudwall.Rx.Tests.Unit.QualityStats;

public sealed class SeriesMetricsExporterTests
{
    private const long Second = 1_000_000_000L;
    private const long T0 = 1_767_225_600L * Second;
    private const string Btc = "provider=\"coinbase\",venue=\"coinbase\",instrument=\"BTC-USD.SPOT\",data_class=\"trade\",market=\"spot\"";
    private static readonly InstrumentId BtcId = new(1);
    private static readonly InstrumentId EthId = new(2);
    private static readonly string[] Keys = ["none", "BTC-USD.SPOT", "ETH-USD.SPOT", "SOL-USD.SPOT"];

    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(T0 / Second).AddSeconds(3));
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();

    private SeriesMetricsExporter New(int maxSeries = 100, params string[] instruments) =>
        new(_registry, new QualityMetricsOptions { MaxSeries = maxSeries, Instruments = [.. instruments] }, id => Keys[id.Value], _time);

    private static SeriesKey Key(InstrumentId id, ProviderId? provider = null) =>
        new(provider ?? ProviderId.Coinbase, provider is { } p ? new VenueId(p.Code) : VenueId.Coinbase, id, DataClass.Trade, MarketType.Spot);

    private static SeriesWindow Window(SeriesKey key, long count, decimal? last = 101m, decimal? fair = 100m, long start = T0) =>
        new(key, start, start + Second, count, last, last, new LatencyStats(0.001, 0.002, 0.004, 0.0035, count),
            new LatencyStats(0.0001, 0.0002, 0.0003, 0.0003, count), SequenceGaps: 2, MissingSequences: 7, LastExchangeTimeNs: start + (Second / 2),
            ActiveSubscriptions: 1, FairPrice: fair);

    private async Task<string[]> Scrape()
    {
        using var stream = new MemoryStream();
        await _registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray()).Split('\n');
    }

    [Fact]
    public async Task A_window_is_exported_with_the_five_labels_in_base_units()
    {
        var exporter = New();
        exporter.OnWindows([Window(Key(BtcId), 4), Window(Key(BtcId), 6, last: 99m, fair: 99m, start: T0 + Second)]);

        var lines = await Scrape();

        Assert.Contains($"cloudwall_md_messages_total{{{Btc}}} 10", lines);
        Assert.Contains($"cloudwall_md_update_rate{{{Btc}}} 6", lines);
        Assert.Contains($"cloudwall_md_last_price{{{Btc}}} 99", lines);
        Assert.Contains($"cloudwall_md_price_ratio{{{Btc}}} 1", lines);
        Assert.Contains($"cloudwall_md_sequence_gaps_total{{{Btc}}} 4", lines);
        Assert.Contains($"cloudwall_md_missing_sequences_total{{{Btc}}} 14", lines);
        Assert.Contains($"cloudwall_md_active_subscriptions{{{Btc}}} 1", lines);
        Assert.Contains($"cloudwall_md_latency_p99_seconds{{{Btc}}} 0.0035", lines);
        Assert.Contains($"cloudwall_md_latency_seconds_count{{{Btc}}} 10", lines);
        Assert.Contains($"cloudwall_md_latency_seconds_sum{{{Btc}}} 0.02", lines);
        Assert.Contains($"cloudwall_md_latency_seconds_bucket{{{Btc},le=\"0.001\"}} 0", lines);
        Assert.Contains($"cloudwall_md_latency_seconds_bucket{{{Btc},le=\"0.0025\"}} 10", lines);
        Assert.Contains($"cloudwall_md_publish_latency_seconds_count{{{Btc}}} 10", lines);
        Assert.Contains("cloudwall_md_fair_price{instrument=\"BTC-USD.SPOT\",market=\"spot\"} 99", lines);
        // Newest exchange time is T0 + 1.5 s; the fake clock says T0 + 3 s.
        Assert.Contains($"cloudwall_md_message_age_seconds{{{Btc}}} 1.5", lines);
        Assert.Contains("cloudwall_md_series_exported 1", lines);
        Assert.Contains("# TYPE cloudwall_md_latency_seconds histogram", lines);
        Assert.Contains("# TYPE cloudwall_md_messages_total counter", lines);
    }

    [Fact]
    public async Task Message_age_grows_at_each_scrape_while_a_series_is_silent()
    {
        var exporter = New();
        exporter.OnWindows([Window(Key(BtcId), 1)]);
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Contains($"cloudwall_md_message_age_seconds{{{Btc}}} 12.5", await Scrape());
    }

    [Fact]
    public async Task The_price_ratio_is_the_series_price_over_the_fair_price()
    {
        var exporter = New();
        exporter.OnWindows([Window(Key(BtcId), 1, last: 101m, fair: 100m)]);

        Assert.Contains($"cloudwall_md_price_ratio{{{Btc}}} 1.01", await Scrape());
    }

    [Fact]
    public async Task An_empty_window_exports_a_zero_rate_and_no_latency_sample()
    {
        var exporter = New();
        exporter.OnWindows([Window(Key(BtcId), 0) with { ExchangeToReceive = default, ReceiveToPublish = default }]);

        var lines = await Scrape();
        Assert.Contains($"cloudwall_md_update_rate{{{Btc}}} 0", lines);
        Assert.Contains($"cloudwall_md_latency_p99_seconds{{{Btc}}} NaN", lines);
        Assert.Contains($"cloudwall_md_latency_seconds_count{{{Btc}}} 0", lines);
    }

    [Fact]
    public async Task Series_beyond_MaxSeries_are_dropped_and_counted()
    {
        var exporter = New(maxSeries: 2);
        var sol = new InstrumentId(3);
        exporter.OnWindows([Window(Key(BtcId), 1), Window(Key(EthId), 1), Window(Key(sol), 1)]);
        exporter.OnWindows([Window(Key(BtcId), 1, start: T0 + Second), Window(Key(EthId), 1, start: T0 + Second), Window(Key(sol), 1, start: T0 + Second)]);

        var lines = await Scrape();

        Assert.Equal(2, exporter.ExportedSeries);
        Assert.Contains("cloudwall_md_series_capped_total{reason=\"max_series\"} 2", lines);
        Assert.Contains("cloudwall_md_series_capped_total{reason=\"not_allowed\"} 0", lines);
        Assert.Contains("cloudwall_md_series_exported 2", lines);
        Assert.DoesNotContain(lines, l => l.Contains("SOL-USD.SPOT", StringComparison.Ordinal) && l.StartsWith("cloudwall_md_messages_total", StringComparison.Ordinal));
        Assert.Equal(2, lines.Count(l => l.StartsWith("cloudwall_md_messages_total{", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_instrument_allow_list_keeps_only_listed_instruments()
    {
        var exporter = New(100, "ETH-USD.SPOT");
        exporter.OnWindows([Window(Key(BtcId), 1), Window(Key(EthId), 3), Window(Key(BtcId, ProviderId.Kraken), 1)]);

        var lines = await Scrape();

        Assert.Contains("cloudwall_md_messages_total{provider=\"coinbase\",venue=\"coinbase\",instrument=\"ETH-USD.SPOT\",data_class=\"trade\",market=\"spot\"} 3", lines);
        Assert.DoesNotContain(lines, l => l.Contains("BTC-USD.SPOT", StringComparison.Ordinal) && !l.StartsWith("cloudwall_md_fair_price", StringComparison.Ordinal));
        Assert.Contains("cloudwall_md_series_capped_total{reason=\"not_allowed\"} 2", lines);
    }

    /// <summary>What a series sends once its subscriptions are gone: an empty window reporting none.</summary>
    private static SeriesWindow Unsubscribed(SeriesKey key, long start) =>
        Window(key, 0, start: start) with { ActiveSubscriptions = 0, SequenceGaps = 0, MissingSequences = 0, ExchangeToReceive = default, ReceiveToPublish = default };

    [Fact]
    public async Task A_series_unsubscribed_for_the_grace_period_is_removed_from_the_exposition()
    {
        var exporter = New();
        var btc = Key(BtcId);
        var eth = Key(EthId);
        exporter.OnWindows([Window(btc, 5), Window(eth, 5)]);
        exporter.OnWindows([Unsubscribed(btc, T0 + Second), Window(eth, 5, start: T0 + Second)]);

        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        exporter.OnWindows([Unsubscribed(btc, T0 + (300 * Second)), Window(eth, 5, start: T0 + (300 * Second))]);
        var lines = await Scrape();
        Assert.Contains($"cloudwall_md_messages_total{{{Btc}}} 5", lines);
        Assert.Contains($"cloudwall_md_active_subscriptions{{{Btc}}} 0", lines);
        Assert.Contains("cloudwall_md_series_exported 2", lines);

        _time.Advance(TimeSpan.FromSeconds(1));
        lines = await Scrape();
        Assert.DoesNotContain(lines, l => l.Contains("BTC-USD.SPOT", StringComparison.Ordinal)); // its fair price too: its last series
        Assert.Contains(lines, l => l.StartsWith("cloudwall_md_messages_total{", StringComparison.Ordinal) && l.Contains("ETH-USD.SPOT", StringComparison.Ordinal));
        Assert.Contains("cloudwall_md_series_exported 1", lines);
        Assert.Equal(1, exporter.ExportedSeries);

        // Its empty windows keep coming and do not bring it back; data or a subscription does, counting afresh.
        exporter.OnWindows([Unsubscribed(btc, T0 + (301 * Second))]);
        Assert.DoesNotContain(await Scrape(), l => l.Contains("BTC-USD.SPOT", StringComparison.Ordinal));
        exporter.OnWindows([Window(btc, 3, start: T0 + (302 * Second))]);
        Assert.Contains($"cloudwall_md_messages_total{{{Btc}}} 3", await Scrape());
    }

    [Fact]
    public async Task Data_or_a_subscription_within_the_grace_period_keeps_a_series()
    {
        var exporter = New();
        var btc = Key(BtcId);
        exporter.OnWindows([Window(btc, 5), Unsubscribed(btc, T0 + Second)]);
        _time.Advance(TimeSpan.FromMinutes(4));
        exporter.OnWindows([Window(btc, 2, start: T0 + (240 * Second)) with { ActiveSubscriptions = 0 }, Unsubscribed(btc, T0 + (241 * Second))]);
        _time.Advance(TimeSpan.FromMinutes(4));
        exporter.OnWindows([Window(btc, 0, start: T0 + (480 * Second)), Unsubscribed(btc, T0 + (481 * Second))]);
        _time.Advance(TimeSpan.FromMinutes(4));

        Assert.Contains($"cloudwall_md_messages_total{{{Btc}}} 7", await Scrape());
    }

    [Fact]
    public async Task A_series_that_never_reported_a_subscription_is_never_removed()
    {
        // A source that cannot tell its subscriptions (the aggregator): silence is a no-data signal, not an unsubscribe.
        var exporter = New();
        var btc = Key(BtcId);
        exporter.OnWindows([Window(btc, 5) with { ActiveSubscriptions = 0 }, Unsubscribed(btc, T0 + Second)]);
        _time.Advance(TimeSpan.FromHours(1));
        exporter.OnWindows([Unsubscribed(btc, T0 + (3600 * Second))]);

        Assert.Contains($"cloudwall_md_messages_total{{{Btc}}} 5", await Scrape());
    }

    [Fact]
    public void Bad_options_name_their_key()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => New(maxSeries: 0));
        Assert.Contains("Quality:Metrics:MaxSeries", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<OptionsValidationException>(() =>
            new SeriesMetricsExporter(_registry, new QualityMetricsOptions { SeriesGracePeriod = TimeSpan.Zero }, id => Keys[id.Value], _time));
        Assert.Contains("Quality:Metrics:SeriesGracePeriod", ex.Message, StringComparison.Ordinal);
    }
}
