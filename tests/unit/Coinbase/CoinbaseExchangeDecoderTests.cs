using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;
using static Cloudwall.Rx.Tests.Unit.Coinbase.CoinbaseFrames;

namespace Cloudwall.Rx.Tests.Unit.Coinbase;

public sealed class CoinbaseExchangeDecoderTests
{
    [Fact]
    public void MatchBecomesATradeWithTheTakersSide()
    {
        var outcome = Decode(Match, out var output, out var refData);

        Assert.Equal(FrameOutcome.Decoded(1), outcome);
        Assert.Equal(1, output.Count);
        var e = output[0];
        Assert.Equal(EventKind.Trade, e.Kind);
        Assert.Equal(VenueId.Coinbase, e.Venue);
        Assert.Equal(ProviderId.Coinbase, e.Provider);
        Assert.Equal("SKL-BTC.SPOT", refData.KeyOf(e.Instrument));
        Assert.Equal("SKL-BTC", refData.VenueSymbol(e.Instrument, VenueId.Coinbase));
        Assert.Equal(Side.Buy, e.Side); // the maker sold, so the taker bought
        Assert.Equal("0.00001305", EventJson.Dec(e.Price));
        Assert.Equal("985", EventJson.Dec(e.Size));
        Assert.Equal(TradeId.Numeric(280232), e.TradeId);
        Assert.Equal(177100030, e.Sequence);
        Assert.Equal("2021-04-17T16:43:37.089723Z", UnixTime.ToIso(e.ExchangeTimeNs));
        Assert.Equal(1_618_677_817_089_723_000, e.ExchangeTimeNs);
        Assert.Equal(ReceiveNs, e.ReceiveTimeNs);
        Assert.Equal(0m, e.Aux);
    }

    [Theory]
    [InlineData("\"sell\"", Side.Buy)]
    [InlineData("\"buy\"", Side.Sell)]
    [InlineData("\"SELL\"", Side.Unknown)]
    [InlineData("\"\"", Side.Unknown)]
    [InlineData(null, Side.Unknown)]
    public void MakerSideIsTurnedIntoTakerSide(string? rawSide, Side taker)
    {
        Assert.Equal(FrameOutcome.Decoded(1), Decode(MatchWith("side", rawSide), out var output));
        Assert.Equal(taker, output[0].Side);
    }

    [Fact]
    public void LastMatchDecodesLikeMatchFlaggedAsSnapshot()
    {
        Decode(Match, out var match);
        Assert.Equal(FrameOutcome.Decoded(1), Decode(MatchWith("type", "\"last_match\""), out var lastMatch));
        // The same trade, marked as history sent on subscribe.
        Assert.Equal(match[0] with { Flags = EventFlags.Snapshot }, lastMatch[0]);
        Assert.False(match[0].IsSnapshot);
    }

    [Fact]
    public void FieldsMayComeInAnyOrder()
    {
        Decode(Match, out var inOrder);
        Assert.Equal(FrameOutcome.Decoded(1), Decode(MatchReordered, out var reordered));
        Assert.Equal(inOrder[0], reordered[0]);
    }

    [Fact]
    public void EscapedNamesAndValuesDecodeLikePlainOnes()
    {
        Decode(Match, out var plain);
        var escaped = Match.Replace("\"product_id\":\"SKL-BTC\"", "\"product\\u005fid\":\"SKL\\u002dBTC\"", StringComparison.Ordinal)
            .Replace("\"price\":\"0.00001305\"", "\"pr\\u0069ce\":\"0.0000130\\u0035\"", StringComparison.Ordinal)
            .Replace("\"type\":\"match\"", "\"type\":\"m\\u0061tch\"", StringComparison.Ordinal);
        Assert.NotEqual(Match, escaped);

        Assert.Equal(FrameOutcome.Decoded(1), Decode(escaped, out var decoded));
        Assert.Equal(plain[0], decoded[0]);
    }

    [Fact]
    public void TickerBecomesAQuoteWithBestBidAndAskAndTheirSizes()
    {
        var outcome = Decode(Ticker, out var output, out var refData);

        Assert.Equal(FrameOutcome.Decoded(1), outcome);
        var e = output[0];
        Assert.Equal(EventKind.Quote, e.Kind);
        Assert.Equal("ETH-USD.SPOT", refData.KeyOf(e.Instrument));
        Assert.Equal("1285.04", EventJson.Dec(e.Price));
        Assert.Equal("0.46688654", EventJson.Dec(e.Size));
        Assert.Equal("1285.27", EventJson.Dec(e.Aux));
        Assert.Equal("1.56637040", EventJson.Dec(e.AuxSize));
        Assert.Equal(37475248783, e.Sequence);
        Assert.Equal("2022-10-19T23:28:22.061769Z", UnixTime.ToIso(e.ExchangeTimeNs));
        Assert.Equal(Side.Unknown, e.Side);
        Assert.True(e.TradeId.IsNone);
    }

    [Fact]
    public void TickerWithoutBestSizesHasZeroSizes()
    {
        var frame = TickerWith("best_bid_size", null);
        frame = With(frame, "best_ask_size", null);

        Assert.Equal(FrameOutcome.Decoded(1), Decode(frame, out var output));
        Assert.Equal(0m, output[0].Size);
        Assert.Equal(0m, output[0].AuxSize);
        Assert.Equal("1285.04", EventJson.Dec(output[0].Price));
        Assert.Equal("1285.27", EventJson.Dec(output[0].Aux));
    }

    [Fact]
    public void TickerFieldsMayComeInAnyOrder()
    {
        Decode(Ticker, out var inOrder);
        using var doc = System.Text.Json.JsonDocument.Parse(Ticker);
        var reversed = "{" + string.Join(",", doc.RootElement.EnumerateObject().Reverse().Select(p => $"\"{p.Name}\":{p.Value.GetRawText()}")) + "}";

        Assert.Equal(FrameOutcome.Decoded(1), Decode(reversed, out var output));
        Assert.Equal(inOrder[0], output[0]);
    }

    [Fact]
    public void SequenceIsOptional()
    {
        Assert.Equal(FrameOutcome.Decoded(1), Decode(MatchWith("sequence", null), out var output));
        Assert.Equal(0, output[0].Sequence);
    }

    [Fact]
    public void QuotedNumbersAndNumericPricesAreAccepted()
    {
        Decode(Match, out var plain);
        var frame = With(With(MatchWith("trade_id", "\"280232\""), "sequence", "\"177100030\""), "price", "0.00001305");

        Assert.Equal(FrameOutcome.Decoded(1), Decode(frame, out var output));
        Assert.Equal(plain[0], output[0]);
    }

    /// <summary>Coinbase now shares the venue decimal grammar, exponents included (it used to refuse them).</summary>
    [Theory]
    [InlineData("\"1e5\"", "100000")]
    [InlineData("1E-8", "0.00000001")]
    public void ExponentPricesFollowTheVenueDecimalGrammar(string rawPrice, string expected)
    {
        Assert.Equal(FrameOutcome.Decoded(1), Decode(MatchWith("price", rawPrice), out var output));
        Assert.Equal(expected, EventJson.Dec(output[0].Price));
    }

    [Theory]
    [InlineData("""{"type":"l2update","product_id":"SKL-BTC","changes":[["sell","0.00001306","660.5"]],"time":"2021-04-17T16:43:37.075687Z"}""", FrameReason.BookUpdate)]
    [InlineData("""{"type":"snapshot","product_id":"BAND-GBP","asks":[["14.8024","12.77"]],"bids":[["14.7550","1.0"]]}""", FrameReason.BookUpdate)]
    [InlineData("""{"type":"subscriptions","channels":[{"name":"ticker","product_ids":["SKL-USD"]}]}""", FrameReason.SubscriptionAck)]
    [InlineData("""{"type":"heartbeat","last_trade_id":20,"product_id":"BTC-USD","sequence":90,"time":"2014-11-07T08:19:28.464459Z"}""", FrameReason.Heartbeat)]
    [InlineData("""{"product_id":"BTC-USD","sequence":90,"type":"heartbeat"}""", FrameReason.Heartbeat)]
    [InlineData("""{"type":"received","order_id":"d50ec984","size":"1.34","price":"502.1","side":"buy","product_id":"BTC-USD"}""", FrameReason.Unsupported)]
    [InlineData("""{"type":"status","products":[],"currencies":[]}""", FrameReason.Unsupported)]
    [InlineData("""{"type":"Match","trade_id":1,"side":"sell","size":"1","price":"1","product_id":"BTC-USD","time":"2021-04-17T16:43:37Z"}""", FrameReason.Unsupported)]
    public void NonMarketFramesAreIgnoredWithAReason(string frame, FrameReason reason)
    {
        Assert.Equal(FrameOutcome.Ignored(reason), Decode(frame, out var output));
        Assert.Equal(0, output.Count);
    }

    public static TheoryData<string, FrameReason> BadFrames()
    {
        var data = new TheoryData<string, FrameReason>
        {
            // Malformed JSON or structure
            { "", FrameReason.Malformed },
            { "   ", FrameReason.Malformed },
            { "not json", FrameReason.Malformed },
            { "[]", FrameReason.Malformed },
            { "\"match\"", FrameReason.Malformed },
            { "null", FrameReason.Malformed },
            { Match[..(Match.Length / 2)], FrameReason.Malformed },
            { Match[..^1], FrameReason.Malformed },
            { Match + "}", FrameReason.Malformed },
            { Match + " {}", FrameReason.Malformed },
            { Match.Replace(",\"size\"", " \"size\"", StringComparison.Ordinal), FrameReason.Malformed },
            { Match[..^1] + ",}", FrameReason.Malformed },
            { Match[..^1] + ",\"note\":/* c */1}", FrameReason.Malformed },
            { Match[..^1] + ",\"deep\":" + new string('[', 40) + new string(']', 40) + "}", FrameReason.Malformed },
            { MatchWith("price", "true"), FrameReason.Malformed },
            { MatchWith("price", "{\"value\":\"1\"}"), FrameReason.Malformed },
            { MatchWith("product_id", "[\"SKL-BTC\"]"), FrameReason.Malformed },
            { MatchWith("trade_id", "\"abc\""), FrameReason.Malformed },
            { MatchWith("trade_id", "1.5"), FrameReason.Malformed },
            { MatchWith("sequence", "-5"), FrameReason.Malformed },
            { MatchWith("sequence", "\"next\""), FrameReason.Malformed },
            { MatchWith("type", "7"), FrameReason.Unsupported },

            // Missing fields (absent or null)
            { MatchWith("price", null), FrameReason.MissingField },
            { MatchWith("size", null), FrameReason.MissingField },
            { MatchWith("product_id", null), FrameReason.MissingField },
            { MatchWith("time", null), FrameReason.MissingField },
            { MatchWith("trade_id", null), FrameReason.MissingField },
            { MatchWith("type", null), FrameReason.MissingField },
            { MatchWith("price", "null"), FrameReason.MissingField },
            { MatchWith("time", "null"), FrameReason.MissingField },
            { "{}", FrameReason.MissingField },
            { TickerWith("best_bid", null), FrameReason.MissingField },
            { TickerWith("best_ask", null), FrameReason.MissingField },
            { TickerWith("product_id", null), FrameReason.MissingField },
            { TickerWith("time", null), FrameReason.MissingField },

            // Unknown or garbage symbols
            { MatchWith("product_id", "\"BTCUSD\""), FrameReason.UnknownSymbol },
            { MatchWith("product_id", "\"B-USD\""), FrameReason.UnknownSymbol },
            { MatchWith("product_id", "\"BTC-USD-X\""), FrameReason.UnknownSymbol },
            { MatchWith("product_id", "\"BTC_USD\""), FrameReason.UnknownSymbol },
            { MatchWith("product_id", "\"ABCDEFGHIJK-USD\""), FrameReason.UnknownSymbol },
            { MatchWith("product_id", "\"\""), FrameReason.UnknownSymbol },
            { MatchWith("product_id", "\" BTC-USD\""), FrameReason.UnknownSymbol },
            { MatchWith("product_id", "\"\\u00c4BC-USD\""), FrameReason.UnknownSymbol },
            { MatchWith("product_id", "\"" + new string('A', 200) + "\""), FrameReason.UnknownSymbol },
            { MatchWith("product_id", "42"), FrameReason.UnknownSymbol },
            { TickerWith("product_id", "\"ETH/USD\""), FrameReason.UnknownSymbol },

            // Prices and sizes that are not positive exact decimals
            { MatchWith("price", "\"0\""), FrameReason.InvalidPrice },
            { MatchWith("price", "\"0.00000000\""), FrameReason.InvalidPrice },
            { MatchWith("price", "\"-0.0\""), FrameReason.InvalidPrice },
            { MatchWith("price", "\"-1.5\""), FrameReason.InvalidPrice },
            { MatchWith("price", "0"), FrameReason.InvalidPrice },
            { MatchWith("price", "\"NaN\""), FrameReason.InvalidPrice },
            { MatchWith("price", "\"nan\""), FrameReason.InvalidPrice },
            { MatchWith("price", "\"Infinity\""), FrameReason.InvalidPrice },
            { MatchWith("price", "\"-Infinity\""), FrameReason.InvalidPrice },
            { MatchWith("price", "\"∞\""), FrameReason.InvalidPrice },
            { MatchWith("price", "\"+5\""), FrameReason.InvalidPrice },
            { MatchWith("price", "\" 5\""), FrameReason.InvalidPrice },
            { MatchWith("price", "\"5 \""), FrameReason.InvalidPrice },
            { MatchWith("price", "\"\""), FrameReason.InvalidPrice },
            { MatchWith("price", "\".5\""), FrameReason.InvalidPrice },
            { MatchWith("price", "\"5.\""), FrameReason.InvalidPrice },
            { MatchWith("price", "\"1,5\""), FrameReason.InvalidPrice },
            { MatchWith("price", "\"1.2.3\""), FrameReason.InvalidPrice },
            { MatchWith("price", "\"0x10\""), FrameReason.InvalidPrice },
            { MatchWith("price", "\"12345678901234567890.123456789\""), FrameReason.InvalidPrice },
            { MatchWith("price", "\"79228162514264337593543950336\""), FrameReason.InvalidPrice },
            { MatchWith("size", "\"0\""), FrameReason.InvalidPrice },
            { MatchWith("size", "\"-985\""), FrameReason.InvalidPrice },
            { MatchWith("size", "\"NaN\""), FrameReason.InvalidPrice },
            { TickerWith("best_bid", "\"0\""), FrameReason.InvalidPrice },
            { TickerWith("best_ask", "\"abc\""), FrameReason.InvalidPrice },
            { TickerWith("best_bid_size", "\"-1\""), FrameReason.InvalidPrice },
            { TickerWith("best_ask_size", "\"NaN\""), FrameReason.InvalidPrice },

            // Timestamps
            { MatchWith("time", "\"2021-13-17T16:43:37.089723Z\""), FrameReason.InvalidTimestamp },
            { MatchWith("time", "\"2021-02-30T16:43:37Z\""), FrameReason.InvalidTimestamp },
            { MatchWith("time", "\"2021-04-17T24:00:00Z\""), FrameReason.InvalidTimestamp },
            { MatchWith("time", "\"2021-04-17T16:43:37.Z\""), FrameReason.InvalidTimestamp },
            { MatchWith("time", "\"2021-04-17\""), FrameReason.InvalidTimestamp },
            { MatchWith("time", "\"yesterday\""), FrameReason.InvalidTimestamp },
            { MatchWith("time", "\"\""), FrameReason.InvalidTimestamp },
            { MatchWith("time", "1618677817"), FrameReason.InvalidTimestamp },
            { MatchWith("time", "\"0000-01-01T00:00:00Z\""), FrameReason.InvalidTimestamp },
            { TickerWith("time", "\"2022-10-19 23:28\""), FrameReason.InvalidTimestamp },

            // The venue says no
            { """{"type":"error","message":"Failed to subscribe","reason":"BTC-XYZ is not a valid product"}""", FrameReason.VenueError },
            { """{"message":"Failed to subscribe","type":"error"}""", FrameReason.VenueError },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(BadFrames))]
    public void BadFramesAreRejectedWithTheirReasonAndNoEvents(string frame, FrameReason reason)
    {
        var outcome = Decode(frame, out var output);

        var expected = reason is FrameReason.Unsupported ? FrameOutcome.Ignored(reason) : FrameOutcome.Rejected(reason);
        Assert.Equal(expected, outcome);
        Assert.Equal(0, output.Count);
    }

    [Fact]
    public void InvalidUtf8IsRejectedNotThrown()
    {
        var bytes = Utf8(Match);
        var at = Match.IndexOf("SKL-BTC", StringComparison.Ordinal);
        bytes[at] = 0xFF;
        bytes[at + 1] = 0xFE;
        var output = new EventBuffer();

        var outcome = new CoinbaseExchangeDecoder(NewRefData()).Decode(bytes, ReceiveNs, output);

        Assert.Equal(FrameStatus.Rejected, outcome.Status);
        Assert.Equal(0, output.Count);
    }

    [Fact]
    public void FramesOverTheDefaultCapAreOversized()
    {
        const int cap = CoinbaseExchangeDecoder.DefaultMaxFrameBytes;
        Assert.Equal(1024 * 1024, cap);
        var atCap = PadTo(Match, cap);
        var overCap = PadTo(Match, cap + 1);
        Assert.Equal(cap, Utf8(atCap).Length);
        Assert.Equal(cap + 1, Utf8(overCap).Length);

        Assert.Equal(FrameOutcome.Decoded(1), Decode(atCap, out _));
        Assert.Equal(FrameOutcome.Rejected(FrameReason.Oversized), Decode(overCap, out var output));
        Assert.Equal(0, output.Count);
    }

    [Fact]
    public void TheSizeCapIsConfigurable()
    {
        var length = Utf8(Match).Length;

        Assert.Equal(FrameOutcome.Decoded(1), Decode(Match, out _, out _, maxFrameBytes: length));
        Assert.Equal(FrameOutcome.Rejected(FrameReason.Oversized), Decode(Match, out _, out _, maxFrameBytes: length - 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CoinbaseExchangeDecoder(NewRefData(), maxFrameBytes: 0));
    }

    [Fact]
    public void EveryTruncationOfAMatchIsMalformed()
    {
        var bytes = Utf8(Match);
        var decoder = new CoinbaseExchangeDecoder(NewRefData());
        var output = new EventBuffer();
        var outcomes = new Dictionary<FrameOutcome, int>();
        for (var length = 0; length < bytes.Length; length++)
        {
            var o = decoder.Decode(bytes.AsSpan(0, length), ReceiveNs, output);
            outcomes[o] = outcomes.GetValueOrDefault(o) + 1;
        }

        Assert.Equal(bytes.Length, outcomes[FrameOutcome.Rejected(FrameReason.Malformed)]);
        Assert.Single(outcomes);
        Assert.Equal(0, output.Count);
    }

    [Fact]
    public void RandomCorruptionNeverThrowsAndNeverYieldsANonPositivePrice()
    {
        var original = Utf8(Match);
        var decoder = new CoinbaseExchangeDecoder(NewRefData());
        var output = new EventBuffer();
        var random = new Random(20210417);
        var alphabet = "0123456789.-eE\"{}[],:nul \\"u8.ToArray();
        var byStatus = new int[3];
        for (var i = 0; i < 20_000; i++)
        {
            var frame = (byte[])original.Clone();
            var edits = random.Next(1, 4);
            for (var k = 0; k < edits; k++)
            {
                frame[random.Next(frame.Length)] = random.Next(2) == 0 ? alphabet[random.Next(alphabet.Length)] : (byte)random.Next(256);
            }

            output.Clear();
            var outcome = decoder.Decode(frame, ReceiveNs, output);
            byStatus[(int)outcome.Status]++;
            Assert.Equal(outcome.Status == FrameStatus.Decoded ? 1 : 0, output.Count);
            if (outcome.Status == FrameStatus.Decoded)
            {
                Assert.True(output[0].Price > 0 && output[0].Size > 0);
            }
        }

        // Both paths were exercised: some corruptions land in ignored fields (order ids) and still decode.
        Assert.True(byStatus[(int)FrameStatus.Decoded] > 0);
        Assert.True(byStatus[(int)FrameStatus.Rejected] > 0);
    }

    [Fact]
    public void DecoderAppendsToTheBufferWithoutClearingIt()
    {
        var refData = NewRefData();
        var decoder = new CoinbaseExchangeDecoder(refData);
        var output = new EventBuffer(1);

        decoder.Decode(Utf8(Match), ReceiveNs, output);
        decoder.Decode(Utf8(Ticker), ReceiveNs, output);
        decoder.Decode(Utf8(MatchWith("price", "\"0\"")), ReceiveNs, output);

        Assert.Equal(2, output.Count);
        Assert.Equal(EventKind.Trade, output[0].Kind);
        Assert.Equal(EventKind.Quote, output[1].Kind);
        Assert.Equal(VenueId.Coinbase, decoder.Venue);
        Assert.Equal(ProviderId.Coinbase, decoder.Provider);
    }

    private static string With(string frame, string field, string? rawValue)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(frame);
        var parts = doc.RootElement.EnumerateObject()
            .Where(p => p.Name != field || rawValue is not null)
            .Select(p => $"\"{p.Name}\":{(p.Name == field ? rawValue : p.Value.GetRawText())}");
        return "{" + string.Join(",", parts) + "}";
    }

    private static string PadTo(string frame, int bytes)
    {
        var head = frame[..^1] + ",\"pad\":\"";
        const string tail = "\"}";
        return head + new string('x', bytes - Utf8(head).Length - tail.Length) + tail;
    }
}
