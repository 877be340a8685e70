using BenchmarkDotNet.Attributes;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Kraken;

namespace Cloudwall.Rx.Bench;

/// <summary>
/// Kraken trade decoding: a v1 array message batching two trades (recorded line 35 of KRAKEN.ws.48.0), a v2 trade update
/// (the documentation's example, JSON numbers) and a Kraken Futures trade (recorded). Every method should report 0 B allocated.
/// </summary>
[MemoryDiagnoser]
public class KrakenDecodeBench
{
    private static readonly byte[] V1Trades =
        """[993,[["354.04000000","0.28245396","1618678150.826417","s","m",""],["353.81000000","1.71754604","1618678150.827816","s","m",""]],"trade","XMR/USD"]"""u8.ToArray();

    private static readonly byte[] V2Trade =
        """{"channel":"trade","type":"update","data":[{"symbol":"MATIC/USD","side":"sell","price":0.5117,"qty":40.0,"ord_type":"market","trade_id":4665906,"timestamp":"2023-09-25T07:49:37.708706Z"}]}"""u8.ToArray();

    private static readonly byte[] FuturesTrade =
        """{"feed":"trade","product_id":"PI_LTCUSD","uid":"e2429e31-8b9d-4195-900e-fd42be2dec89","side":"buy","type":"fill","seq":5956,"time":1626994929946,"qty":320.0,"price":119.44}"""u8.ToArray();

    private const long ReceiveNs = 1_695_628_177_800_000_000;

    private readonly EventBuffer _output = new();
    private KrakenV1Decoder _v1 = null!;
    private KrakenV2Decoder _v2 = null!;
    private KrakenFuturesDecoder _futures = null!;

    [GlobalSetup]
    public void Setup()
    {
        var refData = new ReferenceData();
        KrakenSymbols.Register(refData);
        KrakenSymbols.RegisterFutures(refData);
        _v1 = new KrakenV1Decoder(refData);
        _v2 = new KrakenV2Decoder(refData);
        _futures = new KrakenFuturesDecoder(refData);
        if (DecodeV1Trades() != 2 || DecodeV2Trade() != 1 || DecodeFuturesTrade() != 1)
        {
            throw new InvalidOperationException("a benchmark frame does not decode");
        }
    }

    [Benchmark(Baseline = true)]
    public int DecodeV2Trade()
    {
        _output.Clear();
        return _v2.Decode(V2Trade, ReceiveNs, _output).Events;
    }

    [Benchmark]
    public int DecodeV1Trades()
    {
        _output.Clear();
        return _v1.Decode(V1Trades, ReceiveNs, _output).Events;
    }

    [Benchmark]
    public int DecodeFuturesTrade()
    {
        _output.Clear();
        return _futures.Decode(FuturesTrade, ReceiveNs, _output).Events;
    }
}
