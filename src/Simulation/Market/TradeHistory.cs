namespace Cloudwall.Rx.Simulation.Market;

/// <summary>A trade a simulator remembers for its REST trade history: its venue-specific record plus the two keys REST pages by.</summary>
public interface IHistoricTrade
{
    /// <summary>The venue's trade id (numeric ids; a venue with text ids numbers them here in publishing order).</summary>
    long Id { get; }

    /// <summary>Exchange time, Unix nanoseconds.</summary>
    long TimeNs { get; }
}

/// <summary>
/// The recent trades of each product, as a venue's REST trade-history endpoint serves them: a bounded ring per product
/// (oldest out first), oldest first, queried by id or by time. Every trade the feed generated is recorded unless the
/// <see cref="SimulatorFaults.DropTrades"/> fault lost it. Thread-safe: the feed loop writes, Kestrel's requests read.
/// </summary>
public sealed class TradeHistory<T> where T : IHistoricTrade
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Ring> _byProduct = new(StringComparer.Ordinal);

    /// <param name="capacityPerProduct">Trades kept per product; older ones are no longer served, as at a venue.</param>
    public TradeHistory(int capacityPerProduct = 20_000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityPerProduct);
        Capacity = capacityPerProduct;
    }

    public int Capacity { get; }

    /// <summary>Records a trade the feed generated, unless <paramref name="drop"/> says the venue does not serve it.</summary>
    public void Record(string product, T trade, TradeDrop drop = TradeDrop.None)
    {
        if (drop == TradeDrop.Lost)
        {
            return;
        }

        lock (_gate)
        {
            if (!_byProduct.TryGetValue(product, out var ring))
            {
                ring = new Ring(Capacity);
                _byProduct.Add(product, ring);
            }

            ring.Add(trade);
        }
    }

    /// <summary>Up to <paramref name="limit"/> trades with id ≥ <paramref name="fromId"/>, oldest first (Binance <c>fromId</c>).</summary>
    public IReadOnlyList<T> FromId(string product, long fromId, int limit) =>
        Select(product, limit, t => t.Id >= fromId, newestFirst: false);

    /// <summary>
    /// Up to <paramref name="limit"/> trades with <paramref name="startNs"/> ≤ time ≤ <paramref name="endNs"/>: the oldest ones
    /// first, or the newest ones first when <paramref name="newestFirst"/> (a venue that pages backwards from an end time).
    /// </summary>
    public IReadOnlyList<T> Between(string product, long startNs, long endNs, int limit, bool newestFirst = false) =>
        Select(product, limit, t => t.TimeNs >= startNs && t.TimeNs <= endNs, newestFirst);

    /// <summary>Up to <paramref name="limit"/> trades with id &lt; <paramref name="beforeId"/>, newest first (paging backwards by id).</summary>
    public IReadOnlyList<T> BeforeId(string product, long beforeId, int limit) =>
        Select(product, limit, t => t.Id < beforeId, newestFirst: true);

    /// <summary>The newest <paramref name="limit"/> trades, newest first.</summary>
    public IReadOnlyList<T> Latest(string product, int limit) => Select(product, limit, static _ => true, newestFirst: true);

    /// <summary>Trades kept for <paramref name="product"/>.</summary>
    public int Count(string product)
    {
        lock (_gate)
        {
            return _byProduct.TryGetValue(product, out var ring) ? ring.Count : 0;
        }
    }

    private List<T> Select(string product, int limit, Func<T, bool> match, bool newestFirst)
    {
        var result = new List<T>(Math.Min(Math.Max(limit, 0), 1024));
        lock (_gate)
        {
            if (limit <= 0 || !_byProduct.TryGetValue(product, out var ring))
            {
                return result;
            }

            for (var i = 0; i < ring.Count && result.Count < limit; i++)
            {
                var t = ring[newestFirst ? ring.Count - 1 - i : i];
                if (match(t))
                {
                    result.Add(t);
                }
            }
        }

        return result;
    }

    private sealed class Ring(int capacity)
    {
        private readonly T[] _items = new T[capacity];
        private int _start;

        public int Count { get; private set; }

        public T this[int index] => _items[(_start + index) % _items.Length];

        public void Add(T item)
        {
            if (Count < _items.Length)
            {
                _items[(_start + Count) % _items.Length] = item;
                Count++;
                return;
            }

            _items[_start] = item;
            _start = (_start + 1) % _items.Length;
        }
    }
}
