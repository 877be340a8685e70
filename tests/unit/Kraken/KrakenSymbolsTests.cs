using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Kraken;

namespace Cloudwall.Rx.Tests.Unit.Kraken;

public sealed class KrakenSymbolsTests
{
    [Theory]
    [InlineData("XBT/USD", "BTC-USD.SPOT")]
    [InlineData("BTC/USD", "BTC-USD.SPOT")]
    [InlineData("XDG/EUR", "DOGE-EUR.SPOT")]
    [InlineData("KSM/XBT", "KSM-BTC.SPOT")]
    [InlineData("eth/usdt", "ETH-USDT.SPOT")]
    [InlineData("1INCH/USD", "1INCH-USD.SPOT")]
    [InlineData("T/USD", "T-USD.SPOT")]
    public void Spot_pairs(string symbol, string key) => Assert.Equal(key, KrakenSymbols.SpotRule(symbol)?.Key);

    [Theory]
    [InlineData("XBTUSD")]
    [InlineData("XBT-USD")]
    [InlineData("/USD")]
    [InlineData("XBT/")]
    [InlineData("XBT/US D")]
    public void Not_spot_pairs(string symbol) => Assert.Null(KrakenSymbols.SpotRule(symbol));

    [Theory]
    [InlineData("PI_XBTUSD", "BTC-USD.PERP")]
    [InlineData("PF_XBTUSD", "BTC-USD.PERP")]
    [InlineData("pf_ethusd", "ETH-USD.PERP")]
    [InlineData("PF_XDGUSD", "DOGE-USD.PERP")]
    [InlineData("PV_XRPXBT", null)]
    [InlineData("FI_XBTUSD_210924", "BTC-USD-20210924.FUT")]
    [InlineData("fi_ethusd_211231", "ETH-USD-20211231.FUT")]
    [InlineData("FF_XBTUSD_260925", "BTC-USD-20260925.FUT")]
    [InlineData("FI_XBTUSD_211332", null)]
    [InlineData("IN_XBTUSD", null)]
    [InlineData("RR_XBTUSD", null)]
    [InlineData("PI_USD", null)]
    [InlineData("XBTUSD", null)]
    public void Futures_products(string symbol, string? key) => Assert.Equal(key, KrakenSymbols.FuturesRule(symbol)?.Key);

    [Fact]
    public void Register_installs_the_rules_per_venue()
    {
        var refData = new ReferenceData();
        KrakenSymbols.Register(refData);
        KrakenSymbols.RegisterFutures(refData);

        Assert.True(refData.TryResolve(VenueId.Kraken, "XBT/USD"u8, out var spot));
        Assert.True(refData.TryResolve(VenueId.KrakenFutures, "PI_XBTUSD"u8, out var perp));
        Assert.False(refData.TryResolve(VenueId.Kraken, "PI_XBTUSD"u8, out _));
        Assert.Equal("BTC-USD.SPOT", refData.KeyOf(spot));
        Assert.Equal("BTC-USD.PERP", refData.KeyOf(perp));
    }
}
