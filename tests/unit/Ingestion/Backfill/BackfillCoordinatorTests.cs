using System.Collections.Concurrent;
using System.Threading.Channels;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Backfill;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Unit.Ingestion.Backfill;

/// <summary>The tracker turns breaks into requests with exact bounds; the coordinator fills each one exactly once.</summary>
public sealed class BackfillCoordinatorTests : IAsyncLifetime
{
    private const long Ms = 1_000_000;
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly ReferenceData _refData = new();
    private readonly InstrumentId _btc;
    private readonly Output _output = new();
    private readonly Outcomes _outcomes = new();
    private readonly ConcurrentQueue<DeadLetter> _deadLetters = new();
    private readonly IngestionCounters _counters = new();
    private BackfillCoordinator? _coordinator;

    public BackfillCoordinatorTests() =>
        _btc = _refData.Map(VenueId.Binance, "BTCUSDT", InstrumentSpec.Spot("BTC", "USDT")).Id;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_coordinator is not null) await _coordinator.DisposeAsync();
    }

    private long T(long ms) => Start.ToUnixTimeMilliseconds() * Ms + ms * Ms;

    private MarketEvent Trade(long id, long ms, EventFlags flags = EventFlags.None) => new()
    {
        Kind = EventKind.Trade,
        Instrument = _btc,
        Venue = VenueId.Binance,
        Provider = ProviderId.Binance,
        Price = 100m + id,
        Size = 1m,
        Side = Side.Buy,
        TradeId = TradeId.Numeric(id),
        ExchangeTimeNs = T(ms),
        ReceiveTimeNs = T(ms) + Ms,
        Flags = flags,
    };

    private BackfillTracker Start_(FakeClient client, BackfillOptions? options = null)
    {
        _coordinator = new BackfillCoordinator(client, options ?? new BackfillOptions { SettleDelay = TimeSpan.Zero }, _counters, _deadLetters.Enqueue,
            _outcomes, time: _time);
        _coordinator.Start(_output);
        return _coordinator.CreateTracker(_refData, SequenceScope.TradeIdPerInstrument, 0);
    }

    private static SequenceGap Gap(MarketEvent e, long last, long received) =>
        new(e.Provider, e.Venue, e.Instrument, EventKind.Trade, last, received, e.ReceiveTimeNs);

    [Fact]
    public async Task A_sequence_gap_is_filled_with_exactly_the_missing_trades_flagged_and_in_order()
    {
        var client = new FakeClient(consecutive: true, (r, _) => Enumerable.Range(3, 9).Select(i => Trade(i, i * 10)).Reverse().ToList());
        var tracker = Start_(client);
        for (var i = 1; i <= 5; i++) tracker.OnTrade(Trade(i, i * 10));
        var after = Trade(9, 90);
        tracker.OnGap(Gap(after, 5, 9));
        tracker.OnTrade(after);

        var outcome = await _outcomes.NextAsync();

        Assert.Equal(BackfillResult.Complete, outcome.Result);
        Assert.Equal(3, outcome.Filled);
        Assert.Equal(0, outcome.Missing);
        var request = Assert.Single(client.Requests);
        Assert.Equal(("BTCUSDT", TradeId.Numeric(5), TradeId.Numeric(9), T(50), T(90), BackfillReason.SequenceGap),
            (request.Symbol, request.FromId, request.ToId, request.FromTimeNs, request.ToTimeNs, request.Reason));
        Assert.Equal([6L, 7L, 8L], _output.Events.Select(e => e.TradeId.AsLong));
        Assert.All(_output.Events, e => Assert.True(e.IsBackfill && !e.IsSnapshot));
        Assert.Equal(3, _counters.Backfill.Filled);
        Assert.Equal(1, _counters.Backfill.Breaks(BackfillResult.Complete));
    }

    [Fact]
    public async Task A_trade_of_the_break_delivered_as_a_snapshot_is_neither_filled_again_nor_missing()
    {
        // Coinbase greets a resubscribe with last_match: a trade from inside the break, delivered (as a snapshot) after all.
        var client = new FakeClient(consecutive: true, (_, _) => [Trade(6, 60), Trade(7, 70), Trade(8, 80)]);
        var tracker = Start_(client);
        tracker.OnTrade(Trade(5, 50));
        tracker.OnReconnect();
        tracker.OnTrade(Trade(8, 80, EventFlags.Snapshot));
        tracker.OnTrade(Trade(9, 90));

        var outcome = await _outcomes.NextAsync();

        Assert.Equal((BackfillResult.Complete, 2L, (long?)0), (outcome.Result, outcome.Filled, outcome.Missing));
        Assert.Equal([6L, 7L], _output.Events.Select(e => e.TradeId.AsLong));
    }

    [Fact]
    public async Task A_partly_served_gap_is_partial_with_the_missing_count()
    {
        var client = new FakeClient(consecutive: true, (_, _) => [Trade(6, 60), Trade(8, 80)]);
        var tracker = Start_(client);
        tracker.OnTrade(Trade(5, 50));
        var after = Trade(10, 100);
        tracker.OnGap(Gap(after, 5, 10));
        tracker.OnTrade(after);

        var outcome = await _outcomes.NextAsync();

        Assert.Equal((BackfillResult.Partial, 2L, (long?)2), (outcome.Result, outcome.Filled, outcome.Missing));
        Assert.Contains("2 of 4", outcome.Error);
        Assert.Equal(2, _counters.Backfill.Missing);
    }

    [Fact]
    public async Task A_reconnect_is_filled_by_time_without_what_the_stream_delivered_before_during_or_after_the_break()
    {
        // Random ids: the fill is by time, and the bounds' neighbours at the same timestamps are known by id.
        var client = new FakeClient(consecutive: false, (_, _) =>
            [Trade(101, 100), Trade(102, 100), Trade(103, 150), Trade(104, 200), Trade(105, 300), Trade(106, 300), Trade(107, 300), Trade(108, 400)]);
        var tracker = Start_(client);
        tracker.OnTrade(Trade(101, 100));
        tracker.OnTrade(Trade(102, 100));
        tracker.OnReconnect();
        tracker.OnTrade(Trade(103, 150, EventFlags.Snapshot)); // history on resubscribe: known, but does not close the break
        tracker.OnTrade(Trade(106, 300)); // the first live trade after the break
        tracker.OnTrade(Trade(107, 300)); // delivered live after it, at the same time

        var outcome = await _outcomes.NextAsync();

        var request = Assert.Single(client.Requests);
        Assert.Equal((BackfillReason.Reconnect, TradeId.Numeric(102), TradeId.Numeric(106)), (request.Reason, request.FromId, request.ToId));
        Assert.Equal([104L, 105L], _output.Events.Select(e => e.TradeId.AsLong));
        Assert.Equal((BackfillResult.Complete, 2L), (outcome.Result, outcome.Filled));
    }

    [Fact]
    public async Task A_history_that_no_longer_reaches_the_start_is_partial_with_an_unknown_count()
    {
        var client = new FakeClient(consecutive: false, (_, _) => [Trade(7, 70)], reachedStart: false);
        var tracker = Start_(client);
        tracker.OnTrade(Trade(5, 50));
        tracker.OnReconnect();
        tracker.OnTrade(Trade(9, 90));

        var outcome = await _outcomes.NextAsync();

        Assert.Equal((BackfillResult.Partial, 1L, (long?)null), (outcome.Result, outcome.Filled, outcome.Missing));
        Assert.Equal(1, _counters.Backfill.For(VenueId.Binance).BreaksWithUnknownMissing);
    }

    [Fact]
    public async Task A_break_longer_than_the_limit_is_skipped_and_not_fetched()
    {
        var client = new FakeClient(consecutive: true, List<MarketEvent> (_, _) => throw new InvalidOperationException("must not fetch"));
        var tracker = Start_(client, new BackfillOptions { SettleDelay = TimeSpan.Zero, MaxTrades = 100 });
        tracker.OnTrade(Trade(5, 50));
        var after = Trade(500, 90);
        tracker.OnGap(Gap(after, 5, 500));
        tracker.OnTrade(after);

        var outcome = await _outcomes.NextAsync();

        Assert.Equal((BackfillResult.Skipped, (long?)494), (outcome.Result, outcome.Missing));
        Assert.Empty(client.Requests);
    }

    [Fact]
    public async Task A_bad_answer_is_dead_lettered_and_the_next_break_is_still_filled()
    {
        var calls = 0;
        var client = new FakeClient(consecutive: true, (_, _) => Interlocked.Increment(ref calls) == 1
            ? throw new BackfillException(FrameReason.VenueError, "HTTP 400", "{\"code\":-1121}"u8.ToArray())
            : [Trade(21, 210)]);
        var tracker = Start_(client);
        tracker.OnTrade(Trade(5, 50));
        var first = Trade(7, 70);
        tracker.OnGap(Gap(first, 5, 7));
        tracker.OnTrade(first);
        var failed = await _outcomes.NextAsync();
        tracker.OnTrade(Trade(20, 200));
        var second = Trade(22, 220);
        tracker.OnGap(Gap(second, 20, 22));
        tracker.OnTrade(second);
        var filled = await _outcomes.NextAsync();

        Assert.Equal((BackfillResult.Failed, (long?)1), (failed.Result, failed.Missing));
        var letter = Assert.Single(_deadLetters);
        Assert.Equal(FrameReason.VenueError, letter.Reason);
        Assert.Contains("-1121", System.Text.Encoding.UTF8.GetString(letter.Raw));
        Assert.Equal((BackfillResult.Complete, 1L), (filled.Result, filled.Filled));
        Assert.Equal([21L], _output.Events.Select(e => e.TradeId.AsLong));
    }

    [Fact]
    public async Task Invalid_fetched_trades_are_dead_lettered_and_counted_as_missing()
    {
        var client = new FakeClient(consecutive: true, (_, _) => [Trade(6, 60) with { Price = -1m }, Trade(7, 70)]);
        var tracker = Start_(client);
        tracker.OnTrade(Trade(5, 50));
        var after = Trade(8, 80);
        tracker.OnGap(Gap(after, 5, 8));
        tracker.OnTrade(after);

        var outcome = await _outcomes.NextAsync();

        Assert.Equal((BackfillResult.Partial, 1L, (long?)1), (outcome.Result, outcome.Filled, outcome.Missing));
        Assert.Equal(FrameReason.InvalidPrice, Assert.Single(_deadLetters).Reason);
    }

    [Fact]
    public async Task A_full_queue_drops_the_new_request_and_reports_it()
    {
        var release = new TaskCompletionSource();
        var client = new FakeClient(consecutive: true, async (_, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return [];
        });
        var tracker = Start_(client, new BackfillOptions { SettleDelay = TimeSpan.Zero, QueueCapacity = 1 });
        var instruments = Enumerable.Range(0, 3).Select(i => _refData.Map(VenueId.Binance, $"X{i}USDT", InstrumentSpec.Spot($"X{i}", "USDT")).Id).ToArray();
        foreach (var inst in instruments)
        {
            tracker.OnTrade(Trade(1, 10) with { Instrument = inst });
        }

        tracker.OnReconnect();
        tracker.OnTrade(Trade(3, 30) with { Instrument = instruments[0] }); // taken by the worker, which waits
        await client.Started.Task;
        tracker.OnTrade(Trade(3, 30) with { Instrument = instruments[1] }); // queued
        tracker.OnTrade(Trade(3, 30) with { Instrument = instruments[2] }); // refused

        var dropped = await _outcomes.NextAsync();
        var waiting = _coordinator!.Queued;
        release.SetResult();

        Assert.Equal(BackfillResult.Dropped, dropped.Result);
        Assert.Equal(instruments[2], dropped.Request.Instrument);
        Assert.Contains("queue full", dropped.Error);
        Assert.Equal(1, waiting); // the second request waits; the refused third is not counted as waiting
    }

    [Fact]
    public async Task The_fetch_waits_for_the_settle_delay_on_the_clock()
    {
        DateTimeOffset? fetchedAt = null;
        var client = new FakeClient(consecutive: true, (_, _) =>
        {
            fetchedAt = _time.GetUtcNow();
            return [Trade(6, 60)];
        });
        var tracker = Start_(client, new BackfillOptions { SettleDelay = TimeSpan.FromSeconds(2) });
        tracker.OnTrade(Trade(5, 50));
        var after = Trade(7, 70) with { ReceiveTimeNs = _time.GetUtcNow().ToUnixTimeMilliseconds() * Ms };
        tracker.OnGap(Gap(after, 5, 7));
        tracker.OnTrade(after);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(client.Requests);
        _time.Advance(TimeSpan.FromSeconds(1));
        var outcome = await _outcomes.NextAsync();

        // The clock only moves when the test advances it: a fetch that did not wait would have seen an earlier time.
        Assert.Equal(BackfillResult.Complete, outcome.Result);
        Assert.Equal(Start.AddSeconds(2), fetchedAt);
    }

    private sealed class FakeClient(bool consecutive, Func<BackfillRequest, CancellationToken, Task<List<MarketEvent>>> fetch, bool reachedStart = true)
        : IBackfillClient
    {
        public FakeClient(bool consecutive, Func<BackfillRequest, CancellationToken, List<MarketEvent>> fetch, bool reachedStart = true)
            : this(consecutive, (r, ct) => Task.FromResult(fetch(r, ct)), reachedStart)
        {
        }

        public ConcurrentQueue<BackfillRequest> Requests { get; } = new();

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool ConsecutiveIds => consecutive;

        public async Task<BackfillFetch> FetchAsync(BackfillRequest request, int maxTrades, long receiveTimeNs, CancellationToken cancellationToken)
        {
            Requests.Enqueue(request);
            Started.TrySetResult();
            return new BackfillFetch(await fetch(request, cancellationToken), reachedStart);
        }
    }

    private sealed class Output : IEventBatchObserver
    {
        public ConcurrentQueue<MarketEvent> Queue { get; } = new();

        public IReadOnlyList<MarketEvent> Events => [.. Queue];

        public ValueTask OnNextBatchAsync(ReadOnlyMemory<MarketEvent> events, CancellationToken cancellationToken)
        {
            foreach (var e in events.Span) Queue.Enqueue(e);
            return default;
        }

        public void OnNext(MarketEvent value) => Queue.Enqueue(value);

        public void OnError(Exception error) => throw error;

        public void OnCompleted()
        {
        }
    }

    private sealed class Outcomes : IBackfillSink
    {
        private readonly Channel<BackfillOutcome> _channel = Channel.CreateUnbounded<BackfillOutcome>();

        public void OnBackfill(BackfillOutcome outcome) => _channel.Writer.TryWrite(outcome);

        public async Task<BackfillOutcome> NextAsync() => await _channel.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
    }
}
