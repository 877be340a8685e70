using System.Text;
using System.Text.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Venues.Okx;
using static Cloudwall.Rx.Tests.Unit.Okx.DecodedRecording;

namespace Cloudwall.Rx.Tests.Unit.Okx;

/// <summary>OKX v5 frames from the venue's documentation, batches, control frames and every rejection reason.</summary>
public sealed class OkxDecoderTests
{
    private const long ReceiveNs = 1_700_000_000_123_456_789;

    private static (FrameOutcome Outcome, MarketEvent[] Events, ReferenceData RefData) Decode(string json, int maxFrameBytes = OkxDecoder.DefaultMaxFrameBytes)
    {
        var refData = new ReferenceData();
        OkxSymbols.Register(refData);
        var decoder = new OkxDecoder(refData, maxFrameBytes);
        var output = new EventBuffer();
        var outcome = decoder.Decode(Encoding.UTF8.GetBytes(json), ReceiveNs, output);
        return (outcome, output.AsSpan().ToArray(), refData);
    }

    [Fact]
    public void MarkPriceDocExampleIsAMark()
    {
        // OKX v5 docs, "Mark price channel", push data example.
        var (outcome, events, refData) = Decode(
            """{"arg":{"channel":"mark-price","instId":"BTC-USDT-SWAP"},"data":[{"instType":"SWAP","instId":"BTC-USDT-SWAP","markPx":"42310.6","ts":"1630049139746"}]}""");

        Assert.Equal(FrameOutcome.Decoded(1), outcome);
        var e = Assert.Single(events);
        Assert.Equal(EventKind.Mark, e.Kind);
        Assert.Equal("BTC-USDT.PERP", refData.KeyOf(e.Instrument));
        AssertExact("42310.6", e.Price);
        Assert.Equal(1_630_049_139_746_000_000, e.ExchangeTimeNs);
        Assert.Equal(ReceiveNs, e.ReceiveTimeNs);
    }

    [Fact]
    public void IndexTickersDocExampleIsAnIndexOnTheSpotKey()
    {
        // OKX v5 docs, "Index tickers channel": the index id has the spot grammar; the event kind says it is an index.
        var (outcome, events, refData) = Decode(
            """{"arg":{"channel":"index-tickers","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","idxPx":"0.1","high24h":"0.5","low24h":"0.1","open24h":"0.1","sodUtc0":"0.1","sodUtc8":"0.1","ts":"1597026383085"}]}""");

        Assert.Equal(FrameOutcome.Decoded(1), outcome);
        var e = Assert.Single(events);
        Assert.Equal(EventKind.Index, e.Kind);
        Assert.Equal("BTC-USDT.SPOT", refData.KeyOf(e.Instrument));
        AssertExact("0.1", e.Price);
        Assert.Equal(1_597_026_383_085_000_000, e.ExchangeTimeNs);
    }

    [Fact]
    public void FundingRateDocExampleCarriesTheNextRateInAux()
    {
        // OKX v5 docs, "Funding rate channel" push data example (fields as documented; negative rates are valid).
        var (outcome, events, refData) = Decode(
            """{"arg":{"channel":"funding-rate","instId":"BTC-USD-SWAP"},"data":[{"fundingRate":"0.0001515","fundingTime":"1622822400000","instId":"BTC-USD-SWAP","instType":"SWAP","method":"next_period","maxFundingRate":"0.00375","minFundingRate":"-0.00375","nextFundingRate":"-0.00029","nextFundingTime":"1622851200000","premium":"0.0001233824646391","settFundingRate":"0.0001699799259033","settState":"settled","ts":"1622796900000"}]}""");

        Assert.Equal(FrameOutcome.Decoded(1), outcome);
        var e = Assert.Single(events);
        Assert.Equal(EventKind.Funding, e.Kind);
        Assert.Equal("BTC-USD.PERP", refData.KeyOf(e.Instrument));
        AssertExact("0.0001515", e.Price);
        AssertExact("-0.00029", e.Aux);
        Assert.Equal(1_622_796_900_000_000_000, e.ExchangeTimeNs);
    }

    [Fact]
    public void FundingWithoutTsOrNextRateHasZeroTimeAndAux()
    {
        // The shorter documented push: no ts, no nextFundingRate. fundingTime is the settlement time, not the event time.
        var (outcome, events, _) = Decode(
            """{"arg":{"channel":"funding-rate","instId":"BTC-USDT-SWAP"},"data":[{"fundingRate":"0.0001875391284828","fundingTime":"1700726400000","instId":"BTC-USDT-SWAP","nextFundingRate":""}]}""");

        Assert.Equal(FrameOutcome.Decoded(1), outcome);
        var e = Assert.Single(events);
        AssertExact("0.0001875391284828", e.Price);
        Assert.Equal(0m, e.Aux);
        Assert.Equal(0, e.ExchangeTimeNs);
    }

    [Fact]
    public void ABatchOfTradesKeepsEveryTradeInOrder()
    {
        var (outcome, events, refData) = Decode(
            """{"arg":{"channel":"trades","instId":"BTC-USDT-SWAP"},"data":[{"instId":"BTC-USDT-SWAP","tradeId":"130639474","px":"42219.9","sz":"0.12060306","side":"buy","ts":"1630048897897"},{"instId":"BTC-USDT-SWAP","tradeId":"130639475","px":"42219.8","sz":"1E-5","side":"sell","ts":"1630048897898"}]}""");

        Assert.Equal(FrameOutcome.Decoded(2), outcome);
        Assert.Equal([Side.Buy, Side.Sell], events.Select(e => e.Side));
        Assert.Equal([130639474L, 130639475L], events.Select(e => e.Sequence));
        Assert.All(events, e => Assert.Equal("BTC-USDT.PERP", refData.KeyOf(e.Instrument)));
        AssertExact("0.12060306", events[0].Size);
        Assert.Equal(0.00001m, events[1].Size); // exponent form through the fallback parser
    }

    [Theory]
    [InlineData("BTC-USDT", "BTC-USDT.SPOT")]
    [InlineData("BTC-USDT-SWAP", "BTC-USDT.PERP")]
    [InlineData("BTC-USD-SWAP", "BTC-USD.PERP")]
    [InlineData("BTC-USD-220624", "BTC-USD-20220624.FUT")]
    [InlineData("BTC-USD-220624-30000-C", "BTC-USD-20220624-30000-C.OPT")]
    [InlineData("ETH-USD-261225-2500.5-P", "ETH-USD-20261225-2500.5-P.OPT")]
    [InlineData("1INCH-USDT", "1INCH-USDT.SPOT")]
    public void InstrumentIdsMapToCanonicalKeys(string instId, string key)
    {
        var refData = new ReferenceData();
        OkxSymbols.Register(refData);

        Assert.True(refData.TryResolve(VenueId.Okx, Encoding.UTF8.GetBytes(instId), out var id));
        Assert.Equal(key, refData.KeyOf(id));
    }

    [Theory]
    [InlineData("BTCUSDT")]
    [InlineData("BTC-USD-2206")]
    [InlineData("BTC-USD-221324")]
    [InlineData("BTC-USD-220624-30000-X")]
    [InlineData("BTC--SWAP")]
    public void NonOkxIdsAreUnknown(string instId)
    {
        var refData = new ReferenceData();
        OkxSymbols.Register(refData);

        Assert.False(refData.TryResolve(VenueId.Okx, Encoding.UTF8.GetBytes(instId), out _));
    }

    [Theory]
    [InlineData("pong", FrameReason.Heartbeat)]
    [InlineData("pong\n", FrameReason.Heartbeat)]
    [InlineData("""{"event":"subscribe","arg":{"channel":"trades","instId":"BTC-USDT"},"connId":"a4d3ae55"}""", FrameReason.SubscriptionAck)]
    [InlineData("""{"event":"unsubscribe","arg":{"channel":"trades","instId":"BTC-USDT"}}""", FrameReason.SubscriptionAck)]
    [InlineData("""{"event":"channel-conn-count","channel":"trades","connCount":"2","connId":"abcd1234"}""", FrameReason.SubscriptionAck)]
    [InlineData("""{"event":"notice","code":"64008","msg":"The connection will soon be closed for a service upgrade."}""", FrameReason.Unsupported)]
    [InlineData("""{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[["30229","1","0","1"]],"bids":[],"ts":"1652459225506","checksum":1}]}""", FrameReason.BookUpdate)]
    [InlineData("""{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[],"bids":[],"ts":"1765018379085"}]}""", FrameReason.Unsupported)] // both sides empty: nothing to quote
    [InlineData("""{"arg":{"channel":"candle1m","instId":"BTC-USDT"},"data":[["1597026383085","8533","8553","8527","8548","45","1"]]}""", FrameReason.Unsupported)]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[]}""", FrameReason.Unsupported)]
    [InlineData("""{"arg":{"channel":"tickers","instId":"BTC-USD-220624-30000-C"},"data":[{"instId":"BTC-USD-220624-30000-C","bidPx":"","askPx":"","ts":"1652459223003"}]}""", FrameReason.Unsupported)]
    public void ControlBookAndEmptyFramesAreIgnored(string json, FrameReason reason)
    {
        var (outcome, events, _) = Decode(json);

        Assert.Equal(FrameOutcome.Ignored(reason), outcome);
        Assert.Empty(events);
    }

    [Theory]
    [InlineData("""{"event":"error","code":"60012","msg":"Invalid request: {\"op\": \"subscribe\"}"}""", FrameReason.VenueError)]
    [InlineData("not json", FrameReason.Malformed)]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"1",""", FrameReason.Malformed)]
    [InlineData("""{"arg":{"channel":"trades"},"data":[]} trailing""", FrameReason.Malformed)]
    [InlineData("""[1,2,3]""", FrameReason.Malformed)]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":{"px":"1"}}""", FrameReason.Malformed)]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[1]}""", FrameReason.Malformed)]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"x-y","px":"1","sz":"1","side":"buy","ts":"1652459224818"}]}""", FrameReason.Malformed)]
    [InlineData("""{"data":[]}""", FrameReason.MissingField)]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"}}""", FrameReason.MissingField)]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","sz":"1","side":"buy","ts":"1652459224818"}]}""", FrameReason.MissingField)]
    [InlineData("""{"arg":{"channel":"trades"},"data":[{"tradeId":"1","px":"1","sz":"1","side":"buy","ts":"1652459224818"}]}""", FrameReason.MissingField)]
    [InlineData("""{"arg":{"channel":"mark-price","instId":"BTC-USDT-SWAP"},"data":[{"instId":"BTC-USDT-SWAP","ts":"1630049139746"}]}""", FrameReason.MissingField)]
    [InlineData("""{"arg":{"channel":"funding-rate","instId":"BTC-USDT-SWAP"},"data":[{"instId":"BTC-USDT-SWAP"}]}""", FrameReason.MissingField)]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTCUSDT"},"data":[{"instId":"BTCUSDT","tradeId":"1","px":"1","sz":"1","side":"buy","ts":"1652459224818"}]}""", FrameReason.UnknownSymbol)]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"0","sz":"1","side":"buy","ts":"1652459224818"}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"-5","sz":"1","side":"buy","ts":"1652459224818"}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"NaN","sz":"1","side":"buy","ts":"1652459224818"}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"Infinity","sz":"1","side":"buy","ts":"1652459224818"}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"12a","sz":"1","side":"buy","ts":"1652459224818"}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"arg":{"channel":"tickers","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","bidPx":"1","askPx":"-1","ts":"1652459224818"}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"arg":{"channel":"funding-rate","instId":"BTC-USDT-SWAP"},"data":[{"instId":"BTC-USDT-SWAP","fundingRate":"abc"}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"1","sz":"1","side":"buy","ts":"soon"}]}""", FrameReason.InvalidTimestamp)]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"1","sz":"1","side":"buy","ts":"12"}]}""", FrameReason.InvalidTimestamp)]
    [InlineData("""{"arg":{"channel":"mark-price","instId":"BTC-USDT-SWAP"},"data":[{"instId":"BTC-USDT-SWAP","markPx":"1","ts":"-1"}]}""", FrameReason.InvalidTimestamp)]
    public void BadInputIsRejectedWithTheReason(string json, FrameReason reason)
    {
        var (outcome, events, _) = Decode(json);

        Assert.Equal(FrameOutcome.Rejected(reason), outcome);
        Assert.Empty(events);
    }

    [Fact]
    public void OneBadTradeInABatchRejectsTheWholeFrameAndEmitsNothing()
    {
        var refData = new ReferenceData();
        OkxSymbols.Register(refData);
        var decoder = new OkxDecoder(refData);
        var output = new EventBuffer();
        output.Add(new MarketEvent { Kind = EventKind.Trade }); // what the caller already had stays

        var outcome = decoder.Decode(
            """{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"1","sz":"1","side":"buy","ts":"1652459224818"},{"instId":"BTC-USDT","tradeId":"2","px":"0","sz":"1","side":"buy","ts":"1652459224818"}]}"""u8,
            ReceiveNs, output);

        Assert.Equal(FrameOutcome.Rejected(FrameReason.InvalidPrice), outcome);
        Assert.Equal(1, output.Count);
    }

    [Fact]
    public void FramesOverTheCapAreOversized()
    {
        var json = """{"arg":{"channel":"books","instId":"BTC-USDT"},"data":[]}""";
        Assert.Equal(FrameOutcome.Rejected(FrameReason.Oversized), Decode(json, maxFrameBytes: json.Length - 1).Outcome);
        Assert.Equal(FrameOutcome.Ignored(FrameReason.BookUpdate), Decode(json, maxFrameBytes: json.Length).Outcome);
        Assert.Equal(FrameOutcome.Rejected(FrameReason.Oversized), Decode(new string(' ', OkxDecoder.DefaultMaxFrameBytes + 1)).Outcome);
    }

    [Fact]
    public void FieldOrderAndEscapesDoNotMatter()
    {
        // data before arg, escaped names and values.
        var (outcome, events, refData) = Decode(
            """{"data":[{"ts":"1652459224818","side":"s\u0065ll","sz":"2","px":"3.50","tradeId":"9","inst\u0049d":"BTC-USDT"}],"arg":{"instId":"BTC-USDT","channel":"tr\u0061des"}}""");

        Assert.Equal(FrameOutcome.Decoded(1), outcome);
        var e = Assert.Single(events);
        Assert.Equal(Side.Sell, e.Side);
        AssertExact("3.50", e.Price);
        Assert.Equal("BTC-USDT.SPOT", refData.KeyOf(e.Instrument));
    }

    [Fact]
    public void GarbageNeverThrows()
    {
        var refData = new ReferenceData();
        OkxSymbols.Register(refData);
        var decoder = new OkxDecoder(refData);
        var output = new EventBuffer();
        var seed = Encoding.UTF8.GetBytes(
            """{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"1.5","sz":"1","side":"buy","ts":"1652459224818"}]}""");
        var random = new Random(7);
        for (var i = 0; i < 5_000; i++)
        {
            var frame = (byte[])seed.Clone();
            var flips = random.Next(1, 4);
            for (var k = 0; k < flips; k++)
            {
                frame[random.Next(frame.Length)] = (byte)random.Next(256);
            }

            output.Clear();
            var outcome = decoder.Decode(frame.AsSpan(0, random.Next(frame.Length + 1)), ReceiveNs, output);
            Assert.True(outcome.Status != FrameStatus.Decoded || output.Count == outcome.Events);
        }
    }

    [Fact]
    public void ProtocolSubscribesEachMarketOnItsChannels()
    {
        var protocol = new OkxProtocol();
        var frames = protocol.SubscribeFrames(["BTC-USDT", "BTC-USDT-SWAP", "BTC-USD-220624"]);

        var frame = Assert.Single(frames);
        using var doc = JsonDocument.Parse(frame);
        Assert.Equal("subscribe", doc.RootElement.GetProperty("op").GetString());
        var args = doc.RootElement.GetProperty("args").EnumerateArray()
            .Select(a => a.GetProperty("channel").GetString() + ":" + a.GetProperty("instId").GetString()).ToArray();
        Assert.Equal(
            [
                "trades:BTC-USDT", "tickers:BTC-USDT",
                "trades:BTC-USDT-SWAP", "tickers:BTC-USDT-SWAP", "mark-price:BTC-USDT-SWAP", "funding-rate:BTC-USDT-SWAP",
                "trades:BTC-USD-220624", "tickers:BTC-USD-220624", "mark-price:BTC-USD-220624",
            ],
            args);
        Assert.StartsWith("""{"op":"unsubscribe","args":[{"channel":"trades","instId":"BTC-USDT"}""", Assert.Single(protocol.UnsubscribeFrames(["BTC-USDT"])), StringComparison.Ordinal);
        Assert.Equal(("ping", TimeSpan.FromSeconds(25)), protocol.KeepAlive);
        Assert.Equal(new Uri("wss://ws.okx.com:8443/ws/v5/public"), protocol.DefaultEndpoint);
        Assert.Equal(SequenceScope.PerInstrumentAndKind, ((IVenueProtocol)protocol).SequenceScope);
        Assert.IsType<OkxDecoder>(protocol.CreateDecoder(new ReferenceData()));
    }

    [Fact]
    public void ProtocolSplitsLargeSubscriptionsAndTakesCustomChannels()
    {
        var symbols = Enumerable.Range(0, 150).Select(i => $"C{i}-USDT-SWAP").ToArray();
        Assert.Equal(3, new OkxProtocol(maxSymbolsPerConnection: 150).SubscribeFrames(symbols).Count); // 600 args, 200 per frame

        var custom = new OkxProtocol(spotChannels: ["trades", "index-tickers"]);
        using var doc = JsonDocument.Parse(Assert.Single(custom.SubscribeFrames(["BTC-USDT"])));
        Assert.Equal(["trades", "index-tickers"], doc.RootElement.GetProperty("args").EnumerateArray().Select(a => a.GetProperty("channel").GetString()));
        Assert.Throws<ArgumentException>(() => new OkxProtocol(spotChannels: []));
    }
    /// <summary>
    /// Entries are decoded in the envelope pass when <c>arg</c> comes first; frames whose later keys decide otherwise end as
    /// the two-pass decode ended them, and earlier output is never touched.
    /// </summary>
    [Theory]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[@T,@T]}""", FrameStatus.Decoded, 2)]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[@T],"event":"error"}""", FrameStatus.Rejected, 0)]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[@T],"arg":{"channel":"books","instId":"BTC-USDT"}}""", FrameStatus.Ignored, 0)]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[@T,@T],"data":[@T]}""", FrameStatus.Decoded, 1)]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[@T,{"instId":"BTC-USDT","tradeId":"9","px":"-1","sz":"1","side":"buy","ts":"1652459224818"}]}""", FrameStatus.Rejected, 0)]
    [InlineData("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[]}""", FrameStatus.Ignored, 0)]
    [InlineData("""{"data":[@T],"arg":{"channel":"trades","instId":"BTC-USDT"}}""", FrameStatus.Decoded, 1)]
    public void The_single_pass_ends_every_frame_as_the_two_pass_decode_does(string template, FrameStatus status, int events)
    {
        const string trade = """{"instId":"BTC-USDT","tradeId":"338476307","px":"30236","sz":"0.0002","side":"buy","ts":"1652459224818"}""";
        var refData = new ReferenceData();
        OkxSymbols.Register(refData);
        var decoder = new OkxDecoder(refData);
        var output = new EventBuffer();
        output.Add(new MarketEvent { Kind = EventKind.Trade, Price = 1m, Size = 1m });

        var outcome = decoder.Decode(Encoding.UTF8.GetBytes(template.Replace("@T", trade, StringComparison.Ordinal)), ReceiveNs, output);

        Assert.Equal(status, outcome.Status);
        Assert.Equal(events, outcome.Events);
        Assert.Equal(1 + events, output.Count);
        Assert.Equal(1m, output[0].Price);
    }
}
