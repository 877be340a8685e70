using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Ingestion.Venues.Binance;

namespace Cloudwall.Rx.Tests.Unit.Binance;

/// <summary>
/// Binance's data levels (docs/venues.md, "Data levels"): the streams each level subscribes, per market and, on USDⓈ-M,
/// per route; the catalog offers exactly these levels, today's subscriptions first.
/// </summary>
public sealed class BinanceLevelTests
{
    [Theory]
    [InlineData("binance", BinanceMarket.Spot, "trades", """{"method":"SUBSCRIBE","params":["btcusdt@trade","btcusdt@bookTicker"],"id":1}""")]
    [InlineData("binance", BinanceMarket.Spot, "aggregated", """{"method":"SUBSCRIBE","params":["btcusdt@aggTrade","btcusdt@bookTicker"],"id":1}""")]
    [InlineData("binance", BinanceMarket.Spot, "quotes", """{"method":"SUBSCRIBE","params":["btcusdt@bookTicker"],"id":1}""")]
    [InlineData("binance-coinm", BinanceMarket.CoinM, "aggregated", """{"method":"SUBSCRIBE","params":["btcusd_perp@aggTrade","btcusd_perp@bookTicker","btcusd_perp@markPrice@1s"],"id":1}""")]
    [InlineData("binance-coinm", BinanceMarket.CoinM, "quotes", """{"method":"SUBSCRIBE","params":["btcusd_perp@bookTicker","btcusd_perp@markPrice@1s"],"id":1}""")]
    public void Each_level_subscribes_its_documented_streams_on_the_one_endpoint(string kind, BinanceMarket market, string level, string frame)
    {
        Assert.True(ProviderCatalog.TryGet(kind, out var k));
        Assert.NotNull(k.Level(level));
        var symbol = market == BinanceMarket.CoinM ? "BTCUSD_PERP" : "BTCUSDT";

        var route = Assert.Single(BinanceRoutes.Routes(market, new BinanceProtocolOptions { Streams = market.LevelStreams(level) }));

        Assert.Equal([frame], route.Protocol.SubscribeFrames([symbol]));
        Assert.Equal("/stream", route.Endpoint.AbsolutePath);
    }

    [Theory]
    [InlineData("aggregated", """{"method":"SUBSCRIBE","params":["btcusdt@bookTicker"],"id":1}""",
        """{"method":"SUBSCRIBE","params":["btcusdt@aggTrade","btcusdt@markPrice@1s"],"id":1}""")]
    [InlineData("quotes", """{"method":"SUBSCRIBE","params":["btcusdt@bookTicker"],"id":1}""",
        """{"method":"SUBSCRIBE","params":["btcusdt@markPrice@1s"],"id":1}""")]
    public void Usdm_levels_keep_bookTicker_on_public_and_the_rest_on_market(string level, string publicFrame, string marketFrame)
    {
        Assert.True(ProviderCatalog.TryGet("binance-usdm", out var k));
        Assert.NotNull(k.Level(level));

        var routes = BinanceRoutes.Routes(BinanceMarket.UsdM, new BinanceProtocolOptions { Streams = BinanceMarket.UsdM.LevelStreams(level) });

        Assert.Equal(["/public/stream", "/market/stream"], routes.Select(r => r.Endpoint.AbsolutePath));
        Assert.Equal([[publicFrame], [marketFrame]], routes.Select(r => r.Protocol.SubscribeFrames(["BTCUSDT"])));
    }

    [Theory]
    [InlineData("binance", BinanceMarket.Spot, new[] { "trades", "aggregated", "quotes" })]
    [InlineData("binance-usdm", BinanceMarket.UsdM, new[] { "aggregated", "quotes" })]
    [InlineData("binance-coinm", BinanceMarket.CoinM, new[] { "aggregated", "quotes" })]
    public void The_catalog_offers_the_markets_levels_with_todays_streams_first(string kind, BinanceMarket market, string[] levels)
    {
        Assert.True(ProviderCatalog.TryGet(kind, out var k));

        Assert.Equal(levels, k.Levels.Select(l => l.Name));
        Assert.Equal(market.DefaultStreams(), market.LevelStreams(k.Levels[0].Name));
        Assert.All(levels, l => Assert.NotNull(market.LevelStreams(l)));
    }

    [Theory]
    [InlineData("binance-usdm", "trades")] // futures publish no raw-trade stream
    [InlineData("binance-coinm", "trades")]
    [InlineData("binance", "throttled")]
    [InlineData("binance", "bars")]
    public void A_level_binance_does_not_sell_is_refused(string kind, string level)
    {
        var errors = new Cloudwall.Rx.Hosting.Configuration.ProviderOptions { Type = kind, Level = level }.Errors($"Providers:{kind}").ToList();

        Assert.Contains(errors, e => e.Contains($"Level '{level}' is not a level of {kind}", StringComparison.Ordinal));
    }
}
