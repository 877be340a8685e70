using System.Text.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Venues.Binance;

namespace Cloudwall.Rx.Tests.Unit.Binance;

public sealed class BinanceProtocolTests
{
    [Theory]
    [InlineData(BinanceMarket.Spot, "wss://stream.binance.com:9443/stream", "binance", 512)]
    [InlineData(BinanceMarket.Us, "wss://stream.binance.us:9443/stream", "binance-us", 512)]
    [InlineData(BinanceMarket.UsdM, "wss://fstream.binance.com/stream", "binance-usdm", 66)]
    [InlineData(BinanceMarket.CoinM, "wss://dstream.binance.com/stream", "binance-coinm", 66)]
    public void MarketsHaveTheirEndpointVenueAndDocumentedLimits(BinanceMarket market, string endpoint, string venue, int maxSymbols)
    {
        IVenueProtocol protocol = new BinanceProtocol(market);

        Assert.Equal(new Uri(endpoint), protocol.DefaultEndpoint);
        Assert.Equal(venue, protocol.Venue.Name);
        Assert.Equal(venue, protocol.Provider.Name);
        Assert.Equal(maxSymbols, protocol.MaxSymbolsPerConnection); // 1024 / 2 streams on spot, 200 / 3 on futures
        Assert.Equal(SequenceScope.PerInstrumentAndKind, protocol.SequenceScope);
        Assert.Null(protocol.KeepAlive);
        Assert.Empty(protocol.ConnectFrames());
        Assert.Null(protocol.ReplyTo("""{"result":null,"id":1}"""u8));
        Assert.IsType<BinanceDecoder>(protocol.CreateDecoder(new ReferenceData()));
    }

    [Fact]
    public void SpotSubscribesTradeAndBookTickerPerSymbolInOneFrame()
    {
        var protocol = new BinanceProtocol(BinanceMarket.Spot);

        var frame = Assert.Single(protocol.SubscribeFrames(["BTCUSDT", "ethusdt"]));

        Assert.Equal("""{"method":"SUBSCRIBE","params":["btcusdt@trade","btcusdt@bookTicker","ethusdt@trade","ethusdt@bookTicker"],"id":1}""", frame);
    }

    [Fact]
    public void FuturesSubscribeAggTradeBookTickerAndMarkPrice()
    {
        var protocol = new BinanceProtocol(BinanceMarket.CoinM);

        var frame = Assert.Single(protocol.SubscribeFrames(["BTCUSD_PERP"]));

        Assert.Equal("""{"method":"SUBSCRIBE","params":["btcusd_perp@aggTrade","btcusd_perp@bookTicker","btcusd_perp@markPrice@1s"],"id":1}""", frame);
    }

    [Fact]
    public void UnsubscribeUsesTheSameStreamsAndIdsKeepIncreasing()
    {
        var protocol = new BinanceProtocol(BinanceMarket.UsdM, new BinanceProtocolOptions { Streams = ["aggTrade"] });

        var sub = Assert.Single(protocol.SubscribeFrames(["BTCUSDT"]));
        var unsub = Assert.Single(protocol.UnsubscribeFrames(["BTCUSDT"]));

        Assert.Equal("""{"method":"SUBSCRIBE","params":["btcusdt@aggTrade"],"id":1}""", sub);
        Assert.Equal("""{"method":"UNSUBSCRIBE","params":["btcusdt@aggTrade"],"id":2}""", unsub);
        Assert.Equal(200, protocol.MaxSymbolsPerConnection);
    }

    [Fact]
    public void AFullSpotShardSubscribesInFewerFramesThanTheRateLimitAllowsPerSecond()
    {
        var protocol = new BinanceProtocol(BinanceMarket.Spot, new BinanceProtocolOptions { MaxStreamsPerFrame = 300 });
        var symbols = Enumerable.Range(0, protocol.MaxSymbolsPerConnection).Select(i => $"S{i}USDT").ToArray();

        var frames = protocol.SubscribeFrames(symbols);

        Assert.Equal(4, frames.Count); // 1024 streams in frames of 300
        Assert.True(frames.Count <= BinanceMarket.Spot.IncomingMessagesPerSecond());
        var streams = frames.SelectMany(f => JsonDocument.Parse(f).RootElement.GetProperty("params").EnumerateArray().Select(e => e.GetString()!)).ToList();
        Assert.Equal(1024, streams.Count);
        Assert.Equal(1024, streams.Distinct().Count());
        Assert.Equal([300, 300, 300, 124], frames.Select(f => JsonDocument.Parse(f).RootElement.GetProperty("params").GetArrayLength()));
        Assert.Equal([1L, 2L, 3L, 4L], frames.Select(f => JsonDocument.Parse(f).RootElement.GetProperty("id").GetInt64()));
    }

    [Fact]
    public void OptionsThatWouldBreakTheRateLimitOrTheStreamLimitAreRefused()
    {
        // 1024 streams in frames of 100 = 11 frames on reconnect: more than 5 per second.
        var rate = Assert.Throws<ArgumentOutOfRangeException>(() => new BinanceProtocol(BinanceMarket.Spot, new BinanceProtocolOptions { MaxStreamsPerFrame = 100 }));
        Assert.Contains("MaxStreamsPerFrame", rate.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => new BinanceProtocol(BinanceMarket.UsdM, new BinanceProtocolOptions { MaxSymbolsPerConnection = 67 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BinanceProtocol(BinanceMarket.UsdM, new BinanceProtocolOptions { MaxSymbolsPerConnection = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BinanceProtocol(BinanceMarket.Spot, new BinanceProtocolOptions { StreamsPerConnection = 1 }));
        Assert.Throws<ArgumentException>(() => new BinanceProtocol(BinanceMarket.Spot, new BinanceProtocolOptions { Streams = ["trade", "@bookTicker"] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BinanceProtocol((BinanceMarket)9));
    }

    [Fact]
    public void ASmallMaxSymbolsPerConnectionIsHonoured()
    {
        var protocol = new BinanceProtocol(BinanceMarket.Spot, new BinanceProtocolOptions { MaxSymbolsPerConnection = 1 });
        Assert.Equal(1, protocol.MaxSymbolsPerConnection);
    }
}
