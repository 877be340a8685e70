namespace Cloudwall.Rx.Core;

/// <summary>What happened to one frame. Values are used as metric labels and dead-letter reasons.</summary>
public enum FrameStatus : byte
{
    /// <summary>Produced one or more events.</summary>
    Decoded = 0,
    /// <summary>Understood and deliberately not turned into events (acks, heartbeats, book updates, ...).</summary>
    Ignored = 1,
    /// <summary>Bad input: dead-lettered and counted.</summary>
    Rejected = 2,
}

/// <summary>Why a frame was ignored or rejected. Names are stable metric label values (see <see cref="FrameReasonText"/>).</summary>
public enum FrameReason : byte
{
    None = 0,
    // Ignored
    Heartbeat,
    SubscriptionAck,
    BookUpdate,
    Unsupported,
    // Rejected
    Malformed,
    MissingField,
    UnknownSymbol,
    InvalidPrice,
    InvalidTimestamp,
    Oversized,
    VenueError,
    // Rejected per event by the central validation after decoding (EventValidator): the frame's good events still pass.
    CrossedQuote,
    InvalidSize,
    TimestampFuture,
    TimestampPast,
}

public static class FrameReasonText
{
    /// <summary>Every value a <see cref="FrameReason"/> (a byte) can take: the size of an array indexed by reason.</summary>
    public const int KeySpace = byte.MaxValue + 1;

    public static string ToText(this FrameReason r) => r switch
    {
        FrameReason.None => "none",
        FrameReason.Heartbeat => "heartbeat",
        FrameReason.SubscriptionAck => "subscription_ack",
        FrameReason.BookUpdate => "book_update",
        FrameReason.Unsupported => "unsupported",
        FrameReason.Malformed => "malformed",
        FrameReason.MissingField => "missing_field",
        FrameReason.UnknownSymbol => "unknown_symbol",
        FrameReason.InvalidPrice => "invalid_price",
        FrameReason.InvalidTimestamp => "invalid_timestamp",
        FrameReason.Oversized => "oversized",
        FrameReason.VenueError => "venue_error",
        FrameReason.CrossedQuote => "crossed_quote",
        FrameReason.InvalidSize => "invalid_size",
        FrameReason.TimestampFuture => "timestamp_future",
        FrameReason.TimestampPast => "timestamp_past",
        _ => "other",
    };
}

/// <summary>The outcome of decoding one frame.</summary>
public readonly record struct FrameOutcome(FrameStatus Status, FrameReason Reason, int Events)
{
    public static FrameOutcome Decoded(int events) => new(FrameStatus.Decoded, FrameReason.None, events);

    public static FrameOutcome Ignored(FrameReason reason) => new(FrameStatus.Ignored, reason, 0);

    public static FrameOutcome Rejected(FrameReason reason) => new(FrameStatus.Rejected, reason, 0);
}

/// <summary>
/// A reusable, growable buffer that a decoder appends events to. Reused across frames, so decoding allocates nothing
/// once it has grown to the largest frame's event count.
/// </summary>
public sealed class EventBuffer
{
    private MarketEvent[] _items;

    public EventBuffer(int capacity = 16) => _items = new MarketEvent[Math.Max(1, capacity)];

    public int Count { get; private set; }

    public ref readonly MarketEvent this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }

            return ref _items[index];
        }
    }

    public ReadOnlySpan<MarketEvent> AsSpan() => _items.AsSpan(0, Count);

    /// <summary>The events as memory, for a hand-off that may complete later; valid until the next <see cref="Clear"/>.</summary>
    public ReadOnlyMemory<MarketEvent> AsMemory() => _items.AsMemory(0, Count);

    public void Add(in MarketEvent e)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[Count++] = e;
    }

    /// <summary>
    /// Marks the events added since <paramref name="from"/> as history the venue sent on (re)subscribe
    /// (<see cref="EventFlags.Snapshot"/>), and puts them oldest first when the venue listed them newest first (by
    /// sequence where both ends carry one, else by exchange time), so snapshot trades come out oldest first on every venue.
    /// </summary>
    public void MarkSnapshot(int from) => MarkSnapshot(from, Count - from);

    /// <summary>As <see cref="MarkSnapshot(int)"/>, for the <paramref name="count"/> events from <paramref name="from"/>.</summary>
    public void MarkSnapshot(int from, int count)
    {
        from = Math.Clamp(from, 0, Count);
        var end = from + Math.Clamp(count, 0, Count - from);
        for (var i = from; i < end; i++)
        {
            _items[i] = _items[i] with { Flags = _items[i].Flags | EventFlags.Snapshot };
        }

        if (end - from > 1)
        {
            ref readonly var first = ref _items[from];
            ref readonly var last = ref _items[end - 1];
            var newestFirst = first.Sequence != 0 && last.Sequence != 0 && first.Sequence != last.Sequence
                ? first.Sequence > last.Sequence
                : first.ExchangeTimeNs > last.ExchangeTimeNs;
            if (newestFirst)
            {
                Array.Reverse(_items, from, end - from);
            }
        }
    }

    /// <summary>Drops events added since <paramref name="count"/>, for a decoder that rejects a frame half-way.</summary>
    public void Truncate(int count) => Count = Math.Min(Count, Math.Max(0, count));

    public void Clear() => Count = 0;
}

/// <summary>
/// A pure decoder: venue frame bytes to <see cref="MarketEvent"/>s. Implementations never throw on bad input: they return
/// <see cref="FrameStatus.Rejected"/> with a reason. One instance per connection (decoders may keep per-series state).
/// </summary>
public interface IFrameDecoder
{
    VenueId Venue { get; }

    FrameOutcome Decode(ReadOnlySpan<byte> frame, long receiveTimeNs, EventBuffer output);
}

/// <summary>A frame that could not be used: what, from where, why, and the raw bytes (truncated).</summary>
public sealed record DeadLetter(ProviderId Provider, VenueId Venue, FrameReason Reason, long ReceiveTimeNs, byte[] Raw, int OriginalLength, string? Detail = null)
{
    /// <summary>Raw bytes kept per dead letter; longer frames are truncated (the original length is kept).</summary>
    public const int MaxRawBytes = 4096;

    public static DeadLetter Create(ProviderId provider, VenueId venue, FrameReason reason, long receiveTimeNs, ReadOnlySpan<byte> raw, string? detail = null) =>
        new(provider, venue, reason, receiveTimeNs, raw[..Math.Min(raw.Length, MaxRawBytes)].ToArray(), raw.Length, detail);
}
