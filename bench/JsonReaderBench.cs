using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Cloudwall.Rx.Ingestion.Json;

namespace Cloudwall.Rx.Bench;

/// <summary>
/// The floor under every venue decoder: one walk over a frame's tokens, reading each value, with the general
/// <see cref="Utf8JsonReader"/> and with the frame reader the decoders use (<see cref="FrameJsonReader"/>).
/// </summary>
[MemoryDiagnoser]
public class JsonReaderBench
{
    private static readonly byte[] BybitTrade =
        """{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486868,"data":[{"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","L":"PlusTick","i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false,"seq":1783284617}]}"""u8.ToArray();

    private static readonly byte[] DeribitTrade =
        """{"params":{"data":[{"trade_seq":30289442,"trade_id":"48079269","timestamp":1590484512188,"tick_direction":2,"price":8950,"mark_price":8948.9,"instrument_name":"BTC-PERPETUAL","index_price":8955.88,"direction":"sell","amount":10}],"channel":"trades.BTC-PERPETUAL.raw"},"method":"subscription","jsonrpc":"2.0"}"""u8.ToArray();

    [Benchmark(Baseline = true)]
    public int Utf8JsonReaderBybit() => Utf8Walk(BybitTrade);

    [Benchmark]
    public int FrameJsonReaderBybit() => FrameWalk(BybitTrade);

    [Benchmark]
    public int Utf8JsonReaderDeribit() => Utf8Walk(DeribitTrade);

    [Benchmark]
    public int FrameJsonReaderDeribit() => FrameWalk(DeribitTrade);

    private static int Utf8Walk(byte[] frame)
    {
        var reader = new Utf8JsonReader(frame);
        var n = 0;
        while (reader.Read())
        {
            n += reader.ValueSpan.Length;
        }

        return n;
    }

    private static int FrameWalk(byte[] frame)
    {
        var reader = new FrameJsonReader(frame);
        var n = 0;
        while (reader.Read())
        {
            n += reader.ValueSpan.Length;
        }

        return n;
    }
}
