namespace Cloudwall.Rx.Ingestion.Venues.Kit;

/// <summary>
/// The preamble every JSON venue decoder shares: the size cap (<see cref="FrameReason.Oversized"/>), the catch that turns
/// the reader's exceptions into <see cref="FrameReason.Malformed"/>, and the rule that a frame that is not decoded leaves no
/// events behind. A venue implements only <see cref="DecodeFrame"/>.
/// </summary>
public abstract class JsonFrameDecoder : IFrameDecoder
{
    /// <summary>
    /// Frames larger than this are rejected as <see cref="FrameReason.Oversized"/> unless configured otherwise; the
    /// WebSocket receive cap (<c>Providers:&lt;name&gt;:MaxMessageBytes</c>) defaults to the same. 1 MiB: Bybit documents
    /// trade packets of 1–1024 trades (https://bybit-exchange.github.io/docs/v5/sbe/sbe-public-trade, checked 2026-12-06),
    /// about 200 KB as JSON <c>publicTrade</c> at the documented example's ~190 bytes a trade, and the recorded Kraken feed
    /// holds a 64+ KiB frame (a book-1000 snapshot). At 64 KiB the bench harness's simulators at ~2,700 trades/s per
    /// product sent 70–80 KB trade frames that closed the connection, re-subscribed and back-filled over and over
    /// (bench/README.md). The receive buffer grows to a message's size only when one arrives.
    /// </summary>
    public const int DefaultMaxFrameBytes = 1024 * 1024;

    /// <summary>The reader settings of every venue: no comments, and nesting no venue needs is malformed.</summary>
    private protected static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 16 };

    /// <param name="refData">Where the venue's symbols resolve to instruments.</param>
    /// <param name="venue">The venue whose frames this decodes.</param>
    /// <param name="maxFrameBytes">The size cap.</param>
    /// <param name="minFrameBytes">The smallest sensible cap: the shortest frame of the venue's that must still be read.</param>
    private protected JsonFrameDecoder(ReferenceData refData, VenueId venue, int maxFrameBytes, int minFrameBytes)
    {
        ArgumentNullException.ThrowIfNull(refData);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameBytes, minFrameBytes);
        RefData = refData;
        Venue = venue;
        MaxFrameBytes = maxFrameBytes;
    }

    public VenueId Venue { get; }

    /// <summary>Where the venue's symbols resolve to instruments.</summary>
    private protected ReferenceData RefData { get; }

    public int MaxFrameBytes { get; }

    /// <summary>
    /// True for a decoder that classifies some frames from their first property whatever their size (Kraken's book frames)
    /// and so checks <see cref="MaxFrameBytes"/> itself, on the frames it reads.
    /// </summary>
    private protected virtual bool ChecksFrameSizeItself => false;

    public FrameOutcome Decode(ReadOnlySpan<byte> frame, long receiveTimeNs, EventBuffer output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!ChecksFrameSizeItself && frame.Length > MaxFrameBytes)
        {
            return FrameOutcome.Rejected(FrameReason.Oversized);
        }

        var start = output.Count;
        FrameOutcome outcome;
        try
        {
            outcome = DecodeFrame(frame, receiveTimeNs, output);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Invalid JSON (JsonException), or an escape that does not unescape to valid UTF-8 (InvalidOperationException from
            // CopyString): the reader reports both only by throwing.
            outcome = FrameOutcome.Rejected(FrameReason.Malformed);
        }

        if (outcome.Status != FrameStatus.Decoded)
        {
            output.Truncate(start);
        }

        return outcome;
    }

    /// <summary>The venue's own decoding of one frame; it may throw what the JSON reader throws, and may leave events on failure.</summary>
    private protected abstract FrameOutcome DecodeFrame(ReadOnlySpan<byte> frame, long receiveTimeNs, EventBuffer output);
}
