using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Venues.Kraken;

namespace Cloudwall.Rx.Tests.Unit.Kraken;

/// <summary>Each Kraken spot v2 data level subscribes the channels docs/venues.md ("Data levels", Kraken) names.</summary>
public sealed class KrakenLevelTests
{
    [Fact]
    public void Trades_the_default_subscribes_trade_and_ticker_as_before()
    {
        IVenueProtocol byDefault = new KrakenV2Protocol();
        IVenueProtocol trades = new KrakenV2Protocol(level: "trades");

        string[] expected =
        [
            """{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"],"snapshot":false}}""",
            """{"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD"],"snapshot":true}}""",
        ];
        Assert.Equal(expected, byDefault.SubscribeFrames(["BTC/USD"]));
        Assert.Equal(expected, trades.SubscribeFrames(["BTC/USD"]));
    }

    [Fact]
    public void Quotes_subscribes_the_ticker_alone_triggered_by_the_best_bid_and_offer()
    {
        IVenueProtocol p = new KrakenV2Protocol(level: "Quotes");

        Assert.Equal(
            ["""{"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD","ETH/USD"],"event_trigger":"bbo","snapshot":true}}"""],
            p.SubscribeFrames(["BTC/USD", "ETH/USD"]));
        Assert.Equal(["""{"method":"unsubscribe","params":{"channel":"ticker","symbol":["BTC/USD"]}}"""], p.UnsubscribeFrames(["BTC/USD"]));
    }

    [Fact]
    public void The_catalog_offers_exactly_the_protocol_s_levels_default_first()
    {
        Assert.True(ProviderCatalog.TryGet("kraken", out var kind));

        Assert.Equal(KrakenV2Protocol.LevelChannels.Select(l => l.Level), kind.Levels.Select(l => l.Name));
        Assert.Equal(ProviderLevel.TradesName, kind.Levels[0].Name);
        Assert.Contains("trades, quotes", Assert.Throws<ArgumentException>(() => new KrakenV2Protocol(level: "throttled")).Message);
    }
}
