using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Wire;
using Cloudwall.Rx.Ingestion.Venues.Binance;
using static Cloudwall.Rx.Tests.Unit.Binance.BinanceFrames;

namespace Cloudwall.Rx.Tests.Unit.Binance;

/// <summary>The hot path allocates nothing once warm: decode a frame, encode each event for Kafka, decode it back.</summary>
public sealed class BinanceAllocationTests
{
    private const int Iterations = 1000;
    private const int WarmUp = 200;

    public static TheoryData<string, BinanceMarket, int> Frames() => new()
    {
        { Wrap("bnbbtc@trade", DocTrade), BinanceMarket.Spot, 1 },
        { RecordedSpotAggTrade, BinanceMarket.Spot, 1 },
        { Wrap("bnbusdt@bookTicker", DocBookTicker, dataFirst: true), BinanceMarket.Spot, 1 },
        { Wrap("bnbusdt@bookTicker", DocFuturesBookTicker), BinanceMarket.UsdM, 1 },
        { Wrap("btcusdt@markPrice@1s", DocUsdmMarkPrice), BinanceMarket.UsdM, 3 },
        { DocCoinmMarkPrice, BinanceMarket.CoinM, 2 },
        { RecordedFuturesDepth, BinanceMarket.UsdM, 0 },
        { """{"result":null,"id":1}""", BinanceMarket.Spot, 0 },
        { "{\"e\":\"trade\",\"p\":\"1.5E-3\",\"q\":\"1\",\"s\":\"BNBBTC\",\"t\":1,\"T\":1672515782136,\"m\":false}", BinanceMarket.Spot, 1 },
        { "{\"e\":\"trade\",\"p\":\"NaN\",\"q\":\"1\",\"s\":\"BNBBTC\",\"t\":1,\"T\":1672515782136}", BinanceMarket.Spot, 0 }, // rejected
        { "{\"e\":\"trade\",\"p\":\"1\",\"q\":\"1\",\"s\":\"NOPE\",\"t\":1,\"T\":1672515782136}", BinanceMarket.Spot, 0 }, // unknown symbol (a remembered miss)
    };

    [Theory]
    [MemberData(nameof(Frames))]
    public void DecodeAndEncodeAllocateZeroBytesAfterWarmUp(string json, BinanceMarket market, int eventsPerFrame)
    {
        var decoder = new BinanceDecoder(NewRefData(), market);
        var frame = Utf8(json);
        var output = new EventBuffer();
        var wire = new byte[EventCodec.MaxSize];

        var (warmEvents, _, _) = Loop(decoder, frame, output, wire, WarmUp);
        Assert.Equal(WarmUp * eventsPerFrame, warmEvents);

        (int Events, long WireBytes, int RoundTrips) last = default;
        var allocated = TestSupport.Allocations.SteadyState(() => last = Loop(decoder, frame, output, wire, Iterations));
        var (events, wireBytes, roundTrips) = last;

        Assert.Equal(0, allocated);
        Assert.Equal(Iterations * eventsPerFrame, events);
        Assert.Equal(Iterations * eventsPerFrame, roundTrips);
        Assert.Equal(eventsPerFrame > 0, wireBytes > 0);
    }

    private static (int Events, long WireBytes, int RoundTrips) Loop(BinanceDecoder decoder, byte[] frame, EventBuffer output, Span<byte> wire, int n)
    {
        int events = 0, roundTrips = 0;
        long wireBytes = 0;
        for (var i = 0; i < n; i++)
        {
            output.Clear();
            decoder.Decode(frame, ReceiveNs, output);
            foreach (ref readonly var e in output.AsSpan())
            {
                events++;
                var written = EventCodec.Encode(e, wire);
                wireBytes += written;
                if (EventCodec.TryDecode(wire[..written], e.Instrument, out var back) && back == e)
                {
                    roundTrips++;
                }
            }
        }

        return (events, wireBytes, roundTrips);
    }
}
