using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Deribit;
using static Cloudwall.Rx.Tests.Unit.Deribit.DeribitFrames;

namespace Cloudwall.Rx.Tests.Unit.Deribit;

public sealed class DeribitDecoderTests
{
    [Fact]
    public void DocumentationTradeDecodesWithTakerSideSequenceAndNumericTradeId()
    {
        var outcome = Decode(Trade, out var output, out var refData);

        Assert.Equal(FrameOutcome.Decoded(1), outcome);
        var e = output[0];
        Assert.Equal(EventKind.Trade, e.Kind);
        Assert.Equal("BTC-USD.PERP", refData.KeyOf(e.Instrument));
        Assert.Equal(VenueId.Deribit, e.Venue);
        Assert.Equal(ProviderId.Deribit, e.Provider);
        Assert.Equal(Side.Sell, e.Side); // direction is the taker's
        Assert.Equal("8950", EventJson.Dec(e.Price));
        Assert.Equal("10", EventJson.Dec(e.Size));
        Assert.Equal(30289442, e.Sequence);
        Assert.Equal(TradeId.Numeric(48079269), e.TradeId);
        Assert.Equal(1_590_484_512_188_000_000, e.ExchangeTimeNs);
        Assert.Equal(ReceiveNs, e.ReceiveTimeNs);
    }

    [Fact]
    public void EveryTradeOfABatchIsKept()
    {
        var outcome = Decode(TradeBatch, out var output, out var refData);

        Assert.Equal(FrameOutcome.Decoded(3), outcome);
        Assert.Equal(["BTC-USD.PERP", "BTC-USD-20210924-40000-C.OPT", "ETH-USD.PERP"], output.AsSpan().ToArray().Select(e => refData.KeyOf(e.Instrument)));
        Assert.Equal([Side.Sell, Side.Buy, Side.Buy], output.AsSpan().ToArray().Select(e => e.Side));
        Assert.Equal([30289442L, 1207L, 77L], output.AsSpan().ToArray().Select(e => e.Sequence));
        Assert.Equal("0.0465", EventJson.Dec(output[1].Price)); // option priced in BTC, carried as sent
        Assert.Equal("1.5", EventJson.Dec(output[1].Size));
        Assert.Equal(TradeId.Numeric(12345), output[2].TradeId); // "ETH-12345"
        Assert.Equal(250m, output[2].Price); // 2.5e2
        Assert.Equal(10m, output[2].Size); // 1e1
    }

    [Fact]
    public void PerpetualTickerGivesQuoteMarkIndexAndFunding()
    {
        var outcome = Decode(PerpTicker, out var output, out var refData);

        Assert.Equal(FrameOutcome.Decoded(4), outcome);
        var quote = output[0];
        Assert.Equal(EventKind.Quote, quote.Kind);
        Assert.Equal("BTC-USD.PERP", refData.KeyOf(quote.Instrument));
        Assert.Equal("36442.5", EventJson.Dec(quote.Price));
        Assert.Equal("5000", EventJson.Dec(quote.Size));
        Assert.Equal("36443", EventJson.Dec(quote.Aux));
        Assert.Equal("100", EventJson.Dec(quote.AuxSize));
        Assert.Equal(1_623_060_194_301_000_000, quote.ExchangeTimeNs);
        Assert.Equal(0, quote.Sequence);

        var mark = output[1];
        Assert.Equal(EventKind.Mark, mark.Kind);
        Assert.Equal("36446.51", EventJson.Dec(mark.Price));
        Assert.Equal(0m, mark.Aux); // no mark_iv on a perpetual

        var index = output[2];
        Assert.Equal(EventKind.Index, index.Kind);
        Assert.Equal("BTC-USD.INDEX", refData.KeyOf(index.Instrument));
        Assert.Equal("36441.64", EventJson.Dec(index.Price));

        var funding = output[3];
        Assert.Equal(EventKind.Funding, funding.Kind);
        Assert.Equal("BTC-USD.PERP", refData.KeyOf(funding.Instrument));
        Assert.Equal("0", EventJson.Dec(funding.Price));
        Assert.Equal("0.0000211", EventJson.Dec(funding.Aux));
    }

    [Fact]
    public void OptionTickerMarkCarriesMarkIvAndTheIndexIsTheUnderlyings()
    {
        var outcome = Decode(OptionTicker, out var output, out var refData);

        Assert.Equal(FrameOutcome.Decoded(3), outcome);
        Assert.Equal("ETH-USD-20210730-2800-C.OPT", refData.KeyOf(output[0].Instrument));
        Assert.Equal("0.0015", EventJson.Dec(output[0].Price));
        Assert.Equal("4714.0", EventJson.Dec(output[0].Size)); // scale kept
        Assert.Equal("0.0025", EventJson.Dec(output[0].Aux));
        Assert.Equal("873.0", EventJson.Dec(output[0].AuxSize));
        Assert.Equal(EventKind.Mark, output[1].Kind);
        Assert.Equal("0.001972", EventJson.Dec(output[1].Price));
        Assert.Equal("120.74", EventJson.Dec(output[1].Aux));
        Assert.Equal("ETH-USD.INDEX", refData.KeyOf(output[2].Instrument));
        Assert.Equal("2006.72", EventJson.Dec(output[2].Price));
    }

    [Fact]
    public void FieldOrderDoesNotMatter()
    {
        // The envelope in reverse order, and the channel after the data.
        var reordered = """{"params":{"data":{"instrument_name":"BTC-PERPETUAL","best_ask_amount":1,"best_ask_price":2,"best_bid_amount":3,"best_bid_price":1,"timestamp":1623060194301},"channel":"ticker.BTC-PERPETUAL.100ms"},"method":"subscription","jsonrpc":"2.0"}""";

        Assert.Equal(FrameOutcome.Decoded(1), Decode(reordered, out var output, out _));
        Assert.Equal(1m, output[0].Price);
        Assert.Equal(2m, output[0].Aux);
    }

    [Theory]
    [InlineData(TestRequest, FrameReason.Heartbeat)]
    [InlineData(Heartbeat, FrameReason.Heartbeat)]
    [InlineData(SubscribeResult, FrameReason.SubscriptionAck)]
    [InlineData(TestResult, FrameReason.SubscriptionAck)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"result":"ok"}""", FrameReason.SubscriptionAck)]
    [InlineData("""{"jsonrpc":"2.0","method":"subscription","params":{"channel":"book.BTC-PERPETUAL.raw","data":{"type":"change","timestamp":1,"instrument_name":"BTC-PERPETUAL","change_id":5,"bids":[],"asks":[]}}}""", FrameReason.BookUpdate)]
    [InlineData("""{"jsonrpc":"2.0","method":"subscription","params":{"channel":"deribit_price_index.btc_usd","data":{"timestamp":1,"price":1,"index_name":"btc_usd"}}}""", FrameReason.Unsupported)]
    [InlineData("""{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.raw","data":[]}}""", FrameReason.Unsupported)]
    [InlineData("""{"jsonrpc":"2.0","method":"something_new","params":{}}""", FrameReason.Unsupported)]
    public void NonDataFramesAreIgnoredWithTheirReason(string json, FrameReason reason)
    {
        Assert.Equal(FrameOutcome.Ignored(reason), Decode(json));
    }

    public static TheoryData<string, FrameReason> BadFrames() => new()
    {
        // Malformed
        { "", FrameReason.Malformed },
        { "not json", FrameReason.Malformed },
        { "[1,2]", FrameReason.Malformed },
        { Trade[..^10], FrameReason.Malformed },
        { Trade + "{}", FrameReason.Malformed },
        { """{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.raw","data":{"price":1}}}""", FrameReason.Malformed },
        { """{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.raw","data":[1]}}""", FrameReason.Malformed },
        { TradeWith("trade_id", "\"ETH-\""), FrameReason.Malformed },
        { TradeWith("trade_seq", "-1"), FrameReason.Malformed },
        // MissingField
        { """{"jsonrpc":"2.0"}""", FrameReason.MissingField },
        { """{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.raw"}}""", FrameReason.MissingField },
        { """{"jsonrpc":"2.0","method":"subscription","params":{"data":[]}}""", FrameReason.MissingField },
        { TradeWith("price", null), FrameReason.MissingField },
        { TradeWith("amount", null), FrameReason.MissingField },
        { TradeWith("timestamp", null), FrameReason.MissingField },
        { TradeWith("instrument_name", null), FrameReason.MissingField },
        { TradeWith("trade_id", null), FrameReason.MissingField },
        { PerpTickerWith("timestamp", null), FrameReason.MissingField },
        { """{"jsonrpc":"2.0","method":"subscription","params":{"channel":"ticker.BTC-PERPETUAL.raw","data":{"timestamp":1623060194301,"instrument_name":"BTC-PERPETUAL"}}}""", FrameReason.MissingField },
        // UnknownSymbol
        { TradeWith("instrument_name", "\"BTC-FS-24SEP21_PERP\""), FrameReason.UnknownSymbol },
        { PerpTickerWith("instrument_name", "\"NOPE\""), FrameReason.UnknownSymbol },
        // InvalidPrice
        { TradeWith("price", "0"), FrameReason.InvalidPrice },
        { TradeWith("price", "-8950"), FrameReason.InvalidPrice },
        { TradeWith("price", "\"NaN\""), FrameReason.InvalidPrice },
        { TradeWith("price", "\"Infinity\""), FrameReason.InvalidPrice },
        { TradeWith("price", "\"abc\""), FrameReason.InvalidPrice },
        { TradeWith("price", "true"), FrameReason.InvalidPrice },
        { TradeWith("price", "1e400"), FrameReason.InvalidPrice },
        { TradeWith("amount", "0"), FrameReason.InvalidPrice },
        { PerpTickerWith("mark_price", "0"), FrameReason.InvalidPrice },
        { PerpTickerWith("index_price", "-1"), FrameReason.InvalidPrice },
        { PerpTickerWith("best_bid_price", "-1"), FrameReason.InvalidPrice },
        { PerpTickerWith("best_ask_amount", "-1"), FrameReason.InvalidPrice },
        { PerpTickerWith("current_funding", "\"x\""), FrameReason.InvalidPrice },
        // InvalidTimestamp
        { TradeWith("timestamp", "0"), FrameReason.InvalidTimestamp },
        { TradeWith("timestamp", "1590484512.188"), FrameReason.InvalidTimestamp },
        { TradeWith("timestamp", "99999999999999999"), FrameReason.InvalidTimestamp },
        { PerpTickerWith("timestamp", "\"yesterday\""), FrameReason.InvalidTimestamp },
        // VenueError
        { Error, FrameReason.VenueError },
    };

    [Theory]
    [MemberData(nameof(BadFrames))]
    public void BadInputIsRejectedWithItsReasonAndLeavesNoEvents(string json, FrameReason reason)
    {
        var outcome = Decode(json, out var output, out _);

        Assert.Equal(FrameOutcome.Rejected(reason), outcome);
        Assert.Equal(0, output.Count);
    }

    [Fact]
    public void OneBadTradeRejectsTheWholeBatchAndKeepsEarlierOutput()
    {
        var refData = NewRefData();
        var decoder = new DeribitDecoder(refData);
        var output = new EventBuffer();
        Assert.Equal(FrameOutcome.Decoded(1), decoder.Decode(Utf8(Trade), ReceiveNs, output));

        var bad = TradeBatch.Replace("\"price\":0.0465", "\"price\":-1", StringComparison.Ordinal);
        Assert.Equal(FrameOutcome.Rejected(FrameReason.InvalidPrice), decoder.Decode(Utf8(bad), ReceiveNs, output));
        Assert.Equal(1, output.Count); // the batch's first trade was taken back, the earlier frame's event stays
    }

    [Fact]
    public void OversizedFramesAreRejectedBeforeParsing()
    {
        Assert.Equal(FrameOutcome.Rejected(FrameReason.Oversized), Decode(Trade, out _, out _, maxFrameBytes: 100));
        Assert.Equal(FrameOutcome.Decoded(1), Decode(Trade, out _, out _, maxFrameBytes: Trade.Length));
    }

    [Fact]
    public void EmptyBookSidesAreZeroAndAnEmptyBookGivesNoQuote()
    {
        var askOnly = PerpTickerWith("best_bid_price", "0.0").Replace("\"best_bid_amount\":5000", "\"best_bid_amount\":0.0", StringComparison.Ordinal);
        Assert.Equal(FrameOutcome.Decoded(4), Decode(askOnly, out var output, out _));
        Assert.Equal(0m, output[0].Price);
        Assert.Equal(0m, output[0].Size);
        Assert.Equal(36443m, output[0].Aux);
        Assert.Equal(0m, output[0].MidOrPrice); // a one-sided quote has no mid: pricing skips it (price 0)

        var empty = PerpTickerWith("best_bid_price", "null").Replace("\"best_ask_price\":36443", "\"best_ask_price\":0", StringComparison.Ordinal);
        Assert.Equal(FrameOutcome.Decoded(3), Decode(empty, out output, out _));
        Assert.Equal(EventKind.Mark, output[0].Kind);
    }

    [Theory]
    [InlineData("1e-05", "0.00001")]
    [InlineData("1.5E-3", "0.0015")]
    [InlineData("4714.0", "4714.0")]
    [InlineData("0.000001", "0.000001")]
    [InlineData("36442.50", "36442.50")]
    public void NumbersKeepTheirExactValueAndScale(string raw, string expected)
    {
        Assert.Equal(FrameOutcome.Decoded(1), Decode(TradeWith("price", raw), out var output, out _));
        Assert.Equal(expected, EventJson.Dec(output[0].Price));
    }

    [Fact]
    public void EscapedStringsAreUnescaped()
    {
        var escaped = Trade.Replace("\"BTC-PERPETUAL\",\"index", "\"BTC\\u002DPERPETUAL\",\"index", StringComparison.Ordinal)
            .Replace("\"direction\"", "\"dir\\u0065ction\"", StringComparison.Ordinal);
        Assert.Equal(FrameOutcome.Decoded(1), Decode(escaped, out var output, out var refData));
        Assert.Equal("BTC-USD.PERP", refData.KeyOf(output[0].Instrument));
        Assert.Equal(Side.Sell, output[0].Side);
    }

    [Fact]
    public void ArbitraryBytesNeverThrow()
    {
        var random = new Random(7);
        var decoder = new DeribitDecoder(NewRefData());
        var output = new EventBuffer();
        var seeds = new[] { Trade, TradeBatch, PerpTicker, OptionTicker, TestRequest, Error };
        for (var i = 0; i < 5_000; i++)
        {
            var bytes = Utf8(seeds[i % seeds.Length]);
            var flips = random.Next(1, 4);
            for (var k = 0; k < flips; k++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            var cut = random.Next(2) == 0 ? bytes.Length : random.Next(bytes.Length);
            output.Clear();
            var outcome = decoder.Decode(bytes.AsSpan(0, cut), ReceiveNs, output);
            if (outcome.Status != FrameStatus.Decoded)
            {
                Assert.Equal(0, output.Count);
            }
        }
    }
    private const string DocTrade =
        """{"trade_seq":30289442,"trade_id":"48079269","timestamp":1590484512188,"tick_direction":2,"price":8950,"mark_price":8948.9,"instrument_name":"BTC-PERPETUAL","index_price":8955.88,"direction":"sell","amount":10}""";

    /// <summary>
    /// Trades are decoded in the envelope pass when they can be (channel before data, or not yet known); frames where the
    /// rest of the envelope says otherwise end as the two-pass decode always ended them, with none of those events.
    /// </summary>
    [Theory]
    [InlineData("""{"params":{"data":[@T],"channel":"user.trades.BTC-PERPETUAL.raw"},"method":"subscription"}""", FrameStatus.Ignored, 0)]
    [InlineData("""{"params":{"data":[@T],"channel":"book.BTC-PERPETUAL.raw"},"method":"subscription"}""", FrameStatus.Ignored, 0)]
    [InlineData("""{"params":{"channel":"trades.BTC-PERPETUAL.raw","data":[@T]},"method":"heartbeat"}""", FrameStatus.Ignored, 0)]
    [InlineData("""{"params":{"channel":"trades.BTC-PERPETUAL.raw","data":[@T]},"method":"subscription","error":{"code":1}}""", FrameStatus.Rejected, 0)]
    [InlineData("""{"params":{"channel":"trades.BTC-PERPETUAL.raw","data":[@T]}}""", FrameStatus.Rejected, 0)]
    [InlineData("""{"method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.raw","data":[@T],"data":[@T,@T]}}""", FrameStatus.Decoded, 2)]
    [InlineData("""{"method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.raw","data":[@T,@T]},"params":{"channel":"trades.BTC-PERPETUAL.raw","data":[@T]}}""", FrameStatus.Decoded, 1)]
    [InlineData("""{"params":{"data":[@T,@T,@T],"channel":"trades.BTC-PERPETUAL.raw"},"method":"subscription"}""", FrameStatus.Decoded, 3)]
    [InlineData("""{"method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.raw","data":[]}}""", FrameStatus.Ignored, 0)]
    public void The_single_pass_ends_every_frame_as_the_two_pass_decode_does(string template, FrameStatus status, int events)
    {
        var refData = NewRefData();
        var decoder = new DeribitDecoder(refData);
        var output = new EventBuffer();
        output.Add(new MarketEvent { Kind = EventKind.Trade, Price = 1m, Size = 1m }); // earlier output is never touched

        var outcome = decoder.Decode(Utf8(template.Replace("@T", DocTrade, StringComparison.Ordinal)), ReceiveNs, output);

        Assert.Equal(status, outcome.Status);
        Assert.Equal(events, outcome.Events);
        Assert.Equal(1 + events, output.Count);
        Assert.Equal(1m, output[0].Price);
        for (var i = 1; i < output.Count; i++)
        {
            Assert.Equal(30289442, output[i].Sequence);
        }
    }
}
