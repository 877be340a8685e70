using BenchmarkDotNet.Attributes;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Wire;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;

namespace Cloudwall.Rx.Bench;

/// <summary>
/// The Coinbase hot path: decode a <c>match</c> frame (the first match of the recorded feed), then the Kafka wire
/// encoding of the resulting event and its decoding. Every method should report 0 B allocated.
/// </summary>
[MemoryDiagnoser]
public class CoinbaseDecodeBench
{
    private static readonly byte[] MatchFrame =
        """{"type":"match","trade_id":280232,"maker_order_id":"2a0da34e-61f7-4c36-88e5-c9dd15927b16","taker_order_id":"3c82abaa-c01e-4608-be59-6a1e69742891","side":"sell","size":"985","price":"0.00001305","product_id":"SKL-BTC","sequence":177100030,"time":"2021-04-17T16:43:37.089723Z"}"""u8.ToArray();

    private const long ReceiveNs = 1_618_677_817_129_516_100;

    private readonly EventBuffer _output = new();
    private readonly byte[] _wire = new byte[EventCodec.MaxSize];
    private CoinbaseExchangeDecoder _decoder = null!;
    private MarketEvent _event;
    private int _encodedLength;

    [GlobalSetup]
    public void Setup()
    {
        var refData = new ReferenceData();
        CoinbaseSymbols.Register(refData);
        _decoder = new CoinbaseExchangeDecoder(refData);
        if (_decoder.Decode(MatchFrame, ReceiveNs, _output).Status != FrameStatus.Decoded)
        {
            throw new InvalidOperationException("the benchmark frame does not decode");
        }

        _event = _output[0];
        _encodedLength = EventCodec.Encode(_event, _wire);
        if (!EventCodec.TryDecode(_wire.AsSpan(0, _encodedLength), _event.Instrument, out var back) || back != _event)
        {
            throw new InvalidOperationException("the wire codec does not round-trip the benchmark event");
        }
    }

    [Benchmark(Baseline = true)]
    public int DecodeMatchFrame()
    {
        _output.Clear();
        return _decoder.Decode(MatchFrame, ReceiveNs, _output).Events;
    }

    [Benchmark]
    public int EncodeEvent() => EventCodec.Encode(_event, _wire);

    [Benchmark]
    public long DecodeEvent() =>
        EventCodec.TryDecode(_wire.AsSpan(0, _encodedLength), _event.Instrument, out var e) ? e.Sequence : -1;
}
