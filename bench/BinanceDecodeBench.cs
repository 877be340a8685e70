using BenchmarkDotNet.Attributes;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Binance;

namespace Cloudwall.Rx.Bench;

/// <summary>
/// The Binance hot path: decode a <c>trade</c> (the documentation's example) and an <c>aggTrade</c> (line 110 of the recorded
/// spot feed) in the combined-stream wrapper, plus a depth update that is classified from its event type and ignored.
/// Every method should report 0 B allocated.
/// </summary>
[MemoryDiagnoser]
public class BinanceDecodeBench
{
    private static readonly byte[] TradeFrame =
        """{"stream":"bnbbtc@trade","data":{"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","b":88,"a":50,"T":1672515782136,"m":true,"M":true}}"""u8.ToArray();

    private static readonly byte[] AggTradeFrame =
        """{"stream":"nknusdt@aggTrade","data":{"e":"aggTrade","E":1633998523963,"s":"NKNUSDT","a":15683430,"p":"0.35280000","q":"58.00000000","f":19862790,"l":19862790,"T":1633998523963,"m":false,"M":true}}"""u8.ToArray();

    private static readonly byte[] DepthFrame =
        """{"stream":"sushiusdt@depth@100ms","data":{"e":"depthUpdate","E":1626992741037,"T":1626992741024,"s":"SUSHIUSDT","U":600859599090,"u":600859600917,"pu":600859598061,"b":[["7.5040","813"],["7.6090","0"],["7.6110","2"]],"a":[["7.6150","1563"],["7.6220","3284"]]}}"""u8.ToArray();

    private const long ReceiveNs = 1_633_998_524_000_000_000;

    private readonly EventBuffer _output = new();
    private BinanceDecoder _decoder = null!;

    [GlobalSetup]
    public void Setup()
    {
        var refData = new ReferenceData();
        BinanceSymbols.Register(refData, BinanceMarket.Spot);
        _decoder = new BinanceDecoder(refData, BinanceMarket.Spot);
        foreach (var frame in new[] { TradeFrame, AggTradeFrame })
        {
            _output.Clear();
            if (_decoder.Decode(frame, ReceiveNs, _output) != FrameOutcome.Decoded(1))
            {
                throw new InvalidOperationException("a benchmark frame does not decode");
            }
        }
    }

    [Benchmark(Baseline = true)]
    public int DecodeTradeFrame()
    {
        _output.Clear();
        return _decoder.Decode(TradeFrame, ReceiveNs, _output).Events;
    }

    [Benchmark]
    public int DecodeAggTradeFrame()
    {
        _output.Clear();
        return _decoder.Decode(AggTradeFrame, ReceiveNs, _output).Events;
    }

    [Benchmark]
    public FrameReason IgnoreDepthFrame()
    {
        _output.Clear();
        return _decoder.Decode(DepthFrame, ReceiveNs, _output).Reason;
    }
}
