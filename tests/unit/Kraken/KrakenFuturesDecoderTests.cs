using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Kraken;
using static Cloudwall.Rx.Tests.Unit.Kraken.KrakenDocExamples;
using static Cloudwall.Rx.Tests.Unit.Kraken.KrakenV1RecordedFeedTests;

namespace Cloudwall.Rx.Tests.Unit.Kraken;

public sealed class KrakenFuturesDecoderTests
{
    private readonly ReferenceData _refData = new();
    private readonly KrakenFuturesDecoder _decoder;
    private readonly EventBuffer _output = new();

    public KrakenFuturesDecoderTests()
    {
        KrakenSymbols.RegisterFutures(_refData);
        _decoder = new KrakenFuturesDecoder(_refData);
    }

    private FrameOutcome Decode(string json)
    {
        _output.Clear();
        return _decoder.Decode(Utf8(json), ReceiveNs, _output);
    }

    [Fact]
    public void Doc_ticker_is_a_quote_a_mark_an_index_and_a_relative_funding_rate()
    {
        Assert.Equal(FrameOutcome.Decoded(4), Decode(FuturesTicker));
        var events = _output.AsSpan().ToArray();
        Assert.All(events, e => Assert.Equal("BTC-USD.PERP", _refData.KeyOf(e.Instrument)));
        Assert.All(events, e => Assert.Equal(1_612_270_825_253_000_000, e.ExchangeTimeNs));
        Assert.All(events, e => Assert.Equal(VenueId.KrakenFutures, e.Venue));

        var quote = events[0];
        Assert.Equal(EventKind.Quote, quote.Kind);
        Assert.Equal("34832.5", Text(quote.Price));
        Assert.Equal("42864", Text(quote.Size));
        Assert.Equal("34847.5", Text(quote.Aux));
        Assert.Equal("2300", Text(quote.AuxSize));
        var mark = events[1];
        Assert.Equal(EventKind.Mark, mark.Kind);
        Assert.Equal("34844.25", Text(mark.Price));
        var index = events[2];
        Assert.Equal(EventKind.Index, index.Kind);
        Assert.Equal("34803.45", Text(index.Price));
        var funding = events[3];
        Assert.Equal(EventKind.Funding, funding.Kind);
        Assert.Equal("0.000135046879166667", Text(funding.Price));
        Assert.Equal("0.000146960125", Text(funding.Aux));
    }

    [Fact]
    public void A_perpetual_ticker_without_funding_fields_reports_a_zero_rate_and_a_future_reports_none()
    {
        Assert.Equal(FrameOutcome.Decoded(2), Decode("""{"time":1612270825253,"feed":"ticker","product_id":"PF_ETHUSD","bid":1,"ask":2,"tag":"perpetual"}"""));
        Assert.Equal(EventKind.Funding, _output[1].Kind);
        Assert.Equal(0m, _output[1].Price);
        Assert.Equal("ETH-USD.PERP", _refData.KeyOf(_output[1].Instrument));

        Assert.Equal(FrameOutcome.Decoded(2), Decode("""{"time":1612270825253,"feed":"ticker","product_id":"FI_XBTUSD_210924","bid":1,"ask":2,"markPrice":1.5}"""));
        Assert.Equal(EventKind.Mark, _output[1].Kind);
        Assert.Equal("BTC-USD-20210924.FUT", _refData.KeyOf(_output[1].Instrument));
    }

    [Fact]
    public void Doc_trade_snapshot_is_emitted_oldest_first_with_taker_sides_and_uuid_ids()
    {
        Assert.Equal(FrameOutcome.Decoded(2), Decode(FuturesTradeSnapshot));

        var older = _output[0];
        Assert.Equal("BTC-USD.PERP", _refData.KeyOf(older.Instrument)); // PF_XBTUSD: linear perpetual, quoted in USD
        Assert.Equal(655507, older.Sequence);
        Assert.Equal(Side.Sell, older.Side);
        Assert.Equal("34891", Text(older.Price));
        Assert.Equal("9643", Text(older.Size));
        Assert.Equal(1_612_269_656_839_000_000, older.ExchangeTimeNs);
        Assert.Equal(Guid.Parse("45ee9737-1877-4682-bc68-e4ef818ef88a"), older.TradeId.ToGuid());
        Assert.Equal(655508, _output[1].Sequence);
    }

    [Theory]
    [InlineData(FuturesHeartbeat, FrameReason.Heartbeat)]
    [InlineData("""{"event":"info","version":1}""", FrameReason.Heartbeat)]
    [InlineData("""{"event":"subscribed","feed":"trade","product_ids":["PI_XBTUSD"]}""", FrameReason.SubscriptionAck)]
    [InlineData("""{"event":"unsubscribed","feed":"trade","product_ids":["PI_XBTUSD"]}""", FrameReason.SubscriptionAck)]
    [InlineData("""{"feed":"book","product_id":"PI_ETHUSD","side":"sell","seq":26660860,"price":2004.85,"qty":4787.0,"timestamp":1626994927744}""", FrameReason.BookUpdate)]
    [InlineData("""{"feed":"book_snapshot","product_id":"PI_XBTUSD","timestamp":1612269825817,"seq":326072249,"bids":[],"asks":[]}""", FrameReason.BookUpdate)]
    [InlineData("""{"feed":"funding_rates","product_id":"PI_XBTUSD"}""", FrameReason.Unsupported)]
    public void Non_market_data_is_ignored_with_its_reason(string json, FrameReason reason)
    {
        Assert.Equal(FrameOutcome.Ignored(reason), Decode(json));
        Assert.Equal(0, _output.Count);
    }

    private const string Trade = """{"feed":"trade","product_id":"PI_XBTUSD","uid":"e2429e31-8b9d-4195-900e-fd42be2dec89","side":"buy","type":"fill","seq":1,"time":1626994929946,"qty":1.0,"price":30000.5}""";

    [Theory]
    [InlineData("", FrameReason.Malformed)]
    [InlineData("""{"feed":"trade",""", FrameReason.Malformed)]
    [InlineData("""{"feed":"trade","product_id":"PI_XBTUSD","uid":"not-a-uuid","side":"buy","seq":1,"time":1626994929946,"qty":1,"price":1}""", FrameReason.Malformed)]
    [InlineData("""{"feed":"trade","product_id":"PI_XBTUSD","side":"buy","seq":-1,"time":1626994929946,"qty":1,"price":1}""", FrameReason.Malformed)]
    [InlineData("""{"feed":"trade","product_id":{"x":1}}""", FrameReason.Malformed)]
    [InlineData("""{"product_id":"PI_XBTUSD"}""", FrameReason.MissingField)]
    [InlineData("""{"feed":"trade","side":"buy","seq":1,"time":1626994929946,"qty":1,"price":1}""", FrameReason.MissingField)]
    [InlineData("""{"feed":"trade","product_id":"PI_XBTUSD","side":"buy","seq":1,"qty":1,"price":1}""", FrameReason.MissingField)]
    [InlineData("""{"feed":"trade_snapshot","product_id":"PI_XBTUSD"}""", FrameReason.MissingField)]
    [InlineData("""{"feed":"ticker","product_id":"PI_XBTUSD","time":1626994929946}""", FrameReason.MissingField)]
    [InlineData("""{"feed":"trade","product_id":"IN_XBTUSD","side":"buy","seq":1,"time":1626994929946,"qty":1,"price":1}""", FrameReason.UnknownSymbol)]
    [InlineData("""{"feed":"trade","product_id":"PI_XBTUSD","side":"buy","seq":1,"time":1626994929946,"qty":1,"price":0}""", FrameReason.InvalidPrice)]
    [InlineData("""{"feed":"trade","product_id":"PI_XBTUSD","side":"buy","seq":1,"time":1626994929946,"qty":-3,"price":1}""", FrameReason.InvalidPrice)]
    [InlineData("""{"feed":"trade","product_id":"PI_XBTUSD","side":"buy","seq":1,"time":1626994929946,"qty":1,"price":"NaN"}""", FrameReason.InvalidPrice)]
    [InlineData("""{"feed":"ticker","product_id":"PI_XBTUSD","bid":1,"ask":2,"markPrice":-1}""", FrameReason.InvalidPrice)]
    [InlineData("""{"feed":"trade","product_id":"PI_XBTUSD","side":"buy","seq":1,"time":1626994929946.5,"qty":1,"price":1}""", FrameReason.InvalidTimestamp)]
    [InlineData("""{"feed":"trade","product_id":"PI_XBTUSD","side":"buy","seq":1,"time":12,"qty":1,"price":1}""", FrameReason.InvalidTimestamp)]
    [InlineData("""{"event":"error","message":"Invalid product id"}""", FrameReason.VenueError)]
    [InlineData("""{"event":"subscribed_failed","feed":"trade","product_ids":["PI_NOPE"]}""", FrameReason.VenueError)]
    [InlineData("""{"event":"alert","message":"Bad websocket message"}""", FrameReason.VenueError)]
    public void Bad_input_is_rejected_with_its_reason(string json, FrameReason reason)
    {
        Assert.Equal(FrameOutcome.Rejected(reason), Decode(json));
        Assert.Equal(0, _output.Count);
    }

    [Fact]
    public void A_live_trade_decodes_exactly()
    {
        Assert.Equal(FrameOutcome.Decoded(1), Decode(Trade));
        Assert.Equal("30000.5", Text(_output[0].Price));
        Assert.Equal("1.0", Text(_output[0].Size));
        Assert.Equal(Side.Buy, _output[0].Side);
    }

    [Fact]
    public void Oversized_frames_are_rejected_unless_their_first_property_says_book()
    {
        var decoder = new KrakenFuturesDecoder(_refData, maxFrameBytes: 64);
        Assert.Equal(FrameOutcome.Rejected(FrameReason.Oversized), decoder.Decode(Utf8(Trade), ReceiveNs, _output));
        Assert.Equal(FrameOutcome.Ignored(FrameReason.BookUpdate),
            decoder.Decode(Utf8("""{"feed":"book_snapshot","product_id":"PI_XBTUSD","bids":[""" + new string(' ', 100) + "]}"), ReceiveNs, _output));
    }

    [Fact]
    public void Random_garbage_never_throws()
    {
        var random = new Random(13);
        var seeds = new[] { FuturesTicker, FuturesTradeSnapshot, Trade, FuturesHeartbeat };
        for (var i = 0; i < 5_000; i++)
        {
            var bytes = Utf8(seeds[i % seeds.Length]);
            var frame = bytes.AsSpan(0, random.Next(bytes.Length + 1)).ToArray();
            if (frame.Length > 0 && random.Next(2) == 0)
            {
                frame[random.Next(frame.Length)] = (byte)random.Next(256);
            }

            _output.Clear();
            var outcome = _decoder.Decode(frame, ReceiveNs, _output);
            Assert.True(outcome.Status != FrameStatus.Rejected || _output.Count == 0);
        }
    }
}
