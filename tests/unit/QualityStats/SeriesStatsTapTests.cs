using System.Collections.Concurrent;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Pricing;
using Cloudwall.Rx.Quality;
using Cloudwall.Rx.Quality.Stats;
using Cloudwall.Rx.Tests.Unit.Pricing;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Unit.QualityStats;

/// <summary>Series statistics driven by a real pricing pipeline through its partition tap, in virtual time.</summary>
public sealed class SeriesStatsTapTests
{
    private static readonly InstrumentId Btc = new(1);
    private static readonly InstrumentId Eth = new(2);

    private sealed class RecordingSink : ISeriesWindowSink
    {
        public ConcurrentQueue<SeriesWindow> Windows { get; } = new();

        public bool Throw { get; set; }

        public void OnWindows(IReadOnlyList<SeriesWindow> windows)
        {
            foreach (var w in windows)
            {
                Windows.Enqueue(w);
            }

            if (Throw)
            {
                throw new InvalidOperationException("sink down");
            }
        }
    }

    internal sealed class Adapter(SeriesStatsTap tap) : IPartitionTap
    {
        public void OnEvent(int partition, in MarketEvent e, long nowNs) => tap.OnEvent(partition, e, nowNs);

        public void OnTick(int partition, long nowNs) => tap.OnTick(partition, nowNs);
    }

    private static MarketEvent Trade(InstrumentId id, decimal price, long t) => new()
    {
        Kind = EventKind.Trade,
        Instrument = id,
        Venue = VenueId.Coinbase,
        Provider = ProviderId.Coinbase,
        Price = price,
        Size = 1m,
        ExchangeTimeNs = t - 2_000_000,
        ReceiveTimeNs = t - 1_000_000,
    };

    [Fact]
    public async Task Pipeline_ticks_close_windows_for_every_partition_and_gaps_reach_their_partition()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_767_225_600).AddMilliseconds(200));
        var sink = new RecordingSink();
        const int partitions = 2;
        var tap = new SeriesStatsTap(partitions, id => (int)((uint)id.Value % partitions), new SeriesStatsOptions(), _ => MarketType.Spot, sink,
            fairPrice: (InstrumentId _, out decimal p) => { p = 100m; return true; });
        var pipeline = new EventPipeline(new RecordingPublisher(), new PipelineOptions { Partitions = partitions },
            () => new MedianFairPrice(TimeSpan.FromMilliseconds(100)), time, tap: new Adapter(tap));
        var now = UnixTime.FromTimeProvider(time);
        for (var i = 0; i < 10; i++)
        {
            pipeline.Post(Trade(i % 2 == 0 ? Btc : Eth, 100m + i, now));
        }

        tap.PostGap(new SequenceGap(ProviderId.Coinbase, VenueId.Coinbase, Eth, EventKind.Trade, 5, 9, now));
        while (pipeline.Stats.Processed < 10)
        {
            await Task.Yield();
        }

        time.Advance(TimeSpan.FromMilliseconds(900)); // the pipeline's 100 ms timer posts ticks; the window ends on the next second
        await pipeline.CompleteAsync();

        var windows = sink.Windows.ToList();
        Assert.Equal(2, windows.Count);
        var btc = windows.Single(w => w.Key.Instrument == Btc);
        var eth = windows.Single(w => w.Key.Instrument == Eth);
        Assert.Equal(5, btc.Count);
        Assert.Equal(5, eth.Count);
        Assert.Equal(108m, btc.LastPrice);
        Assert.Equal(1, eth.SequenceGaps);
        Assert.Equal(3, eth.MissingSequences);
        Assert.Equal(0, btc.SequenceGaps);
        Assert.Equal(100m, btc.FairPrice);
        Assert.Equal(0.001, btc.ExchangeToReceive.MeanSeconds, 9);
    }

    [Fact]
    public void A_failing_sink_is_counted_and_never_stops_the_partition()
    {
        var sink = new RecordingSink { Throw = true };
        var tap = new SeriesStatsTap(1, _ => 0, new SeriesStatsOptions(), _ => MarketType.Spot, sink);
        const long t0 = 1_767_225_600L * 1_000_000_000L;

        tap.OnEvent(0, Trade(Btc, 1m, t0), t0);
        tap.OnTick(0, t0 + 1_000_000_000L);
        tap.OnEvent(0, Trade(Btc, 1m, t0 + 1_500_000_000L), t0 + 1_500_000_000L);
        tap.OnTick(0, t0 + 2_000_000_000L);

        Assert.Equal(2, tap.SinkErrors);
        Assert.Equal([1L, 1L], sink.Windows.Select(w => w.Count));
    }
}
