using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;

namespace Cloudwall.Rx.Tests.Unit.Coinbase;

/// <summary>Each Coinbase Exchange data level subscribes the channels docs/venues.md ("Data levels", Coinbase) names.</summary>
public sealed class CoinbaseLevelTests
{
    [Theory]
    [InlineData(null, """["matches","ticker","heartbeat"]""")]
    [InlineData("trades", """["matches","ticker","heartbeat"]""")]
    [InlineData("quotes", """["ticker","heartbeat"]""")]
    [InlineData("THROTTLED", """["ticker_batch","heartbeat"]""")]
    public void Each_level_subscribes_and_unsubscribes_its_channels(string? level, string channels)
    {
        IVenueProtocol p = new CoinbaseExchangeProtocol(level: level);

        Assert.Equal([$$"""{"type":"subscribe","product_ids":["BTC-USD","ETH-USD"],"channels":{{channels}}}"""], p.SubscribeFrames(["BTC-USD", "ETH-USD"]));
        Assert.Equal([$$"""{"type":"unsubscribe","product_ids":["BTC-USD"],"channels":{{channels}}}"""], p.UnsubscribeFrames(["BTC-USD"]));
    }

    [Fact]
    public void The_catalog_offers_exactly_the_protocol_s_levels_default_first()
    {
        Assert.True(ProviderCatalog.TryGet("coinbase", out var kind));

        Assert.Equal(CoinbaseExchangeProtocol.LevelChannels.Select(l => l.Level), kind.Levels.Select(l => l.Name));
        Assert.Equal(ProviderLevel.TradesName, kind.Levels[0].Name);
        Assert.Equal(CoinbaseExchangeProtocol.Channels, new CoinbaseExchangeProtocol().SubscribedChannels);
    }

    [Fact]
    public void A_level_the_venue_does_not_offer_is_refused_naming_the_ones_it_does()
    {
        var e = Assert.Throws<ArgumentException>(() => new CoinbaseExchangeProtocol(level: "aggregated"));
        Assert.Contains("trades, quotes, throttled", e.Message);
    }
}
