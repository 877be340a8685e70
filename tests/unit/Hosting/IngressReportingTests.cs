using System.Text;
using System.Text.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Admin;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Venues.Aggregator;
using Cloudwall.Rx.Ingestion.Venues.Bybit;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;
using Cloudwall.Rx.Kafka;
using Cloudwall.Rx.Pricing;
using Cloudwall.Rx.Quality.Metrics;
using Cloudwall.Rx.Quality.Scorecard;
using Cloudwall.Rx.Simulation;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace Cloudwall.Rx.Tests.Unit.Hosting;

/// <summary>
/// Ingress accounting (issue 18, part 1) as operators read it: <c>cloudwall_md_received_bytes_total</c> and
/// <c>cloudwall_md_received_frames_total</c> per provider and venue on /metrics, and per provider in the run summary and
/// /quality, with bytes per normalized event.
/// </summary>
public sealed class IngressReportingTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Metrics_export_received_bytes_and_frames_by_provider_venue_and_feed()
    {
        var (providers, coinbase, aggregator, bybitSpot, bybitLinear) = Providers();
        coinbase.Counters.Ingress(VenueId.Coinbase).Record(300);
        coinbase.Counters.Ingress(VenueId.Coinbase).Record(200);
        aggregator.Counters.Ingress(VenueId.Kraken).Record(70);
        aggregator.Counters.Ingress(VenueId.None).Record(12);
        bybitSpot.Counters.Ingress(VenueId.Bybit).Record(40);
        bybitLinear.Counters.Ingress(VenueId.Bybit).Record(41);
        var registry = PlatformMetrics.CreateRegistry();
        _ = new PlatformMetrics(registry, new SeriesMetricsExporter(registry, new QualityMetricsOptions(), id => id.ToString()), providers, new NoKafka(),
            new NoPipeline());

        var text = await Scrape(registry);

        Assert.Contains("cloudwall_md_received_bytes_total{provider=\"coinbase\",venue=\"coinbase\",feed=\"coinbase\"} 500", text);
        Assert.Contains("cloudwall_md_received_frames_total{provider=\"coinbase\",venue=\"coinbase\",feed=\"coinbase\"} 2", text);
        Assert.Contains("cloudwall_md_received_bytes_total{provider=\"aggregator\",venue=\"kraken\",feed=\"aggregator\"} 70", text);
        Assert.Contains("cloudwall_md_received_bytes_total{provider=\"aggregator\",venue=\"\",feed=\"aggregator\"} 12", text);
        Assert.Contains("cloudwall_md_received_frames_total{provider=\"aggregator\",venue=\"\",feed=\"aggregator\"} 1", text);
        // Two feeds of one source and venue stay apart by feed.
        Assert.Contains("cloudwall_md_received_bytes_total{provider=\"bybit\",venue=\"bybit\",feed=\"bybit-spot\"} 40", text);
        Assert.Contains("cloudwall_md_received_bytes_total{provider=\"bybit\",venue=\"bybit\",feed=\"bybit-linear\"} 41", text);

        // Scraped, not pushed: the next scrape carries what arrived since.
        coinbase.Counters.Ingress(VenueId.Coinbase).Record(25);
        Assert.Contains("cloudwall_md_received_bytes_total{provider=\"coinbase\",venue=\"coinbase\",feed=\"coinbase\"} 525", await Scrape(registry));
    }

    [Fact]
    public void Ingress_rates_are_over_the_elapsed_time_and_bytes_per_event_is_bytes_over_events()
    {
        var ingress = ProviderIngress.Of(bytes: 50_000, frames: 400, events: 250, elapsed: TimeSpan.FromSeconds(20));

        Assert.Equal(2_500, ingress.ReceivedBytesPerSecond);
        Assert.Equal(20, ingress.ReceivedFramesPerSecond);
        Assert.Equal(12.5, ingress.EventsPerSecond);
        Assert.Equal(200, ingress.ReceivedBytesPerEvent);
        Assert.Null(ProviderIngress.Of(1_000, 3, 0, TimeSpan.FromSeconds(1)).ReceivedBytesPerEvent); // acks and heartbeats only: no event to divide by
        Assert.Equal(0, ProviderIngress.Of(0, 0, 0, TimeSpan.Zero).ReceivedBytesPerSecond);
    }

    [Fact]
    public void The_run_summary_carries_each_providers_ingress_in_snake_case()
    {
        var counters = new IngestionCounters();
        counters.Ingress(VenueId.Coinbase).Record(3_000);
        counters.Ingress(VenueId.Coinbase).Record(1_000);
        counters.Record(FrameOutcome.Decoded(10));
        var ingress = new ProviderCounters(counters).Ingress(TimeSpan.FromSeconds(2));
        var summary = new RunSummary
        {
            Role = "all",
            Providers = [new ProviderSummary("coinbase", counters.Events, counters.Frames, 0, 0, 0, 0, 0, 1, ingress)],
            Instruments = [],
        };

        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(summary, HostingJsonContext.Default.RunSummary));
        var json = doc.RootElement.GetProperty("providers")[0].GetProperty("ingress");
        Assert.Equal(4_000, json.GetProperty("received_bytes").GetInt64());
        Assert.Equal(2, json.GetProperty("received_frames").GetInt64());
        Assert.Equal(10, json.GetProperty("events").GetInt64());
        Assert.Equal(2_000, json.GetProperty("received_bytes_per_second").GetDouble());
        Assert.Equal(1, json.GetProperty("received_frames_per_second").GetDouble());
        Assert.Equal(400, json.GetProperty("received_bytes_per_event").GetDouble());
    }

    [Fact]
    public void The_quality_scorecard_carries_ingress_since_it_started_on_its_clock()
    {
        var time = new FakeTimeProvider(Start);
        var counters = new IngestionCounters();
        var card = new ScorecardAggregator(time)
        {
            Ingress = elapsed => new Dictionary<string, ProviderIngress> { ["coinbase"] = new ProviderCounters(counters).Ingress(elapsed) },
        };
        counters.Ingress(VenueId.Coinbase).Record(6_000);
        counters.Record(FrameOutcome.Decoded(30));
        time.Advance(TimeSpan.FromSeconds(10));

        using var doc = JsonDocument.Parse(card.BuildJson());
        var json = doc.RootElement.GetProperty("ingress").GetProperty("coinbase");
        Assert.Equal(10, json.GetProperty("seconds").GetDouble());
        Assert.Equal(600, json.GetProperty("received_bytes_per_second").GetDouble());
        Assert.Equal(3, json.GetProperty("events_per_second").GetDouble());
        Assert.Equal(200, json.GetProperty("received_bytes_per_event").GetDouble());
        // Where no provider runs (role quality), there is no ingress to show.
        Assert.False(JsonDocument.Parse(new ScorecardAggregator(time) { Ingress = _ => new Dictionary<string, ProviderIngress>() }.BuildJson())
            .RootElement.TryGetProperty("ingress", out _));
    }

    private static async Task<string> Scrape(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static (IProviderStatus, IMarketDataProvider, IMarketDataProvider, IMarketDataProvider, IMarketDataProvider) Providers()
    {
        var refData = new ReferenceData();
        var unused = new Uri("ws://unused.invalid/");
        IMarketDataProvider coinbase = new WebSocketProvider(new CoinbaseExchangeProtocol(), unused, [], refData, _ => { });
        IMarketDataProvider aggregator = new AggregatorProvider(new AggregatorProviderOptions(), [], refData, _ => { });
        IMarketDataProvider spot = new WebSocketProvider(new BybitProtocol(BybitCategory.Spot), unused, [], refData, _ => { });
        IMarketDataProvider linear = new WebSocketProvider(new BybitProtocol(BybitCategory.Linear), unused, [], refData, _ => { });
        var status = new ProviderList([
            new ProviderView("aggregator", aggregator), new ProviderView("bybit-linear", linear), new ProviderView("bybit-spot", spot),
            new ProviderView("coinbase", coinbase),
        ]);
        return (status, coinbase, aggregator, spot, linear);
    }

    private sealed class ProviderList(IReadOnlyList<ProviderView> providers) : IProviderStatus
    {
        public IReadOnlyList<ProviderView> Providers => providers;
        public IReadOnlyDictionary<string, IVenueSimulator> Simulators { get; } = new Dictionary<string, IVenueSimulator>();
        public IReadOnlyList<int>? SubscriptionsAtStop => null;
    }

    private sealed class NoKafka : IKafkaStatus
    {
        public string? Bootstrap => null;
        public KafkaSecurityInfo Security => throw new NotSupportedException();
        public KafkaStats? Snapshot() => null;
    }

    private sealed class NoPipeline : IPipelineStatus
    {
        public PipelineStats? Stats => null;
        public IReadOnlyDictionary<InstrumentId, FairPrice> LatestFairPrices { get; } = new Dictionary<InstrumentId, FairPrice>();
        public int[] QueueDepths() => [];
        public (long EventsIn, long BarsOut, long BarsRevised, long BackfillTooLate)? Bars => null;
    }
}
