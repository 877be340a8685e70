using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Wire;
using Cloudwall.Rx.Ingestion.Venues.Deribit;
using static Cloudwall.Rx.Tests.Unit.Deribit.DeribitFrames;

namespace Cloudwall.Rx.Tests.Unit.Deribit;

/// <summary>The hot path allocates nothing once warm: decode, encode each event for Kafka, decode it back.</summary>
public sealed class DeribitAllocationTests
{
    private const int Iterations = 1000;
    private const int WarmUp = 200;

    [Theory]
    [InlineData(Trade, 1)]
    [InlineData(TradeBatch, 3)]
    [InlineData(PerpTicker, 4)]
    [InlineData(OptionTicker, 3)]
    [InlineData(Quote, 1)]
    [InlineData(TestRequest, 0)]
    [InlineData(SubscribeResult, 0)]
    [InlineData(Error, 0)]
    public void DecodeAndEncodeAllocateZeroBytesAfterWarmUp(string json, int eventsPerFrame)
    {
        var decoder = new DeribitDecoder(NewRefData());
        var frame = Utf8(json);
        var output = new EventBuffer();
        var wire = new byte[EventCodec.MaxSize];

        Assert.Equal(WarmUp * eventsPerFrame, Loop(decoder, frame, output, wire, WarmUp).Events);

        (int Events, int RoundTrips) last = default;
        var allocated = TestSupport.Allocations.SteadyState(() => last = Loop(decoder, frame, output, wire, Iterations));
        var (events, roundTrips) = last;

        Assert.Equal(0, allocated);
        Assert.Equal(Iterations * eventsPerFrame, events);
        Assert.Equal(Iterations * eventsPerFrame, roundTrips);
    }

    private static (int Events, int RoundTrips) Loop(DeribitDecoder decoder, byte[] frame, EventBuffer output, byte[] wire, int n)
    {
        int events = 0, roundTrips = 0;
        for (var i = 0; i < n; i++)
        {
            output.Clear();
            decoder.Decode(frame, ReceiveNs, output);
            foreach (ref readonly var e in output.AsSpan())
            {
                events++;
                var written = EventCodec.Encode(e, wire);
                if (EventCodec.TryDecode(wire.AsSpan(0, written), e.Instrument, out var back) && back == e)
                {
                    roundTrips++;
                }
            }
        }

        return (events, roundTrips);
    }
}
