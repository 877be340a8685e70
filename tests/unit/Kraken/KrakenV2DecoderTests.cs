using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Kraken;
using static Cloudwall.Rx.Tests.Unit.Kraken.KrakenDocExamples;
using static Cloudwall.Rx.Tests.Unit.Kraken.KrakenV1RecordedFeedTests;

namespace Cloudwall.Rx.Tests.Unit.Kraken;

public sealed class KrakenV2DecoderTests
{
    private readonly ReferenceData _refData = new();
    private readonly KrakenV2Decoder _decoder;
    private readonly EventBuffer _output = new();

    public KrakenV2DecoderTests()
    {
        KrakenSymbols.Register(_refData);
        _decoder = new KrakenV2Decoder(_refData);
    }

    private FrameOutcome Decode(string json)
    {
        _output.Clear();
        return _decoder.Decode(Utf8(json), ReceiveNs, _output);
    }

    [Fact]
    public void Doc_trade_update_is_an_exact_taker_trade_with_its_trade_id_as_sequence()
    {
        Assert.Equal(FrameOutcome.Decoded(1), Decode(V2TradeUpdate));
        var e = _output[0];

        Assert.Equal(EventKind.Trade, e.Kind);
        Assert.Equal("MATIC-USD.SPOT", _refData.KeyOf(e.Instrument));
        Assert.Equal(Side.Sell, e.Side); // "side": the taker order's side
        Assert.Equal("0.5117", Text(e.Price));
        Assert.Equal("40.0", Text(e.Size)); // JSON number 40.0 keeps its scale
        Assert.Equal(4665906, e.Sequence);
        Assert.Equal(TradeId.Numeric(4665906), e.TradeId);
        Assert.Equal("2023-09-25T07:49:37.708706Z", UnixTime.ToIso(e.ExchangeTimeNs));
        Assert.Equal(1_695_628_177_708_706_000, e.ExchangeTimeNs);
        Assert.Equal(ReceiveNs, e.ReceiveTimeNs);
        Assert.Equal(VenueId.Kraken, e.Venue);
        Assert.Equal(ProviderId.Kraken, e.Provider);
    }

    [Fact]
    public void Doc_ticker_snapshot_is_a_quote_with_sizes_and_time()
    {
        Assert.Equal(FrameOutcome.Decoded(1), Decode(V2TickerSnapshot));
        var e = _output[0];

        Assert.Equal(EventKind.Quote, e.Kind);
        Assert.Equal("ALGO-USD.SPOT", _refData.KeyOf(e.Instrument));
        Assert.Equal("0.10025", Text(e.Price));
        Assert.Equal("740.0", Text(e.Size));
        Assert.Equal("0.10036", Text(e.Aux));
        Assert.Equal("1361.44813783", Text(e.AuxSize));
        Assert.Equal("2023-09-25T09:04:31.742648Z", UnixTime.ToIso(e.ExchangeTimeNs));
        Assert.Equal(0, e.Sequence);
    }

    [Theory]
    [InlineData(V2SubscribeAck, FrameReason.SubscriptionAck)]
    [InlineData(V2Status, FrameReason.Heartbeat)]
    [InlineData(V2Heartbeat, FrameReason.Heartbeat)]
    [InlineData(V2Pong, FrameReason.Heartbeat)]
    [InlineData("""{"method":"unsubscribe","result":{"channel":"ticker","symbol":"BTC/USD"},"success":true,"time_in":"2023-09-25T09:21:10.428340Z","time_out":"2023-09-25T09:21:10.428375Z"}""", FrameReason.SubscriptionAck)]
    [InlineData("""{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"asks":[{"price":1,"qty":0}],"checksum":1,"timestamp":"2023-10-06T17:35:55.440295Z"}]}""", FrameReason.BookUpdate)]
    [InlineData("""{"channel":"ohlc","type":"update","data":[]}""", FrameReason.Unsupported)]
    [InlineData("""{"channel":"instrument","type":"snapshot","data":{"assets":[],"pairs":[]}}""", FrameReason.Unsupported)]
    [InlineData("""{"method":"add_order","success":true,"result":{}}""", FrameReason.Unsupported)]
    public void Non_market_data_is_ignored_with_its_reason(string json, FrameReason reason)
    {
        Assert.Equal(FrameOutcome.Ignored(reason), Decode(json));
        Assert.Equal(0, _output.Count);
    }

    [Fact]
    public void Every_trade_of_a_batch_is_kept_in_order_and_fields_may_come_in_any_order()
    {
        const string json = """
            {"data":[
              {"timestamp":"2024-01-02T03:04:05.000001Z","trade_id":7,"qty":0.00000001,"price":42000.10,"side":"buy","symbol":"XBT/USD","ord_type":"limit"},
              {"symbol":"BTC/USD","side":"sell","price":4.2E+4,"qty":1.5e-3,"ord_type":"market","trade_id":8,"timestamp":"2024-01-02T03:04:05Z"}
            ],"type":"snapshot","channel":"trade"}
            """;

        Assert.Equal(FrameOutcome.Decoded(2), Decode(json));
        var a = _output[0];
        var b = _output[1];
        Assert.Equal("BTC-USD.SPOT", _refData.KeyOf(a.Instrument));
        Assert.Equal(a.Instrument, b.Instrument); // XBT/USD and BTC/USD are one instrument
        Assert.Equal(Side.Buy, a.Side);
        Assert.Equal("42000.10", Text(a.Price));
        Assert.Equal("0.00000001", Text(a.Size));
        Assert.Equal(7, a.Sequence);
        Assert.Equal(Side.Sell, b.Side);
        Assert.Equal(42000m, b.Price); // exponent forms are exact too
        Assert.Equal("0.0015", Text(b.Size));
        Assert.Equal(8, b.Sequence);
    }

    [Fact]
    public void An_empty_snapshot_decodes_to_nothing()
    {
        Assert.Equal(FrameOutcome.Decoded(0), Decode("""{"channel":"trade","type":"snapshot","data":[]}"""));
    }

    [Theory]
    [InlineData("", FrameReason.Malformed)]
    [InlineData("not json", FrameReason.Malformed)]
    [InlineData("""{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1""", FrameReason.Malformed)]
    [InlineData("""{"channel":"trade","data":[]} trailing""", FrameReason.Malformed)]
    [InlineData("""[1,2,3]""", FrameReason.Malformed)]
    [InlineData("""{"channel":"trade","type":"update","data":{"symbol":"BTC/USD"}}""", FrameReason.Malformed)]
    [InlineData("""{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1,"qty":1,"trade_id":"x","timestamp":"2023-09-25T07:49:37Z"}]}""", FrameReason.Malformed)]
    [InlineData("""{"channel":"trade","type":"update"}""", FrameReason.MissingField)]
    [InlineData("""{"type":"update"}""", FrameReason.MissingField)]
    [InlineData("""{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","qty":1,"trade_id":1,"timestamp":"2023-09-25T07:49:37Z"}]}""", FrameReason.MissingField)]
    [InlineData("""{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":1,"bid_qty":1}]}""", FrameReason.MissingField)]
    [InlineData("""{"channel":"trade","type":"update","data":[{"symbol":"NOPE","side":"buy","price":1,"qty":1,"trade_id":1,"timestamp":"2023-09-25T07:49:37Z"}]}""", FrameReason.UnknownSymbol)]
    [InlineData("""{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":0,"qty":1,"trade_id":1,"timestamp":"2023-09-25T07:49:37Z"}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":-5.5,"qty":1,"trade_id":1,"timestamp":"2023-09-25T07:49:37Z"}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":"NaN","qty":1,"trade_id":1,"timestamp":"2023-09-25T07:49:37Z"}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":"Infinity","qty":1,"trade_id":1,"timestamp":"2023-09-25T07:49:37Z"}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1e40,"qty":1,"trade_id":1,"timestamp":"2023-09-25T07:49:37Z"}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1,"qty":0,"trade_id":1,"timestamp":"2023-09-25T07:49:37Z"}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":1,"bid_qty":-1,"ask":2,"ask_qty":1}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1,"qty":1,"trade_id":1,"timestamp":"2023-09-25 07:49:37"}]}""", FrameReason.InvalidTimestamp)]
    [InlineData("""{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1,"qty":1,"trade_id":1,"timestamp":"0000-01-01T00:00:00Z"}]}""", FrameReason.InvalidTimestamp)]
    [InlineData("""{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1,"qty":1,"trade_id":1,"timestamp":"1970-01-01T00:00:01Z"}]}""", FrameReason.InvalidTimestamp)]
    [InlineData(V2SubscribeError, FrameReason.VenueError)]
    [InlineData("""{"error":"EGeneral:Invalid arguments","success":false}""", FrameReason.VenueError)]
    public void Bad_input_is_rejected_with_its_reason(string json, FrameReason reason)
    {
        Assert.Equal(FrameOutcome.Rejected(reason), Decode(json));
        Assert.Equal(0, _output.Count);
    }

    [Fact]
    public void A_batch_with_one_bad_trade_is_rejected_whole_and_leaves_the_buffer_as_it_was()
    {
        _output.Clear();
        _decoder.Decode(Utf8(V2TradeUpdate), ReceiveNs, _output);
        const string json = """{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1,"qty":1,"trade_id":1,"timestamp":"2023-09-25T07:49:37Z"},{"symbol":"BTC/USD","side":"buy","price":-1,"qty":1,"trade_id":2,"timestamp":"2023-09-25T07:49:37Z"}]}""";

        Assert.Equal(FrameOutcome.Rejected(FrameReason.InvalidPrice), _decoder.Decode(Utf8(json), ReceiveNs, _output));
        Assert.Equal(1, _output.Count);
    }

    [Fact]
    public void Oversized_frames_are_rejected_unless_their_first_property_says_book()
    {
        var decoder = new KrakenV2Decoder(_refData, maxFrameBytes: 100);
        var pad = new string(' ', 200);

        Assert.Equal(FrameOutcome.Rejected(FrameReason.Oversized), decoder.Decode(Utf8(V2TradeUpdate), ReceiveNs, _output));
        Assert.Equal(FrameOutcome.Rejected(FrameReason.Oversized), decoder.Decode(Utf8("{\"data\":[" + pad + "]}"), ReceiveNs, _output));
        Assert.Equal(FrameOutcome.Ignored(FrameReason.BookUpdate),
            decoder.Decode(Utf8("""{"channel":"book","data":[""" + pad + "]}"), ReceiveNs, _output));
    }

    [Fact]
    public void Escaped_strings_are_unescaped()
    {
        const string json = """{"channel":"tr\u0061de","type":"update","data":[{"symbol":"BTC\/USD","side":"\u0062uy","price":1.5,"qty":2,"trade_id":3,"timestamp":"2023-09-25T07:49:37.5Z"}]}""";

        Assert.Equal(FrameOutcome.Decoded(1), Decode(json));
        Assert.Equal("BTC-USD.SPOT", _refData.KeyOf(_output[0].Instrument));
        Assert.Equal(Side.Buy, _output[0].Side);
    }

    [Fact]
    public void Random_garbage_never_throws()
    {
        var random = new Random(7);
        var seeds = new[] { V2TradeUpdate, V2TickerSnapshot, V2SubscribeAck, V2Status };
        for (var i = 0; i < 5_000; i++)
        {
            var bytes = Utf8(seeds[i % seeds.Length]);
            var cut = random.Next(bytes.Length + 1);
            var frame = bytes.AsSpan(0, cut).ToArray();
            if (frame.Length > 0 && random.Next(2) == 0)
            {
                frame[random.Next(frame.Length)] = (byte)random.Next(256);
            }

            _output.Clear();
            var outcome = _decoder.Decode(frame, ReceiveNs, _output);
            Assert.True(outcome.Status != FrameStatus.Rejected || _output.Count == 0);
        }
    }
    /// <summary>
    /// Items are decoded in the envelope pass when the channel comes first; frames whose later keys decide otherwise end as
    /// the two-pass decode ended them, and earlier output is never touched.
    /// </summary>
    [Theory]
    [InlineData("""{"channel":"trade","type":"update","data":[@T,@T]}""", FrameStatus.Decoded, 2)]
    [InlineData("""{"channel":"trade","type":"snapshot","data":[]}""", FrameStatus.Decoded, 0)]
    [InlineData("""{"channel":"trade","data":[@T],"channel":"book"}""", FrameStatus.Ignored, 0)]
    [InlineData("""{"channel":"trade","data":[@T,@T],"data":[@T]}""", FrameStatus.Decoded, 1)]
    [InlineData("""{"channel":"trade","data":[@T,{"symbol":"MATIC/USD","side":"buy","price":-1,"qty":1,"timestamp":"2023-09-25T07:49:37Z"}]}""", FrameStatus.Rejected, 0)]
    [InlineData("""{"data":[@T],"channel":"trade"}""", FrameStatus.Decoded, 1)]
    [InlineData("""{"channel":"ticker","data":[@T]}""", FrameStatus.Rejected, 0)]
    public void The_single_pass_ends_every_frame_as_the_two_pass_decode_does(string template, FrameStatus status, int events)
    {
        const string trade = """{"symbol":"MATIC/USD","side":"sell","price":0.5117,"qty":40.0,"ord_type":"market","trade_id":4665906,"timestamp":"2023-09-25T07:49:37.708706Z"}""";
        _output.Clear();
        _output.Add(new MarketEvent { Kind = EventKind.Trade, Price = 1m, Size = 1m });

        var outcome = _decoder.Decode(Utf8(template.Replace("@T", trade, StringComparison.Ordinal)), ReceiveNs, _output);

        Assert.Equal(status, outcome.Status);
        Assert.Equal(events, outcome.Events);
        Assert.Equal(1 + events, _output.Count);
        Assert.Equal(1m, _output[0].Price);
    }
}
