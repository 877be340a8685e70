using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Pricing;

/// <summary>
/// What a source is judged against when the majority cannot judge it (docs/fair-price.md §3a-§3b): gross errors at any
/// source count, and which of two disagreeing sources is lying.
/// </summary>
public sealed partial class FairPriceEngine
{
    /// <summary>
    /// The reference of §3a: the median of the eligible prices when a strict majority of them, at least two, lie within the
    /// critical deviation of it; else (<paramref name="external"/>) the series' own last good price while recent, or the
    /// same base on another quote currency from the board, converted; else 0 (only the sources' own history is left).
    /// </summary>
    private decimal Reference(InstrumentState st, Book book, int n, int eligible, decimal median, long nowNs, out bool external)
    {
        var p = st.P;
        var agree = 0;
        for (var i = 0; i < n; i++)
        {
            if (_cStatus[i] == SourceStatus.Used && Math.Abs(_cPrice[i] - median) <= p.Critical * median)
            {
                agree++;
            }
        }

        external = false;
        if (agree >= 2 && 2 * agree > eligible)
        {
            return median;
        }

        var reference = ExternalReference(st, book, nowNs);
        external = reference > 0m;
        return reference;
    }

    /// <summary>References (b) and (c) of §3a: the series' own last good price while recent, else a related market; else 0.</summary>
    private decimal ExternalReference(InstrumentState st, Book book, long nowNs)
    {
        if (book.HasGood && nowNs - book.GoodNs <= st.P.StalenessNs)
        {
            return book.GoodPrice;
        }

        return book.Method == FairPriceMethod.TradeBased && st.Inputs.Length == 0 && RelatedPrice(st, nowNs, out var related) ? related : 0m;
    }

    /// <summary>
    /// Step 3a: marks as <see cref="SourceStatus.Gross"/> every eligible source further than the critical deviation from
    /// <paramref name="reference"/>; without one, the sources that jumped by it in one change within the staleness limit
    /// (unless every one of several did: then nobody stands out). True when any source was excluded.
    /// </summary>
    private bool ExcludeGross(int n, int eligible, decimal reference, bool composite, long nowNs, in Resolved p)
    {
        if (reference == 0m)
        {
            var jumpers = 0;
            for (var i = 0; i < n; i++)
            {
                if (_cStatus[i] == SourceStatus.Used && _cSource[i].JumpedRecently(nowNs, p.StalenessNs))
                {
                    jumpers++;
                }
            }

            if (jumpers == 0 || (jumpers == eligible && eligible > 1))
            {
                return false;
            }
        }

        var any = false;
        for (var i = 0; i < n; i++)
        {
            if (_cStatus[i] != SourceStatus.Used)
            {
                continue;
            }

            var gross = reference > 0m
                ? Math.Abs(_cPrice[i] - reference) > p.Critical * reference
                : _cSource[i].JumpedRecently(nowNs, p.StalenessNs);
            if (gross)
            {
                _cStatus[i] = SourceStatus.Gross;
                // Back among the majority, it is re-admitted by the outlier rule's hysteresis like any outlier.
                (composite ? ref _cSource[i].ExcludedInComposite : ref _cSource[i].Excluded) = true;
                any = true;
            }
        }

        return any;
    }

    /// <summary>
    /// Step 3b: two eligible sources further apart than the outlier threshold of the higher price. The liar is the one
    /// outside the threshold of the external reference while the other is inside (tried at the threshold, then at the
    /// critical deviation), else the one that jumped while the other did not; it becomes an
    /// <see cref="SourceStatus.Outlier"/>. Undecided, both are <see cref="SourceStatus.Disputed"/>. Returns whether an
    /// external reference decided.
    /// </summary>
    private bool SettleSplit(int a, int b, decimal reference, bool composite, long nowNs, in Resolved p)
    {
        var pa = _cPrice[a];
        var pb = _cPrice[b];
        if (Math.Abs(pa - pb) <= p.Threshold * Math.Max(pa, pb))
        {
            return false; // they agree
        }

        var liar = -1;
        if (reference > 0m)
        {
            liar = Outside(pa, pb, reference, p.Threshold * reference, a, b);
            if (liar < 0)
            {
                liar = Outside(pa, pb, reference, p.Critical * reference, a, b);
            }
        }

        var external = liar >= 0;
        if (liar < 0)
        {
            var ja = _cSource[a].JumpedRecently(nowNs, p.StalenessNs);
            var jb = _cSource[b].JumpedRecently(nowNs, p.StalenessNs);
            liar = ja == jb ? -1 : ja ? a : b;
        }

        if (liar < 0)
        {
            _cStatus[a] = SourceStatus.Disputed;
            _cStatus[b] = SourceStatus.Disputed;
            return false;
        }

        _cStatus[liar] = SourceStatus.Outlier;
        (composite ? ref _cSource[liar].ExcludedInComposite : ref _cSource[liar].Excluded) = true;
        return external;
    }

    /// <summary>The index of the one price outside <paramref name="band"/> of the reference while the other is inside; else -1.</summary>
    private static int Outside(decimal pa, decimal pb, decimal reference, decimal band, int a, int b)
    {
        var aIn = Math.Abs(pa - reference) <= band;
        var bIn = Math.Abs(pb - reference) <= band;
        return aIn == bIn ? -1 : aIn ? b : a;
    }

    /// <summary>
    /// The same base asset on another quote currency (USD, USDT, USDC) from the board, converted into this instrument's
    /// quote currency by the quote currencies' USD fair prices, as composites convert (e.g. SOL-USDT × USDT-USD for SOL-USD).
    /// The first one available (present, not stale, within the staleness limit) is taken.
    /// </summary>
    private bool RelatedPrice(InstrumentState st, long nowNs, out decimal price)
    {
        price = 0m;
        if (st.Related.Length == 0 || !TryUsd(st.QuoteRate, nowNs, st.P.StalenessNs, out var ownUsd))
        {
            return false;
        }

        foreach (var related in st.Related)
        {
            if (TryBoard(related.Market, nowNs, st.P.StalenessNs, out var other) && TryUsd(related.Rate, nowNs, st.P.StalenessNs, out var usd))
            {
                price = other * usd / ownUsd;
                return true;
            }
        }

        return false;
    }

    /// <summary>A quote currency's USD value: 1 for USD itself (no rate instrument), else its fair price on the board.</summary>
    private bool TryUsd(RelatedId rate, long nowNs, long stalenessNs, out decimal usd)
    {
        usd = 1m;
        return rate.Key is null || TryBoard(rate, nowNs, stalenessNs, out usd);
    }

    private bool TryBoard(RelatedId market, long nowNs, long stalenessNs, out decimal price)
    {
        price = 0m;
        if (market.Id.IsNone)
        {
            // Resolved on first need: the instrument may have been interned after this one was created.
            if (market.Key is null || _refData is null || !_refData.TryGetByKey(market.Key, out var instrument))
            {
                return false;
            }

            market.Id = instrument.Id;
        }

        return _board.TryRead(market.Id, out price, out var status, out var timeNs) && status != FairPriceStatus.Stale &&
               nowNs - timeNs <= stalenessNs && price > 0m;
    }

    /// <summary>An instrument named by key, its id resolved from the reference data when first needed.</summary>
    internal sealed class RelatedId(string? key)
    {
        public readonly string? Key = key;
        public InstrumentId Id;
    }

    /// <summary>A market of the same base asset in another quote currency, and that currency's USD rate (no key: USD).</summary>
    internal readonly record struct RelatedMarket(RelatedId Market, RelatedId Rate);

    /// <summary>For a spot market quoted in USD, USDT or USDC: the same base in the other two, with their rates.</summary>
    private static (RelatedMarket[] Related, RelatedId QuoteRate) RelatedMarkets(InstrumentSpec? spec)
    {
        if (spec is not { Market: MarketType.Spot } || !IsConvertible(spec.Quote))
        {
            return ([], new RelatedId(null));
        }

        var related = new List<RelatedMarket>();
        foreach (var quote in (string[])["USD", .. FairPricing.ConvertedQuotes])
        {
            if (quote != spec.Quote && quote != spec.Base)
            {
                related.Add(new RelatedMarket(new RelatedId(InstrumentSpec.Spot(spec.Base, quote).Key), RateOf(quote)));
            }
        }

        return ([.. related], RateOf(spec.Quote));

        static bool IsConvertible(string quote) => quote == "USD" || FairPricing.ConvertedQuotes.Contains(quote);
        static RelatedId RateOf(string quote) => new(quote == "USD" ? null : InstrumentSpec.Spot(quote, "USD").Key);
    }
}
