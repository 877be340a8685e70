using System.Globalization;
using System.Text.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Recorded;
using Cloudwall.Rx.Ingestion.Venues.Binance;
using Cloudwall.Rx.Tests.Unit.TestSupport;

namespace Cloudwall.Rx.Tests.Unit.Binance;

/// <summary>
/// The decoder against real Binance traffic (recorded feeds from the cryptofeed project by Bryant Moscon): spot, Binance.US,
/// USDⓈ-M and COIN-M. Every file was recorded over the combined-stream endpoint with the streams in its URL (no SUBSCRIBE
/// lines): aggTrade, bookTicker, depth@100ms and kline_1m; none recorded markPrice. Counts were taken from the raw files
/// with an independent script (stream name per line); the hand-checked rows were read off the raw lines.
/// </summary>
public sealed class BinanceRecordedFeedTests
{
    public const string Spot = "binance/BINANCE.ws.1.0";
    public const string Us = "binance_us/BINANCE_US.ws.1.0";
    public const string UsdM = "binance_futures/BINANCE_FUTURES.ws.1.0";
    public const string CoinM = "binance_delivery/BINANCE_DELIVERY.ws.1.0";

    private static readonly Dictionary<string, Lazy<DecodedFile>> Files = new()
    {
        [Spot] = new(() => DecodedFile.Load(Spot, BinanceMarket.Spot)),
        [Us] = new(() => DecodedFile.Load(Us, BinanceMarket.Us)),
        [UsdM] = new(() => DecodedFile.Load(UsdM, BinanceMarket.UsdM)),
        [CoinM] = new(() => DecodedFile.Load(CoinM, BinanceMarket.CoinM)),
    };

    [RecordedFact(Spot)]
    public void SpotCounts() => AssertCounts(Files[Spot].Value, received: 265, trades: 2, buys: 2, quotes: 84, book: 177, unsupported: 2, instruments: 3);

    [RecordedFact(Us)]
    public void BinanceUsCounts() => AssertCounts(Files[Us].Value, received: 480, trades: 11, buys: 2, quotes: 128, book: 336, unsupported: 5, instruments: 4);

    [RecordedFact(UsdM)]
    public void UsdmCounts() => AssertCounts(Files[UsdM].Value, received: 1535, trades: 91, buys: 47, quotes: 613, book: 764, unsupported: 67, instruments: 4);

    [RecordedFact(CoinM)]
    public void CoinmCounts() => AssertCounts(Files[CoinM].Value, received: 4371, trades: 51, buys: 17, quotes: 2240, book: 2047, unsupported: 33, instruments: 10);

    private static void AssertCounts(DecodedFile d, int received, int trades, int buys, int quotes, int book, int unsupported, int instruments)
    {
        Assert.Equal(0, d.Threw);
        Assert.Equal(1, d.Lines.Count(l => l.Kind == RecordedLineKind.Open));
        Assert.Equal(0, d.Lines.Count(l => l.Kind == RecordedLineKind.Sent)); // streams were in the URL
        Assert.Equal(received, d.Frames.Count);

        // Frames: every one decoded or deliberately ignored, none rejected.
        Assert.Equal(trades + quotes, d.Frames.Count(f => f.Outcome == FrameOutcome.Decoded(1)));
        Assert.Equal(book, d.Frames.Count(f => f.Outcome == FrameOutcome.Ignored(FrameReason.BookUpdate)));
        Assert.Equal(unsupported, d.Frames.Count(f => f.Outcome == FrameOutcome.Ignored(FrameReason.Unsupported))); // klines
        Assert.Equal(0, d.Frames.Count(f => f.Outcome.Status == FrameStatus.Rejected));
        Assert.Equal(received, trades + quotes + book + unsupported);

        // Events.
        var events = d.Events;
        Assert.Equal(trades, events.Count(e => e.Kind == EventKind.Trade));
        Assert.Equal(buys, events.Count(e => e.Kind == EventKind.Trade && e.Side == Side.Buy));
        Assert.Equal(trades - buys, events.Count(e => e.Kind == EventKind.Trade && e.Side == Side.Sell));
        Assert.Equal(quotes, events.Count(e => e.Kind == EventKind.Quote));
        Assert.Equal(0, events.Count(e => e.Kind == EventKind.Mark));
        Assert.Equal(0, events.Count(e => e.Kind == EventKind.Index));
        Assert.Equal(0, events.Count(e => e.Kind == EventKind.Funding));
        Assert.Equal(instruments, events.Select(e => e.Instrument).Distinct().Count());
        Assert.All(events, e => Assert.Equal(d.Market.Venue(), e.Venue));
    }

    [RecordedFact(CoinM)]
    public void CoinmInstrumentsArePerpetualsAndDatedFutures()
    {
        var d = Files[CoinM].Value;
        var keys = d.Events.Select(e => d.RefData.KeyOf(e.Instrument)).Distinct().Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(
        [
            "BCH-USD-20210924.FUT", "BCH-USD.PERP", "BTC-USD-20211231.FUT", "EOS-USD.PERP", "ETC-USD.PERP", "ETH-USD-20210924.FUT",
            "LINK-USD-20211231.FUT", "LINK-USD.PERP", "TRX-USD.PERP", "XRP-USD.PERP",
        ], keys);
    }

    /// <summary>Trades read by hand off the raw lines.</summary>
    public static TheoryData<string, int, string, string, string, Side, long, long, long> HandCheckedTrades() => new()
    {
        // file, line, instrument, price, size, taker side (from "m"), aggregate id, trade time (ms), receive time (ns)
        { Spot, 110, "NKN-USDT.SPOT", "0.35280000", "58.00000000", Side.Buy, 15683430, 1633998523963, 1_633_998_523_957_215_000 },
        { Spot, 209, "LRC-BTC.SPOT", "0.00000638", "177.00000000", Side.Buy, 9213679, 1633998534486, 1_633_998_534_481_201_000 },
        { Us, 144, "OMG-BUSD.SPOT", "13.80480000", "2.10000000", Side.Buy, 425085, 1633998288467, 1_633_998_288_392_960_000 },
        { Us, 165, "OMG-BUSD.SPOT", "13.80040000", "30.11000000", Side.Sell, 425087, 1633998289097, 1_633_998_289_023_116_000 },
        { UsdM, 22, "CTK-USDT.PERP", "1.01100", "10", Side.Buy, 16599292, 1626992741421, 1_626_992_742_289_739_000 },
        { UsdM, 38, "AKRO-USDT.PERP", "0.01731", "312", Side.Sell, 14888302, 1626992742134, 1_626_992_742_334_986_000 },
        { CoinM, 41, "BCH-USD.PERP", "427.91", "3", Side.Sell, 11285749, 1626916403852, 1_626_916_408_607_320_000 },
        { CoinM, 231, "ETH-USD-20210924.FUT", "1992.17", "60", Side.Sell, 7297361, 1626916405049, 1_626_916_409_221_610_000 },
        { CoinM, 1009, "BTC-USD-20211231.FUT", "32623.3", "5", Side.Sell, 494825, 1626916406631, 1_626_916_409_229_766_000 },
    };

    [RecordedTheory]
    [MemberData(nameof(HandCheckedTrades))]
    public void HandCheckedTradesDecodeExactly(string file, int line, string key, string price, string size, Side taker, long aggId, long tradeMs, long receiveNs)
    {
        var d = Files[file].Value;
        var frame = Assert.Single(d.Frames, f => f.Line.LineNumber == line);
        var e = Assert.Single(frame.Events);

        Assert.Equal(EventKind.Trade, e.Kind);
        Assert.Equal(key, d.RefData.KeyOf(e.Instrument));
        Assert.Equal(price, EventJson.Dec(e.Price));
        Assert.Equal(size, EventJson.Dec(e.Size));
        Assert.Equal(taker, e.Side);
        Assert.Equal(aggId, e.Sequence);
        Assert.Equal(TradeId.Numeric(aggId), e.TradeId);
        Assert.Equal(tradeMs * 1_000_000, e.ExchangeTimeNs);
        Assert.Equal(receiveNs, e.ReceiveTimeNs);
        Assert.Equal(d.Market.Venue(), e.Venue);
        Assert.Equal(d.Market.Provider(), e.Provider);
    }

    /// <summary>Quotes read by hand off the raw lines.</summary>
    public static TheoryData<string, int, string, string, string, string, string, long, long> HandCheckedQuotes() => new()
    {
        // file, line, instrument, bid, bid size, ask, ask size, exchange time (ms; 0 on spot), receive time (ns)
        { Spot, 9, "NKN-USDT.SPOT", "0.35210000", "672.00000000", "0.35260000", "3199.00000000", 0, 1_633_998_513_377_805_000 },
        { Us, 10, "OMG-BUSD.SPOT", "13.76640000", "30.28000000", "13.79520000", "31.57000000", 0, 1_633_998_276_480_073_000 },
        { Us, 480, "ZRX-USDT.SPOT", "0.99470000", "307.93000000", "0.99780000", "7119.69000000", 0, 1_633_998_305_444_230_800 },
        { UsdM, 2, "SUSHI-USDT.PERP", "7.6110", "2", "7.6120", "297", 1626992741012, 1_626_992_741_062_170_000 },
        { CoinM, 2, "BCH-USD.PERP", "427.84", "24", "427.90", "669", 1626916403864, 1_626_916_403_846_970_800 },
    };

    [RecordedTheory]
    [MemberData(nameof(HandCheckedQuotes))]
    public void HandCheckedQuotesDecodeExactly(string file, int line, string key, string bid, string bidSize, string ask, string askSize, long timeMs, long receiveNs)
    {
        var d = Files[file].Value;
        var e = Assert.Single(Assert.Single(d.Frames, f => f.Line.LineNumber == line).Events);

        Assert.Equal(EventKind.Quote, e.Kind);
        Assert.Equal(key, d.RefData.KeyOf(e.Instrument));
        Assert.Equal(bid, EventJson.Dec(e.Price));
        Assert.Equal(bidSize, EventJson.Dec(e.Size));
        Assert.Equal(ask, EventJson.Dec(e.Aux));
        Assert.Equal(askSize, EventJson.Dec(e.AuxSize));
        Assert.Equal(timeMs * 1_000_000, e.ExchangeTimeNs);
        Assert.Equal(receiveNs, e.ReceiveTimeNs);
        Assert.Equal(0, e.Sequence);
    }

    /// <summary>Every decoded event against an independent reading of its raw line with System.Text.Json and decimal.Parse.</summary>
    [RecordedTheory]
    [InlineData(Spot, 86)]
    [InlineData(Us, 139)]
    [InlineData(UsdM, 704)]
    [InlineData(CoinM, 2291)]
    public void EveryEventMatchesAnIndependentReadingOfItsRawLine(string file, int expected)
    {
        var d = Files[file].Value;
        var checkedEvents = 0;
        foreach (var frame in d.Frames.Where(f => f.Events.Length == 1))
        {
            var e = frame.Events[0];
            using var doc = JsonDocument.Parse(frame.Line.Payload);
            var stream = doc.RootElement.GetProperty("stream").GetString()!;
            var data = doc.RootElement.GetProperty("data");
            Assert.Equal(data.GetProperty("s").GetString(), d.RefData.VenueSymbol(e.Instrument, d.Market.Venue()));
            Assert.StartsWith(data.GetProperty("s").GetString()!.ToLowerInvariant() + "@", stream, StringComparison.Ordinal);
            Assert.Equal(frame.Line.TimeNs, e.ReceiveTimeNs);
            if (stream.EndsWith("@aggTrade", StringComparison.Ordinal))
            {
                Assert.Equal(EventKind.Trade, e.Kind);
                Assert.Equal(data.GetProperty("a").GetInt64(), e.Sequence);
                Assert.Equal(data.GetProperty("T").GetInt64() * 1_000_000, e.ExchangeTimeNs);
                AssertExact(data.GetProperty("p").GetString()!, e.Price);
                AssertExact(data.GetProperty("q").GetString()!, e.Size);
                Assert.Equal(data.GetProperty("m").GetBoolean() ? Side.Sell : Side.Buy, e.Side);
            }
            else
            {
                Assert.EndsWith("@bookTicker", stream, StringComparison.Ordinal);
                Assert.Equal(EventKind.Quote, e.Kind);
                AssertExact(data.GetProperty("b").GetString()!, e.Price);
                AssertExact(data.GetProperty("B").GetString()!, e.Size);
                AssertExact(data.GetProperty("a").GetString()!, e.Aux);
                AssertExact(data.GetProperty("A").GetString()!, e.AuxSize);
                Assert.Equal(data.TryGetProperty("T", out var t) ? t.GetInt64() * 1_000_000 : 0, e.ExchangeTimeNs);
            }

            checkedEvents++;
        }

        Assert.Equal(expected, checkedEvents);
    }

    [RecordedTheory]
    [InlineData(Spot)]
    [InlineData(Us)]
    [InlineData(UsdM)]
    [InlineData(CoinM)]
    public void EveryRecordedEventRoundTripsThroughTheWireCodec(string file)
    {
        var wire = new byte[Cloudwall.Rx.Core.Wire.EventCodec.MaxSize];
        foreach (var e in Files[file].Value.Events)
        {
            var written = Cloudwall.Rx.Core.Wire.EventCodec.Encode(e, wire);
            Assert.True(Cloudwall.Rx.Core.Wire.EventCodec.TryDecode(wire.AsSpan(0, written), e.Instrument, out var back));
            Assert.Equal(e, back);
            Assert.Equal(EventJson.Dec(e.Price), EventJson.Dec(back.Price));
        }
    }

    /// <summary>The replay entry point knows the four Binance names and decodes each file through the right market.</summary>
    [RecordedTheory]
    [InlineData("binance", Spot, "decoded=86 ignored=179 rejected=0 events=86")]
    [InlineData("binance-us", Us, "decoded=139 ignored=341 rejected=0 events=139")]
    [InlineData("binance-usdm", UsdM, "decoded=704 ignored=831 rejected=0 events=704")]
    [InlineData("binance-coinm", CoinM, "decoded=2291 ignored=2080 rejected=0 events=2291")]
    public void ReplayDecodesEachFileThroughItsVenue(string venue, string file, string summary)
    {
        var refData = new ReferenceData();
        Assert.True(ReplayVenues.TryCreate(venue, refData, out var decoder));
        Assert.Equal(venue, decoder.Venue.Name);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = Replay.Run(decoder, refData, RecordedFiles.PathOf(file), stdout, stderr);

        Assert.Equal(Replay.ExitOk, exit);
        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(summary, lines[0]);
        Assert.Equal("threw=0", lines[1]);
    }

    [Fact]
    public void ReplayKnowsTheFourBinanceNames()
    {
        foreach (var name in new[] { "binance", "binance-usdm", "binance-coinm", "binance-us" })
        {
            Assert.Contains(name, ReplayVenues.Names);
        }
    }

    private static void AssertExact(string wire, decimal value) => Assert.Equal(wire, value.ToString(CultureInfo.InvariantCulture));

    internal sealed record Frame(RecordedLine Line, FrameOutcome Outcome, MarketEvent[] Events);

    internal sealed class DecodedFile
    {
        public required BinanceMarket Market { get; init; }
        public required List<RecordedLine> Lines { get; init; }
        public required List<Frame> Frames { get; init; }
        public required ReferenceData RefData { get; init; }
        public required int Threw { get; init; }

        public List<MarketEvent> Events => Frames.SelectMany(f => f.Events).ToList();

        public static DecodedFile Load(string relative, BinanceMarket market)
        {
            var path = RecordedFiles.PathOf(relative);
            var refData = new ReferenceData();
            BinanceSymbols.Register(refData, market);
            var decoder = new BinanceDecoder(refData, market);
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

            return new DecodedFile { Market = market, Lines = lines, Frames = frames, RefData = refData, Threw = threw };
        }
    }
}
