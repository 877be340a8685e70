using System.Globalization;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Recorded;

namespace Cloudwall.Rx.Tests.Unit.Okx;

/// <summary>A recorded feed decoded frame by frame, with what each frame became (shared by the OKX and Bybit tests).</summary>
internal sealed class DecodedRecording
{
    public const string OkxFile = "okx/OKX.ws.1.0";
    public const string BybitLinearFile = "bybit/BYBIT.ws.25.0";
    public const string BybitInverseFile = "bybit/BYBIT.ws.26.0";

    public required List<RecordedLine> Lines { get; init; }
    public required List<Frame> Frames { get; init; }
    public required ReferenceData RefData { get; init; }
    public required int Threw { get; init; }

    public List<MarketEvent> Events => Frames.SelectMany(f => f.Events).ToList();

    public int Count(FrameOutcome outcome) => Frames.Count(f => f.Outcome == outcome);

    public int CountKind(EventKind kind) => Frames.Sum(f => f.Events.Count(e => e.Kind == kind));

    public Frame AtLine(int line) => Assert.Single(Frames, f => f.Line.LineNumber == line);

    public string Key(in MarketEvent e) => RefData.KeyOf(e.Instrument);

    /// <summary>Decodes every received line with a decoder made (and its rules registered) by <paramref name="create"/>.</summary>
    public static DecodedRecording Load(string relativeFile, Func<ReferenceData, IFrameDecoder> create)
    {
        var path = TestSupport.RecordedFiles.PathOf(relativeFile);
        var refData = new ReferenceData();
        var decoder = create(refData);
        var lines = RecordedFeedReader.Parse(File.ReadAllBytes(path), path).ToList();
        var frames = new List<Frame>();
        var output = new EventBuffer();
        var threw = 0;
        foreach (var line in lines.Where(l => l.Kind == RecordedLineKind.Received))
        {
            output.Clear();
            try
            {
                var outcome = decoder.Decode(line.Payload.Span, line.TimeNs, output);
                frames.Add(new Frame(line, outcome, output.AsSpan().ToArray()));
            }
            catch (Exception)
            {
                threw++;
            }
        }

        return new DecodedRecording { Lines = lines, Frames = frames, RefData = refData, Threw = threw };
    }

    /// <summary>Same value and same scale: the decimal prints exactly as the wire text.</summary>
    public static void AssertExact(string wire, decimal value) => Assert.Equal(wire, value.ToString(CultureInfo.InvariantCulture));

    internal sealed record Frame(RecordedLine Line, FrameOutcome Outcome, MarketEvent[] Events);
}
