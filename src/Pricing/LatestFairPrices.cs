using System.Collections.Concurrent;
using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Pricing;

/// <summary>
/// The newest fair price per instrument, for views and summaries (updated on emission, not per event), and the one copy
/// of the rule of which price stands for an instrument: where it has both, the trade-based price wins over the
/// mark-based one; options have only the mark-based one.
/// </summary>
public sealed class LatestFairPrices
{
    private readonly ConcurrentDictionary<InstrumentId, FairPrice> _latest = new();

    public IReadOnlyDictionary<InstrumentId, FairPrice> View => _latest;

    public void Offer(in FairPrice fp)
    {
        if (fp.Method == FairPriceMethod.TradeBased || !_latest.TryGetValue(fp.Instrument, out var held) || held.Method == FairPriceMethod.MarkBased)
        {
            _latest[fp.Instrument] = fp;
        }
    }
}
