using BenchmarkDotNet.Attributes;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Aggregator;
using Cloudwall.Rx.Ingestion.Venues.Aggregator.Protocol;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Side = Cloudwall.Rx.Ingestion.Venues.Aggregator.Protocol.Side;

namespace Cloudwall.Rx.Bench;

/// <summary>
/// The gRPC aggregator's hot path: converting a received <c>MarketUpdate</c> to a <see cref="MarketEvent"/> (what the provider
/// does per message once gRPC has handed it over), and, for reference, protobuf parsing of the message bytes plus that
/// conversion (the parse is gRPC's, and allocates the message and its strings).
/// </summary>
[MemoryDiagnoser]
public class AggregatorDecodeBench
{
    private const long ReceiveNs = 1_767_225_600_100_000_000;

    private ReferenceData _refData = null!;
    private MarketUpdate _update = null!;
    private byte[] _bytes = null!;

    [GlobalSetup]
    public void Setup()
    {
        _refData = new ReferenceData();
        AggregatorCodes.Register(_refData);
        _update = new MarketUpdate
        {
            Exchange = "cbse",
            Class = "spot",
            Code = "btc-usd",
            Id = "123456789",
            Price = "65000.10",
            Amount = "0.01234500",
            Side = Side.Sell,
            TsExchange = new Timestamp { Seconds = 1_767_225_600, Nanos = 5_000 },
            TsCollection = new Timestamp { Seconds = 1_767_225_600, Nanos = 90_000 },
            SequenceId = 42,
        };
        _bytes = _update.ToByteArray();
        if (AggregatorDecoder.Convert(_update, _refData, ReceiveNs, out _, out _).Status != FrameStatus.Decoded)
        {
            throw new InvalidOperationException("the benchmark update does not convert");
        }
    }

    [Benchmark(Baseline = true)]
    public decimal ConvertUpdate()
    {
        AggregatorDecoder.Convert(_update, _refData, ReceiveNs, out var e, out _);
        return e.Price;
    }

    [Benchmark]
    public decimal ParseAndConvert()
    {
        var update = MarketUpdate.Parser.ParseFrom(_bytes);
        AggregatorDecoder.Convert(update, _refData, ReceiveNs, out var e, out _);
        return e.Price;
    }
}
