using System.Text;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Transport;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;
using Cloudwall.Rx.Tests.Unit.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Unit.Ingestion;

/// <summary>
/// Ingress accounting (issue 18, part 1) on a WebSocket connection: every whole message counts its payload bytes once, for
/// the connection's venue, whatever it turns out to be (an acknowledgement, a heartbeat, a trade, a message the decoder refuses).
/// </summary>
public sealed class IngressCountingTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_connection_counts_the_payload_bytes_and_messages_it_receives_for_its_venue()
    {
        var ack = Bytes("""{"type":"subscriptions","channels":[{"name":"matches","product_ids":["BTC-USD"]}]}""");
        var heartbeat = Bytes("""{"type":"heartbeat","sequence":1,"last_trade_id":1,"product_id":"BTC-USD","time":"2026-12-06T08:00:00.000000Z"}""");
        var trade1 = Match(1);
        var trade2 = Match(2);
        var garbage = Bytes("{not json");
        // The second trade arrives in three fragments: one message, counted once, with all its bytes.
        var socket = new ScriptedVenueSocket([ack, heartbeat, trade1, trade2[..10], trade2[10..50], trade2[50..], garbage],
            endOfMessage: [true, true, true, false, false, true, true]);
        var refData = new ReferenceData();
        CoinbaseSymbols.Register(refData);
        var provider = new WebSocketProvider(new CoinbaseExchangeProtocol(), new Uri("ws://scripted.invalid/"), ["BTC-USD"], refData, _ => { },
            new ConnectionOptions { Connect = socket.ConnectAsync }, new FakeTimeProvider(Start.AddSeconds(1)));
        using (provider.Events.Subscribe(_ => { }, _ => { }))
        {
            // The script is in memory: the receive loop works through it at once; the deadline only bounds a hang.
            Assert.True(SpinWait.SpinUntil(() => provider.Counters.Frames == 5, TimeSpan.FromSeconds(20)),
                $"handled {provider.Counters.Frames} of 5 messages");
        }

        var c = provider.Counters;
        long expected = ack.Length + heartbeat.Length + trade1.Length + trade2.Length + garbage.Length;
        var cell = c.Ingress(VenueId.Coinbase);
        Assert.Equal(expected, cell.Bytes);
        Assert.Equal(5, cell.Frames);
        Assert.Equal(expected, c.ReceivedBytes);
        Assert.Equal(5, c.ReceivedFrames);
        Assert.Equal([new VenueIngress(VenueId.Coinbase, expected, 5)], c.IngressByVenue());
        Assert.Equal(2, c.Events);
        Assert.Equal(1, c.RejectedFrames); // refused, and still paid for
    }

    [Fact]
    public void A_venue_cell_is_made_once_and_counts_without_allocating()
    {
        var counters = new IngestionCounters();
        var cell = counters.Ingress(VenueId.Kraken);
        Assert.Same(cell, counters.Ingress(VenueId.Kraken));
        cell.Record(10); // warm

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            counters.Ingress(VenueId.Kraken).Record(100);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(100_010, counters.ReceivedBytes);
        Assert.Equal(1001, counters.ReceivedFrames);
        Assert.Equal([new VenueIngress(VenueId.Kraken, 100_010, 1001)], counters.IngressByVenue());
    }

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] Match(int i) => Bytes(
        $$"""{"type":"match","trade_id":{{i}},"maker_order_id":"m","taker_order_id":"t","side":"buy","size":"0.01","price":"100.{{i}}","product_id":"BTC-USD","sequence":{{i}},"time":"2026-12-06T08:00:00.{{i:D6}}Z"}""");
}
