using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Wire;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;
using static Cloudwall.Rx.Tests.Unit.Coinbase.CoinbaseFrames;

namespace Cloudwall.Rx.Tests.Unit.Coinbase;

/// <summary>The hot path allocates nothing once warm: decode a frame, encode the event for Kafka, decode it back.</summary>
public sealed class CoinbaseAllocationTests
{
    private const int Iterations = 1000;
    private const int WarmUp = 200;

    [Theory]
    [InlineData(Match, 1)]
    [InlineData(Ticker, 1)]
    [InlineData("""{"type":"l2update","product_id":"SKL-BTC","changes":[["sell","0.00001306","660.5"]],"time":"2021-04-17T16:43:37.075687Z"}""", 0)]
    public void DecodeAndEncodeAllocateZeroBytesAfterWarmUp(string json, int eventsPerFrame)
    {
        var refData = NewRefData();
        var decoder = new CoinbaseExchangeDecoder(refData);
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
        if (eventsPerFrame > 0)
        {
            Assert.True(wireBytes > 0);
        }
    }

    /// <summary>Decode, then encode each event into <paramref name="wire"/> and decode it back; counts what worked.</summary>
    private static (int Events, long WireBytes, int RoundTrips) Loop(CoinbaseExchangeDecoder decoder, byte[] frame, EventBuffer output, Span<byte> wire, int n)
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
