namespace Cloudwall.Rx.Ingestion;

/// <summary>
/// Per-connection checks on decoded events, before they leave the connection:
/// <list type="bullet">
/// <item>trades repeated across a reconnect overlap are dropped by trade id, within a bounded window;</item>
/// <item>sequence numbers are checked per series, and every break is reported as a <see cref="SequenceGap"/>.</item>
/// </list>
/// Owned by one connection's receive loop: not thread-safe, allocation-free once its tables have grown.
/// </summary>
public sealed class SeriesGuard
{
    private readonly SequenceScope _scope;
    private readonly TradeIdWindow _window;
    private readonly Dictionary<long, long> _lastBySeries = new();

    public SeriesGuard(SequenceScope scope, int dedupWindow = 8192)
    {
        _scope = scope;
        _window = new TradeIdWindow(dedupWindow);
    }

    public long Duplicates { get; private set; }

    public long Gaps { get; private set; }

    public long MissingTotal { get; private set; }

    public long OutOfOrder { get; private set; }

    /// <summary>
    /// Checks one event. Returns false when it is a duplicate trade to drop. When it reveals a sequence gap,
    /// <paramref name="gap"/> is set and <paramref name="hasGap"/> is true.
    /// </summary>
    public bool Admit(in MarketEvent e, long nowNs, out SequenceGap gap, out bool hasGap)
    {
        gap = default;
        hasGap = false;
        if (e.Kind == EventKind.Trade && !e.TradeId.IsNone && !_window.Add(e.Instrument.Value, e.TradeId))
        {
            Duplicates++;
            return false;
        }

        long seq;
        long series;
        switch (_scope)
        {
            case SequenceScope.PerInstrument when e.Sequence != 0:
                seq = e.Sequence;
                series = e.Instrument.Value;
                break;
            case SequenceScope.PerInstrumentAndKind when e.Sequence != 0:
                seq = e.Sequence;
                series = ((long)e.Instrument.Value << 8) | (byte)e.Kind;
                break;
            case SequenceScope.TradeIdPerInstrument when e.Kind == EventKind.Trade && e.TradeId.Kind == TradeIdKind.Numeric:
                seq = e.TradeId.AsLong;
                series = e.Instrument.Value;
                break;
            default:
                return true;
        }

        if (_lastBySeries.TryGetValue(series, out var last))
        {
            if (seq > last + 1)
            {
                Gaps++;
                MissingTotal += seq - last - 1;
                gap = new SequenceGap(e.Provider, e.Venue, e.Instrument, e.Kind, last, seq, nowNs);
                hasGap = true;
            }
            else if (seq <= last)
            {
                // Repeated or reordered number: counted, the event still flows (trades were de-duplicated above).
                OutOfOrder++;
                return true;
            }
        }

        _lastBySeries[series] = seq;
        return true;
    }

    /// <summary>
    /// The most recent trade ids per connection, as an open-addressing set with FIFO eviction: a bounded memory of what
    /// was already delivered, so the overlap replayed after a reconnect is not delivered twice.
    /// </summary>
    private sealed class TradeIdWindow
    {
        private readonly (int Instrument, ulong Hi, ulong Lo)[] _ring;
        private readonly int[] _slots; // index into _ring + 1; 0 = empty, -1 = deleted
        private int _next;
        private int _count;

        public TradeIdWindow(int capacity)
        {
            _ring = new (int, ulong, ulong)[Math.Max(16, capacity)];
            _slots = new int[System.Numerics.BitOperations.RoundUpToPowerOf2((uint)_ring.Length * 2)];
        }

        /// <summary>Adds the id; false when it is already in the window.</summary>
        public bool Add(int instrument, TradeId id)
        {
            var key = (instrument, id.Hi, id.Lo);
            if (Find(key) >= 0)
            {
                return false;
            }

            if (_count == _ring.Length)
            {
                Remove(_ring[_next]);
                _count--;
            }

            _ring[_next] = key;
            Insert(key, _next);
            _next = (_next + 1) % _ring.Length;
            _count++;
            return true;
        }

        private int Hash((int Instrument, ulong Hi, ulong Lo) k) =>
            (int)(((ulong)(uint)k.Instrument * 0x9E3779B97F4A7C15UL ^ k.Lo * 0xC2B2AE3D27D4EB4FUL ^ k.Hi) >> 33) & (_slots.Length - 1);

        private int Find((int Instrument, ulong Hi, ulong Lo) key)
        {
            for (var i = Hash(key); ; i = (i + 1) & (_slots.Length - 1))
            {
                var s = _slots[i];
                if (s == 0)
                {
                    return -1;
                }

                if (s > 0 && _ring[s - 1] == key)
                {
                    return i;
                }
            }
        }

        private void Insert((int Instrument, ulong Hi, ulong Lo) key, int ringIndex)
        {
            for (var i = Hash(key); ; i = (i + 1) & (_slots.Length - 1))
            {
                if (_slots[i] <= 0)
                {
                    _slots[i] = ringIndex + 1;
                    return;
                }
            }
        }

        private void Remove((int Instrument, ulong Hi, ulong Lo) key)
        {
            var i = Find(key);
            if (i >= 0)
            {
                _slots[i] = -1;
            }

            // Tombstones accumulate; rebuild when they could slow probes down.
            if (++_tombstones > _slots.Length / 4)
            {
                Rebuild();
            }
        }

        private int _tombstones;

        private void Rebuild()
        {
            Array.Clear(_slots);
            _tombstones = 0;
            for (int k = 0, idx = (_next - _count + 1 + _ring.Length) % _ring.Length; k < _count - 1; k++, idx = (idx + 1) % _ring.Length)
            {
                Insert(_ring[idx], idx);
            }
        }
    }
}
