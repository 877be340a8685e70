using System.Globalization;
using System.Text.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Recorded;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;
using Cloudwall.Rx.Tests.Unit.TestSupport;

namespace Cloudwall.Rx.Tests.Unit.Coinbase;

/// <summary>
/// The decoder against real Coinbase traffic (recorded feeds from the cryptofeed project by Bryant Moscon).
/// Counts were taken with grep on the raw file; the hand-checked rows were read off the raw lines.
/// </summary>
public sealed class CoinbaseRecordedFeedTests
{
    private static readonly Lazy<DecodedFile> Recording = new(() => DecodedFile.Load(RecordedFiles.PathOf(RecordedFiles.Coinbase)));

    [RecordedFact(RecordedFiles.Coinbase)]
    public void TheRecordingHasOneConnectionThreeSubscribesAndTheReceivedFrames()
    {
        var lines = Recording.Value.Lines;

        Assert.Equal(1, lines.Count(l => l.Kind == RecordedLineKind.Open));
        Assert.Equal(3, lines.Count(l => l.Kind == RecordedLineKind.Sent));
        Assert.Equal(9946, lines.Count(l => l.Kind == RecordedLineKind.Received));
        Assert.All(lines, l => Assert.Equal("wss://ws-feed.pro.coinbase.com", l.Url));
        var open = lines.Single(l => l.Kind == RecordedLineKind.Open);
        Assert.Equal(1_618_677_816_843_429_800, open.TimeNs);
        Assert.Equal(1, open.LineNumber);
    }

    [RecordedFact(RecordedFiles.Coinbase)]
    public void EveryFrameIsDecodedOrDeliberatelyIgnoredAndNothingThrows()
    {
        var d = Recording.Value;

        Assert.Equal(0, d.Threw);
        Assert.Equal(9946, d.Frames.Count);
        Assert.Equal(214, d.Frames.Count(f => f.Outcome == FrameOutcome.Decoded(1)));
        Assert.Equal(9729, d.Frames.Count(f => f.Outcome == FrameOutcome.Ignored(FrameReason.BookUpdate)));
        Assert.Equal(3, d.Frames.Count(f => f.Outcome == FrameOutcome.Ignored(FrameReason.SubscriptionAck)));
        Assert.Equal(0, d.Frames.Count(f => f.Outcome.Status == FrameStatus.Rejected));
    }

    [RecordedFact(RecordedFiles.Coinbase)]
    public void TheRecordingYields107TradesAnd107Quotes()
    {
        var events = Recording.Value.Events;

        Assert.Equal(214, events.Count);
        Assert.Equal(107, events.Count(e => e.Kind == EventKind.Trade));
        Assert.Equal(107, events.Count(e => e.Kind == EventKind.Quote));
        Assert.Equal(53, events.Count(e => e.Kind == EventKind.Trade && e.Side == Side.Buy)); // 53 maker "sell"
        Assert.Equal(54, events.Count(e => e.Kind == EventKind.Trade && e.Side == Side.Sell)); // 54 maker "buy"
        Assert.Equal(10, events.Select(e => e.Instrument).Distinct().Count());
        Assert.Equal(53, events.Count(e => e.Kind == EventKind.Trade && Recording.Value.RefData.KeyOf(e.Instrument) == "SKL-USD.SPOT"));
    }

    /// <summary>Trades read by hand off the raw lines: maker side on the wire, taker side expected.</summary>
    public static TheoryData<int, long, string, string, Side, string, string, long, string, string> HandCheckedTrades() => new()
    {
        // line, trade_id, product, wire maker side, taker side, price, size, sequence, time, receive time
        { 56, 280232, "SKL-BTC", "sell", Side.Buy, "0.00001305", "985", 177100030, "2021-04-17T16:43:37.089723Z", "2021-04-17T16:43:37.1295161Z" },
        { 89, 1568268, "SKL-USD", "sell", Side.Buy, "0.791", "450", 201390075, "2021-04-17T16:43:37.121358Z", "2021-04-17T16:43:37.1299179Z" },
        { 11, 881613, "BAND-GBP", "sell", Side.Buy, "14.7775", "0.04", 333938798, "2021-04-17T16:43:30.244075Z", "2021-04-17T16:43:37.079762Z" },
        { 12, 82007, "SKL-GBP", "buy", Side.Sell, "0.5752", "1008.2", 27883326, "2021-04-17T16:43:29.571587Z", "2021-04-17T16:43:37.07979Z" },
        { 3301, 280236, "SKL-BTC", "buy", Side.Sell, "0.00001305", "1006", 177100796, "2021-04-17T16:43:47.750922Z", "2021-04-17T16:43:47.745085Z" },
    };

    [RecordedTheory(RecordedFiles.Coinbase)]
    [MemberData(nameof(HandCheckedTrades))]
    public void HandCheckedTradesDecodeExactly(int line, long tradeId, string product, string makerSide, Side taker, string price, string size,
        long sequence, string time, string receiveTime)
    {
        var d = Recording.Value;
        var frame = Assert.Single(d.Frames, f => f.Line.LineNumber == line);
        Assert.Contains($"\"side\":\"{makerSide}\"", System.Text.Encoding.UTF8.GetString(frame.Line.Payload.Span), StringComparison.Ordinal);
        var e = Assert.Single(frame.Events);

        Assert.Equal(EventKind.Trade, e.Kind);
        Assert.Equal(TradeId.Numeric(tradeId), e.TradeId);
        Assert.Equal(product, d.RefData.VenueSymbol(e.Instrument, VenueId.Coinbase));
        Assert.Equal(product + ".SPOT", d.RefData.KeyOf(e.Instrument));
        Assert.Equal(taker, e.Side);
        Assert.Equal(price, EventJson.Dec(e.Price));
        Assert.Equal(size, EventJson.Dec(e.Size));
        Assert.Equal(sequence, e.Sequence);
        Assert.Equal(time, UnixTime.ToIso(e.ExchangeTimeNs));
        Assert.Equal(receiveTime, UnixTime.ToIso(e.ReceiveTimeNs));
    }

    [RecordedFact(RecordedFiles.Coinbase)]
    public void FirstMatchHasExactNanosecondTimes()
    {
        var e = Assert.Single(Recording.Value.Events, e => e.TradeId == TradeId.Numeric(280232));

        Assert.Equal(1_618_677_817_089_723_000, e.ExchangeTimeNs);
        Assert.Equal(1_618_677_817_129_516_100, e.ReceiveTimeNs); // 1618677817.1295161 on the wire
    }

    [RecordedFact(RecordedFiles.Coinbase)]
    public void FirstTickerIsAQuoteWithoutSizes()
    {
        // Line 9: {"type":"ticker","sequence":333938798,"product_id":"BAND-GBP",...,"best_bid":"14.7550","best_ask":"14.8060",...}
        var d = Recording.Value;
        var e = Assert.Single(Assert.Single(d.Frames, f => f.Line.LineNumber == 9).Events);

        Assert.Equal(EventKind.Quote, e.Kind);
        Assert.Equal("BAND-GBP.SPOT", d.RefData.KeyOf(e.Instrument));
        Assert.Equal("14.7550", EventJson.Dec(e.Price));
        Assert.Equal("14.8060", EventJson.Dec(e.Aux));
        Assert.Equal(0m, e.Size); // 2021 tickers carried no best sizes
        Assert.Equal(0m, e.AuxSize);
        Assert.Equal(333938798, e.Sequence);
        Assert.Equal("2021-04-17T16:43:30.244075Z", UnixTime.ToIso(e.ExchangeTimeNs));
        Assert.Equal("2021-04-17T16:43:37.079694Z", UnixTime.ToIso(e.ReceiveTimeNs));
    }

    /// <summary>
    /// Every decoded event against an independent reading of its raw line with System.Text.Json and decimal.Parse.
    /// </summary>
    [RecordedFact(RecordedFiles.Coinbase)]
    public void EveryEventMatchesAnIndependentReadingOfItsRawLine()
    {
        var d = Recording.Value;
        var checkedEvents = 0;
        foreach (var frame in d.Frames.Where(f => f.Events.Length == 1))
        {
            var e = frame.Events[0];
            using var doc = JsonDocument.Parse(frame.Line.Payload);
            var root = doc.RootElement;
            var type = root.GetProperty("type").GetString();
            Assert.Equal(root.GetProperty("product_id").GetString(), d.RefData.VenueSymbol(e.Instrument, VenueId.Coinbase));
            Assert.Equal(root.GetProperty("sequence").GetInt64(), e.Sequence);
            Assert.Equal(Nanos(root.GetProperty("time").GetString()!), e.ExchangeTimeNs);
            Assert.Equal(frame.Line.TimeNs, e.ReceiveTimeNs);
            if (type is "match" or "last_match")
            {
                Assert.Equal(EventKind.Trade, e.Kind);
                Assert.Equal(root.GetProperty("trade_id").GetInt64(), e.TradeId.AsLong);
                AssertExact(root.GetProperty("price").GetString()!, e.Price);
                AssertExact(root.GetProperty("size").GetString()!, e.Size);
                Assert.Equal(root.GetProperty("side").GetString() == "sell" ? Side.Buy : Side.Sell, e.Side);
            }
            else
            {
                Assert.Equal("ticker", type);
                Assert.Equal(EventKind.Quote, e.Kind);
                AssertExact(root.GetProperty("best_bid").GetString()!, e.Price);
                AssertExact(root.GetProperty("best_ask").GetString()!, e.Aux);
            }

            checkedEvents++;
        }

        Assert.Equal(214, checkedEvents);
    }

    [RecordedFact(RecordedFiles.Coinbase)]
    public void ReceiveTimesAreExactlyTheRecordedDecimalSeconds()
    {
        var received = Recording.Value.Lines.Where(l => l.Kind == RecordedLineKind.Received).ToArray();
        var raw = File.ReadLines(RecordedFiles.PathOf(RecordedFiles.Coinbase))
            .Select((text, i) => (text, number: i + 1))
            .Where(x => x.text.Length > 0 && char.IsAsciiDigit(x.text[0]))
            .ToDictionary(x => x.number, x => x.text[..x.text.IndexOf(": ", StringComparison.Ordinal)]);
        Assert.Equal(received.Length, raw.Count);
        foreach (var line in received)
        {
            var seconds = decimal.Parse(raw[line.LineNumber], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            Assert.Equal((long)(seconds * 1_000_000_000m), line.TimeNs);
        }
    }

    [RecordedFact(RecordedFiles.Coinbase)]
    public void EveryRecordedEventRoundTripsThroughTheWireCodec()
    {
        var wire = new byte[Cloudwall.Rx.Core.Wire.EventCodec.MaxSize];
        var events = Recording.Value.Events;
        foreach (var e in events)
        {
            var written = Cloudwall.Rx.Core.Wire.EventCodec.Encode(e, wire);
            Assert.True(Cloudwall.Rx.Core.Wire.EventCodec.TryDecode(wire.AsSpan(0, written), e.Instrument, out var back));
            Assert.Equal(e, back);
            Assert.Equal(EventJson.Dec(e.Price), EventJson.Dec(back.Price)); // scale survives, not just value
        }

        // Some frames arrived before their exchange time (clock skew): negative latencies must survive too.
        Assert.Contains(events, e => e.ReceiveTimeNs < e.ExchangeTimeNs);
    }

    private static void AssertExact(string wire, decimal value)
    {
        // Same value and same scale: the text round-trips character for character.
        Assert.Equal(wire, value.ToString(CultureInfo.InvariantCulture));
    }

    private static long Nanos(string iso) =>
        UnixTime.FromDateTime(DateTime.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));

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
            var content = File.ReadAllBytes(path);
            var refData = new ReferenceData();
            CoinbaseSymbols.Register(refData);
            var decoder = new CoinbaseExchangeDecoder(refData);
            var lines = RecordedFeedReader.Parse(content, path).ToList();
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
