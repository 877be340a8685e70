using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Pricing;

/// <summary>
/// Placeholder fair price: the median of the latest price of each source (provider × venue) of an instrument.
/// Trades give the price; quotes give their mid. Owned by one partition: not thread-safe, by design.
/// </summary>
public sealed class MedianFairPrice : IFairPriceEngine
{
    private readonly Dictionary<int, InstrumentState> _instruments = new();
    private readonly long _minIntervalNs;

    public MedianFairPrice(TimeSpan minInterval) => _minIntervalNs = (long)(minInterval.TotalMilliseconds * UnixTime.NanosPerMilli);

    public bool OnEvent(in MarketEvent e, long nowNs, out FairPrice price)
    {
        price = default;
        if (e.Kind is not (EventKind.Trade or EventKind.Quote))
        {
            return false;
        }

        var p = e.MidOrPrice;
        if (p <= 0)
        {
            return false;
        }

        if (!_instruments.TryGetValue(e.Instrument.Value, out var state))
        {
            state = new InstrumentState(e.Instrument);
            _instruments.Add(e.Instrument.Value, state);
        }

        state.Update((e.Provider.Code << 8) | e.Venue.Code, p, e.ExchangeTimeNs);
        return state.TryEmit(nowNs, _minIntervalNs, force: false, out price);
    }

    public int OnTick(long nowNs, Span<FairPrice> output)
    {
        var n = 0;
        foreach (var state in _instruments.Values)
        {
            if (n < output.Length && state.TryEmit(nowNs, _minIntervalNs, force: false, out var fp))
            {
                output[n++] = fp;
            }
        }

        return n;
    }

    private sealed class InstrumentState(InstrumentId id)
    {
        private int[] _sources = new int[4];
        private decimal[] _prices = new decimal[4];
        private decimal[] _scratch = new decimal[4];
        private int _count;
        private long _newestNs;
        private decimal _lastEmitted;
        private long _lastEmitNs;
        private bool _emitted;
        private bool _dirty;

        public void Update(int source, decimal price, long exchangeNs)
        {
            var i = Array.IndexOf(_sources, source, 0, _count);
            if (i < 0)
            {
                if (_count == _sources.Length)
                {
                    Array.Resize(ref _sources, _count * 2);
                    Array.Resize(ref _prices, _count * 2);
                    Array.Resize(ref _scratch, _count * 2);
                }

                i = _count++;
                _sources[i] = source;
            }

            _prices[i] = price;
            _newestNs = Math.Max(_newestNs, exchangeNs);
            _dirty = true;
        }

        public bool TryEmit(long nowNs, long minIntervalNs, bool force, out FairPrice price)
        {
            price = default;
            if (!_dirty || (!force && _emitted && nowNs - _lastEmitNs < minIntervalNs))
            {
                return false;
            }

            _dirty = false;
            var median = Median();
            if (_emitted && median == _lastEmitted && !force)
            {
                return false;
            }

            _lastEmitted = median;
            _emitted = true;
            _lastEmitNs = nowNs;
            price = new FairPrice
            {
                Instrument = id,
                Price = median,
                Status = _count >= 2 ? FairPriceStatus.Ok : FairPriceStatus.Degraded,
                SourcesUsed = _count,
                SourcesKnown = _count,
                NewestInputTimeNs = _newestNs,
                ComputedTimeNs = nowNs,
                ParametersVersion = 0,
                SourcesMask = _count >= 64 ? ulong.MaxValue : (1UL << _count) - 1,
            };
            return true;
        }

        private decimal Median()
        {
            var s = _scratch.AsSpan(0, _count);
            _prices.AsSpan(0, _count).CopyTo(s);
            s.Sort();
            return _count % 2 == 1 ? s[_count / 2] : (s[_count / 2 - 1] + s[_count / 2]) / 2m;
        }
    }
}

/// <summary>A per-partition fair-price engine: fed every event of the partition's instruments, in order, on one thread.</summary>
public interface IFairPriceEngine
{
    /// <summary>Updates state with one event; returns true with a fair price when one is due.</summary>
    bool OnEvent(in MarketEvent e, long nowNs, out FairPrice price);

    /// <summary>Periodic tick: emits fair prices that were held back by conflation. Returns how many were written.</summary>
    int OnTick(long nowNs, Span<FairPrice> output);
}
