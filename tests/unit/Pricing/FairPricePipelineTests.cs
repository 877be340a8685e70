using Cloudwall.Rx.Core;
using Cloudwall.Rx.Pricing;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Unit.Pricing;

/// <summary>The real pipeline, the real engine, virtual time.</summary>
public sealed class FairPricePipelineTests
{
    private static readonly VenueId[] Honest = [VenueId.Coinbase, VenueId.Kraken, VenueId.Binance, VenueId.Bybit];
    private static readonly decimal[] HonestPrices = [100_000m, 100_020m, 99_990m, 100_005m];

    private static MarketEvent Trade(InstrumentId id, VenueId venue, decimal price, long now) => new()
    {
        Kind = EventKind.Trade, Instrument = id, Venue = venue, Provider = ProviderId.Direct(venue),
        Price = price, Size = 0.1m, Side = Side.Sell, ExchangeTimeNs = now, ReceiveTimeNs = now,
    };

    [Fact]
    public async Task Offset_source_is_excluded_silent_source_dropped_and_all_silent_goes_stale_holding_the_last_value()
    {
        var refData = new ReferenceData();
        var btc = refData.Intern(InstrumentSpec.Spot("BTC", "USD")).Id;
        var details = new System.Collections.Concurrent.ConcurrentQueue<SourceDetail[]>();
        var pricing = new FairPricing(refData, detail: (in FairPrice _, ReadOnlySpan<SourceDetail> s) => details.Enqueue(s.ToArray()));
        var sink = new RecordingPublisher();
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_767_225_600));
        var pipeline = new EventPipeline(sink, new PipelineOptions { Partitions = 2, PublishEvents = false }, pricing, time);
        var posted = 0;

        async Task Second(bool honest, bool okx, int silentFrom)
        {
            var now = UnixTime.FromTimeProvider(time);
            for (var v = 0; v < Honest.Length; v++)
            {
                if (honest && v < silentFrom)
                {
                    pipeline.Post(Trade(btc, Honest[v], HonestPrices[v], now));
                    posted++;
                }
            }

            if (okx)
            {
                pipeline.Post(Trade(btc, VenueId.Okx, 105_000m, now)); // 5 % off
                posted++;
            }

            var expected = posted;
            await WaitFor(() => pipeline.Stats.Processed == expected);
            // Ten ticks of 100 ms. Their sentinels are queued ahead of the next second's trades, so the next wait covers them.
            time.Advance(TimeSpan.FromSeconds(1));
        }

        // 1. Four honest sources and one 5 % off: it is excluded, the fair price stays inside the honest spread.
        for (var s = 0; s < 5; s++) await Second(honest: true, okx: true, silentFrom: 4);
        await WaitFor(() => sink.FairPrices.LastOrDefault().SourcesKnown == 5);
        var first = sink.FairPrices.Last();
        Assert.InRange(first.Price, 99_990m, 100_020m);
        Assert.Equal((FairPriceStatus.Ok, 4, 5), (first.Status, first.SourcesUsed, first.SourcesKnown));
        Assert.Equal(SourceStatus.Outlier, details.Last().Single(d => d.Venue == VenueId.Okx).Status);
        Assert.All(sink.FairPrices, p => Assert.InRange(p.Price, 99_990m, 100_020m));

        // 2. Bybit goes silent (and the outlier too): after the 30 s staleness limit it is dropped.
        for (var s = 0; s < 32; s++) await Second(honest: true, okx: false, silentFrom: 3);
        await WaitFor(() => sink.FairPrices.LastOrDefault().SourcesUsed == 3);
        var dropped = details.Last();
        Assert.Equal(SourceStatus.Stale, dropped.Single(d => d.Venue == VenueId.Bybit).Status);
        Assert.Equal(FairPriceStatus.Ok, sink.FairPrices.Last().Status);
        Assert.InRange(sink.FairPrices.Last().Price, 99_990m, 100_020m);

        // 3. Everyone goes silent: stale, the last value held.
        var held = sink.FairPrices.Last().Price;
        for (var s = 0; s < 32; s++) await Second(honest: false, okx: false, silentFrom: 0);
        await WaitFor(() => sink.FairPrices.LastOrDefault().Status == FairPriceStatus.Stale);
        var stale = sink.FairPrices.Last();
        Assert.Equal((held, 0), (stale.Price, stale.SourcesUsed));
        Assert.Equal(FairPriceStatus.Stale, pipeline.LatestFairPrices[btc].Status);
        await pipeline.CompleteAsync();
    }

    internal static async Task WaitFor(Func<bool> condition)
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
