using System.Collections.Concurrent;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Transport;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;
using Cloudwall.Rx.Simulation.Coinbase;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Integration.Ingestion;

/// <summary>
/// Back-pressure over a real loopback socket: a connection whose sink is full stops reading (no thread blocked, no frame
/// decoded), the stale watchdog does not mistake that for a dead socket, and reading resumes where it stopped.
/// </summary>
public sealed class BackPressureTests
{
    [Fact]
    public async Task A_full_sink_pauses_the_reads_the_watchdog_counts_it_as_alive_and_reading_resumes_in_order()
    {
        await using var sim = await CoinbaseSimulator.StartAsync(new CoinbaseSimulatorOptions
        {
            Products = [new CoinbaseSyntheticProduct { ProductId = "BTC-USD", StartPrice = 100m, TradesPerSecond = 200 }],
        });
        var refData = new ReferenceData();
        CoinbaseSymbols.Register(refData);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var staleAfter = TimeSpan.FromSeconds(1);
        var provider = new WebSocketProvider(new CoinbaseExchangeProtocol(), sim.Endpoint, ["BTC-USD"], refData, _ => { },
            new ConnectionOptions { StaleAfter = staleAfter, ReconnectDelay = TimeSpan.FromMilliseconds(100) }, time);
        var sink = new GatedSink(pauseAfterEvents: 20);
        using var sub = provider.Events.Subscribe(sink);

        await Eventually(() => sink.Paused);
        var framesAtPause = provider.Counters.Frames;
        var sentAtPause = SentBy(sim);

        // The venue goes on sending; the connection decodes nothing meanwhile.
        await Eventually(() => SentBy(sim) >= sentAtPause + 100);
        Assert.Equal(framesAtPause, provider.Counters.Frames);
        Assert.Equal(1, sink.Calls - sink.CallsBeforePause);

        // Three stale periods pass on the watchdog's clock while paused: no reconnect.
        for (var i = 0; i < 12; i++)
        {
            time.Advance(staleAfter / 4);
        }

        Assert.Equal(0, provider.Counters.StaleReconnects);

        sink.Release();
        var eventsAtRelease = sink.Events.Count;
        await Eventually(() => sink.Events.Count >= eventsAtRelease + 50);

        Assert.Equal(0, provider.Counters.Reconnects);
        Assert.Equal(0, provider.Counters.StaleReconnects);
        Assert.Equal(1, provider.Counters.BackPressured);
        var trades = sink.Events.Where(e => e.Kind == EventKind.Trade).Select(e => e.Sequence).ToList();
        Assert.Equal(trades.Order().ToList(), trades); // in order across the pause
        Assert.Equal(trades.Count, trades.Distinct().Count());
    }

    private static long SentBy(CoinbaseSimulator sim) => sim.Stats.Connections.Sum(c => c.MessagesSent + c.MessagesDropped);

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(10);
        }
    }

    /// <summary>A batch sink that holds the first batch after a number of events pending until released.</summary>
    private sealed class GatedSink(int pauseAfterEvents) : IEventBatchObserver
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;
        private int _paused;

        public ConcurrentQueue<MarketEvent> Events { get; } = new();

        public int Calls => Volatile.Read(ref _calls);

        public int CallsBeforePause { get; private set; }

        public bool Paused => Volatile.Read(ref _paused) != 0;

        public void Release() => _gate.TrySetResult();

        public ValueTask OnNextBatchAsync(ReadOnlyMemory<MarketEvent> events, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            foreach (var e in events.Span)
            {
                Events.Enqueue(e);
            }

            if (Events.Count < pauseAfterEvents || _gate.Task.IsCompleted)
            {
                return default;
            }

            if (Interlocked.Exchange(ref _paused, 1) == 0)
            {
                CallsBeforePause = Calls - 1;
            }

            return new ValueTask(_gate.Task);
        }

        public void OnNext(MarketEvent value) => throw new InvalidOperationException("a batch observer gets batches");

        public void OnError(Exception error) => throw new InvalidOperationException("the stream errored", error);

        public void OnCompleted()
        {
        }
    }
}
