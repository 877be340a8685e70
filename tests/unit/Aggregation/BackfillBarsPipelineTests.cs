using System.Collections.Concurrent;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Pricing;
using Cloudwall.Rx.Pricing.Aggregation;
using Cloudwall.Rx.Tests.Unit.Pricing;
using Microsoft.Extensions.Time.Testing;

using static Cloudwall.Rx.Tests.Unit.Pricing.FairPricePipelineTests;

namespace Cloudwall.Rx.Tests.Unit.Aggregation;

/// <summary>
/// The real pipeline on virtual time: back-filled trades reach the bar aggregator (<see cref="IPartitionTap.OnBackfill"/>)
/// and revise its bar, but never pricing or a live-only tap (the quality statistics); snapshots reach neither.
/// </summary>
public sealed class BackfillBarsPipelineTests
{
    private const long Ms = 1_000_000;

    [Fact]
    public async Task A_backfilled_trade_revises_its_bar_and_stays_out_of_pricing_and_live_taps()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_767_225_600));
        var t0 = UnixTime.FromTimeProvider(time);
        var bars = new BarSink();
        var aggregator = new BarAggregator(1, new AggregationOptions { Enabled = true, Interval = TimeSpan.FromSeconds(1) }, bars);
        var live = new LiveOnlyTap();
        var engine = new CountingEngine();
        var sink = new RecordingPublisher();
        var pipeline = new EventPipeline(sink, new PipelineOptions { Partitions = 1, PublishEvents = true }, () => engine, time, tap: new BothTaps(live, aggregator));

        pipeline.Post(Trade(100m, t0 + 100 * Ms, t0 + 101 * Ms));
        await WaitFor(() => pipeline.Stats.Processed == 1);
        time.Advance(TimeSpan.FromMilliseconds(1100));
        await WaitFor(() => bars.Published.Count == 1);

        // After a reconnect: a snapshot trade and a back-filled trade, both inside the published bar.
        var now = UnixTime.FromTimeProvider(time);
        pipeline.Post(Trade(90m, t0 + 200 * Ms, now) with { Flags = EventFlags.Snapshot });
        pipeline.Post(Trade(110m, t0 + 700 * Ms, now) with { Flags = EventFlags.Backfill });
        await WaitFor(() => pipeline.Stats.Processed == 3);
        time.Advance(TimeSpan.FromMilliseconds(200));
        await WaitFor(() => bars.Published.Count == 2);
        await pipeline.CompleteAsync();
        aggregator.FlushAll();

        var revised = bars.Published.Last();
        Assert.Equal((t0, 1, 2L), (revised.StartTimeNs, revised.Revision, revised.Count));
        Assert.Equal((100m, 110m, 100m, 110m), (revised.Open, revised.High, revised.Low, revised.Close)); // no snapshot in it
        Assert.Equal(2, bars.Published.Count);
        Assert.Equal(3, sink.Events.Count); // all three published as events
        Assert.Equal(1, engine.Events); // only the live trade was priced
        Assert.Equal(1, live.Events); // and seen by the live-only tap
        Assert.Equal(1, pipeline.Stats.Snapshots);
    }

    private static MarketEvent Trade(decimal price, long exchangeNs, long receiveNs) => new()
    {
        Kind = EventKind.Trade, Instrument = new InstrumentId(1), Venue = VenueId.Coinbase, Provider = ProviderId.Coinbase,
        Price = price, Size = 1m, ExchangeTimeNs = exchangeNs, ReceiveTimeNs = receiveNs,
    };

    private sealed class BarSink : IBarPublisher
    {
        public ConcurrentQueue<Bar> Published { get; } = new();

        public void PublishBar(in Bar bar) => Published.Enqueue(bar);
    }

    /// <summary>Like the quality statistics tap: live events and ticks only, back-fill left to the interface's default.</summary>
    private sealed class LiveOnlyTap : IPartitionTap
    {
        private int _events;

        public int Events => Volatile.Read(ref _events);

        public void OnEvent(int partition, in MarketEvent e, long nowNs) => Interlocked.Increment(ref _events);

        public void OnTick(int partition, long nowNs)
        {
        }
    }

    private sealed class CountingEngine : IFairPriceEngine
    {
        private int _events;

        public int Events => Volatile.Read(ref _events);

        public bool OnEvent(in MarketEvent e, long nowNs, out FairPrice price)
        {
            Interlocked.Increment(ref _events);
            price = default;
            return false;
        }

        public int OnTick(long nowNs, Span<FairPrice> output) => 0;
    }
}
