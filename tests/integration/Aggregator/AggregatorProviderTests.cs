using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Aggregator;
using Microsoft.Extensions.Logging;
using static Cloudwall.Rx.Tests.Integration.Aggregator.AggregatorHarness;

namespace Cloudwall.Rx.Tests.Integration.Aggregator;

/// <summary>The aggregator provider against the aggregator simulator over loopback HTTP/2. Every wait has a deadline on data.</summary>
public sealed class AggregatorProviderTests
{
    private const string CbseBtc = "cbse:spot:btc-usd";
    private const string CbseEth = "cbse:spot:eth-usd";
    private const string KrknBtc = "krkn:spot:btc-usd";
    private const string BincBtc = "binc:perpetual-future:btc-usdt";
    private const string BincEth = "binc:perpetual-future:eth-usdt";

    [Fact]
    public async Task Trades_arrive_with_venue_provider_canonical_instrument_exact_decimals_and_taker_side()
    {
        await using var h = (await StartAsync([CbseBtc, BincBtc])).Subscribe();

        await h.UntilEventsAsync(e => e.Venue == VenueId.Coinbase, 20, "coinbase trades");
        await h.UntilEventsAsync(e => e.Venue == VenueId.BinanceUsdm, 20, "binance trades");

        var events = h.Events();
        Assert.All(events, e =>
        {
            Assert.Equal(EventKind.Trade, e.Kind);
            Assert.Equal(ProviderId.Aggregator, e.Provider);
            Assert.True(e.Price > 0 && e.Size > 0);
            Assert.Equal(8, e.Size.Scale); // "0.01234500" keeps its eight decimals: parsed exactly, never through double
            Assert.Equal(TradeIdKind.Numeric, e.TradeId.Kind);
            Assert.InRange(e.ExchangeTime, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddSeconds(1));
            Assert.True(e.ReceiveTimeNs >= e.ExchangeTimeNs);
        });
        Assert.All(events.Where(e => e.Venue == VenueId.Coinbase), e =>
        {
            Assert.Equal("BTC-USD.SPOT", h.KeyOf(e));
            Assert.True(e.Price.Scale <= 2, $"price {e.Price} on a 0.01 tick");
        });
        Assert.All(events.Where(e => e.Venue == VenueId.BinanceUsdm), e =>
        {
            Assert.Equal("BTC-USDT.PERP", h.KeyOf(e));
            Assert.True(e.Price.Scale <= 1, $"price {e.Price} on a 0.1 tick");
        });
        Assert.Contains(events, e => e.Side == Side.Buy);
        Assert.Contains(events, e => e.Side == Side.Sell);
        Assert.DoesNotContain(events, e => e.Venue != VenueId.Coinbase && e.Venue != VenueId.BinanceUsdm);

        // One shard, one call: sequence_id runs 1, 2, 3, ... in arrival order.
        var seqs = events.Select(e => e.Sequence).ToList();
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs);
        Assert.Equal(0, h.Provider.SequenceGaps);
        Assert.Equal(2, h.Provider.ActiveSubscriptions);
        Assert.Null(h.Error);
    }

    [Fact]
    public async Task Wildcard_criteria_select_only_spot()
    {
        await using var h = (await StartAsync(["*:spot:*"])).Subscribe();

        await h.UntilEventsAsync(e => e.Venue == VenueId.Kraken, 5, "kraken spot trades");
        await h.UntilEventsAsync(e => e.Venue == VenueId.Coinbase, 5, "coinbase spot trades");
        await h.UntilEventsAsync(_ => true, 100, "100 trades");

        var events = h.Events();
        Assert.All(events, e => Assert.EndsWith(".SPOT", h.KeyOf(e), StringComparison.Ordinal));
        Assert.DoesNotContain(events, e => e.Venue == VenueId.Binance || e.Venue == VenueId.BinanceUsdm);
        Assert.Equal(
            ["BTC-USD.SPOT", "ETH-USD.SPOT"],
            events.Select(e => h.KeyOf(e)).Distinct().Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task Wrong_token_gives_no_events_and_reports_the_refusal_without_erroring_the_stream()
    {
        await using var h = (await StartAsync([CbseBtc, KrknBtc], o =>
        {
            o.ApiToken = "wrong-token";
            o.MaxCriteriaPerStream = 1;
        })).Subscribe();

        await UntilAsync(() => h.Provider.Shards.All(s => s.State == AggregatorStreamState.Refused), "both shards refused");

        Assert.Equal(0, h.Count);
        Assert.Null(h.Error);
        Assert.False(h.Completed);
        Assert.Equal(2, h.Provider.Refusals);
        Assert.All(h.Provider.Shards, s =>
        {
            Assert.Equal(1, s.StreamsOpened); // a refused token is not retried in a loop
            Assert.StartsWith("Unauthenticated", s.LastError, StringComparison.Ordinal);
        });
        Assert.Equal(2, h.Provider.Counters.ByReason(FrameReason.VenueError));
        Assert.Equal(2, h.DeadLetters.Count(d => d.Reason == FrameReason.VenueError && d.Provider == ProviderId.Aggregator));
        Assert.Contains(h.Logs.Lines, l => l.Level == LogLevel.Error && l.Message.Contains("refused", StringComparison.Ordinal));
        Assert.DoesNotContain(h.Logs.Lines, l => l.Message.Contains("wrong-token", StringComparison.Ordinal)); // the token is never logged
        Assert.True(h.Simulator.Stats.ProtocolErrors >= 2);
    }

    [Fact]
    public async Task Adding_criteria_restarts_only_the_shard_that_changed_and_the_other_shard_loses_no_sequence()
    {
        // Two per stream: shard 0 = {cbse btc, cbse eth}, shard 1 = {krkn btc}.
        await using var h = (await StartAsync([CbseBtc, CbseEth, KrknBtc], o => o.MaxCriteriaPerStream = 2)).Subscribe();
        await h.UntilEventsAsync(e => e.Venue == VenueId.Coinbase, 10, "coinbase trades (shard 0)");
        await h.UntilEventsAsync(e => e.Venue == VenueId.Kraken, 5, "kraken trades (shard 1)");
        var before = h.Provider.Shards;
        Assert.Equal(2, before.Count);
        Assert.Equal([CbseBtc, CbseEth], before[0].Criteria);
        Assert.Equal([KrknBtc], before[1].Criteria);
        var shard0SequenceAtAdd = before[0].LastSequence;

        // The first fills shard 1 (its call restarts); the second opens shard 2.
        await h.Provider.AddSubscriptionsAsync([BincBtc, BincEth]);

        await h.UntilEventsAsync(e => e.Venue == VenueId.BinanceUsdm && h.KeyOf(e) == "BTC-USDT.PERP", 5, "binance btc perp (shard 1)");
        await h.UntilEventsAsync(e => e.Venue == VenueId.BinanceUsdm && h.KeyOf(e) == "ETH-USDT.PERP", 5, "binance eth perp (shard 2)");
        var mark = h.Count;
        await h.UntilEventsAsync(e => e.Venue == VenueId.Coinbase, 10, "coinbase trades after the add", mark);

        var after = h.Provider.Shards;
        Assert.Equal(3, after.Count);
        Assert.Equal([KrknBtc, BincBtc], after[1].Criteria);
        Assert.Equal([BincEth], after[2].Criteria);
        Assert.Equal(1, after[1].Restarts);
        Assert.Equal(2, after[1].StreamsOpened);

        // Shard 0 kept its one call the whole time ...
        Assert.Equal(1, after[0].StreamsOpened);
        Assert.Equal(0, after[0].Restarts);
        Assert.Equal(0, after[0].Reconnects);
        Assert.Equal(0, after[0].SequenceGaps);
        Assert.True(after[0].LastSequence > shard0SequenceAtAdd);

        // ... and every one of its sequence_ids arrived, in order, across the add.
        var shard0 = h.Events().Where(e => e.Venue == VenueId.Coinbase).Select(e => e.Sequence).ToList();
        Assert.True(shard0[^1] > shard0SequenceAtAdd);
        Assert.Equal(Enumerable.Range(1, shard0.Count).Select(i => (long)i), shard0);
        Assert.Equal(0, h.Provider.SequenceGaps);
        Assert.Equal(5, h.Provider.ActiveSubscriptions);
    }

    [Fact]
    public async Task Removing_criteria_stops_that_instruments_events()
    {
        await using var h = (await StartAsync([CbseBtc, KrknBtc])).Subscribe();
        await h.UntilEventsAsync(e => e.Venue == VenueId.Kraken, 3, "kraken trades");

        h.Provider.RemoveSubscriptions([KrknBtc]);

        // The old call has ended once the new one is open: nothing of it can arrive after this point.
        await UntilAsync(() => h.Provider.Shards[0].StreamsOpened == 2, "the shard reopened without kraken");
        var mark = h.Count;
        await h.UntilEventsAsync(e => e.Venue == VenueId.Coinbase, 30, "coinbase trades after the removal", mark);

        Assert.DoesNotContain(h.Events(mark), e => e.Venue == VenueId.Kraken);
        Assert.Equal(1, h.Provider.ActiveSubscriptions);
        Assert.Equal([CbseBtc], h.Provider.Shards[0].Criteria);
        Assert.Equal(1, h.Provider.Shards[0].Restarts);
        Assert.Equal([CbseBtc], Assert.Single(h.Simulator.Stats.Connections).Subscriptions);
    }

    [Fact]
    public async Task Dropped_connections_reconnect_and_events_resume()
    {
        await using var h = (await StartAsync([CbseBtc, KrknBtc], o => o.MaxCriteriaPerStream = 1)).Subscribe();
        await h.UntilEventsAsync(_ => true, 10, "trades before the drop");

        h.Simulator.Faults.DropConnections();

        await UntilAsync(() => h.Provider.Shards.All(s => s.StreamsOpened >= 2 && s.State == AggregatorStreamState.Streaming), "both shards back");
        var mark = h.Count;
        await h.UntilEventsAsync(e => e.Venue == VenueId.Coinbase, 5, "coinbase trades after reconnecting", mark);
        await h.UntilEventsAsync(e => e.Venue == VenueId.Kraken, 5, "kraken trades after reconnecting", mark);

        Assert.True(h.Provider.Counters.Reconnects >= 2);
        Assert.All(h.Provider.Shards, s => Assert.True(s.Reconnects >= 1));
        Assert.Null(h.Error);
        Assert.False(h.Completed);
        Assert.True(h.Simulator.Stats.ConnectionsAccepted >= 4);
    }

    [Fact]
    public async Task Malformed_updates_are_dead_lettered_and_counted_and_the_stream_goes_on()
    {
        await using var h = (await StartAsync([CbseBtc])).Subscribe();
        await h.UntilEventsAsync(_ => true, 5, "trades before the bad updates");

        h.Simulator.Faults.SendMalformed(2);

        await UntilAsync(() => h.DeadLetters.Count >= 2, "two dead letters");
        var mark = h.Count;
        await h.UntilEventsAsync(_ => true, 10, "trades after the bad updates", mark);

        var letters = h.DeadLetters.ToList();
        var badPrice = Assert.Single(letters, d => d.Reason == FrameReason.Malformed);
        Assert.Equal(VenueId.Coinbase, badPrice.Venue);
        Assert.Contains("65,000.1x", badPrice.Detail, StringComparison.Ordinal);
        Assert.NotEmpty(badPrice.Raw); // the update's protobuf bytes
        var unknown = Assert.Single(letters, d => d.Reason == FrameReason.UnknownSymbol);
        Assert.Equal(VenueId.None, unknown.Venue);
        Assert.Contains("zzzz", unknown.Detail, StringComparison.Ordinal);

        Assert.Equal(2, h.Provider.Counters.RejectedFrames);
        Assert.Equal(1, h.Provider.Counters.ByReason(FrameReason.Malformed));
        Assert.Equal(1, h.Provider.Counters.ByReason(FrameReason.UnknownSymbol));
        Assert.Equal(0, h.Provider.SequenceGaps); // bad updates still take their sequence number
        Assert.Equal(1, h.Provider.Shards[0].StreamsOpened);
        Assert.Null(h.Error);
    }

    [Fact]
    public async Task Updates_with_an_absurd_exchange_time_are_refused_by_the_event_validation_and_the_stream_goes_on()
    {
        await using var h = (await StartAsync([CbseBtc])).Subscribe();
        await h.UntilEventsAsync(_ => true, 5, "trades before the lag");

        h.Simulator.Faults.AddLatency(TimeSpan.FromDays(8)); // beyond the default MaxAge of 7 days
        await UntilAsync(() => h.Provider.Counters.RejectedEventsByReason(FrameReason.TimestampPast) >= 2, "two updates refused as timestamp_past");
        h.Simulator.Faults.Reset();
        var mark = h.Count;
        await h.UntilEventsAsync(_ => true, 5, "trades after the lag", mark);

        var letter = h.DeadLetters.First(d => d.Reason == FrameReason.TimestampPast);
        Assert.Equal(VenueId.Coinbase, letter.Venue);
        Assert.StartsWith("BTC-USD.SPOT Trade: exchange time ", letter.Detail, StringComparison.Ordinal);
        Assert.NotEmpty(letter.Raw);
        Assert.Equal(h.Provider.Counters.RejectedEventsByReason(FrameReason.TimestampPast), h.Provider.Counters.ByReason(FrameReason.TimestampPast));
        Assert.Equal(1, h.Provider.Shards[0].StreamsOpened);
        Assert.Null(h.Error);
    }

    [Fact]
    public async Task Skipped_sequence_ids_are_reported_as_gaps()
    {
        await using var h = (await StartAsync([CbseBtc])).Subscribe();
        await h.UntilEventsAsync(_ => true, 5, "trades");

        h.Simulator.Faults.SkipSequence(CbseBtc, 3);

        await UntilAsync(() => !h.Gaps.IsEmpty, "a sequence gap");
        var gap = Assert.Single(h.Gaps);
        Assert.Equal(3, gap.Missing);
        Assert.Equal(VenueId.Coinbase, gap.Venue);
        Assert.Equal("BTC-USD.SPOT", h.RefData.KeyOf(gap.Instrument));
        Assert.Equal(1, h.Provider.SequenceGaps);
    }

    [Fact]
    public async Task A_stream_with_heartbeats_but_no_data_is_restarted_by_the_watchdog()
    {
        await using var h = (await StartAsync([CbseBtc], o => o.StaleAfter = TimeSpan.FromMilliseconds(1500))).Subscribe();
        await h.UntilEventsAsync(_ => true, 5, "trades before the silence");

        h.Simulator.Faults.Silence(); // data stops, heartbeats go on

        await UntilAsync(() => h.Provider.Shards[0].StaleRestarts >= 1, "a stale restart");
        Assert.True(h.Provider.Shards[0].Heartbeats >= 1, "heartbeats arrived, and did not count as data");

        h.Simulator.Faults.Resume();
        var mark = h.Count;
        await h.UntilEventsAsync(_ => true, 5, "trades after the silence", mark);
        Assert.True(h.Provider.Shards[0].StreamsOpened >= 2);
        Assert.Null(h.Error);
    }
}
