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

    [Fact]
    public void UsdmRoutesBookTickerToPublicAndTradesAndMarksToMarketEachWithItsOwnShardLimit()
    {
        var routes = BinanceRoutes.Routes(BinanceMarket.UsdM);

        Assert.Equal(2, routes.Count);
        var (pub, market) = ((BinanceProtocol)routes[0].Protocol, (BinanceProtocol)routes[1].Protocol);
        Assert.Equal((BinanceRoute.Public, BinanceRoute.Market), (pub.Route, market.Route));
        Assert.Equal(new Uri("wss://fstream.binance.com/public/stream"), routes[0].Endpoint);
        Assert.Equal(new Uri("wss://fstream.binance.com/market/stream"), routes[1].Endpoint);
        Assert.Equal(routes[1].Endpoint, market.DefaultEndpoint);
        Assert.Equal(["bookTicker"], pub.Streams);
        Assert.Equal(["aggTrade", "markPrice@1s"], market.Streams);
        Assert.Equal(200, pub.MaxSymbolsPerConnection); // 200 streams per connection on each route
        Assert.Equal(100, market.MaxSymbolsPerConnection);
        Assert.Equal(10, market.MaxMessagesPerSecond);
        Assert.Equal("""{"method":"SUBSCRIBE","params":["btcusdt@aggTrade","btcusdt@markPrice@1s"],"id":1}""", Assert.Single(market.SubscribeFrames(["BTCUSDT"])));
        Assert.Equal("""{"method":"SUBSCRIBE","params":["btcusdt@bookTicker"],"id":1}""", Assert.Single(pub.SubscribeFrames(["BTCUSDT"])));
    }

    [Theory]
    [InlineData("bookTicker", BinanceRoute.Public)]
    [InlineData("depth", BinanceRoute.Public)]
    [InlineData("depth5@100ms", BinanceRoute.Public)]
    [InlineData("aggTrade", BinanceRoute.Market)]
    [InlineData("markPrice", BinanceRoute.Market)]
    [InlineData("markPrice@1s", BinanceRoute.Market)]
    [InlineData("kline_1m", BinanceRoute.Market)]
    [InlineData("ticker", BinanceRoute.Market)]
    public void UsdmStreamsHaveTheDocumentedRoute(string stream, BinanceRoute route)
    {
        Assert.Equal(route, BinanceMarket.UsdM.RouteOf(stream));
        Assert.Equal(BinanceRoute.Unrouted, BinanceMarket.CoinM.RouteOf(stream));
        Assert.Equal(BinanceRoute.Unrouted, BinanceMarket.Spot.RouteOf(stream));
    }

    [Theory]
    [InlineData(BinanceMarket.Spot, "wss://stream.binance.com:9443/stream")]
    [InlineData(BinanceMarket.CoinM, "wss://dstream.binance.com/stream")]
    [InlineData(BinanceMarket.Us, "wss://stream.binance.us:9443/stream")]
    public void SpotCoinmAndUsKeepTheirOneCombinedStreamEndpoint(BinanceMarket market, string endpoint)
    {
        var route = Assert.Single(BinanceRoutes.Routes(market));

        Assert.Equal(new Uri(endpoint), route.Endpoint);
        Assert.Equal(BinanceRoute.Unrouted, ((BinanceProtocol)route.Protocol).Route);
        Assert.Equal(market.DefaultStreams(), ((BinanceProtocol)route.Protocol).Streams);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BinanceProtocol(market, route: BinanceRoute.Market));
    }

    [Theory]
    [InlineData("wss://fstream.binance.com", "wss://fstream.binance.com/market/stream")]
    [InlineData("wss://fstream.binance.com/stream", "wss://fstream.binance.com/market/stream")] // the legacy configuration
    [InlineData("wss://fstream.binance.com/public/stream", "wss://fstream.binance.com/market/stream")]
    [InlineData("wss://fstream.binance.com/market", "wss://fstream.binance.com/market/stream")]
    [InlineData("ws://127.0.0.1:5000/stream", "ws://127.0.0.1:5000/market/stream")] // the simulator
    [InlineData("ws://proxy.local/binance/stream?x=1", "ws://proxy.local/binance/market/stream")]
    public void AConfiguredEndpointGivesTheBaseOfTheRoutes(string configured, string market)
    {
        Assert.Equal(new Uri(market), BinanceMarket.UsdM.StreamEndpoint(BinanceRoute.Market, new Uri(configured)));
        Assert.Equal(new Uri(market.Replace("/market/", "/public/", StringComparison.Ordinal)),
            BinanceMarket.UsdM.StreamEndpoint(BinanceRoute.Public, new Uri(configured)));
    }

    [Fact]
    public void ConfiguredStreamsAreSplitByRouteAndARouteWithNoneIsRefused()
    {
        var options = new BinanceProtocolOptions { Streams = ["aggTrade", "depth5@100ms"], StreamsPerConnection = 4 };

        var routes = BinanceRoutes.Routes(BinanceMarket.UsdM, options);

        Assert.Equal([["depth5@100ms"], ["aggTrade"]], routes.Select(r => ((BinanceProtocol)r.Protocol).Streams));
        Assert.All(routes, r => Assert.Equal(4, r.Protocol.MaxSymbolsPerConnection));
        var none = Assert.Throws<ArgumentException>(() => new BinanceProtocol(BinanceMarket.UsdM, new BinanceProtocolOptions { Streams = ["aggTrade"] }, BinanceRoute.Public));
        Assert.Contains("Streams", none.Message, StringComparison.Ordinal);
    }
}
