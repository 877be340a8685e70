using System.Buffers;
using System.Globalization;
using System.Text;

namespace Cloudwall.Rx.Ingestion.Recorded;

/// <summary>
/// Replays a recorded feed through a decoder: one JSON line per event on stdout (<see cref="EventJson"/>), and a summary of
/// what happened to every received frame on stderr. A decoder that throws is a bug: the frame is counted as <c>threw</c>
/// and the replay goes on.
/// </summary>
public static class Replay
{
    /// <summary>Every frame was decoded, ignored or rejected.</summary>
    public const int ExitOk = 0;

    /// <summary>The decoder threw on at least one frame (the replay still completed).</summary>
    public const int ExitDecoderThrew = 1;

    /// <summary>The recording could not be read or is not in the recorded-feed format.</summary>
    public const int ExitUnreadable = 2;

    /// <summary>Exceptions described one by one on stderr; the rest are only counted.</summary>
    private const int MaxThrownDetails = 10;

    /// <summary>
    /// Replays the received frames of <paramref name="path"/>. The summary on <paramref name="stderr"/> is a line
    /// <c>decoded=N ignored=N rejected=N events=N</c> (frames, then events), a line <c>threw=N</c>, then one line
    /// <c>&lt;status&gt;.&lt;reason&gt;=N</c> per reason seen, in enum order.
    /// </summary>
    public static int Run(IFrameDecoder decoder, ReferenceData refData, string path, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        return Run(_ => decoder, refData, path, stdout, stderr);
    }

    /// <summary>
    /// As <see cref="Run(IFrameDecoder, ReferenceData, string, TextWriter, TextWriter)"/>, with a fresh decoder per connection:
    /// <paramref name="decoderFor"/> gets each connect line's endpoint (null for frames before the first one), because the
    /// endpoint can decide the market (see <see cref="ReplayVenues"/>).
    /// </summary>
    public static int Run(Func<Uri?, IFrameDecoder> decoderFor, ReferenceData refData, string path, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(decoderFor);
        ArgumentNullException.ThrowIfNull(refData);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"replay: cannot read {path}: {e.Message}");
            return ExitUnreadable;
        }

        var summary = new Summary();
        var events = new EventBuffer();
        var json = new ArrayBufferWriter<byte>(512);
        using var writer = new Utf8JsonWriter(json);
        IFrameDecoder? decoder = null;
        try
        {
            foreach (var line in RecordedFeedReader.Parse(content, path))
            {
                if (line.Kind == RecordedLineKind.Open)
                {
                    decoder = decoderFor(Uri.TryCreate(line.Url, UriKind.Absolute, out var endpoint) ? endpoint : null);
                }

                if (line.Kind != RecordedLineKind.Received)
                {
                    continue;
                }

                decoder ??= decoderFor(null);
                events.Clear();
                FrameOutcome outcome;
                try
                {
                    outcome = decoder.Decode(line.Payload.Span, line.TimeNs, events);
                }

                // Catching everything is the point: a decoder bug is counted, and the replay goes on.
                catch (Exception e)
                {
                    if (summary.Threw++ < MaxThrownDetails)
                    {
                        stderr.WriteLine($"replay: decoder threw at {path}:{line.LineNumber}: {e.GetType().Name}: {e.Message}");
                    }

                    continue;
                }

                summary.Count(outcome, events.Count);
                foreach (ref readonly var e in events.AsSpan())
                {
                    json.ResetWrittenCount();
                    writer.Reset(json);
                    EventJson.Write(writer, e, refData);
                    writer.Flush();
                    stdout.WriteLine(Encoding.UTF8.GetString(json.WrittenSpan));
                }
            }
        }
        catch (InvalidDataException e)
        {
            stderr.WriteLine($"replay: {e.Message}");
            summary.WriteTo(stderr);
            return ExitUnreadable;
        }

        summary.WriteTo(stderr);
        return summary.Threw == 0 ? ExitOk : ExitDecoderThrew;
    }

    private sealed class Summary
    {
        private const int Statuses = (int)FrameStatus.Rejected + 1;
        private const int Reasons = byte.MaxValue + 1;
        private readonly long[,] _byReason = new long[Statuses, Reasons];
        private readonly long[] _byStatus = new long[Statuses];

        public long Events { get; private set; }

        public long Threw { get; set; }

        public void Count(FrameOutcome outcome, int events)
        {
            var status = (int)outcome.Status;
            if ((uint)status < Statuses)
            {
                _byStatus[status]++;
                _byReason[status, (int)outcome.Reason]++;
            }

            Events += events;
        }

        public void WriteTo(TextWriter w)
        {
            var c = CultureInfo.InvariantCulture;
            w.WriteLine(string.Create(c,
                $"decoded={_byStatus[(int)FrameStatus.Decoded]} ignored={_byStatus[(int)FrameStatus.Ignored]} rejected={_byStatus[(int)FrameStatus.Rejected]} events={Events}"));
            w.WriteLine(string.Create(c, $"threw={Threw}"));
            foreach (var status in (ReadOnlySpan<FrameStatus>)[FrameStatus.Ignored, FrameStatus.Rejected])
            {
                for (var reason = 0; reason < Reasons; reason++)
                {
                    var n = _byReason[(int)status, reason];
                    if (n > 0)
                    {
                        w.WriteLine(string.Create(c, $"{StatusText(status)}.{((FrameReason)reason).ToText()}={n}"));
                    }
                }
            }
        }

        private static string StatusText(FrameStatus status) => status == FrameStatus.Ignored ? "ignored" : "rejected";
    }
}
