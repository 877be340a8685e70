using Cloudwall.Rx.Core;
using Cloudwall.Rx.Pricing;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Unit.Pricing;

public sealed class EventPipelineTests
{
    private static readonly InstrumentId Btc = new(1);
    private static readonly InstrumentId Eth = new(2);

    private static MarketEvent Trade(InstrumentId id, VenueId venue, decimal price, long seq = 0) => new()
    {
        Kind = EventKind.Trade,
        Instrument = id,
        Venue = venue,
        Provider = ProviderId.Direct(venue),
        Price = price,
        Size = 1m,
        Side = Side.Buy,
        ExchangeTimeNs = 1_700_000_000_000_000_000 + seq,
        ReceiveTimeNs = 1_700_000_000_001_000_000 + seq,
        Sequence = seq,
    };

    [Fact]
    public async Task Every_event_is_published_once_in_order_per_instrument()
    {
        var sink = new RecordingPublisher();
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(54));
        var pipeline = new EventPipeline(sink, new PipelineOptions { Partitions = 3 }, () => new MedianFairPrice(TimeSpan.FromMilliseconds(100)), time);
        for (var i = 1; i <= 500; i++)
        {
            pipeline.Post(Trade(i % 2 == 0 ? Btc : Eth, VenueId.Coinbase, 100m + i, i));
        }

        await pipeline.CompleteAsync();

        Assert.Equal(500, pipeline.Stats.Received);
        Assert.Equal(500, pipeline.Stats.EventsPublished);
        Assert.Equal(0, pipeline.Stats.Dropped);
        Assert.Equal(500, sink.Events.Count);
        AssertInOrderPerInstrument(sink.Events);
    }

    [Fact]
    public async Task Placeholder_fair_price_is_the_median_of_the_latest_price_per_source()
    {
        var sink = new RecordingPublisher();
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(54));
        var pipeline = new EventPipeline(sink, new PipelineOptions { Partitions = 1 }, () => new MedianFairPrice(TimeSpan.Zero), time);
        pipeline.Post(Trade(Btc, VenueId.Coinbase, 100m));
        pipeline.Post(Trade(Btc, VenueId.Kraken, 103m));
        pipeline.Post(Trade(Btc, VenueId.Binance, 101m));
        pipeline.Post(Trade(Btc, VenueId.Coinbase, 90m)); // replaces Coinbase's 100
        await pipeline.CompleteAsync();

        var last = sink.FairPrices.Last();
        Assert.Equal(101m, last.Price); // median of {90, 103, 101}
        Assert.Equal(3, last.SourcesUsed);
        Assert.Equal(FairPriceStatus.Ok, last.Status);
        Assert.Equal(101m, pipeline.LatestFairPrices[Btc].Price);
    }

    [Fact]
    public async Task Conflation_holds_back_changes_until_the_interval_passes_then_the_tick_emits_them()
    {
        var sink = new RecordingPublisher();
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(54));
        var pipeline = new EventPipeline(sink, new PipelineOptions { Partitions = 1, FairPriceMinInterval = TimeSpan.FromSeconds(1) },
            () => new MedianFairPrice(TimeSpan.FromSeconds(1)), time);
        pipeline.Post(Trade(Btc, VenueId.Coinbase, 100m));
        pipeline.Post(Trade(Btc, VenueId.Coinbase, 101m));
        pipeline.Post(Trade(Btc, VenueId.Coinbase, 102m));
        await WaitFor(() => pipeline.Stats.Processed == 3);
        Assert.Single(sink.FairPrices); // the first, then conflated

        time.Advance(TimeSpan.FromSeconds(1)); // the tick fires and flushes the held value
        await WaitFor(() => sink.FairPrices.Count == 2);
        Assert.Equal(102m, sink.FairPrices.Last().Price);
        await pipeline.CompleteAsync();
    }

    [Fact]
    public async Task Drop_newest_policy_drops_and_counts_when_a_partition_is_full()
    {
        using var gate = new ManualResetEventSlim(false);
        var sink = new RecordingPublisher { Gate = gate };
        var pipeline = new EventPipeline(sink, new PipelineOptions { Partitions = 1, PartitionCapacity = 16, Overflow = System.Threading.Channels.BoundedChannelFullMode.DropWrite },
            () => new MedianFairPrice(TimeSpan.Zero), new FakeTimeProvider());
        var accepted = 0;
        for (var i = 0; i < 100; i++)
        {
            if (pipeline.Post(Trade(Btc, VenueId.Coinbase, 100m + i, i)))
            {
                accepted++;
            }
        }

        gate.Set();
        await pipeline.CompleteAsync();
        Assert.Equal(100, pipeline.Stats.Received);
        Assert.Equal(100 - accepted, pipeline.Stats.Dropped);
        Assert.True(pipeline.Stats.Dropped > 0);
        Assert.Equal(accepted, sink.Events.Count);
    }

    [Fact]
    public async Task Wait_policy_applies_backpressure_and_loses_nothing()
    {
        using var gate = new ManualResetEventSlim(false);
        var sink = new RecordingPublisher { Gate = gate };
        var pipeline = new EventPipeline(sink, new PipelineOptions { Partitions = 1, PartitionCapacity = 16, Overflow = System.Threading.Channels.BoundedChannelFullMode.Wait },
            () => new MedianFairPrice(TimeSpan.Zero), new FakeTimeProvider());
        var producer = Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                pipeline.Post(Trade(Btc, VenueId.Coinbase, 100m + i, i));
            }
        });
        await WaitFor(() => pipeline.QueueDepths()[0] >= 15);
        Assert.False(producer.IsCompleted); // blocked on the full partition
        gate.Set();
        await producer;
        await pipeline.CompleteAsync();
        Assert.Equal(0, pipeline.Stats.Dropped);
        Assert.Equal(200, sink.Events.Count);
    }

    [Fact]
    public async Task A_batch_posts_synchronously_while_there_is_room_and_keeps_order_per_instrument()
    {
        var sink = new RecordingPublisher();
        var pipeline = new EventPipeline(sink, new PipelineOptions { Partitions = 2 }, () => new MedianFairPrice(TimeSpan.Zero), new FakeTimeProvider());
        var batch = Enumerable.Range(1, 40).Select(i => Trade(i % 2 == 0 ? Btc : Eth, VenueId.Coinbase, 100m + i, i)).ToArray();

        var posted = pipeline.Input("test").OnNextBatchAsync(batch, CancellationToken.None);

        Assert.True(posted.IsCompletedSuccessfully); // room everywhere: no task, no wait
        await pipeline.CompleteAsync();
        Assert.Equal(40, pipeline.Stats.Received);
        Assert.Equal(40, sink.Events.Count);
        AssertInOrderPerInstrument(sink.Events);
    }

    [Fact]
    public async Task Under_wait_a_batch_that_meets_a_full_partition_stays_pending_without_blocking_then_loses_nothing()
    {
        var (pipeline, sink, gate, batch) = HeldPipeline(System.Threading.Channels.BoundedChannelFullMode.Wait);
        using var _ = gate;

        // The call returns at once on this thread (nothing blocks it); the task is what waits.
        var posted = pipeline.PostBatchAsync(batch);

        Assert.False(posted.IsCompleted);
        gate.Set();
        await posted;
        await pipeline.CompleteAsync();
        Assert.Equal(100, pipeline.Stats.Received);
        Assert.Equal(0, pipeline.Stats.Dropped);
        Assert.Equal(batch.Select(e => e.Sequence), sink.Events.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Under_drop_write_a_batch_drops_and_counts_what_does_not_fit_and_never_waits()
    {
        var (pipeline, sink, gate, batch) = HeldPipeline(System.Threading.Channels.BoundedChannelFullMode.DropWrite);
        using var _ = gate;

        var posted = pipeline.PostBatchAsync(batch);

        Assert.True(posted.IsCompletedSuccessfully);
        gate.Set();
        await pipeline.CompleteAsync();
        Assert.Equal(100, pipeline.Stats.Received);
        Assert.True(pipeline.Stats.Dropped > 0);
        Assert.Equal(100, pipeline.Stats.Dropped + sink.Events.Count);
    }

    [Fact]
    public async Task A_waiting_batch_that_is_cancelled_counts_what_it_did_not_post_as_dropped()
    {
        var (pipeline, sink, gate, batch) = HeldPipeline(System.Threading.Channels.BoundedChannelFullMode.Wait);
        using var _ = gate;
        using var cancel = new CancellationTokenSource();

        var posted = pipeline.PostBatchAsync(batch, cancel.Token);
        Assert.False(posted.IsCompleted);
        await cancel.CancelAsync();
        await posted; // the connection is going away: no exception, the books balance

        gate.Set();
        await pipeline.CompleteAsync();
        Assert.Equal(100, pipeline.Stats.Received);
        Assert.True(pipeline.Stats.Dropped > 0);
        Assert.Equal(100, pipeline.Stats.Dropped + sink.Events.Count);
    }

    /// <summary>One partition of 16 whose publisher holds the first event until the gate opens, and 100 trades to post.</summary>
    private static (EventPipeline Pipeline, RecordingPublisher Sink, ManualResetEventSlim Gate, MarketEvent[] Batch) HeldPipeline(
        System.Threading.Channels.BoundedChannelFullMode overflow)
    {
        var gate = new ManualResetEventSlim(false);
        var sink = new RecordingPublisher { Gate = gate };
        var pipeline = new EventPipeline(sink, new PipelineOptions { Partitions = 1, PartitionCapacity = 16, Overflow = overflow },
            () => new MedianFairPrice(TimeSpan.Zero), new FakeTimeProvider());
        return (pipeline, sink, gate, [.. Enumerable.Range(0, 100).Select(i => Trade(Btc, VenueId.Coinbase, 100m + i, i))]);
    }

    private static void AssertInOrderPerInstrument(IEnumerable<MarketEvent> events)
    {
        foreach (var group in events.GroupBy(e => e.Instrument))
        {
            var seqs = group.Select(e => e.Sequence).ToList();
            Assert.Equal(seqs.Order().ToList(), seqs);
        }
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 10 s");
            await Task.Yield();
            Thread.Sleep(1);
        }
    }
}
