using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Pricing;

/// <summary>
/// The latest trade-based fair price of every instrument, shared by all partitions: a derivative's basis needs its
/// underlying's spot price and a composite needs the stablecoin rate, which may be owned by another partition.
/// </summary>
/// <remarks>
/// Lock-free: one slot per instrument id (chunks of 1024, allocated on first use), each guarded by a sequence lock.
/// Only the partition that owns an instrument writes its slot, and only on emission, so there is one writer per slot;
/// readers retry while a write is in progress. A decimal cannot be read atomically, hence the sequence rather than a
/// plain volatile read.
/// </remarks>
public sealed class FairPriceBoard
{
    private const int ChunkBits = 10;
    private const int ChunkSize = 1 << ChunkBits;
    private const int MaxChunks = 4096;
    private readonly Slot[]?[] _chunks = new Slot[]?[MaxChunks];

    /// <summary>Publishes an instrument's latest fair price. Call only from the partition that owns the instrument.</summary>
    public void Write(in FairPrice fp)
    {
        var id = fp.Instrument.Value;
        if ((uint)id >= (uint)(MaxChunks * ChunkSize))
        {
            return;
        }

        ref var slot = ref ChunkFor(id)[id & (ChunkSize - 1)];
        var seq = slot.Sequence;
        // Odd while writing. The exchange is a full fence: the odd value is visible before any field changes.
        Interlocked.Exchange(ref slot.Sequence, seq + 1);
        slot.Price = fp.Price;
        slot.TimeNs = fp.ComputedTimeNs;
        slot.Status = fp.Status;
        slot.Present = true;
        Volatile.Write(ref slot.Sequence, seq + 2);
    }

    /// <summary>Reads an instrument's latest fair price; false when none was ever written.</summary>
    public bool TryRead(InstrumentId instrument, out decimal price, out FairPriceStatus status, out long timeNs)
    {
        price = 0m;
        status = FairPriceStatus.Stale;
        timeNs = 0;
        var id = instrument.Value;
        if ((uint)id >= (uint)(MaxChunks * ChunkSize))
        {
            return false;
        }

        var chunk = Volatile.Read(ref _chunks[id >> ChunkBits]);
        if (chunk is null)
        {
            return false;
        }

        ref var slot = ref chunk[id & (ChunkSize - 1)];
        var spin = new SpinWait();
        while (true)
        {
            var before = Volatile.Read(ref slot.Sequence);
            if ((before & 1) == 0)
            {
                price = slot.Price;
                status = slot.Status;
                timeNs = slot.TimeNs;
                var present = slot.Present;
                // Keep the field reads above from moving below the second sequence read.
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref slot.Sequence) == before)
                {
                    return present;
                }
            }

            spin.SpinOnce();
        }
    }

    private Slot[] ChunkFor(int id)
    {
        ref var chunk = ref _chunks[id >> ChunkBits];
        var c = Volatile.Read(ref chunk);
        if (c is null)
        {
            Interlocked.CompareExchange(ref chunk, new Slot[ChunkSize], null);
            c = Volatile.Read(ref chunk)!;
        }

        return c;
    }

    private struct Slot
    {
        public int Sequence;
        public decimal Price;
        public long TimeNs;
        public FairPriceStatus Status;
        public bool Present;
    }
}
