using System.Runtime.CompilerServices;
using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Pricing;

public sealed partial class FairPriceEngine
{
    internal const int WindowBuckets = 8;

    /// <summary>An instrument's parameters, converted once per snapshot change to what the hot path compares.</summary>
    internal readonly struct Resolved
    {
        public Resolved(ClassParameters p, int version)
        {
            StalenessNs = p.Staleness.Ticks * UnixTime.NanosPerTick;
            BucketNs = Math.Max(1, p.TradeWindow.Ticks * UnixTime.NanosPerTick / WindowBuckets);
            MinIntervalNs = p.MinInterval.Ticks * UnixTime.NanosPerTick;
            HeartbeatNs = p.Heartbeat.Ticks * UnixTime.NanosPerTick;
            Threshold = p.OutlierThreshold;
            HalfThreshold = p.OutlierThreshold / 2m;
            MaxShare = p.MaxWeightShare;
            ChangeFraction = p.MeaningfulChangeBp / 10_000m;
            MinSources = p.MinSources;
            Critical = p.CriticalDeviation;
            FrozenFloorNs = p.FrozenFloor.Ticks * UnixTime.NanosPerTick;
            FrozenMultiplier = p.FrozenMultiplier;
            FrozenPeerMove = p.FrozenPeerMove;
            Version = version;
        }

        public long StalenessNs { get; }
        public long BucketNs { get; }
        public long MinIntervalNs { get; }
        public long HeartbeatNs { get; }
        public decimal Threshold { get; }
        public decimal HalfThreshold { get; }
        public decimal MaxShare { get; }
        public decimal ChangeFraction { get; }
        public int MinSources { get; }
        public decimal Critical { get; }
        public long FrozenFloorNs { get; }
        public int FrozenMultiplier { get; }
        public decimal FrozenPeerMove { get; }
        public int Version { get; }
    }

    [InlineArray(WindowBuckets)]
    internal struct DecimalBuckets
    {
        private decimal _e;
    }

    [InlineArray(WindowBuckets)]
    internal struct LongBuckets
    {
        private long _e;
    }

    /// <summary>
    /// One source (provider × venue) of one instrument's book: a bucketed rolling window of trades, the last quote, the
    /// last mark, the last funding rate, and the times. Owned by the partition thread.
    /// </summary>
    internal sealed class SourceState(ProviderId provider, VenueId venue, Book book, int index)
    {
        public readonly int Key = Pack(provider, venue);
        public readonly ProviderId Provider = provider;
        public readonly VenueId Venue = venue;
        /// <summary>The book this source belongs to, and its slot there: frozen detection compares it with its peers.</summary>
        public readonly Book Book = book;
        public readonly int Index = index;

        private DecimalBuckets _notional;
        private DecimalBuckets _volume;
        private LongBuckets _epoch;
        private long _bucketNs;
        private int _maxScale;
        public int TradeCount;

        public decimal LastTrade;
        /// <summary>Effective time of <see cref="LastTrade"/>: a late trade does not replace a newer one.</summary>
        public long LastTradeNs;
        public decimal Bid;
        public decimal Ask;
        public long QuoteNs;
        public decimal Mark;
        public decimal MarkIv;
        public decimal Funding;
        public long FundingNs;
        public bool HasFunding;

        /// <summary>
        /// Newest effective time (<see cref="EventTime.Effective(in MarketEvent, long)"/>) of a price update (trade,
        /// quote or mark): what staleness is measured from. A late update never moves it back.
        /// </summary>
        public long LastUpdateNs;
        public long NewestExchangeNs;

        /// <summary>Outlier state with hysteresis, in this book.</summary>
        public bool Excluded;
        /// <summary>Outlier state in the composite this source also feeds (judged against the composite's median).</summary>
        public bool ExcludedInComposite;

        // Own history (docs/fair-price.md §3a, §3c): the raw price (last trade, quote mid or mark, whichever changed last)
        // and when it last changed, the learned time between changes, and when it last jumped by the critical deviation.
        public decimal Level;
        public long LastChangeNs;
        public long ChangeIntervalNs;
        public long JumpNs;
        /// <summary>The peers' <see cref="Level"/> (by slot) at this source's last change: did they move while it stood still?</summary>
        public decimal[] PeerLevels = new decimal[4];

        /// <summary>How long without a change makes this source frozen: the floor, or the multiple of its learned interval.</summary>
        public long FrozenAfterNs(in Resolved p) => Math.Max(p.FrozenFloorNs, p.FrozenMultiplier * ChangeIntervalNs);

        /// <summary>
        /// Records a change of the raw price at effective time <paramref name="atNs"/>: learns the change interval (a gap
        /// long enough to have made the source frozen is not normal behaviour and is not learned), notes a jump past the
        /// critical deviation, and snapshots the peers' levels. A late update does not rewrite history.
        /// </summary>
        public void OnChange(decimal level, long atNs, in Resolved p)
        {
            if (atNs < LastChangeNs || level <= 0m)
            {
                return;
            }

            if (Level > 0m)
            {
                if (Math.Abs(level - Level) > p.Critical * Level)
                {
                    JumpNs = atNs;
                }

                var gap = atNs - LastChangeNs;
                if (gap < FrozenAfterNs(p))
                {
                    // EWMA with weight 1/8: a few changes teach it, one odd gap does not.
                    ChangeIntervalNs = ChangeIntervalNs == 0 ? gap : ChangeIntervalNs + ((gap - ChangeIntervalNs) / 8);
                }
            }

            Level = level;
            LastChangeNs = atNs;
            var peers = Book.Sources;
            for (var k = 0; k < Book.Count; k++)
            {
                PeerLevels[k] = peers[k].Level;
            }
        }

        /// <summary>
        /// Frozen: no change for <see cref="FrozenAfterNs"/> although updates kept arriving, while a fresh peer changed after
        /// it and moved by more than <see cref="Resolved.FrozenPeerMove"/> from where it stood at this source's last change.
        /// </summary>
        public bool IsFrozen(long nowNs, in Resolved p)
        {
            if (LastChangeNs == 0 || LastUpdateNs <= LastChangeNs || nowNs - LastChangeNs < FrozenAfterNs(p))
            {
                return false;
            }

            var peers = Book.Sources;
            for (var k = 0; k < Book.Count; k++)
            {
                var peer = peers[k];
                var was = PeerLevels[k];
                if (k != Index && was > 0m && peer.LastChangeNs > LastChangeNs && nowNs - peer.LastUpdateNs <= p.StalenessNs &&
                    Math.Abs(peer.Level - was) > p.FrozenPeerMove * was)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Jumped past the critical deviation in one change within the staleness limit.</summary>
        public bool JumpedRecently(long nowNs, long stalenessNs) => JumpNs > 0 && nowNs - JumpNs <= stalenessNs;

        public static int Pack(ProviderId p, VenueId v) => (p.Code << 8) | v.Code;

        /// <summary>
        /// Adds a trade that happened at <paramref name="atNs"/> (its effective time, never after <paramref name="nowNs"/>).
        /// A trade older than the window is left out of it however recently it arrived, and its slot is never taken from
        /// newer trades.
        /// </summary>
        public void OnTrade(decimal price, decimal size, long atNs, long nowNs, long bucketNs)
        {
            if (bucketNs != _bucketNs)
            {
                // The window changed with a parameter swap: epochs of the old width mean nothing now.
                _epoch = default;
                _bucketNs = bucketNs;
            }

            var epoch = atNs / bucketNs;
            var b = (int)(epoch & (WindowBuckets - 1));
            if (epoch > (nowNs / bucketNs) - WindowBuckets && epoch >= _epoch[b])
            {
                if (_epoch[b] != epoch)
                {
                    _epoch[b] = epoch;
                    _notional[b] = 0m;
                    _volume[b] = 0m;
                }

                if (size > 0m)
                {
                    _notional[b] += price * size;
                    _volume[b] += size;
                }
            }

            var scale = price.Scale;
            if (scale > _maxScale)
            {
                _maxScale = scale;
            }

            if (atNs >= LastTradeNs)
            {
                LastTrade = price;
                LastTradeNs = atNs;
            }

            TradeCount++;
            Touch(atNs);
        }

        /// <summary>A price update at effective time <paramref name="atNs"/>: the source is as fresh as its newest update.</summary>
        public void Touch(long atNs)
        {
            if (atNs > LastUpdateNs)
            {
                LastUpdateNs = atNs;
            }
        }

        /// <summary>
        /// The source's price for a trade-based book: the VWAP of the window's trades; without trades in the window, the
        /// last quote mid while fresh; else the last trade. <paramref name="volume"/> is the window's volume (0 = missing).
        /// </summary>
        public decimal TradePrice(long nowNs, long stalenessNs, out decimal volume)
        {
            volume = 0m;
            decimal notional = 0m;
            if (_bucketNs > 0)
            {
                var current = nowNs / _bucketNs;
                for (var b = 0; b < WindowBuckets; b++)
                {
                    var e = _epoch[b];
                    if (e > current - WindowBuckets && e <= current)
                    {
                        notional += _notional[b];
                        volume += _volume[b];
                    }
                }
            }

            if (volume > 0m)
            {
                // Round a repeating quotient to a few digits past the inputs' own precision: exact for one trade.
                return decimal.Round(notional / volume, Math.Min(28, _maxScale + 6), MidpointRounding.ToEven);
            }

            if (QuoteNs > 0 && nowNs - QuoteNs <= stalenessNs)
            {
                return (Bid + Ask) / 2m;
            }

            return LastTrade;
        }
    }

    /// <summary>One fair price series: the sources of one input class of one instrument, and what was last emitted.</summary>
    internal sealed class Book(FairPriceMethod method)
    {
        public readonly FairPriceMethod Method = method;
        public SourceState[] Sources = new SourceState[4];
        public int Count;

        public bool Dirty;
        public long NextComputeNs;
        public long NextExpiryNs = long.MaxValue;

        public bool Emitted;
        /// <summary>The last published value that was computed (not held) and corroborated: what Conflict holds, and reference (b).</summary>
        public bool HasGood;
        public decimal GoodPrice;
        public decimal GoodConfidence;
        public long GoodNs;
        public long GoodNewestNs;
        public decimal LastPrice;
        public decimal LastConfidence;
        public FairPriceStatus LastStatus;
        public int LastUsed;
        public long LastEmitNs;
        public long LastNewestNs;

        public SourceState Source(ProviderId provider, VenueId venue)
        {
            var key = SourceState.Pack(provider, venue);
            var sources = Sources;
            for (var i = 0; i < Count; i++)
            {
                if (sources[i].Key == key)
                {
                    return sources[i];
                }
            }

            if (Count == sources.Length)
            {
                Array.Resize(ref Sources, Count * 2);
                for (var i = 0; i < Count; i++)
                {
                    Array.Resize(ref Sources[i].PeerLevels, Sources.Length);
                }
            }

            var s = new SourceState(provider, venue, this, Count);
            Array.Resize(ref s.PeerLevels, Sources.Length);
            Sources[Count++] = s;
            return s;
        }
    }

    /// <summary>A composite's constituent: a spot market and the instrument whose fair price converts its quote currency.</summary>
    internal readonly record struct CompositeInput(InstrumentState Market, InstrumentId Rate);

    internal sealed class InstrumentState
    {
        public InstrumentState(InstrumentId id, string key, InstrumentSpec? spec)
        {
            Id = id;
            Key = key;
            Market = spec?.Market ?? MarketType.Spot;
            if (Market is not MarketType.Option)
            {
                Trade = new Book(FairPriceMethod.TradeBased);
            }

            if (Market is MarketType.Perp or MarketType.Future or MarketType.Option)
            {
                Mark = new Book(FairPriceMethod.MarkBased);
            }

            if (Market is MarketType.Perp or MarketType.Future && spec is not null)
            {
                UnderlyingKey = spec.UnderlyingSpotKey;
            }
        }

        public readonly InstrumentId Id;
        public readonly string Key;
        public readonly MarketType Market;
        public readonly Book? Trade;
        public readonly Book? Mark;
        public readonly string? UnderlyingKey;
        public InstrumentId Underlying;

        public PricingParameters? Snapshot;
        public Resolved P;

        /// <summary>Set on a constituent: the composite it feeds (same partition, by routing).</summary>
        public InstrumentState? Composite;
        /// <summary>Set on a composite: its constituents.</summary>
        public CompositeInput[] Inputs = [];

        /// <summary>Spot: the same base in the other convertible quote currencies, and this quote's USD rate (reference (c) of §3a).</summary>
        public RelatedMarket[] Related = [];
        public RelatedId QuoteRate = new(null);

        public void Refresh(PricingParameters current)
        {
            if (!ReferenceEquals(current, Snapshot))
            {
                P = new Resolved(current.For(Market, Key), current.Version);
                Snapshot = current;
            }
        }
    }
}
