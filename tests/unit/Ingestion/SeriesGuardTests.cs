using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Transport;

namespace Cloudwall.Rx.Tests.Unit.Ingestion;

public sealed class SeriesGuardTests
{
    private static MarketEvent Trade(int instrument, long tradeId, long seq = 0) => new()
    {
        Kind = EventKind.Trade,
        Instrument = new InstrumentId(instrument),
        Venue = VenueId.Coinbase,
        Provider = ProviderId.Coinbase,
        Price = 1m,
        Size = 1m,
        TradeId = TradeId.Numeric(tradeId),
        Sequence = seq,
    };

    [Fact]
    public void Trade_id_contiguity_reports_each_gap_with_its_size()
    {
        var guard = new SeriesGuard(SequenceScope.TradeIdPerInstrument);
        var gaps = new List<SequenceGap>();
        foreach (var id in new long[] { 10, 11, 12, 18, 19, 25 })
        {
            Assert.True(guard.Admit(Trade(1, id), 0, out var gap, out var has));
            if (has) gaps.Add(gap);
        }

        Assert.Equal([5L, 5L], gaps.Select(g => g.Missing));
        Assert.Equal((12L, 18L), (gaps[0].LastSeen, gaps[0].Received));
        Assert.Equal(2, guard.Gaps);
        Assert.Equal(10, guard.MissingTotal);
    }

    [Fact]
    public void Series_are_independent_per_instrument()
    {
        var guard = new SeriesGuard(SequenceScope.TradeIdPerInstrument);
        Assert.True(guard.Admit(Trade(1, 100), 0, out _, out _));
        Assert.True(guard.Admit(Trade(2, 500), 0, out _, out _));
        Assert.True(guard.Admit(Trade(1, 101), 0, out _, out var h1));
        Assert.True(guard.Admit(Trade(2, 501), 0, out _, out var h2));
        Assert.False(h1 || h2);
    }

    [Fact]
    public void A_trade_repeated_after_a_reconnect_is_dropped_once_and_counted()
    {
        var guard = new SeriesGuard(SequenceScope.None);
        for (var id = 1; id <= 50; id++) Assert.True(guard.Admit(Trade(1, id), 0, out _, out _));
        // The venue replays its last trades after a reconnect.
        for (var id = 45; id <= 50; id++) Assert.False(guard.Admit(Trade(1, id), 0, out _, out _));
        Assert.True(guard.Admit(Trade(1, 51), 0, out _, out _));
        Assert.Equal(6, guard.Duplicates);
        // The same id on another instrument is a different trade.
        Assert.True(guard.Admit(Trade(2, 50), 0, out _, out _));
    }

    [Fact]
    public void The_de_duplication_window_is_bounded_and_forgets_the_oldest()
    {
        var guard = new SeriesGuard(SequenceScope.None, dedupWindow: 100);
        for (var id = 1; id <= 1000; id++) Assert.True(guard.Admit(Trade(1, id), 0, out _, out _));
        Assert.False(guard.Admit(Trade(1, 950), 0, out _, out _)); // still remembered
        Assert.True(guard.Admit(Trade(1, 5), 0, out _, out _)); // long forgotten: admitted
    }

    [Fact]
    public void Sequence_per_instrument_and_kind_counts_reordering_without_dropping()
    {
        var guard = new SeriesGuard(SequenceScope.PerInstrumentAndKind);
        var quote = new MarketEvent { Kind = EventKind.Quote, Instrument = new InstrumentId(1), Sequence = 7 };
        Assert.True(guard.Admit(quote, 0, out _, out _));
        Assert.True(guard.Admit(quote with { Sequence = 6 }, 0, out _, out var has));
        Assert.False(has);
        Assert.Equal(1, guard.OutOfOrder);
        Assert.True(guard.Admit(quote with { Sequence = 9 }, 0, out var gap, out has));
        Assert.True(has);
        Assert.Equal(1, gap.Missing);
    }

    [Fact]
    public void Admitting_allocates_nothing_after_warm_up()
    {
        var guard = new SeriesGuard(SequenceScope.TradeIdPerInstrument, dedupWindow: 1024);
        long id = 1;
        for (var i = 0; i < 5000; i++) guard.Admit(Trade(1 + i % 4, id++), 0, out _, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5000; i++) guard.Admit(Trade(1 + i % 4, id++), 0, out _, out _);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(1, 0.0, 500)]
    [InlineData(1, 0.999999, 1000)]
    [InlineData(3, 0.0, 2000)]
    [InlineData(20, 1.0, 30_000)] // capped
    public void Backoff_doubles_with_equal_jitter_and_a_cap(int attempt, double random, double expectedMs) =>
        Assert.Equal(expectedMs, Backoff.Delay(attempt, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), random).TotalMilliseconds, 0);
}
