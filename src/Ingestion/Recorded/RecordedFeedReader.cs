using System.Text;

namespace Cloudwall.Rx.Ingestion.Recorded;

/// <summary>What one line of a recorded WebSocket feed (<c>&lt;VENUE&gt;.ws.&lt;n&gt;.0</c>) reports.</summary>
public enum RecordedLineKind : byte
{
    /// <summary><c>&lt;url&gt; &lt;-&gt; &lt;secs&gt;</c>: a connection was opened.</summary>
    Open = 0,
    /// <summary><c>&lt;url&gt; &lt;- &lt;secs&gt;: &lt;json&gt;</c>: a message was sent (the subscribe request).</summary>
    Sent = 1,
    /// <summary><c>&lt;secs&gt;: &lt;raw json&gt;</c>: a frame was received.</summary>
    Received = 2,
}

/// <summary>
/// One line of a recorded feed. <see cref="TimeNs"/> is the recorder's local time, exact to the nanosecond from the decimal
/// seconds. <see cref="Url"/> is the connection the line belongs to (for received lines, the most recently opened one; null
/// when none was opened yet). <see cref="Payload"/> is empty for <see cref="RecordedLineKind.Open"/>.
/// </summary>
public readonly record struct RecordedLine(RecordedLineKind Kind, long TimeNs, string? Url, ReadOnlyMemory<byte> Payload, int LineNumber);

/// <summary>
/// Reads the recorded raw WebSocket traffic (cryptofeed's raw-data collector format, see the recorded data README).
/// Received lines split on the first <c>": "</c>; times parse exactly with <see cref="Utf8Time.TryParseSeconds"/>.
/// Blank lines are skipped; any other line that fits none of the three forms is an <see cref="InvalidDataException"/>
/// naming the file and line, because a recording we cannot read is a broken fixture, not market data.
/// </summary>
public static class RecordedFeedReader
{
    private static ReadOnlySpan<byte> OpenMarker => " <-> "u8;
    private static ReadOnlySpan<byte> SentMarker => " <- "u8;
    private static ReadOnlySpan<byte> PayloadSeparator => ": "u8;

    /// <summary>
    /// Reads a whole recording into memory and yields its lines; payloads are slices of that one buffer (no copy per line).
    /// The recordings are a few MB at most.
    /// </summary>
    public static IEnumerable<RecordedLine> ReadFile(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>Parses recording content already in memory. <paramref name="source"/> names it in error messages.</summary>
    public static IEnumerable<RecordedLine> Parse(ReadOnlyMemory<byte> content, string source = "<memory>")
    {
        string? currentUrl = null;
        var lineNumber = 0;
        var rest = content;
        while (!rest.IsEmpty)
        {
            lineNumber++;
            var newline = rest.Span.IndexOf((byte)'\n');
            var line = newline < 0 ? rest : rest[..newline];
            rest = newline < 0 ? ReadOnlyMemory<byte>.Empty : rest[(newline + 1)..];
            if (!line.IsEmpty && line.Span[^1] == '\r')
            {
                line = line[..^1];
            }

            if (line.Span.Trim((byte)' ').IsEmpty)
            {
                continue;
            }

            if (!TryParseLine(line, currentUrl, lineNumber, out var parsed))
            {
                throw new InvalidDataException($"{source}:{lineNumber}: not a recorded-feed line: {Preview(line.Span)}");
            }

            if (parsed.Kind == RecordedLineKind.Open)
            {
                currentUrl = parsed.Url;
            }

            yield return parsed;
        }
    }

    /// <summary>
    /// Parses one line (without its newline). <paramref name="currentUrl"/> is attached to received lines;
    /// open and sent lines carry their own URL.
    /// </summary>
    public static bool TryParseLine(ReadOnlyMemory<byte> line, string? currentUrl, int lineNumber, out RecordedLine parsed)
    {
        parsed = default;
        var span = line.Span;
        if (span.IsEmpty)
        {
            return false;
        }

        if ((uint)(span[0] - '0') <= 9)
        {
            // <secs>: <raw json>
            var sep = span.IndexOf(PayloadSeparator);
            if (sep <= 0 || !Utf8Time.TryParseSeconds(span[..sep], out var ns))
            {
                return false;
            }

            parsed = new RecordedLine(RecordedLineKind.Received, ns, currentUrl, line[(sep + PayloadSeparator.Length)..], lineNumber);
            return true;
        }

        // <url> <-> <secs>   or   <url> <- <secs>: <json>. URLs carry no spaces, so the first space ends the URL.
        var space = span.IndexOf((byte)' ');
        if (space <= 0)
        {
            return false;
        }

        var urlBytes = span[..space];
        var tail = span[space..];
        if (tail.StartsWith(OpenMarker))
        {
            if (!Utf8Time.TryParseSeconds(tail[OpenMarker.Length..], out var ns))
            {
                return false;
            }

            parsed = new RecordedLine(RecordedLineKind.Open, ns, Encoding.UTF8.GetString(urlBytes), ReadOnlyMemory<byte>.Empty, lineNumber);
            return true;
        }

        if (tail.StartsWith(SentMarker))
        {
            var afterMarker = space + SentMarker.Length;
            var sep = span[afterMarker..].IndexOf(PayloadSeparator);
            if (sep <= 0 || !Utf8Time.TryParseSeconds(span.Slice(afterMarker, sep), out var ns))
            {
                return false;
            }

            var payloadStart = afterMarker + sep + PayloadSeparator.Length;
            parsed = new RecordedLine(RecordedLineKind.Sent, ns, Encoding.UTF8.GetString(urlBytes), line[payloadStart..], lineNumber);
            return true;
        }

        return false;
    }

    private static string Preview(ReadOnlySpan<byte> line)
    {
        const int max = 80;
        return Encoding.UTF8.GetString(line[..Math.Min(line.Length, max)]) + (line.Length > max ? "..." : "");
    }
}
