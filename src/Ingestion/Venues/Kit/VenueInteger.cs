using System.Buffers.Text;

namespace Cloudwall.Rx.Ingestion.Venues.Kit;

/// <summary>Whole numbers venues send (ids, sequence numbers, times) as a JSON number or a numeric string: the whole token or nothing.</summary>
internal static class VenueInteger
{
    /// <summary>A signed 64-bit integer that is the whole of <paramref name="text"/>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out long value) =>
        Utf8Parser.TryParse(text, out value, out var used) && used == text.Length && text.Length > 0;

    /// <summary>A non-negative integer (trade ids, sequence numbers).</summary>
    public static bool TryParseNonNegative(ReadOnlySpan<byte> text, out long value) => TryParse(text, out value) && value >= 0;
}
