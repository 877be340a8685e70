namespace Cloudwall.Rx.Control.Commands;

/// <summary>
/// Remembers nonces for <see cref="Ttl"/> (twice the clock-skew window, so a nonce is remembered for as long as its command
/// could pass the skew check) and at most <see cref="Capacity"/> of them. When full of live nonces it refuses new ones
/// (fail closed: forgetting one early would let a replay through).
/// </summary>
public sealed class NonceCache
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _expiry = new(StringComparer.Ordinal);
    private readonly Queue<(string Nonce, long Expiry)> _order = new();
    private readonly TimeProvider _time;

    public NonceCache(int capacity, TimeSpan ttl, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        Capacity = capacity;
        Ttl = ttl;
        _time = time;
    }

    public int Capacity { get; }

    public TimeSpan Ttl { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                Purge(_time.GetUtcNow().UtcTicks);
                return _expiry.Count;
            }
        }
    }

    public NonceOutcome TryAdd(string keyId, string nonce)
    {
        var id = keyId + "\n" + nonce;
        lock (_gate)
        {
            var now = _time.GetUtcNow().UtcTicks;
            Purge(now);
            if (_expiry.ContainsKey(id))
            {
                return NonceOutcome.Replayed;
            }

            if (_expiry.Count >= Capacity)
            {
                return NonceOutcome.Full;
            }

            var expiry = now + Ttl.Ticks;
            _expiry[id] = expiry;
            _order.Enqueue((id, expiry));
            return NonceOutcome.Added;
        }
    }

    // Entries expire in insertion order because the TTL is fixed and time does not go back (a backwards clock only delays purging).
    private void Purge(long now)
    {
        while (_order.TryPeek(out var head) && head.Expiry <= now)
        {
            _order.Dequeue();
            _expiry.Remove(head.Nonce);
        }
    }
}

public enum NonceOutcome
{
    Added,
    Replayed,
    Full,
}
