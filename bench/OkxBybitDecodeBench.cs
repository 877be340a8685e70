using BenchmarkDotNet.Attributes;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Bybit;
using Cloudwall.Rx.Ingestion.Venues.Okx;

namespace Cloudwall.Rx.Bench;

/// <summary>
/// The OKX and Bybit hot paths: an OKX <c>trades</c> frame (the first BTC-USDT trade of the recorded feed), a two-trade OKX
/// batch, a Bybit v5 <c>publicTrade</c> frame (the documentation's example) and a Bybit linear ticker snapshot (four events).
/// Every method should report 0 B allocated.
/// </summary>
[MemoryDiagnoser]
public class OkxBybitDecodeBench
{
    private static readonly byte[] OkxTrade =
        """{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"338476307","px":"30236","sz":"0.0002","side":"buy","ts":"1652459224818"}]}"""u8.ToArray();

    private static readonly byte[] OkxTradeBatch =
        """{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"338476307","px":"30236","sz":"0.0002","side":"buy","ts":"1652459224818"},{"instId":"BTC-USDT","tradeId":"338476308","px":"30236.1","sz":"0.01","side":"sell","ts":"1652459224819"}]}"""u8.ToArray();

    internal static readonly byte[] BybitTrade =
        """{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486868,"data":[{"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","L":"PlusTick","i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false,"seq":1783284617}]}"""u8.ToArray();

    private static readonly byte[] BybitTicker =
        """{"topic":"tickers.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT","tickDirection":"PlusTick","price24hPcnt":"0.017103","lastPrice":"17216.00","prevPrice24h":"16926.50","highPrice24h":"17281.50","lowPrice24h":"16915.00","prevPrice1h":"17238.00","markPrice":"17217.33","indexPrice":"17227.36","openInterest":"68744.761","openInterestValue":"1183601235.91","turnover24h":"1570383121.943499","volume24h":"91705.276","nextFundingTime":"1673280000000","fundingRate":"-0.000212","bid1Price":"17215.50","bid1Size":"84.489","ask1Price":"17216.00","ask1Size":"83.020"},"cs":24987956059,"ts":1673272861686}"""u8.ToArray();

    private const long ReceiveNs = 1_652_459_225_507_260_300;

    private readonly EventBuffer _output = new();
    private OkxDecoder _okx = null!;
    private BybitDecoder _bybit = null!;

    [GlobalSetup]
    public void Setup()
    {
        var refData = new ReferenceData();
        OkxSymbols.Register(refData);
        BybitSymbols.Register(refData);
        _okx = new OkxDecoder(refData);
        _bybit = new BybitDecoder(refData, BybitCategory.Linear);
        Check(_okx.Decode(OkxTrade, ReceiveNs, _output), 1);
        Check(_okx.Decode(OkxTradeBatch, ReceiveNs, _output), 2);
        Check(_bybit.Decode(BybitTrade, ReceiveNs, _output), 1);
        Check(_bybit.Decode(BybitTicker, ReceiveNs, _output), 4);
    }

    [Benchmark(Baseline = true)]
    public int DecodeOkxTrade()
    {
        _output.Clear();
        return _okx.Decode(OkxTrade, ReceiveNs, _output).Events;
    }

    [Benchmark]
    public int DecodeOkxTradeBatch()
    {
        _output.Clear();
        return _okx.Decode(OkxTradeBatch, ReceiveNs, _output).Events;
    }

    [Benchmark]
    public int DecodeBybitPublicTrade()
    {
        _output.Clear();
        return _bybit.Decode(BybitTrade, ReceiveNs, _output).Events;
    }

    [Benchmark]
    public int DecodeBybitTicker()
    {
        _output.Clear();
        return _bybit.Decode(BybitTicker, ReceiveNs, _output).Events;
    }

    private static void Check(FrameOutcome outcome, int events)
    {
        if (outcome != FrameOutcome.Decoded(events))
        {
            throw new InvalidOperationException($"a benchmark frame decodes to {outcome}, expected {events} events");
        }
    }
}
