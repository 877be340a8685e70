using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Transport;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;

namespace Cloudwall.Rx.Tests.Integration.Ingestion;

/// <summary>
/// The WebSocket message cap is enforced while a message arrives, not after Websocket.Client has buffered it whole: a
/// venue that streams an endless message in fragments sees the close (1009) long before it is done.
/// </summary>
public sealed class MessageSizeCapTests
{
    private const int Cap = 64 * 1024;
    private const int Fragment = 16 * 1024;
    private const int Fragments = 4096;
    private static readonly TimeSpan Backoff = TimeSpan.FromSeconds(2); // the first delay, with equal jitter, is 1-2 s

    [Fact]
    public async Task An_oversized_message_closes_the_connection_while_it_is_still_being_sent_and_the_client_reconnects()
    {
        long closedAt = 0;
        var reconnectedAt = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var closeSeen = new TaskCompletionSource<(WebSocketCloseStatus? Status, int FragmentsSent)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await RawSocketServer.StartAsync(async (socket, n, ct) =>
        {
            if (n > 1)
            {
                reconnectedAt.TrySetResult(Stopwatch.GetTimestamp());
                await RawSocketServer.DrainUntilCloseAsync(socket, ct); // the reconnect: stays open
                return;
            }

            var sent = 0;
            // The moment the client's close frame is read: the client sent it just before it started its back-off. The send
            // loop below may stay blocked much longer (the client stops reading and drops the socket only as it reconnects),
            // so the time after the loop is no measure of when the client closed.
            var drain = RawSocketServer.DrainUntilCloseAsync(socket, ct).ContinueWith(t =>
            {
                Volatile.Write(ref closedAt, Stopwatch.GetTimestamp());
                return t.Result;
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            var chunk = new byte[Fragment];
            chunk.AsSpan().Fill((byte)'x');
            try
            {
                for (; sent < Fragments && !drain.IsCompleted; sent++)
                {
                    await socket.SendAsync(chunk, WebSocketMessageType.Text, endOfMessage: false, ct);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
            {
                // The client aborted after its close: the send side fails, which is the point.
            }

            var status = await drain.WaitAsync(TimeSpan.FromSeconds(10), ct);
            closeSeen.TrySetResult((status, sent));
        });

        var refData = new ReferenceData();
        CoinbaseSymbols.Register(refData);
        var deadLetters = new ConcurrentQueue<DeadLetter>();
        var provider = new Rx.Ingestion.WebSocketProvider(new CoinbaseExchangeProtocol(), server.Endpoint, ["BTC-USD"], refData, deadLetters.Enqueue,
            new ConnectionOptions { MaxMessageBytes = Cap, ReconnectDelay = Backoff });
        using var sub = provider.Events.Subscribe(_ => { }, _ => { });

        var (closeStatus, fragmentsSent) = await closeSeen.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, closeStatus);
        Assert.True(fragmentsSent < Fragments, $"the whole message was sent ({fragmentsSent} fragments) before the client closed");
        await Eventually(() => server.Connections >= 2 && provider.Counters.Reconnects >= 1);
        // Back-off: the first delay with equal jitter is at least half of ReconnectDelay (1 s). The bound asserted is half of
        // that again, leaving room for a loaded machine to read the close frame late; an immediate reconnect takes milliseconds.
        var waited = Stopwatch.GetElapsedTime(Volatile.Read(ref closedAt), await reconnectedAt.Task);
        Assert.True(waited >= Backoff / 4, $"reconnected {waited.TotalMilliseconds:F0} ms after the close, before the back-off");

        Assert.Equal(1, provider.Counters.ByReason(FrameReason.Oversized));
        Assert.Equal(1, provider.Counters.RejectedFrames);
        var letter = Assert.Single(deadLetters);
        Assert.Equal(FrameReason.Oversized, letter.Reason);
        Assert.Equal(DeadLetter.MaxRawBytes, letter.Raw.Length); // the prefix, not the message
        Assert.InRange(letter.OriginalLength, Cap + 1, Cap + Fragment); // buffered no further than the cap and one read
        Assert.Contains("1009", letter.Detail, StringComparison.Ordinal);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }
}
