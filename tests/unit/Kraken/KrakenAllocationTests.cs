using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Kraken;
using static Cloudwall.Rx.Tests.Unit.Kraken.KrakenDocExamples;

namespace Cloudwall.Rx.Tests.Unit.Kraken;

/// <summary>Decoding allocates nothing once warm (GC.GetAllocatedBytesForCurrentThread does not grow).</summary>
public sealed class KrakenAllocationTests
{
    private const int WarmUp = 200;
    private const int Iterations = 1000;

    public static TheoryData<string, string, int> Frames() => new()
    {
        { "v1", V1Trade, 2 },
        { "v1", """[996,{"a":["355.24000000",27,"27.19106411"],"b":["354.32000000",6,"6.87748868"],"c":["355.23000000","1.20454360"]},"ticker","XMR/USD"]""", 1 },
        { "v1", """[1234,{"a":[["5541.30000","2.50700000","1534614248.456738"]]},"book-10","XBT/USD"]""", 0 },
        { "v1", """{"event":"heartbeat"}""", 0 },
        { "v2", V2TradeUpdate, 1 },
        { "v2", V2TickerSnapshot, 1 },
        { "v2", """{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":3.891007752e-9,"qty":1,"ord_type":"limit","trade_id":1,"timestamp":"2023-09-25T07:49:37.708706Z"}]}""", 1 },
        { "v2", V2Heartbeat, 0 },
        { "futures", FuturesTicker, 4 },
        { "futures", FuturesTradeSnapshot, 2 },
        { "futures", """{"feed":"book","product_id":"PI_ETHUSD","side":"sell","seq":26660860,"price":2004.85,"qty":4787.0,"timestamp":1626994927744}""", 0 },
    };

    [Theory]
    [MemberData(nameof(Frames))]
    public void Decode_allocates_zero_bytes_after_warm_up(string api, string json, int eventsPerFrame)
    {
        var refData = new ReferenceData();
        KrakenSymbols.Register(refData);
        KrakenSymbols.RegisterFutures(refData);
        IFrameDecoder decoder = api switch
        {
            "v1" => new KrakenV1Decoder(refData),
            "v2" => new KrakenV2Decoder(refData),
            _ => new KrakenFuturesDecoder(refData),
        };
        var frame = Utf8(json);
        var output = new EventBuffer();

        Assert.Equal(WarmUp * eventsPerFrame, Loop(decoder, frame, output, WarmUp));
        var events = 0;
        var allocated = TestSupport.Allocations.SteadyState(() => events = Loop(decoder, frame, output, Iterations));

        Assert.Equal(0, allocated);
        Assert.Equal(Iterations * eventsPerFrame, events);
    }

    private static int Loop(IFrameDecoder decoder, byte[] frame, EventBuffer output, int n)
    {
        var events = 0;
        for (var i = 0; i < n; i++)
        {
            output.Clear();
            var outcome = decoder.Decode(frame, ReceiveNs, output);
            events += outcome.Events;
        }

        return events;
    }
}
