using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Bybit;

namespace Cloudwall.Rx.Tests.Unit.Bybit;

/// <summary>Decoding allocates nothing once warm, for v5 and legacy frames alike.</summary>
public sealed class BybitAllocationTests
{
    [Theory]
    [InlineData(BybitDecoderTests.PublicTradeDoc, 1)]
    [InlineData(BybitDecoderTests.LinearTickerDoc, 4)]
    [InlineData(BybitLevelTests.OrderBook1Doc, 1)]
    [InlineData(BybitDecoderTests.LegacyInstrumentSnapshot, 3)]
    [InlineData("""{"topic":"trade.BTCUSD","data":[{"trade_time_ms":1618677786614,"timestamp":"2021-04-17T16:43:06.000Z","symbol":"BTCUSD","side":"Sell","size":4,"price":60621.5,"tick_direction":"PlusTick","trade_id":"5ffb8b77-900c-507d-97a2-0922557ffe54","cross_seq":5938955347},{"trade_time_ms":1618677786618,"timestamp":"2021-04-17T16:43:06.000Z","symbol":"BTCUSD","side":"Sell","size":1,"price":60621.5,"tick_direction":"ZeroPlusTick","trade_id":"bcd64120-c0c8-587d-94fc-4fa4eaf6086c","cross_seq":5938955347}]}""", 2)]
    [InlineData("""{"topic":"orderBookL2_25.EOSUSD","type":"delta","data":{"delete":[],"update":[{"price":"7.971","symbol":"EOSUSD","id":79710,"side":"Buy","size":47766}],"insert":[],"transactTimeE6":0},"cross_seq":1225777225,"timestamp_e6":1618677786598877}""", 0)]
    [InlineData("""{"success":true,"ret_msg":"pong","conn_id":"x","op":"ping"}""", 0)]
    public void DecodeAllocatesZeroBytesAfterWarmUp(string json, int eventsPerFrame)
    {
        var refData = new ReferenceData();
        BybitSymbols.Register(refData);
        var decoder = new BybitDecoder(refData);
        var frame = System.Text.Encoding.UTF8.GetBytes(json);
        var output = new EventBuffer();
        Loop(decoder, frame, output, 100);

        var events = 0;
        var allocated = TestSupport.Allocations.SteadyState(() => events = Loop(decoder, frame, output, 1000));

        Assert.Equal(0, allocated);
        Assert.Equal(1000 * eventsPerFrame, events);
    }

    private static int Loop(BybitDecoder decoder, byte[] frame, EventBuffer output, int n)
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
