using System.Text;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Venues.Okx;

namespace Cloudwall.Rx.Tests.Unit.Okx;

/// <summary>Each OKX data level subscribes the channels, on the routes, that docs/venues.md ("Data levels", OKX) names.</summary>
public sealed class OkxLevelTests
{
    private static readonly string[] Symbols = ["BTC-USDT", "BTC-USDT-SWAP"];

    private static string[] Frames(WebSocketRoute route) => [.. route.Protocol.SubscribeFrames(Symbols)];

    private static string Args(params (string Channel, string InstId)[] args) =>
        """{"op":"subscribe","args":[""" + string.Join(",", args.Select(a => $$"""{"channel":"{{a.Channel}}","instId":"{{a.InstId}}"}""")) + "]}";

    [Fact]
    public void Aggregated_the_default_is_today_s_subscription_on_the_public_endpoint()
    {
        var route = Assert.Single(OkxLevels.Routes(level: null));

        Assert.Equal(OkxProtocol.ProductionEndpoint, route.Endpoint);
        Assert.Equal(new OkxProtocol().SubscribeFrames(Symbols), Frames(route));
        Assert.Equal([Args(("trades", "BTC-USDT"), ("tickers", "BTC-USDT"), ("trades", "BTC-USDT-SWAP"), ("tickers", "BTC-USDT-SWAP"),
            ("mark-price", "BTC-USDT-SWAP"), ("funding-rate", "BTC-USDT-SWAP"))], Frames(route));
    }

    [Fact]
    public void Trades_subscribes_trades_all_on_the_business_endpoint_and_the_quotes_on_the_public_one()
    {
        var routes = OkxLevels.Routes("trades");

        Assert.Equal(2, routes.Count);
        Assert.Equal(new Uri("wss://ws.okx.com:8443/ws/v5/business"), routes[0].Endpoint);
        Assert.Equal([Args(("trades-all", "BTC-USDT"), ("trades-all", "BTC-USDT-SWAP"))], Frames(routes[0]));
        Assert.Equal(OkxProtocol.ProductionEndpoint, routes[1].Endpoint);
        Assert.Equal([Args(("tickers", "BTC-USDT"), ("tickers", "BTC-USDT-SWAP"), ("mark-price", "BTC-USDT-SWAP"), ("funding-rate", "BTC-USDT-SWAP"))],
            Frames(routes[1]));
    }

    [Theory]
    [InlineData("quotes", "bbo-tbt")]
    [InlineData("THROTTLED", "tickers")]
    public void Quotes_and_throttled_subscribe_one_quote_channel_and_the_marks(string level, string channel)
    {
        var route = Assert.Single(OkxLevels.Routes(level));

        Assert.Equal([Args((channel, "BTC-USDT"), (channel, "BTC-USDT-SWAP"), ("mark-price", "BTC-USDT-SWAP"), ("funding-rate", "BTC-USDT-SWAP"))],
            Frames(route));
    }

    [Theory]
    [InlineData("wss://ws.okx.com:8443/ws/v5/public", "wss://ws.okx.com:8443/ws/v5/business")]
    [InlineData("wss://wspap.okx.com:8443/ws/v5/public/", "wss://wspap.okx.com:8443/ws/v5/business")]
    [InlineData("ws://127.0.0.1:5000/", "ws://127.0.0.1:5000/business")]
    public void The_business_endpoint_sits_beside_the_configured_public_one(string configured, string business)
    {
        Assert.Equal(new Uri(business), OkxLevels.Endpoint(OkxRoute.Business, new Uri(configured)));
        Assert.Equal(new Uri(configured), OkxLevels.Endpoint(OkxRoute.Public, new Uri(configured)));
    }

    [Fact]
    public void The_catalog_offers_exactly_these_levels_default_first()
    {
        Assert.True(ProviderCatalog.TryGet("okx", out var kind));

        Assert.Equal(OkxLevels.LevelChannels.Select(l => l.Level), kind.Levels.Select(l => l.Name));
        Assert.Equal(ProviderLevel.AggregatedName, kind.Levels[0].Name);
        Assert.Contains("aggregated, trades, quotes, throttled", Assert.Throws<ArgumentException>(() => OkxLevels.Routes("bars")).Message);
    }

    [Fact]
    public void A_bbo_tbt_push_is_a_quote_from_the_first_level_of_each_side()
    {
        var refData = new ReferenceData();
        OkxSymbols.Register(refData);
        var output = new EventBuffer();
        var frame = """{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["65000.1","0.5","0","3"],["65000.2","9","0","1"]],"bids":[["64999.9","1.20","0","4"]],"ts":"1765018379085","seqId":123456}]}""";

        Assert.Equal(FrameOutcome.Decoded(1), new OkxDecoder(refData).Decode(Encoding.UTF8.GetBytes(frame), 7, output));

        var q = output.AsSpan()[0];
        Assert.Equal(EventKind.Quote, q.Kind);
        Assert.Equal("BTC-USDT.SPOT", refData.KeyOf(q.Instrument));
        Assert.Equal((64999.9m, 1.20m, 65000.1m, 0.5m), (q.Price, q.Size, q.Aux, q.AuxSize));
        Assert.Equal(2, q.Size.Scale); // exact decimals, as printed
        Assert.Equal(1_765_018_379_085_000_000, q.ExchangeTimeNs);
    }

    [Theory]
    [InlineData("""{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["65000.1"]],"bids":[],"ts":"1"}]}""")]
    [InlineData("""{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[[1,2]],"bids":[],"ts":"1"}]}""")]
    [InlineData("""{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":{"px":"1"},"bids":[],"ts":"1"}]}""")]
    public void A_bbo_tbt_side_that_is_not_price_size_levels_is_malformed(string frame)
    {
        var refData = new ReferenceData();
        OkxSymbols.Register(refData);

        Assert.Equal(FrameOutcome.Rejected(FrameReason.Malformed), new OkxDecoder(refData).Decode(Encoding.UTF8.GetBytes(frame), 7, new EventBuffer()));
    }
}
