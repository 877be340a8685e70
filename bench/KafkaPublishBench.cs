using BenchmarkDotNet.Attributes;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Kafka;
using Cloudwall.Rx.Kafka.Embedded;

namespace Cloudwall.Rx.Bench;

/// <summary>
/// The publish path: <c>KafkaPublisher.PublishEvent</c> against the embedded cluster (librdkafka's mock, one broker, in
/// this process), from encoding to the delivery report. One operation is one event; each invocation publishes a batch
/// and flushes, so the time includes librdkafka, the mock broker and the delivery handler, and the allocation column is
/// every managed allocation per event on all threads (the producing thread's part is pinned by
/// <c>KafkaPublisherAllocationTests</c>).
/// </summary>
[MemoryDiagnoser]
public class KafkaPublishBench
{
    private const int Batch = 2_000;

    private EmbeddedKafkaCluster _cluster = null!;
    private KafkaPublisher _publisher = null!;
    private MarketEvent[] _events = [];

    [GlobalSetup]
    public void Setup()
    {
        _cluster = new EmbeddedKafkaCluster(brokers: 1);
        KafkaTopology.CreateDefaultTopics(_cluster);
        var refData = new ReferenceData();
        var instruments = new[]
        {
            refData.Map(VenueId.Coinbase, "BTC-USD", InstrumentSpec.Spot("BTC", "USD")),
            refData.Map(VenueId.Coinbase, "ETH-USD", InstrumentSpec.Spot("ETH", "USD")),
            refData.Map(VenueId.Coinbase, "SOL-USD", InstrumentSpec.Spot("SOL", "USD")),
        };
        const long t0 = 1_767_225_600_000_000_000;
        _events = Enumerable.Range(0, 64).Select(i => new MarketEvent
        {
            Kind = EventKind.Trade,
            Side = i % 2 == 0 ? Side.Buy : Side.Sell,
            Instrument = instruments[i % instruments.Length].Id,
            Venue = VenueId.Coinbase,
            Provider = ProviderId.Coinbase,
            Price = 63012.34m + i * 0.01m,
            Size = 0.01523m,
            ExchangeTimeNs = t0 + i * 1_000_000L,
            ReceiveTimeNs = t0 + i * 1_000_000L + 2_500_000,
            Sequence = 177_100_030 + i,
            TradeId = TradeId.Numeric(280_232 + i),
        }).ToArray();
        _publisher = new KafkaPublisher(new KafkaOptions { BootstrapServers = _cluster.BootstrapServers, ClientId = "bench", LingerMs = 1 }, refData);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _publisher.Dispose();
        _cluster.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int PublishEventAndFlush()
    {
        for (var i = 0; i < Batch; i++)
        {
            _publisher.PublishEvent(_events[i & 63]);
        }

        return _publisher.Flush(TimeSpan.FromSeconds(30));
    }
}
