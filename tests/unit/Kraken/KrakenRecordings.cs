using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Recorded;
using Cloudwall.Rx.Ingestion.Venues.Kraken;
using Cloudwall.Rx.Tests.Unit.TestSupport;

namespace Cloudwall.Rx.Tests.Unit.Kraken;

/// <summary>The Kraken recordings (recorded feeds from the cryptofeed project by Bryant Moscon), decoded once per file.</summary>
internal static class KrakenRecordings
{
    public const string V1Trades = "kraken/KRAKEN.ws.48.0";
    public const string V1Ticker = "kraken/KRAKEN.ws.49.0";
    public const string V1Book = "kraken/KRAKEN.ws.50.0";
    public const string Futures = "kraken_futures/KRAKEN_FUTURES.ws.1.0";

    private static readonly Lazy<DecodedFile> TradesFile = new(() => DecodedFile.Load(V1Trades, V1));
    private static readonly Lazy<DecodedFile> TickerFile = new(() => DecodedFile.Load(V1Ticker, V1));
    private static readonly Lazy<DecodedFile> BookFile = new(() => DecodedFile.Load(V1Book, V1));
    private static readonly Lazy<DecodedFile> FuturesFile = new(() => DecodedFile.Load(Futures, FuturesDecoder));

    public static DecodedFile Get(string file) => file switch
    {
        V1Trades => TradesFile.Value,
        V1Ticker => TickerFile.Value,
        V1Book => BookFile.Value,
        Futures => FuturesFile.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(file), file, null),
    };

    private static IFrameDecoder V1(ReferenceData refData)
    {
        KrakenSymbols.Register(refData);
        return new KrakenV1Decoder(refData);
    }

    private static IFrameDecoder FuturesDecoder(ReferenceData refData)
    {
        KrakenSymbols.RegisterFutures(refData);
        return new KrakenFuturesDecoder(refData);
    }

    internal sealed record Frame(RecordedLine Line, FrameOutcome Outcome, MarketEvent[] Events);

    internal sealed class DecodedFile
    {
        public required List<Frame> Frames { get; init; }
        public required ReferenceData RefData { get; init; }
        public required int Threw { get; init; }

        public List<MarketEvent> Events => Frames.SelectMany(f => f.Events).ToList();

        public Frame Line(int lineNumber) => Assert.Single(Frames, f => f.Line.LineNumber == lineNumber);

        public int Count(FrameOutcome outcome) => Frames.Count(f => f.Outcome == outcome);

        public string Key(in MarketEvent e) => RefData.KeyOf(e.Instrument);

        public static DecodedFile Load(string relative, Func<ReferenceData, IFrameDecoder> create)
        {
            var path = RecordedFiles.PathOf(relative);
            var refData = new ReferenceData();
            var decoder = create(refData);
            var frames = new List<Frame>();
            var output = new EventBuffer();
            var threw = 0;
            foreach (var line in RecordedFeedReader.ReadFile(path).Where(l => l.Kind == RecordedLineKind.Received))
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

            return new DecodedFile { Frames = frames, RefData = refData, Threw = threw };
        }
    }
}
