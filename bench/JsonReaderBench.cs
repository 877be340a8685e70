using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Cloudwall.Rx.Ingestion.Json;

namespace Cloudwall.Rx.Bench;

/// <summary>
/// The floor under every venue decoder: one walk over a frame's tokens, reading each value, with the general
/// <see cref="Utf8JsonReader"/> and with the frame reader the decoders use (<see cref="FrameJsonReader"/>), over the same
/// Bybit and Deribit trade frames as their decode benchmarks.
/// </summary>
[MemoryDiagnoser]
public class JsonReaderBench
{
    private static readonly byte[] BybitTrade = OkxBybitDecodeBench.BybitTrade;

    private static readonly byte[] DeribitTrade = DeribitDecodeBench.DeribitTrade;

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
