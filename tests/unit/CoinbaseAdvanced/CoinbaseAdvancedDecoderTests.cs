using System.Text.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Wire;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Recorded;
using Cloudwall.Rx.Ingestion.Venues.CoinbaseAdvanced;
using static Cloudwall.Rx.Tests.Unit.CoinbaseAdvanced.CoinbaseAdvancedFrames;

namespace Cloudwall.Rx.Tests.Unit.CoinbaseAdvanced;

public sealed class CoinbaseAdvancedDecoderTests
{
    [Fact]
    public void DocumentationMarketTradeDecodesWithTheTakerSide()
    {
        Assert.Equal(FrameOutcome.Decoded(1), Decode(MarketTrades, out var output, out var refData));

        var e = output[0];
        Assert.Equal(EventKind.Trade, e.Kind);
        Assert.Equal("ETH-USD.SPOT", refData.KeyOf(e.Instrument));
        Assert.Equal(VenueId.Coinbase, e.Venue);
        Assert.Equal(ProviderId.Coinbase, e.Provider);
        Assert.Equal(Side.Sell, e.Side); // "BUY" is the maker's side
        Assert.Equal("1260.01", EventJson.Dec(e.Price));
        Assert.Equal("0.3", EventJson.Dec(e.Size));
        Assert.Equal(TradeId.Numeric(0), e.TradeId); // "000000000"
        Assert.Equal("2019-08-14T20:42:27.265Z", UnixTime.ToIso(e.ExchangeTimeNs));
        Assert.Equal(0, e.Sequence); // sequence_num is per connection, not per series
        Assert.Equal(ReceiveNs, e.ReceiveTimeNs);
    }

    [Fact]
    public void EveryTradeOfEveryEventOfABatchIsKept()
    {
        Assert.Equal(FrameOutcome.Decoded(4), Decode(MarketTradesBatch, out var output, out var refData));

        var events = output.AsSpan().ToArray();
        Assert.Equal([12345L, 12346L, 98765L, 12347L], events.Select(e => e.TradeId.AsLong));
        Assert.Equal(["BTC-USD.SPOT", "BTC-USD.SPOT", "ETH-USD.SPOT", "BTC-USD.SPOT"], events.Select(e => refData.KeyOf(e.Instrument)));
        Assert.Equal([Side.Buy, Side.Sell, Side.Buy, Side.Sell], events.Select(e => e.Side));
        Assert.Equal(["21932.98", "21933.00", "1260.01", "21933.01"], events.Select(e => EventJson.Dec(e.Price)));
        Assert.Equal("0.00100000", EventJson.Dec(events[0].Size));
        Assert.Equal(1_675_973_975_123_456_789, events[0].ExchangeTimeNs); // nine fractional digits
    }

    [Fact]
    public void TickerBecomesAQuoteAtTheEnvelopeTime()
    {
        Assert.Equal(FrameOutcome.Decoded(1), Decode(Ticker, out var output, out var refData));

        var q = output[0];
        Assert.Equal(EventKind.Quote, q.Kind);
        Assert.Equal("BTC-USD.SPOT", refData.KeyOf(q.Instrument));
        Assert.Equal("21931.98", EventJson.Dec(q.Price));
        Assert.Equal("8000.21", EventJson.Dec(q.Size));
        Assert.Equal("21933.98", EventJson.Dec(q.Aux));
        Assert.Equal("8038.07770938", EventJson.Dec(q.AuxSize));
        Assert.Equal("2023-02-09T20:30:37.167359596Z", UnixTime.ToIso(q.ExchangeTimeNs));
    }

    [Theory]
    [InlineData(Heartbeats, FrameReason.Heartbeat)]
    [InlineData(Subscriptions, FrameReason.SubscriptionAck)]
    [InlineData("""{"channel":"l2_data","client_id":"","timestamp":"2023-02-09T20:32:50.714964855Z","sequence_num":0,"events":[{"type":"snapshot","product_id":"BTC-USD","updates":[{"side":"bid","event_time":"1970-01-01T00:00:00Z","price_level":"21921.73","new_quantity":"0.06317902"}]}]}""", FrameReason.BookUpdate)]
    [InlineData("""{"channel":"candles","client_id":"","timestamp":"2023-06-09T20:19:35.39625135Z","sequence_num":0,"events":[]}""", FrameReason.Unsupported)]
    [InlineData("""{"channel":"ticker_batch","client_id":"","timestamp":"2023-06-09T20:19:35.39625135Z","sequence_num":0,"events":[]}""", FrameReason.Unsupported)]
    [InlineData("""{"channel":"market_trades","client_id":"","timestamp":"2023-02-09T20:19:35.39625135Z","sequence_num":0,"events":[{"type":"update","trades":[]}]}""", FrameReason.Unsupported)]
    public void NonDataFramesAreIgnoredWithTheirReason(string json, FrameReason reason)
    {
        Assert.Equal(FrameOutcome.Ignored(reason), Decode(json));
    }

    public static TheoryData<string, FrameReason> BadFrames() => new()
    {
        { "", FrameReason.Malformed },
        { "{", FrameReason.Malformed },
        { "[]", FrameReason.Malformed },
        { MarketTrades + " x", FrameReason.Malformed },
        { """{"channel":"market_trades","sequence_num":-1,"events":[]}""", FrameReason.Malformed },
        { """{"channel":"market_trades","events":[1]}""", FrameReason.Malformed },
        { TradeWith("trade_id", "\"abc\""), FrameReason.Malformed },
        { """{"client_id":"","events":[]}""", FrameReason.MissingField },
        { """{"channel":"market_trades","timestamp":"2023-02-09T20:19:35Z"}""", FrameReason.MissingField },
        { TradeWith("price", null), FrameReason.MissingField },
        { TradeWith("product_id", null), FrameReason.MissingField },
        { TradeWith("time", null), FrameReason.MissingField },
        { TickerWith("best_bid", null), FrameReason.MissingField },
        { Ticker.Replace("\"timestamp\":\"2023-02-09T20:30:37.167359596Z\",", "", StringComparison.Ordinal), FrameReason.MissingField },
        { TradeWith("product_id", "\"NOTAPRODUCT\""), FrameReason.UnknownSymbol },
        { TickerWith("product_id", "\"X\""), FrameReason.UnknownSymbol },
        { TradeWith("price", "\"0\""), FrameReason.InvalidPrice },
        { TradeWith("price", "\"-1\""), FrameReason.InvalidPrice },
        { TradeWith("price", "\"NaN\""), FrameReason.InvalidPrice },
        { TradeWith("price", "\"Infinity\""), FrameReason.InvalidPrice },
        { TradeWith("size", "\"\""), FrameReason.MissingField },
        { TickerWith("best_ask", "\"0\""), FrameReason.InvalidPrice },
        { TickerWith("best_bid_quantity", "\"-3\""), FrameReason.InvalidPrice },
        { TradeWith("time", "\"2019-08-14 20:42:27\""), FrameReason.InvalidTimestamp },
        { TradeWith("time", "\"0000-01-01T00:00:00Z\""), FrameReason.InvalidTimestamp },
        { Ticker.Replace("2023-02-09T20:30:37.167359596Z", "yesterday", StringComparison.Ordinal), FrameReason.InvalidTimestamp },
        { Error, FrameReason.VenueError },
    };

    /// <summary>Coinbase Advanced now shares the venue decimal grammar, exponents included (it used to refuse them).</summary>
    [Fact]
    public void ExponentSizesFollowTheVenueDecimalGrammar()
    {
        Assert.Equal(FrameOutcome.Decoded(1), Decode(TradeWith("size", "\"1e-05\""), out var output, out _));
        Assert.Equal("0.00001", EventJson.Dec(output[0].Size));
    }

    [Theory]
    [MemberData(nameof(BadFrames))]
    public void BadInputIsRejectedWithItsReasonAndLeavesNoEvents(string json, FrameReason reason)
    {
        Assert.Equal(FrameOutcome.Rejected(reason), Decode(json, out var output, out _));
        Assert.Equal(0, output.Count);
    }

    [Fact]
    public void OversizedFramesAreRejected()
    {
        Assert.Equal(FrameOutcome.Rejected(FrameReason.Oversized), Decode(MarketTradesBatch, out _, out _, maxFrameBytes: 200));
    }

    [Fact]
    public void SequenceNumGapsAreCountedPerConnectionAndARestartAtZeroIsNone()
    {
        var decoder = new CoinbaseAdvancedDecoder(NewRefData());
        var output = new EventBuffer();
        foreach (var seq in new long[] { 0, 1, 2, 5, 6, 0, 1, 3 })
        {
            var frame = Heartbeats.Replace("\"sequence_num\":0", $"\"sequence_num\":{seq}", StringComparison.Ordinal);
            Assert.Equal(FrameOutcome.Ignored(FrameReason.Heartbeat), decoder.Decode(Utf8(frame), ReceiveNs, output));
        }

        Assert.Equal(2, decoder.SequenceGaps); // 2→5 and 1→3
        Assert.Equal(3, decoder.MissedMessages); // 3, 4 and 2
        Assert.Equal(3, decoder.LastSequenceNum);
    }

    [Theory]
    [InlineData(MarketTrades, 1)]
    [InlineData(MarketTradesBatch, 4)]
    [InlineData(Ticker, 1)]
    [InlineData(Heartbeats, 0)]
    public void DecodeAllocatesNothingAfterWarmUp(string json, int eventsPerFrame)
    {
        var decoder = new CoinbaseAdvancedDecoder(NewRefData());
        var frame = Utf8(json);
        var output = new EventBuffer();
        var wire = new byte[EventCodec.MaxSize];
        for (var i = 0; i < 200; i++)
        {
            output.Clear();
            decoder.Decode(frame, ReceiveNs, output);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var events = 0;
        for (var i = 0; i < 1000; i++)
        {
            output.Clear();
            decoder.Decode(frame, ReceiveNs, output);
            foreach (ref readonly var e in output.AsSpan())
            {
                events += EventCodec.Encode(e, wire) > 0 ? 1 : 0;
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1000 * eventsPerFrame, events);
    }

    [Fact]
    public void ArbitraryBytesNeverThrow()
    {
        var random = new Random(11);
        var decoder = new CoinbaseAdvancedDecoder(NewRefData());
        var output = new EventBuffer();
        var seeds = new[] { MarketTrades, MarketTradesBatch, Ticker, Heartbeats, Subscriptions, Error };
        for (var i = 0; i < 5_000; i++)
        {
            var bytes = Utf8(seeds[i % seeds.Length]);
            for (var k = random.Next(1, 4); k > 0; k--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            output.Clear();
            var outcome = decoder.Decode(bytes.AsSpan(0, random.Next(2) == 0 ? bytes.Length : random.Next(bytes.Length)), ReceiveNs, output);
            if (outcome.Status != FrameStatus.Decoded)
            {
                Assert.Equal(0, output.Count);
            }
        }
    }

    [Fact]
    public void ProtocolSubscribesOneChannelPerMessageIncludingHeartbeats()
    {
        IVenueProtocol protocol = new CoinbaseAdvancedProtocol();

        var frames = protocol.SubscribeFrames(["BTC-USD", "ETH-USD"]).Select(f => JsonDocument.Parse(f).RootElement).ToArray();

        Assert.Equal(["market_trades", "ticker", "heartbeats"], frames.Select(f => f.GetProperty("channel").GetString()));
        Assert.All(frames, f => Assert.Equal("subscribe", f.GetProperty("type").GetString()));
        Assert.All(frames, f => Assert.Equal(["BTC-USD", "ETH-USD"], f.GetProperty("product_ids").EnumerateArray().Select(p => p.GetString())));
        Assert.Equal("unsubscribe", JsonDocument.Parse(protocol.UnsubscribeFrames(["BTC-USD"])[0]).RootElement.GetProperty("type").GetString());
        Assert.Equal(new Uri("wss://advanced-trade-ws.coinbase.com"), protocol.DefaultEndpoint);
        Assert.Equal(SequenceScope.None, protocol.SequenceScope);
        Assert.IsType<CoinbaseAdvancedDecoder>(protocol.CreateDecoder(NewRefData()));
    }

    [Fact]
    public void ReplayKnowsTheVenueName()
    {
        Assert.Contains("coinbase-advanced", ReplayVenues.Names);
        Assert.Contains("deribit", ReplayVenues.Names);
        Assert.True(ReplayVenues.TryCreate("coinbase-advanced", new ReferenceData(), out var decoder));
        Assert.IsType<CoinbaseAdvancedDecoder>(decoder);
    }
}
