using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Kraken;
using static Cloudwall.Rx.Tests.Unit.Kraken.KrakenDocExamples;
using static Cloudwall.Rx.Tests.Unit.Kraken.KrakenV1RecordedFeedTests;

namespace Cloudwall.Rx.Tests.Unit.Kraken;

public sealed class KrakenV1DecoderTests
{
    private readonly ReferenceData _refData = new();
    private readonly KrakenV1Decoder _decoder;
    private readonly EventBuffer _output = new();

    public KrakenV1DecoderTests()
    {
        KrakenSymbols.Register(_refData);
        _decoder = new KrakenV1Decoder(_refData);
    }

    private FrameOutcome Decode(string json)
    {
        _output.Clear();
        return _decoder.Decode(Utf8(json), ReceiveNs, _output);
    }

    [Fact]
    public void Doc_trade_example_keeps_both_trades_with_taker_sides()
    {
        Assert.Equal(FrameOutcome.Decoded(2), Decode(V1Trade));

        var a = _output[0];
        Assert.Equal("BTC-USD.SPOT", _refData.KeyOf(a.Instrument));
        Assert.Equal(Side.Sell, a.Side);
        Assert.Equal("5541.20000", Text(a.Price));
        Assert.Equal("0.15850568", Text(a.Size));
        Assert.Equal(1_534_614_057_321_597_000, a.ExchangeTimeNs);
        var b = _output[1];
        Assert.Equal(Side.Buy, b.Side);
        Assert.Equal("6060.00000", Text(b.Price));
        Assert.Equal(1_534_614_057_324_998_000, b.ExchangeTimeNs);
    }

    [Fact]
    public void XDG_is_DOGE()
    {
        Assert.Equal(FrameOutcome.Decoded(1), Decode("""[1,[["0.1","10","1618678142.5","b","m",""]],"trade","XDG/USD"]"""));
        Assert.Equal("DOGE-USD.SPOT", _refData.KeyOf(_output[0].Instrument));
    }

    [Theory]
    [InlineData("""{"event":"heartbeat"}""", FrameReason.Heartbeat)]
    [InlineData("""{"event":"pong","reqid":42}""", FrameReason.Heartbeat)]
    [InlineData("""{"connectionID":8628615390848610000,"event":"systemStatus","status":"online","version":"1.9.1"}""", FrameReason.Heartbeat)]
    [InlineData("""{"channelID":10001,"channelName":"ticker","event":"subscriptionStatus","pair":"XBT/EUR","status":"subscribed","subscription":{"name":"ticker"}}""", FrameReason.SubscriptionAck)]
    [InlineData("""{"channelID":10001,"channelName":"ticker","event":"subscriptionStatus","pair":"XBT/EUR","status":"unsubscribed","subscription":{"name":"ticker"}}""", FrameReason.SubscriptionAck)]
    [InlineData("""[1234,{"a":[["5541.30000","2.50700000","1534614248.456738"]],"c":"974942666"},"book-10","XBT/USD"]""", FrameReason.BookUpdate)]
    [InlineData("""[1234,{"a":[["5541.30000","2.50700000","1534614248.456738"]]},{"b":[["5541.20000","1.52900000","1534614248.765567"]]},"book-10","XBT/USD"]""", FrameReason.BookUpdate)]
    [InlineData("""[42,["5698.40000","5700.00000","1542057299.545897","1.01234567","0.98765432"],"spread","XBT/USD"]""", FrameReason.Unsupported)]
    [InlineData("""{"event":"somethingNew"}""", FrameReason.Unsupported)]
    public void Non_market_data_is_ignored_with_its_reason(string json, FrameReason reason)
    {
        Assert.Equal(FrameOutcome.Ignored(reason), Decode(json));
        Assert.Equal(0, _output.Count);
    }

    [Theory]
    [InlineData("", FrameReason.Malformed)]
    [InlineData("[", FrameReason.Malformed)]
    [InlineData("""[0,[["5541.2","0.1","1534614057.321597","s","l",""]],"trade","XBT/USD"] x""", FrameReason.Malformed)]
    [InlineData("""["x",[],"trade","XBT/USD"]""", FrameReason.Malformed)]
    [InlineData("""[0,[],"trade"]""", FrameReason.Malformed)]
    [InlineData("""[0,[[5541.2,"0.1","1534614057.321597","s","l",""]],"trade","XBT/USD"]""", FrameReason.Malformed)]
    [InlineData("""[0,{"a":1},"trade","XBT/USD"]""", FrameReason.Malformed)]
    [InlineData("""{"status":"online"}""", FrameReason.MissingField)]
    [InlineData("""[0,[["5541.2","0.1","1534614057.321597"]],"trade","XBT/USD"]""", FrameReason.MissingField)]
    [InlineData("""[0,[],"trade","XBT/USD"]""", FrameReason.MissingField)]
    [InlineData("""[0,{"a":["1",1,"1"]},"ticker","XBT/USD"]""", FrameReason.MissingField)]
    [InlineData("""[0,[["5541.2","0.1","1534614057.321597","s","l",""]],"trade","XBTUSD"]""", FrameReason.UnknownSymbol)]
    [InlineData("""[0,[["0","0.1","1534614057.321597","s","l",""]],"trade","XBT/USD"]""", FrameReason.InvalidPrice)]
    [InlineData("""[0,[["-1.5","0.1","1534614057.321597","s","l",""]],"trade","XBT/USD"]""", FrameReason.InvalidPrice)]
    [InlineData("""[0,[["NaN","0.1","1534614057.321597","s","l",""]],"trade","XBT/USD"]""", FrameReason.InvalidPrice)]
    [InlineData("""[0,[["Infinity","0.1","1534614057.321597","s","l",""]],"trade","XBT/USD"]""", FrameReason.InvalidPrice)]
    [InlineData("""[0,[["12abc","0.1","1534614057.321597","s","l",""]],"trade","XBT/USD"]""", FrameReason.InvalidPrice)]
    [InlineData("""[0,[[" 12","0.1","1534614057.321597","s","l",""]],"trade","XBT/USD"]""", FrameReason.InvalidPrice)]
    [InlineData("""[0,[["5541.2","0","1534614057.321597","s","l",""]],"trade","XBT/USD"]""", FrameReason.InvalidPrice)]
    [InlineData("""[0,{"a":["1",1,"1"],"b":["0",1,"1"]},"ticker","XBT/USD"]""", FrameReason.InvalidPrice)]
    [InlineData("""[0,[["5541.2","0.1","yesterday","s","l",""]],"trade","XBT/USD"]""", FrameReason.InvalidTimestamp)]
    [InlineData("""[0,[["5541.2","0.1","-1534614057.3","s","l",""]],"trade","XBT/USD"]""", FrameReason.InvalidTimestamp)]
    [InlineData("""[0,[["5541.2","0.1","12.5","s","l",""]],"trade","XBT/USD"]""", FrameReason.InvalidTimestamp)]
    [InlineData("""{"errorMessage":"Currency pair not in ISO 4217-A3 format foo","event":"subscriptionStatus","pair":"foo","status":"error","subscription":{"name":"ticker"}}""", FrameReason.VenueError)]
    [InlineData("""{"errorMessage":"Malformed request","event":"error"}""", FrameReason.VenueError)]
    public void Bad_input_is_rejected_with_its_reason(string json, FrameReason reason)
    {
        Assert.Equal(FrameOutcome.Rejected(reason), Decode(json));
        Assert.Equal(0, _output.Count);
    }

    [Fact]
    public void Oversized_frames_are_rejected_but_book_frames_are_classified_from_their_tail()
    {
        var decoder = new KrakenV1Decoder(_refData, maxFrameBytes: 64);
        var longTrade = """[0,[["5541.2","0.1","1534614057.321597","s","l",""],["5541.2","0.1","1534614057.321597","s","l",""]],"trade","XBT/USD"]""";
        var longBook = """[1234,{"as":[["5541.30000","2.50700000","1534614248.123678"],["5541.80000","0.33000000","1534614098.345543"]]},"book-1000","XBT/USD"]""";

        Assert.Equal(FrameOutcome.Rejected(FrameReason.Oversized), decoder.Decode(Utf8(longTrade), ReceiveNs, _output));
        Assert.Equal(FrameOutcome.Ignored(FrameReason.BookUpdate), decoder.Decode(Utf8(longBook + " \n"), ReceiveNs, _output));
    }

    [Theory]
    [InlineData("""[1,{},"book-10","XBT/USD"]""", "book-10")]
    [InlineData("""[1,{} , "trade" , "XBT/USD" ] """, "trade")]
    [InlineData("""[1,{},"bo\"ok","XBT/USD"]""", "")]
    [InlineData("""{"event":"heartbeat"}""", "")]
    [InlineData("\"]", "")]
    [InlineData("", "")]
    public void Tail_channel_reads_only_plain_strings(string frame, string expected)
    {
        Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(KrakenV1Decoder.TailChannel(Utf8(frame))));
    }

    [Fact]
    public void Random_garbage_never_throws()
    {
        var random = new Random(11);
        var seeds = new[] { V1Trade, """[996,{"a":["355.24000000",27,"27.19106411"],"b":["354.32000000",6,"6.87748868"]},"ticker","XMR/USD"]""", """{"event":"heartbeat"}""" };
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
