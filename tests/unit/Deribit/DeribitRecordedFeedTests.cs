using System.Globalization;
using System.Text.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Recorded;
using Cloudwall.Rx.Ingestion.Venues.Deribit;
using Cloudwall.Rx.Tests.Unit.TestSupport;
using static Cloudwall.Rx.Tests.Unit.Deribit.DeribitFrames;

namespace Cloudwall.Rx.Tests.Unit.Deribit;

/// <summary>
/// The decoder against real Deribit traffic (recorded feeds from the cryptofeed project by Bryant Moscon): 30 s of
/// options tickers and books for 10 instruments on 2021-07-22. The recording holds no trades (the options did not trade);
/// trades are proven with the documentation's frames and the simulator. Counts were taken with grep and an independent
/// Python json reading of the raw file; hand-checked rows were read off the raw lines.
/// </summary>
public sealed class DeribitRecordedFeedTests
{
    private static readonly Lazy<DecodedFile> Recording = new(() => DecodedFile.Load(RecordedFiles.PathOf(RecordedFile)));

    [RecordedFact(RecordedFile)]
    public void TheRecordingHasOneConnectionOneSubscribeAnd136Frames()
    {
        var lines = Recording.Value.Lines;

        Assert.Equal(1, lines.Count(l => l.Kind == RecordedLineKind.Open));
        Assert.Equal(1, lines.Count(l => l.Kind == RecordedLineKind.Sent));
        Assert.Equal(136, lines.Count(l => l.Kind == RecordedLineKind.Received));
        Assert.All(lines, l => Assert.Equal("wss://www.deribit.com/ws/api/v2", l.Url));
    }

    [RecordedFact(RecordedFile)]
    public void EveryFrameIsDecodedOrDeliberatelyIgnoredAndNothingThrows()
    {
        var d = Recording.Value;

        Assert.Equal(0, d.Threw);
        Assert.Equal(136, d.Frames.Count);
        Assert.Equal(89, d.Frames.Count(f => f.Outcome.Status == FrameStatus.Decoded)); // every ticker
        Assert.Equal(82, d.Frames.Count(f => f.Outcome == FrameOutcome.Decoded(3))); // quote + mark + index
        Assert.Equal(7, d.Frames.Count(f => f.Outcome == FrameOutcome.Decoded(2))); // empty book: mark + index
        Assert.Equal(46, d.Frames.Count(f => f.Outcome == FrameOutcome.Ignored(FrameReason.BookUpdate)));
        Assert.Equal(1, d.Frames.Count(f => f.Outcome == FrameOutcome.Ignored(FrameReason.SubscriptionAck)));
        Assert.Equal(0, d.Frames.Count(f => f.Outcome.Status == FrameStatus.Rejected));
    }

    [RecordedFact(RecordedFile)]
    public void TheRecordingYieldsQuotesMarksAndIndicesButNoTradesOrFunding()
    {
        var d = Recording.Value;
        var events = d.Events;

        Assert.Equal(260, events.Count);
        Assert.Equal(0, events.Count(e => e.Kind == EventKind.Trade));
        Assert.Equal(82, events.Count(e => e.Kind == EventKind.Quote));
        Assert.Equal(89, events.Count(e => e.Kind == EventKind.Mark));
        Assert.Equal(89, events.Count(e => e.Kind == EventKind.Index));
        Assert.Equal(0, events.Count(e => e.Kind == EventKind.Funding)); // options have no funding
        Assert.Equal(6, events.Count(e => e.Kind == EventKind.Quote && e.Price == 0)); // ask-only books
        Assert.All(events.Where(e => e.Kind == EventKind.Mark), e => Assert.True(e.Aux > 0, "every option mark carries its mark_iv"));
        Assert.Equal(10, events.Where(e => e.Kind != EventKind.Index).Select(e => e.Instrument).Distinct().Count());
        Assert.Equal(69, events.Count(e => e.Kind == EventKind.Index && d.RefData.KeyOf(e.Instrument) == "BTC-USD.INDEX"));
        Assert.Equal(20, events.Count(e => e.Kind == EventKind.Index && d.RefData.KeyOf(e.Instrument) == "ETH-USD.INDEX"));
        Assert.All(events, e => Assert.Equal(0, e.Sequence));
    }

    [RecordedFact(RecordedFile)]
    public void Line4IsAnOptionQuoteMarkWithMarkIvAndIndex()
    {
        // {"channel":"ticker.ETH-30JUL21-2800-C.raw","data":{...,"timestamp":1626993723632,...,"mark_price":0.001972,"mark_iv":120.74,
        //  ...,"index_price":2006.72,...,"best_bid_price":0.0015,"best_bid_amount":4714.0,"best_ask_price":0.0025,"best_ask_amount":873.0,...}}
        var d = Recording.Value;
        var events = Assert.Single(d.Frames, f => f.Line.LineNumber == 4).Events;

        Assert.Equal([EventKind.Quote, EventKind.Mark, EventKind.Index], events.Select(e => e.Kind));
        var (quote, mark, index) = (events[0], events[1], events[2]);
        Assert.Equal("ETH-USD-20210730-2800-C.OPT", d.RefData.KeyOf(quote.Instrument));
        Assert.Equal("ETH-30JUL21-2800-C", d.RefData.VenueSymbol(quote.Instrument, VenueId.Deribit));
        Assert.Equal("0.0015", EventJson.Dec(quote.Price));
        Assert.Equal("4714.0", EventJson.Dec(quote.Size));
        Assert.Equal("0.0025", EventJson.Dec(quote.Aux));
        Assert.Equal("873.0", EventJson.Dec(quote.AuxSize));
        Assert.Equal(mark.Instrument, quote.Instrument);
        Assert.Equal("0.001972", EventJson.Dec(mark.Price));
        Assert.Equal("120.74", EventJson.Dec(mark.Aux));
        Assert.Equal("ETH-USD.INDEX", d.RefData.KeyOf(index.Instrument));
        Assert.Equal("2006.72", EventJson.Dec(index.Price));
        Assert.All(events, e => Assert.Equal(1_626_993_723_632_000_000, e.ExchangeTimeNs));
        Assert.All(events, e => Assert.Equal(1_626_993_723_804_855_000, e.ReceiveTimeNs)); // 1626993723.804855
        Assert.Equal("2021-07-22T22:42:03.632Z", UnixTime.ToIso(mark.ExchangeTimeNs));
    }

    [RecordedFact(RecordedFile)]
    public void Line5HasAnEmptyBookSoOnlyMarkAndIndex()
    {
        // ETH-27AUG21-4000-P: "mark_price":1.005718,"mark_iv":117.2,...,"best_bid_price":0.0,...,"best_ask_price":0.0
        var d = Recording.Value;
        var events = Assert.Single(d.Frames, f => f.Line.LineNumber == 5).Events;

        Assert.Equal([EventKind.Mark, EventKind.Index], events.Select(e => e.Kind));
        Assert.Equal("ETH-USD-20210827-4000-P.OPT", d.RefData.KeyOf(events[0].Instrument));
        Assert.Equal("1.005718", EventJson.Dec(events[0].Price));
        Assert.Equal("117.2", EventJson.Dec(events[0].Aux));
    }

    [RecordedFact(RecordedFile)]
    public void Line6IsAnAskOnlyQuoteAndATinyMark()
    {
        // ETH-23JUL21-2300-C: "mark_price":0.000001,"mark_iv":111.4,...,"best_bid_price":0.0,"best_bid_amount":0.0,"best_ask_price":0.001,"best_ask_amount":274.0
        var d = Recording.Value;
        var events = Assert.Single(d.Frames, f => f.Line.LineNumber == 6).Events;

        Assert.Equal(EventKind.Quote, events[0].Kind);
        Assert.Equal("ETH-USD-20210723-2300-C.OPT", d.RefData.KeyOf(events[0].Instrument));
        Assert.Equal(0m, events[0].Price);
        Assert.Equal(0m, events[0].Size);
        Assert.Equal("0.001", EventJson.Dec(events[0].Aux));
        Assert.Equal("274.0", EventJson.Dec(events[0].AuxSize));
        Assert.Equal("0.000001", EventJson.Dec(events[1].Price));
        Assert.Equal("111.4", EventJson.Dec(events[1].Aux));
    }

    /// <summary>Every ticker against an independent reading with System.Text.Json: same values, same text (scale).</summary>
    [RecordedFact(RecordedFile)]
    public void EveryEventMatchesAnIndependentReadingOfItsRawLine()
    {
        var d = Recording.Value;
        var checkedFrames = 0;
        foreach (var frame in d.Frames.Where(f => f.Events.Length > 0))
        {
            using var doc = JsonDocument.Parse(frame.Line.Payload);
            var data = doc.RootElement.GetProperty("params").GetProperty("data");
            var name = data.GetProperty("instrument_name").GetString();
            var time = data.GetProperty("timestamp").GetInt64() * 1_000_000;
            var i = 0;
            var bid = data.GetProperty("best_bid_price");
            var ask = data.GetProperty("best_ask_price");
            if (bid.GetDecimal() > 0 || ask.GetDecimal() > 0)
            {
                var q = frame.Events[i++];
                Assert.Equal(EventKind.Quote, q.Kind);
                Assert.Equal(bid.GetDecimal() > 0 ? bid.GetRawText() : "0", Text(q.Price));
                Assert.Equal(ask.GetDecimal() > 0 ? ask.GetRawText() : "0", Text(q.Aux));
            }

            var mark = frame.Events[i++];
            Assert.Equal(name, d.RefData.VenueSymbol(mark.Instrument, VenueId.Deribit));
            Assert.Equal(data.GetProperty("mark_price").GetRawText(), Text(mark.Price));
            Assert.Equal(data.GetProperty("mark_iv").GetRawText(), Text(mark.Aux));
            var index = frame.Events[i++];
            Assert.Equal(data.GetProperty("index_price").GetRawText(), Text(index.Price));
            Assert.Equal(i, frame.Events.Length);
            Assert.All(frame.Events, e => Assert.Equal(time, e.ExchangeTimeNs));
            Assert.All(frame.Events, e => Assert.Equal(frame.Line.TimeNs, e.ReceiveTimeNs));
            checkedFrames++;
        }

        Assert.Equal(89, checkedFrames);
    }

    [RecordedFact(RecordedFile)]
    public void ReplayByVenueNameGivesTheSameSummary()
    {
        var refData = new ReferenceData();
        Assert.True(ReplayVenues.TryCreate("deribit", refData, out var decoder));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = Replay.Run(decoder, refData, RecordedFiles.PathOf(RecordedFile), stdout, stderr);

        Assert.Equal(Replay.ExitOk, exit);
        var summary = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["decoded=89 ignored=47 rejected=0 events=260", "threw=0", "ignored.subscription_ack=1", "ignored.book_update=46"], summary);
        Assert.Equal(260, stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    internal sealed record Frame(RecordedLine Line, FrameOutcome Outcome, MarketEvent[] Events);

    internal sealed class DecodedFile
    {
        public required List<RecordedLine> Lines { get; init; }
        public required List<Frame> Frames { get; init; }
        public required ReferenceData RefData { get; init; }
        public required int Threw { get; init; }

        public List<MarketEvent> Events => Frames.SelectMany(f => f.Events).ToList();

        public static DecodedFile Load(string path)
        {
            var refData = NewRefData();
            var decoder = new DeribitDecoder(refData);
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

            return new DecodedFile { Lines = lines, Frames = frames, RefData = refData, Threw = threw };
        }
    }
}
