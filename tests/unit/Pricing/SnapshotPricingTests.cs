using Cloudwall.Rx.Core;
using Cloudwall.Rx.Pricing;
using Microsoft.Extensions.Time.Testing;

using static Cloudwall.Rx.Tests.Unit.Pricing.FairPricePipelineTests;

namespace Cloudwall.Rx.Tests.Unit.Pricing;

/// <summary>
/// History sent on (re)subscribe (<see cref="EventFlags.Snapshot"/>) goes to Kafka but never into the fair price: the real
/// pipeline, the real engine, virtual time.
/// </summary>
public sealed class SnapshotPricingTests
{
    private static readonly VenueId[] Honest = [VenueId.Coinbase, VenueId.Kraken, VenueId.Binance];
    private static readonly decimal[] HonestPrices = [100_000m, 100_020m, 99_990m];

    private static MarketEvent Trade(InstrumentId id, VenueId venue, decimal price, long exchangeNs, long receiveNs, long tradeId = 0, EventFlags flags = EventFlags.None) => new()
    {
        Kind = EventKind.Trade, Instrument = id, Venue = venue, Provider = ProviderId.Direct(venue),
        Price = price, Size = 0.1m, Side = Side.Sell, ExchangeTimeNs = exchangeNs, ReceiveTimeNs = receiveNs,
        TradeId = tradeId == 0 ? TradeId.None : TradeId.Numeric(tradeId), Flags = flags,
    };

    [Fact]
    public async Task Hundred_snapshot_trades_eight_hours_old_and_five_percent_away_change_nothing_after_a_reconnect()
    {
        var refData = new ReferenceData();
        var btc = refData.Intern(InstrumentSpec.Spot("BTC", "USD")).Id;
        var details = new System.Collections.Concurrent.ConcurrentQueue<SourceDetail[]>();
        var pricing = new FairPricing(refData, detail: (in FairPrice _, ReadOnlySpan<SourceDetail> s) => details.Enqueue(s.ToArray()));
        var sink = new RecordingPublisher();
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_767_225_600));
        var pipeline = new EventPipeline(sink, new PipelineOptions { Partitions = 2, PublishEvents = true }, pricing, time);
        var posted = 0;

        async Task Second(bool bybit)
        {
            var now = UnixTime.FromTimeProvider(time);
            for (var v = 0; v < Honest.Length; v++)
            {
                pipeline.Post(Trade(btc, Honest[v], HonestPrices[v], now, now));
                posted++;
            }

            if (bybit)
            {
                pipeline.Post(Trade(btc, VenueId.Bybit, 100_005m, now, now));
                posted++;
            }

            var expected = posted;
            await WaitFor(() => pipeline.Stats.Processed == expected);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        // Four live sources, then Bybit's connection drops: after the 30 s staleness limit it is out of the fair price.
        for (var s = 0; s < 5; s++) await Second(bybit: true);
        for (var s = 0; s < 32; s++) await Second(bybit: false);
        await WaitFor(() => details.LastOrDefault()?.SingleOrDefault(d => d.Venue == VenueId.Bybit).Status == SourceStatus.Stale);
        var before = sink.FairPrices.Last();
        Assert.Equal((FairPriceStatus.Ok, 3), (before.Status, before.SourcesUsed));

        // Bybit reconnects and its venue sends 100 trades of history, 8 h old and 5 % away, flagged as a snapshot.
        var now = UnixTime.FromTimeProvider(time);
        var eightHoursAgo = now - (long)TimeSpan.FromHours(8).TotalMicroseconds * 1000;
        for (var i = 0; i < 100; i++)
        {
            pipeline.Post(Trade(btc, VenueId.Bybit, 105_000m + i, eightHoursAgo + i * 1_000_000_000L, now, tradeId: 1 + i, flags: EventFlags.Snapshot));
            posted++;
        }

        var afterSnapshot = posted;
        await WaitFor(() => pipeline.Stats.Processed == afterSnapshot);
        for (var s = 0; s < 3; s++) await Second(bybit: false);
        await WaitFor(() => pipeline.Stats.Processed == posted);

        // Published for back-fill, counted per source, and nothing else.
        Assert.Equal(100, sink.Events.Count(e => e.IsSnapshot));
        Assert.Equal(100, pipeline.Stats.Snapshots);
        Assert.Equal((ProviderId.Direct(VenueId.Bybit), VenueId.Bybit, 100L), pipeline.Stats.SnapshotEvents.Single());
        var after = sink.FairPrices.Last();
        Assert.Equal(before.Price, after.Price);
        Assert.Equal((FairPriceStatus.Ok, 3), (after.Status, after.SourcesUsed));
        Assert.All(sink.FairPrices, p => Assert.InRange(p.Price, 99_990m, 100_020m));
        // The snapshot did not make the stale source fresh.
        Assert.Equal(SourceStatus.Stale, details.Last().Single(d => d.Venue == VenueId.Bybit).Status);
        await pipeline.CompleteAsync();
    }
}
