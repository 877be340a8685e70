using System.Buffers.Text;

namespace Cloudwall.Rx.Ingestion.Venues.Deribit;

/// <summary>Exact decimals from the raw bytes of a JSON number (or a numeric string), without allocating.</summary>
internal static class JsonNumber
{
    /// <summary>A non-negative integer (sequence numbers, millisecond timestamps).</summary>
    public static bool TryParseInt64(ReadOnlySpan<byte> text, out long value) =>
        Utf8Parser.TryParse(text, out value, out var used) && used == text.Length && value >= 0;
}
