using System.Diagnostics;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Kafka;
using Confluent.Kafka;

namespace Cloudwall.Rx.Tests.Integration.Kafka;

/// <summary>Shared fixtures: instruments, sample records, and a bounded read-back of a topic.</summary>
internal static class KafkaTestData
{
    public const long BaseNs = 1_767_225_600_000_000_000; // 2026-01-01T00:00:00Z

    public static (ReferenceData RefData, Instrument[] Instruments) Instruments()
    {
        var refData = new ReferenceData();
        var instruments = new[]
        {
            refData.Map(VenueId.Coinbase, "BTC-USD", InstrumentSpec.Spot("BTC", "USD")),
            refData.Map(VenueId.Kraken, "ETH/USD", InstrumentSpec.Spot("ETH", "USD")),
            refData.Map(VenueId.Deribit, "BTC-PERPETUAL", InstrumentSpec.Perp("BTC", "USD")),
        };
        return (refData, instruments);
    }

    /// <summary>A mix of kinds, trade-id forms and time precisions; sequence numbers rise per instrument.</summary>
    public static MarketEvent Event(Instrument instrument, int i)
    {
        var kind = (i % 4) switch { 0 => EventKind.Trade, 1 => EventKind.Quote, 2 => EventKind.Mark, _ => EventKind.Trade };
        var exchange = BaseNs + i * 1_000_000L + (i % 3 == 0 ? 0 : 123_456);
        return new MarketEvent
        {
            Kind = kind,
            Side = kind == EventKind.Trade ? (i % 2 == 0 ? Side.Buy : Side.Sell) : Side.Unknown,
            Instrument = instrument.Id,
            Venue = VenueId.Coinbase,
            Provider = ProviderId.Coinbase,
            Price = 63000.10m + i * 0.01m,
            Size = 0.00001305m * (i + 1),
            Aux = kind == EventKind.Quote ? 63000.20m + i * 0.01m : 0m,
            AuxSize = kind == EventKind.Quote ? 1.5m : 0m,
            ExchangeTimeNs = exchange,
            ReceiveTimeNs = exchange + 2_500_000 + i,
            Sequence = 1000 + i,
            TradeId = kind != EventKind.Trade ? TradeId.None
                : i % 8 == 3 ? TradeId.FromGuid(new Guid(i, 7, 9, 1, 2, 3, 4, 5, 6, 7, 8)) : TradeId.Numeric(900_000 + i),
        };
    }

    public static FairPrice FairPrice(Instrument instrument, int i) => new()
    {
        Instrument = instrument.Id,
        Price = 63000.15m + i,
        Status = (FairPriceStatus)(i % 3),
        Confidence = 0.25m,
        SourcesUsed = 3,
        SourcesKnown = 4,
        NewestInputTimeNs = BaseNs + i * 1_000_000L,
        ComputedTimeNs = BaseNs + i * 1_000_000L + 40_000,
        ParametersVersion = 7,
        SourcesMask = 0b1011,
    };

    public static DeadLetter DeadLetter() =>
        Core.DeadLetter.Create(ProviderId.Kraken, VenueId.Kraken, FrameReason.Malformed, BaseNs + 5, "{\"event\":\"trade\",\"price\":"u8, "unexpected end");

    public static KafkaOptions Options(string bootstrap) => new()
    {
        BootstrapServers = bootstrap,
        ClientId = "cloudwall-test",
        LingerMs = 1,
        MessageTimeoutMs = 30_000,
        DisposeFlushTimeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>Reads every partition of a topic from the start until <paramref name="expected"/> records arrive or the deadline passes.</summary>
    public static List<ConsumeResult<byte[], byte[]>> ReadAll(string bootstrap, string topic, int expected, TimeSpan deadline)
    {
        var records = new List<ConsumeResult<byte[], byte[]>>();
        using var consumer = new ConsumerBuilder<byte[], byte[]>(KafkaTail.ConsumerConfig(bootstrap)).SetLogHandler((_, _) => { }).Build();
        consumer.Assign(KafkaTail.AllPartitionsFromStart(consumer, topic, TimeSpan.FromSeconds(10)));
        var clock = Stopwatch.StartNew();
        while (records.Count < expected && clock.Elapsed < deadline)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (r is { IsPartitionEOF: false, Message: not null })
            {
                records.Add(r);
            }
        }

        consumer.Close();
        return records;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes; returns whether it held.</summary>
    public static bool WaitUntil(Func<bool> condition, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > deadline)
            {
                return false;
            }

            Thread.Sleep(20);
        }

        return true;
    }
}
