using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Backfill;

namespace Cloudwall.Rx.Tests.Integration.Simulation;

/// <summary>
/// The gap a <c>DropTrades</c> fault leaves in a live trade stream, found the way the coordinator sees it (the last trade
/// before the jump and the first after), and the <see cref="BackfillRequest"/> for it. Shared by the venues' back-fill tests.
/// </summary>
internal static class LiveGap
{
    /// <summary>The first pair of consecutive live trades whose <paramref name="number"/> (trade id or sequence) jumps by more than 1.</summary>
    public static (MarketEvent Before, MarketEvent After)? Find(IEnumerable<MarketEvent> events, Func<MarketEvent, long> number)
    {
        MarketEvent? previous = null;
        foreach (var e in events.Where(e => e.Kind == EventKind.Trade).OrderBy(number))
        {
            if (previous is { } p && number(e) - number(p) > 1)
            {
                return (p, e);
            }

            previous = e;
        }

        return null;
    }

    public static BackfillRequest Request(string symbol, MarketEvent before, MarketEvent after) =>
        new(before.Provider, before.Venue, before.Instrument, symbol, 0, BackfillReason.SequenceGap, before.ExchangeTimeNs, before.TradeId,
            after.ExchangeTimeNs, after.TradeId, after.ReceiveTimeNs);

    /// <summary>What a fetch returned strictly inside the interval (the two bounds removed, as the coordinator does).</summary>
    public static MarketEvent[] Inside(BackfillFetch fetch, BackfillRequest request) =>
        [.. fetch.Trades.Where(t => t.TradeId != request.FromId && t.TradeId != request.ToId).OrderBy(t => t.ExchangeTimeNs).ThenBy(t => t.Sequence)];
}
