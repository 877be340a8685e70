using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Hosting.Levels;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Simulation;
using Cloudwall.Rx.Simulation.Binance;
using Cloudwall.Rx.Simulation.Market;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Tests.Integration.Binance;

/// <summary>
/// Every Binance level of every Binance kind, wired as Hosting wires it (<see cref="ProviderKind.Create"/> with
/// <c>Providers:&lt;name&gt;:Level</c>) against the kind's own simulator, delivers what the level promises; and
/// <c>compare-levels</c> reports what the simulator sent.
/// </summary>
public sealed class BinanceLevelTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData("binance", "trades", new[] { "btcusdt@trade", "btcusdt@bookTicker" })]
    [InlineData("binance", "aggregated", new[] { "btcusdt@aggTrade", "btcusdt@bookTicker" })]
    [InlineData("binance", "quotes", new[] { "btcusdt@bookTicker" })]
    [InlineData("binance-usdm", "aggregated", new[] { "btcusdt@aggTrade", "btcusdt@bookTicker", "btcusdt@markPrice@1s" })]
    [InlineData("binance-usdm", "quotes", new[] { "btcusdt@bookTicker", "btcusdt@markPrice@1s" })]
    [InlineData("binance-coinm", "aggregated", new[] { "btcusd_perp@aggTrade", "btcusd_perp@bookTicker", "btcusd_perp@markPrice@1s" })]
    [InlineData("binance-coinm", "quotes", new[] { "btcusd_perp@bookTicker", "btcusd_perp@markPrice@1s" })]
    public async Task Each_level_subscribes_its_streams_and_delivers_the_events_it_promises(string name, string level, string[] streams)
    {
        Assert.True(ProviderCatalog.TryGet(name, out var kind));
        var symbol = name == "binance-coinm" ? "BTCUSD_PERP" : "BTCUSDT";
        var options = new ProviderOptions { Type = name, Symbols = [symbol], Level = level };
        await using var sim = await kind.Simulate(SimulatorContext(), options, CancellationToken.None);
        var refData = new ReferenceData();
        kind.RegisterSymbols(refData);
        var sinks = new Sinks();
        var provider = kind.Create(new ProviderContext(refData, sinks, sinks, TimeProvider.System, NullLoggerFactory.Instance), options, sim.Endpoint);
        var events = new BinanceProviderTests.EventCollector();
        using (provider.Events.Subscribe(events))
        {
            var futures = name != "binance";
            var quotesOnly = level == ProviderLevel.QuotesName;
            await events.WaitAsync(es => es.Count(e => e.Kind == EventKind.Quote) >= 60
                && (quotesOnly || es.Count(e => e.Kind == EventKind.Trade) >= 20)
                && (!futures || es.Any(e => e.Kind == EventKind.Mark)), Deadline);

            var seen = events.Snapshot();
            if (quotesOnly)
            {
                Assert.DoesNotContain(seen, e => e.Kind == EventKind.Trade);
            }

            Assert.Equal(futures, seen.Any(e => e.Kind is EventKind.Mark or EventKind.Index or EventKind.Funding));
            Assert.Equal(streams.Order(StringComparer.Ordinal), sim.Stats.Connections.SelectMany(c => c.Subscriptions).Order(StringComparer.Ordinal));
            Assert.Equal(0, provider.Counters.RejectedFrames);
            Assert.Equal(0, sinks.DeadLetters);
        }
    }

    [Fact]
    public async Task Compare_levels_on_two_levels_of_the_Binance_simulator_reports_the_byte_saving_and_VWAP_difference_that_was_sent()
    {
        Assert.True(ProviderCatalog.TryGet("binance", out var kind));
        var options = new ProviderOptions { Type = "binance", Symbols = ["BTCUSDT", "ETHUSDT"] };
        await using var sim = await kind.Simulate(SimulatorContext(), options, CancellationToken.None);

        var report = await LevelComparison.RunAsync("binance", kind, options, sim.Endpoint,
            new LevelComparisonSettings("trades", "aggregated", TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(1), new LevelThresholds()),
            TimeProvider.System, NullLoggerFactory.Instance, CancellationToken.None);

        var sent = sim.Stats.SentByStream;
        var traded = sim.Stats.TradedBySymbol;
        Assert.All(report.Instruments, i =>
        {
            Assert.True(i.ComparedIntervals >= 1, $"{i.Symbol}: {i.ComparedIntervals} intervals");
            // The same fills, merged per taker order: fewer messages, exactly the same volume and VWAP.
            Assert.True(i.B.Trades < i.A.Trades, $"{i.Symbol}: {i.B.Trades} aggregates of {i.A.Trades} trades");
            Assert.Equal(i.A.Volume, i.B.Volume);
            Assert.Equal(0.0, i.VolumeDiffPct!.Value, 9);
            Assert.Equal(0.0, i.VwapDiffBp!.Value, 9);
            Assert.All(i.Intervals, row => Assert.Equal(row.A.Volume, row.B.Volume));
            // And the VWAP is the simulator's: its compared intervals lie within what the simulator traded.
            var truth = traded[i.Symbol];
            Assert.True(i.A.Volume <= truth.Volume);
            Assert.True(Math.Abs((double)((i.A.Vwap!.Value - truth.Vwap!.Value) / truth.Vwap.Value)) * 1e4 < 10, $"{i.Symbol}: VWAP {i.A.Vwap} vs sent {truth.Vwap}");
            Assert.True(i.Pass, string.Join("; ", i.Notes));
        });

        // Bytes: both levels received the same bookTickers, so the saving is what the simulator sent as trade minus aggTrade;
        // and each level's ingress is its trade stream plus half the bookTickers (a few frames in flight at the stop aside).
        var savingSent = sent["trade"].Bytes - sent["aggTrade"].Bytes;
        var savingReported = report.A.IngressBytes - report.B.IngressBytes;
        Assert.True(savingSent > 0);
        Assert.InRange(savingReported, savingSent * 0.97, savingSent * 1.03);
        Assert.InRange(report.A.IngressBytes, (sent["trade"].Bytes + sent["bookTicker"].Bytes / 2) * 0.98, (sent["trade"].Bytes + sent["bookTicker"].Bytes / 2) * 1.02);
        Assert.InRange(report.B.IngressBytes, (sent["aggTrade"].Bytes + sent["bookTicker"].Bytes / 2) * 0.98, (sent["aggTrade"].Bytes + sent["bookTicker"].Bytes / 2) * 1.02);
        Assert.True(report.Pass);
        Assert.Equal(0, report.SequenceGaps);
        Assert.Equal(0, report.DeadLetters);
    }

    [Fact]
    public async Task At_the_quotes_level_the_fair_price_comes_from_quote_mids_and_the_saving_is_the_trade_stream()
    {
        Assert.True(ProviderCatalog.TryGet("binance", out var kind));
        var options = new ProviderOptions { Type = "binance", Symbols = ["BTCUSDT"] };
        await using var sim = await kind.Simulate(SimulatorContext(), options, CancellationToken.None);

        var report = await LevelComparison.RunAsync("binance", kind, options, sim.Endpoint,
            new LevelComparisonSettings("trades", "quotes", TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(1), new LevelThresholds()),
            TimeProvider.System, NullLoggerFactory.Instance, CancellationToken.None);

        var i = Assert.Single(report.Instruments);
        Assert.Equal(0, i.B.Trades);
        Assert.Null(i.VolumeDiffPct);
        Assert.Null(i.VwapDiffBp);
        Assert.Contains(i.Notes, n => n.Contains("B carries no trades", StringComparison.Ordinal));
        Assert.True(i.B.FairPrices > 0, "a quotes-only level still prices, from mids");
        Assert.NotNull(i.FairDiffBp);
        Assert.True(i.FairDiffBp < LevelThresholds.DefaultMaxFairBp, $"fair differs by {i.FairDiffBp} bp");
        var sent = sim.Stats.SentByStream;
        Assert.InRange(report.A.IngressBytes - report.B.IngressBytes, sent["trade"].Bytes * 0.97, sent["trade"].Bytes * 1.03);
    }

    private static SimulatorContext SimulatorContext() =>
        new(new SyntheticMarket(42), new SimulationOptions { TradesPerSecond = 50 }, TimeProvider.System, NullLoggerFactory.Instance);

    private sealed class Sinks : IDeadLetterSink, ISequenceGapSink
    {
        private long _deadLetters;

        public long DeadLetters => Interlocked.Read(ref _deadLetters);

        public void OnDeadLetter(DeadLetter letter) => Interlocked.Increment(ref _deadLetters);

        public void OnSequenceGap(SequenceGap gap)
        {
        }
    }
}
