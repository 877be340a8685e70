using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Backfill;

namespace Cloudwall.Rx.Tests.Integration.Ingestion;

/// <summary>What the venues' back-fill tests share: finding a live gap, asking for it, and what a fetch recovered.</summary>
internal static class BackfillGap
{
    /// <summary>The interval strictly between two live trades, as the coordinator builds it.</summary>
    public static BackfillRequest Between(MarketEvent before, MarketEvent after, string symbol, BackfillReason reason = BackfillReason.SequenceGap) =>
        new(before.Provider, before.Venue, before.Instrument, symbol, Connection: 0, reason, before.ExchangeTimeNs, before.TradeId,
            after.ExchangeTimeNs, after.TradeId, after.ReceiveTimeNs);

    /// <summary>The first jump in live trades numbered consecutively (by <see cref="MarketEvent.Sequence"/>): the last trade before it and the first after.</summary>
    public static (MarketEvent Before, MarketEvent After)? FirstJump(IEnumerable<MarketEvent> trades)
    {
        var ordered = trades.OrderBy(t => t.Sequence).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            if (ordered[i].Sequence > ordered[i - 1].Sequence + 1)
            {
                return (ordered[i - 1], ordered[i]);
            }
        }

        return null;
    }

    /// <summary>What a fetch adds: its trades without the two bounds and without anything delivered live, in id order of listing.</summary>
    public static List<MarketEvent> Recovered(BackfillFetch fetch, BackfillRequest request, IEnumerable<MarketEvent> live)
    {
        var seen = live.Select(t => t.TradeId).ToHashSet();
        return [.. fetch.Trades.Where(t => t.TradeId != request.FromId && t.TradeId != request.ToId && !seen.Contains(t.TradeId))];
    }

    /// <summary>Waits until <paramref name="condition"/> holds, polling; fails with <paramref name="what"/> after 15 s.</summary>
    public static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + ProviderRunDeadline;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(20);
        }
    }

    private static TimeSpan ProviderRunDeadline => Okx.ProviderRun.Deadline;
}
