using BenchmarkDotNet.Attributes;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Wire;

namespace Cloudwall.Rx.Bench;

/// <summary>The Kafka value codec alone: encode and decode of one trade.</summary>
[MemoryDiagnoser]
public class CodecBench
{
    private readonly byte[] _buffer = new byte[EventCodec.MaxSize];
    private int _length;
    private MarketEvent _trade;

    [GlobalSetup]
    public void Setup()
    {
        _trade = new MarketEvent
        {
            Kind = EventKind.Trade,
            Side = Side.Buy,
            Instrument = new InstrumentId(1),
            Venue = VenueId.Coinbase,
            Provider = ProviderId.Coinbase,
            Price = 63012.34m,
            Size = 0.01523m,
            ExchangeTimeNs = 1_764_000_000_123_456_000,
            ReceiveTimeNs = 1_764_000_000_125_000_000,
            Sequence = 177_100_030,
            TradeId = TradeId.Numeric(280_232),
        };
        _length = EventCodec.Encode(_trade, _buffer);
    }

    [Benchmark]
    public int Encode() => EventCodec.Encode(_trade, _buffer);

    [Benchmark]
    public bool Decode() => EventCodec.TryDecode(_buffer.AsSpan(0, _length), _trade.Instrument, out _);

    /// <summary>Bytes of value per trade on Kafka (printed with the results).</summary>
    public int EncodedBytes => _length;
}
