using System.Net.WebSockets;
using System.Threading.Channels;
using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Simulation.Hosting;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Tests.Integration.Simulation;

public sealed class VenueConnectionTests
{
    [Theory]
    [InlineData(BoundedChannelFullMode.DropOldest)]
    [InlineData(BoundedChannelFullMode.DropNewest)]
    [InlineData(BoundedChannelFullMode.DropWrite)]
    public void A_full_send_queue_drops_by_its_named_mode_and_counts_every_drop(BoundedChannelFullMode mode)
    {
        using var socket = WebSocket.CreateFromStream(new MemoryStream(), new WebSocketCreationOptions { IsServer = true });
        var options = new WebSocketVenueServerOptions { SendQueueCapacity = 4, SendQueueFullMode = mode };
        var connection = new VenueConnection(1, socket, null, DateTimeOffset.UnixEpoch, options, abortTransport: () => { });

        for (var i = 0; i < 10; i++)
        {
            Assert.True(connection.Enqueue(new byte[] { (byte)i }), "enqueue never blocks nor fails while open");
        }

        Assert.Equal(6, connection.MessagesDropped);
        connection.Abort();
        Assert.False(connection.Enqueue(new byte[] { 0 }), "a closed connection refuses frames");
    }

    [Fact]
    public void Wait_is_rejected_because_the_market_never_waits_for_a_client()
    {
        var options = new WebSocketVenueServerOptions { SendQueueFullMode = BoundedChannelFullMode.Wait };
        var ex = Assert.Throws<OptionsValidationException>(() => OptionsCheck.ThrowIfInvalid(options));
        Assert.Contains("SendQueueFullMode", ex.Message, StringComparison.Ordinal);
    }
}
