using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Pricing;

/// <summary>
/// The fair-price method of docs/fair-price.md: per source a rolling trade window, quote mid, mark and funding; fresh
/// sources only; a median-based outlier filter with hysteresis; a capped volume-weighted median; a quartile confidence
/// band; status by the minimum-sources rule; conflated emission with a heartbeat.
/// </summary>
/// <remarks>
/// One engine per partition, called on that partition's thread only: no locks. The per-event path updates one source and
/// compares times; the aggregate is computed at most once per <see cref="ClassParameters.MinInterval"/> per series, on
/// reused buffers, so neither allocates in the steady state.
/// </remarks>
public sealed partial class FairPriceEngine : IFairPriceEngine
{
    /// <summary>A funding rate older than one funding interval (8 h at most venues) is not carried.</summary>
    internal static readonly long FundingMaxAgeNs = 8 * 3600 * UnixTime.NanosPerSecond;

    private readonly ReferenceData? _refData;
    private readonly IPricingParametersSource _parameters;
    private readonly FairPriceBoard _board;
    private readonly CompositeMap _composites;
    private readonly FairPriceDetailHandler? _detail;
    private InstrumentState?[] _states = new InstrumentState?[64];
    private InstrumentState[] _all = new InstrumentState[16];
    private int _allCount;
    private int _tickCursor;

    // Scratch for the aggregate, grown on demand and reused.
    private SourceState[] _cSource = new SourceState[16];
    private InstrumentId[] _cMarket = new InstrumentId[16];
    private decimal[] _cPrice = new decimal[16];
    private decimal[] _cVolume = new decimal[16];
    private SourceStatus[] _cStatus = new SourceStatus[16];
    private decimal[] _uPrice = new decimal[16];
    private decimal[] _uWeight = new decimal[16];
    private decimal[] _scratch = new decimal[16];
    private int[] _uIndex = new int[16];
    private SourceDetail[] _details = new SourceDetail[16];

    /// <summary>Creates an engine. Without reference data every instrument is priced as spot.</summary>
    public FairPriceEngine(IPricingParametersSource? parameters = null, ReferenceData? refData = null, FairPriceBoard? board = null,
        FairPriceDetailHandler? detail = null)
        : this(parameters, refData, board, detail, CompositeMap.Empty)
    {
    }

    internal FairPriceEngine(IPricingParametersSource? parameters, ReferenceData? refData, FairPriceBoard? board, FairPriceDetailHandler? detail,
        CompositeMap composites)
    {
        _parameters = parameters ?? new PricingParametersSource();
        _refData = refData;
        _board = board ?? new FairPriceBoard();
        _detail = detail;
        _composites = composites;
    }

    /// <summary>The board this engine publishes its trade-based fair prices to (and reads underlyings and rates from).</summary>
    public FairPriceBoard Board => _board;

    public bool OnEvent(in MarketEvent e, long nowNs, out FairPrice price)
    {
        price = default;
        if (e.IsHistory)
        {
            // History (sent on (re)subscribe, or fetched back after a gap): it neither enters the trade window nor makes a source fresh.
            return false;
        }

        var st = StateFor(e.Instrument);
        // Trade windows and freshness run on when the update happened, not when it was processed: a late trade is old.
        var atNs = EventTime.Effective(e, nowNs);
        st.Refresh(_parameters.Current);
        Book book;
        SourceState src;
        switch (e.Kind)
        {
            case EventKind.Trade:
                if (st.Trade is null || e.Price <= 0m || e.Size < 0m)
                {
                    return false;
                }

                book = st.Trade;
                src = book.Source(e.Provider, e.Venue);
                var traded = atNs >= src.LastTradeNs && e.Price != src.LastTrade;
                src.OnTrade(e.Price, e.Size, atNs, nowNs, st.P.BucketNs);
                if (traded)
                {
                    src.OnChange(e.Price, atNs, st.P);
                }

                break;
            case EventKind.Quote:
                if (st.Trade is null || e.Price <= 0m || e.Aux < e.Price)
                {
                    return false; // one-sided or crossed: no mid
                }

                book = st.Trade;
                src = book.Source(e.Provider, e.Venue);
                var quoted = e.Price != src.Bid || e.Aux != src.Ask;
                src.Bid = e.Price;
                src.Ask = e.Aux;
                src.QuoteNs = atNs;
                src.Touch(atNs);
                if (quoted)
                {
                    src.OnChange((e.Price + e.Aux) / 2m, atNs, st.P);
                }

                break;
            case EventKind.Mark:
                if (st.Mark is null || e.Price <= 0m)
                {
                    return false;
                }

                book = st.Mark;
                src = book.Source(e.Provider, e.Venue);
                var marked = e.Price != src.Mark;
                src.Mark = e.Price;
                src.MarkIv = st.Market == MarketType.Option ? e.Aux : 0m;
                src.Touch(atNs);
                if (marked)
                {
                    src.OnChange(e.Price, atNs, st.P);
                }

                break;
            case EventKind.Funding:
                if (st.Trade is null)
                {
                    return false;
                }

                // Funding is carried, not priced: it neither refreshes the source nor triggers a computation.
                src = st.Trade.Source(e.Provider, e.Venue);
                src.Funding = e.Price;
                src.FundingNs = nowNs;
                src.HasFunding = true;
                return false;
            default:
                return false;
        }

        if (e.ExchangeTimeNs > src.NewestExchangeNs)
        {
            src.NewestExchangeNs = e.ExchangeTimeNs;
        }

        book.Dirty = true;
        if (st.Composite is { } composite && book.Method == FairPriceMethod.TradeBased)
        {
            composite.Trade!.Dirty = true; // computed on the tick
        }

        return nowNs >= book.NextComputeNs && Compute(st, book, nowNs, out price);
    }

    public int OnTick(long nowNs, Span<FairPrice> output)
    {
        var n = 0;
        var count = _allCount;
        var current = _parameters.Current;
        for (var k = 0; k < count; k++)
        {
            var i = (_tickCursor + k) % count;
            var st = _all[i];
            st.Refresh(current);
            if (n + 2 > output.Length)
            {
                _tickCursor = i; // resume here next tick, so that no series starves
                return n;
            }

            if (st.Trade is { } trade && Due(st, trade, nowNs) && Compute(st, trade, nowNs, out var fp))
            {
                output[n++] = fp;
            }

            if (st.Mark is { } mark && Due(st, mark, nowNs) && Compute(st, mark, nowNs, out fp))
            {
                output[n++] = fp;
            }
        }

        return n;
    }

    /// <summary>A computation is due when allowed by the interval and there is news: an update, a heartbeat, or a source ageing out.</summary>
    private static bool Due(InstrumentState st, Book book, long nowNs) =>
        nowNs >= book.NextComputeNs &&
        (book.Dirty || (book.Emitted && (nowNs - book.LastEmitNs >= st.P.HeartbeatNs || nowNs >= book.NextExpiryNs)));

    private InstrumentState StateFor(InstrumentId id)
    {
        var i = id.Value;
        if ((uint)i < (uint)_states.Length && _states[i] is { } existing)
        {
            return existing;
        }

        return Create(id);
    }

    private InstrumentState Create(InstrumentId id)
    {
        var i = Math.Max(0, id.Value);
        if (i >= _states.Length)
        {
            Array.Resize(ref _states, Math.Max(i + 1, _states.Length * 2));
        }

        if (_states[i] is { } existing)
        {
            return existing;
        }

        Instrument? inst = null;
        _refData?.TryGet(id, out inst!);
        var st = new InstrumentState(id, inst?.Key ?? id.ToString(), inst?.Spec);
        (st.Related, st.QuoteRate) = RelatedMarkets(inst?.Spec);
        _states[i] = st;
        Track(st);
        if (_composites.TryGetLink(id, out var compositeId, out var rate))
        {
            var composite = StateFor(compositeId);
            st.Composite = composite;
            composite.Inputs = [.. composite.Inputs, new CompositeInput(st, rate)];
        }

        return st;
    }

    private void Track(InstrumentState st)
    {
        if (_allCount == _all.Length)
        {
            Array.Resize(ref _all, _allCount * 2);
        }

        _all[_allCount++] = st;
    }

    /// <summary>Gathers the series' sources as candidates: own sources, or for a composite every constituent's sources converted.</summary>
    private int Gather(InstrumentState st, Book book, long nowNs, ref long nextExpiry)
    {
        var staleness = st.P.StalenessNs;
        var n = 0;
        if (st.Inputs.Length == 0)
        {
            for (var i = 0; i < book.Count; i++)
            {
                var s = book.Sources[i];
                var volume = 0m;
                var price = book.Method == FairPriceMethod.TradeBased ? s.TradePrice(nowNs, staleness, out volume) : s.Mark;

                AddCandidate(ref n, st.Id, s, price, volume, Classify(s, price, nowNs, st.P, ref nextExpiry));
            }

            return n;
        }

        foreach (var input in st.Inputs)
        {
            var rate = 1m;
            var rateOk = input.Rate.IsNone ||
                         (_board.TryRead(input.Rate, out rate, out var rateStatus, out _) && rateStatus != FairPriceStatus.Stale && rate > 0m);
            var trade = input.Market.Trade!;
            for (var i = 0; i < trade.Count; i++)
            {
                var s = trade.Sources[i];
                var price = s.TradePrice(nowNs, staleness, out var volume) * rate;
                var status = rateOk ? Classify(s, price, nowNs, st.P, ref nextExpiry) : SourceStatus.NoRate;
                AddCandidate(ref n, input.Market.Id, s, price, volume, status);
            }
        }

        return n;
    }

    private static SourceStatus Classify(SourceState s, decimal price, long nowNs, in Resolved p, ref long nextExpiry)
    {
        if (price <= 0m)
        {
            return SourceStatus.NoPrice;
        }

        var expiry = s.LastUpdateNs + p.StalenessNs;
        if (nowNs > expiry)
        {
            return SourceStatus.Stale;
        }

        if (expiry + 1 < nextExpiry)
        {
            nextExpiry = expiry + 1;
        }

        return s.IsFrozen(nowNs, p) ? SourceStatus.Frozen : SourceStatus.Used;
    }

    private void AddCandidate(ref int n, InstrumentId market, SourceState s, decimal price, decimal volume, SourceStatus status)
    {
        if (n == _cSource.Length)
        {
            Grow();
        }

        _cSource[n] = s;
        _cMarket[n] = market;
        _cPrice[n] = price;
        _cVolume[n] = volume;
        _cStatus[n] = status;
        n++;
    }

    private void Grow()
    {
        var size = _cSource.Length * 2;
        Array.Resize(ref _cSource, size);
        Array.Resize(ref _cMarket, size);
        Array.Resize(ref _cPrice, size);
        Array.Resize(ref _cVolume, size);
        Array.Resize(ref _cStatus, size);
        Array.Resize(ref _uPrice, size);
        Array.Resize(ref _uWeight, size);
        Array.Resize(ref _scratch, size);
        Array.Resize(ref _uIndex, size);
        Array.Resize(ref _details, size);
    }

    /// <summary>Runs steps 2-6 of the method for one series; true with a fair price when one is to be published.</summary>
    private bool Compute(InstrumentState st, Book book, long nowNs, out FairPrice fp)
    {
        fp = default;
        var p = st.P;
        book.Dirty = false;
        book.NextComputeNs = nowNs + p.MinIntervalNs;
        var nextExpiry = long.MaxValue;
        var composite = st.Inputs.Length > 0;
        var n = Gather(st, book, nowNs, ref nextExpiry);
        book.NextExpiryNs = nextExpiry;

        // Step 2: eligible = fresh with a positive price, and not frozen (§3c, judged in Classify).
        var eligible = 0;
        for (var i = 0; i < n; i++)
        {
            if (_cStatus[i] == SourceStatus.Used)
            {
                _scratch[eligible++] = _cPrice[i];
            }
        }

        // Step 3a: gross errors against the reference, at any count. Step 3b: two sources that disagree. Step 3: outliers
        // against the median of the eligible prices, with hysteresis; with fewer than 3 there is no majority to judge by.
        var used = 0;
        var decided = false; // an external reference (not the majority) settled who is wrong: the result is corroborated
        decimal reference = 0m;
        if (eligible > 0)
        {
            var median = FairPriceMath.Median(_scratch.AsSpan(0, eligible));
            reference = Reference(st, book, n, eligible, median, nowNs, out var external);
            decided = ExcludeGross(n, eligible, reference, composite, nowNs, p) && external;
            if (eligible == 2 && TwoUsed(n, out var a, out var b))
            {
                // Two within the critical deviation agree for step 3a, yet may still be a split: judge them by the external reference.
                decided |= SettleSplit(a, b, external ? reference : ExternalReference(st, book, nowNs), composite, nowNs, p);
            }

            for (var i = 0; i < n; i++)
            {
                if (_cStatus[i] != SourceStatus.Used)
                {
                    continue;
                }

                if (eligible >= 3)
                {
                    ref var excluded = ref composite ? ref _cSource[i].ExcludedInComposite : ref _cSource[i].Excluded;
                    var distance = Math.Abs(_cPrice[i] - median);
                    if (!excluded && distance > p.Threshold * median)
                    {
                        excluded = true;
                    }
                    else if (excluded && distance <= p.HalfThreshold * median)
                    {
                        excluded = false;
                    }

                    if (excluded)
                    {
                        _cStatus[i] = SourceStatus.Outlier;
                        continue;
                    }
                }

                _uPrice[used] = _cPrice[i];
                _uWeight[used] = _cVolume[i];
                _uIndex[used] = i;
                used++;
            }

            if (used == 0 && eligible >= 3)
            {
                // An even count whose middle pair is itself split can exclude everyone: fall back to those within the
                // threshold of an external reference (an even split settled), else to all eligible but gross.
                var settle = external && AnyOutlierNear(n, reference, p.Threshold * reference);
                decided |= settle;
                for (var i = 0; i < n; i++)
                {
                    if (_cStatus[i] == SourceStatus.Outlier && (!settle || Math.Abs(_cPrice[i] - reference) <= p.Threshold * reference))
                    {
                        _cStatus[i] = SourceStatus.Used;
                        _uPrice[used] = _cPrice[i];
                        _uWeight[used] = _cVolume[i];
                        _uIndex[used] = i;
                        used++;
                    }
                }
            }
        }

        // Steps 4-5.
        decimal price, confidence = 0m;
        long newest = 0;
        ulong mask = 0;
        FairPriceStatus status;
        if (used == 0 && eligible > 0)
        {
            // Every eligible source is gross or disputed: hold the last good value, never a midpoint of a liar.
            if (!book.HasGood)
            {
                return false; // nothing good to hold yet
            }

            status = FairPriceStatus.Conflict;
            price = book.GoodPrice;
            confidence = book.GoodConfidence;
            newest = book.GoodNewestNs;
        }
        else if (used == 0)
        {
            if (!book.Emitted)
            {
                return false; // nothing to hold yet
            }

            status = FairPriceStatus.Stale;
            price = book.LastPrice;
            confidence = book.LastConfidence;
            newest = book.LastNewestNs;
        }
        else
        {
            var prices = _uPrice.AsSpan(0, used);
            var weights = _uWeight.AsSpan(0, used);
            FairPriceMath.FillMissingWeights(weights);
            FairPriceMath.CapWeights(weights, p.MaxShare, _scratch);
            FairPriceMath.SortByPrice(prices, weights, _uIndex.AsSpan(0, used));
            decimal total = 0m;
            foreach (var w in weights)
            {
                total += w;
            }

            price = FairPriceMath.WeightedQuantile(prices, weights, total, 0.5m);
            var q1 = FairPriceMath.WeightedQuantile(prices, weights, total, 0.25m);
            var q3 = FairPriceMath.WeightedQuantile(prices, weights, total, 0.75m);
            confidence = Math.Max(price - q1, q3 - price);
            for (var j = 0; j < used; j++)
            {
                var i = _uIndex[j];
                _cVolume[i] = weights[j] / total; // reused below as the weight share for the detail
                if (i < 64)
                {
                    mask |= 1UL << i;
                }

                if (_cSource[i].NewestExchangeNs > newest)
                {
                    newest = _cSource[i].NewestExchangeNs;
                }
            }

            status = eligible < p.MinSources ? FairPriceStatus.Degraded : FairPriceStatus.Ok;
        }

        // Step 6: publish on a meaningful change or a heartbeat.
        var publish = !book.Emitted || status != book.LastStatus || used != book.LastUsed ||
                      Math.Abs(price - book.LastPrice) >= book.LastPrice * p.ChangeFraction ||
                      nowNs - book.LastEmitNs >= p.HeartbeatNs;
        if (!publish)
        {
            return false;
        }

        fp = new FairPrice
        {
            Instrument = st.Id,
            Price = price,
            Status = status,
            Method = book.Method,
            Confidence = confidence,
            SourcesUsed = used,
            SourcesKnown = n,
            NewestInputTimeNs = newest,
            ComputedTimeNs = nowNs,
            ParametersVersion = p.Version,
            SourcesMask = mask,
            Basis = BasisOf(st, price),
            FundingRate = st.Market == MarketType.Perp ? FundingOf(st, nowNs) : null,
            MarkIv = st.Market == MarketType.Option ? MarkIvOf(n) : null,
        };

        book.Emitted = true;
        book.LastPrice = price;
        book.LastConfidence = confidence;
        book.LastStatus = status;
        book.LastUsed = used;
        book.LastEmitNs = nowNs;
        book.LastNewestNs = newest;
        if (used > 0 && (used >= Math.Min(2, p.MinSources) || decided))
        {
            // Good: computed, and corroborated by a second source or settled by an external reference (a lone source
            // proves nothing, so it is never what a later disagreement is judged against).
            book.HasGood = true;
            book.GoodPrice = price;
            book.GoodConfidence = confidence;
            book.GoodNs = nowNs;
            book.GoodNewestNs = newest;
        }

        if (book.Method == FairPriceMethod.TradeBased)
        {
            _board.Write(fp);
        }

        if (_detail is not null)
        {
            PublishDetail(fp, n, status == FairPriceStatus.Stale);
        }

        return true;
    }

    /// <summary>The two candidates still <see cref="SourceStatus.Used"/>, when exactly two are.</summary>
    private bool TwoUsed(int n, out int a, out int b)
    {
        a = b = -1;
        for (var i = 0; i < n; i++)
        {
            if (_cStatus[i] != SourceStatus.Used)
            {
                continue;
            }

            if (a < 0)
            {
                a = i;
            }
            else if (b < 0)
            {
                b = i;
            }
            else
            {
                return false;
            }
        }

        return b >= 0;
    }

    private bool AnyOutlierNear(int n, decimal reference, decimal band)
    {
        for (var i = 0; i < n; i++)
        {
            if (_cStatus[i] == SourceStatus.Outlier && Math.Abs(_cPrice[i] - reference) <= band)
            {
                return true;
            }
        }

        return false;
    }

    private decimal? BasisOf(InstrumentState st, decimal price)
    {
        if (st.UnderlyingKey is null)
        {
            return null;
        }

        if (st.Underlying.IsNone && _refData is not null && _refData.TryGetByKey(st.UnderlyingKey, out var underlying))
        {
            st.Underlying = underlying.Id;
        }

        return !st.Underlying.IsNone && _board.TryRead(st.Underlying, out var spot, out var status, out _) && status != FairPriceStatus.Stale
            ? price - spot
            : null;
    }

    /// <summary>The median of the venues' funding rates received within one funding interval.</summary>
    private decimal? FundingOf(InstrumentState st, long nowNs)
    {
        var trade = st.Trade;
        if (trade is null)
        {
            return null;
        }

        var m = 0;
        var rates = _scratch;
        for (var i = 0; i < trade.Count && m < rates.Length; i++)
        {
            var s = trade.Sources[i];
            if (s.HasFunding && nowNs - s.FundingNs <= FundingMaxAgeNs)
            {
                rates[m++] = s.Funding;
            }
        }

        return m == 0 ? null : FairPriceMath.Median(rates.AsSpan(0, m));
    }

    /// <summary>The median of the used sources' mark IVs (percent).</summary>
    private decimal? MarkIvOf(int n)
    {
        var m = 0;
        for (var i = 0; i < n; i++)
        {
            if (_cStatus[i] == SourceStatus.Used && _cSource[i].MarkIv > 0m)
            {
                _scratch[m++] = _cSource[i].MarkIv;
            }
        }

        return m == 0 ? null : FairPriceMath.Median(_scratch.AsSpan(0, m));
    }

    private void PublishDetail(in FairPrice fp, int n, bool stale)
    {
        for (var i = 0; i < n; i++)
        {
            var s = _cSource[i];
            var status = stale && _cStatus[i] == SourceStatus.Used ? SourceStatus.Stale : _cStatus[i];
            _details[i] = new SourceDetail(_cMarket[i], s.Provider, s.Venue, _cPrice[i],
                fp.Price > 0m && _cPrice[i] > 0m ? _cPrice[i] / fp.Price : 0m,
                status == SourceStatus.Used ? _cVolume[i] : 0m, status, s.LastUpdateNs);
        }

        _detail!(fp, _details.AsSpan(0, n));
    }
}
