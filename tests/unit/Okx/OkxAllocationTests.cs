using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Okx;

namespace Cloudwall.Rx.Tests.Unit.Okx;

/// <summary>Decoding allocates nothing once warm (each instrument resolved once, the buffer grown once).</summary>
public sealed class OkxAllocationTests
{
    public const string TradeBatch =
        """{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"338476307","px":"30236","sz":"0.0002","side":"buy","ts":"1652459224818"},{"instId":"BTC-USDT","tradeId":"338476308","px":"30236.1","sz":"0.01","side":"sell","ts":"1652459224819"}]}""";

    [Theory]
    [InlineData(TradeBatch, 2)]
    [InlineData("""{"arg":{"channel":"tickers","instId":"BTC-USDT"},"data":[{"instType":"SPOT","instId":"BTC-USDT","last":"30236","lastSz":"0.0002","askPx":"30228.7","askSz":"1.55896972","bidPx":"30228.6","bidSz":"0.23393","ts":"1652459224956"}]}""", 1)]
    [InlineData("""{"arg":{"channel":"funding-rate","instId":"BTC-USD-SWAP"},"data":[{"fundingRate":"0.0001515","instId":"BTC-USD-SWAP","nextFundingRate":"0.00029","ts":"1622796900000"}]}""", 1)]
    [InlineData("""{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[["30229","1","0","1"]],"bids":[],"ts":"1652459225506"}]}""", 0)]
    [InlineData("""{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["65000.1","0.5","0","3"]],"bids":[["64999.9","1.2","0","4"]],"ts":"1765018379085","seqId":123456}]}""", 1)]
    [InlineData("""{"arg":{"channel":"trades-all","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"338476307","px":"30236","sz":"0.0002","side":"buy","ts":"1652459224818"}]}""", 1)]
    [InlineData("pong", 0)]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"0","sz":"1","side":"buy","ts":"1652459224818"}]}""", 0)]
    public void DecodeAllocatesZeroBytesAfterWarmUp(string json, int eventsPerFrame)
    {
        var refData = new ReferenceData();
        OkxSymbols.Register(refData);
        var decoder = new OkxDecoder(refData);
        var frame = System.Text.Encoding.UTF8.GetBytes(json);
        var output = new EventBuffer();
        Loop(decoder, frame, output, 100);

        var events = 0;
        var allocated = TestSupport.Allocations.SteadyState(() => events = Loop(decoder, frame, output, 1000));

        Assert.Equal(0, allocated);
        Assert.Equal(1000 * eventsPerFrame, events);
    }

    private static int Loop(OkxDecoder decoder, byte[] frame, EventBuffer output, int n)
    {
        var events = 0;
        for (var i = 0; i < n; i++)
        {
            output.Clear();
            decoder.Decode(frame, 1, output);
            events += output.Count;
        }

        return events;
    }
}
