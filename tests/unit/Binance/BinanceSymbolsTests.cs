using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Binance;

namespace Cloudwall.Rx.Tests.Unit.Binance;

public sealed class BinanceSymbolsTests
{
    [Theory]
    [InlineData(BinanceMarket.Spot, "BTCUSDT", "BTC-USDT.SPOT")]
    [InlineData(BinanceMarket.Spot, "btcusdt", "BTC-USDT.SPOT")]
    [InlineData(BinanceMarket.Spot, "NKNUSDT", "NKN-USDT.SPOT")]
    [InlineData(BinanceMarket.Spot, "BLZETH", "BLZ-ETH.SPOT")]
    [InlineData(BinanceMarket.Spot, "LRCBTC", "LRC-BTC.SPOT")]
    [InlineData(BinanceMarket.Spot, "RUNEEUR", "RUNE-EUR.SPOT")]
    [InlineData(BinanceMarket.Spot, "BTCFDUSD", "BTC-FDUSD.SPOT")]
    [InlineData(BinanceMarket.Spot, "ETHUSDC", "ETH-USDC.SPOT")]
    [InlineData(BinanceMarket.Spot, "BTCTUSD", "BTC-TUSD.SPOT")]
    [InlineData(BinanceMarket.Spot, "USDTTRY", "USDT-TRY.SPOT")]
    [InlineData(BinanceMarket.Spot, "BNBBTC", "BNB-BTC.SPOT")]
    [InlineData(BinanceMarket.Spot, "1INCHUSDT", "1INCH-USDT.SPOT")]
    [InlineData(BinanceMarket.Us, "OMGBUSD", "OMG-BUSD.SPOT")]
    [InlineData(BinanceMarket.Us, "COMPUSDT", "COMP-USDT.SPOT")]
    [InlineData(BinanceMarket.Us, "BTCUSD", "BTC-USD.SPOT")]
    [InlineData(BinanceMarket.Us, "BNBUSD", "BNB-USD.SPOT")] // not BN-BUSD
    [InlineData(BinanceMarket.Us, "DOTUSD", "DOT-USD.SPOT")] // not DO-TUSD
    [InlineData(BinanceMarket.UsdM, "BTCUSDT", "BTC-USDT.PERP")]
    [InlineData(BinanceMarket.UsdM, "SUSHIUSDT", "SUSHI-USDT.PERP")]
    [InlineData(BinanceMarket.UsdM, "1000SHIBUSDT", "1000SHIB-USDT.PERP")]
    [InlineData(BinanceMarket.UsdM, "BTCUSDT_210924", "BTC-USDT-20210924.FUT")]
    [InlineData(BinanceMarket.CoinM, "BTCUSD_PERP", "BTC-USD.PERP")]
    [InlineData(BinanceMarket.CoinM, "btcusd_perp", "BTC-USD.PERP")]
    [InlineData(BinanceMarket.CoinM, "BTCUSD_210924", "BTC-USD-20210924.FUT")]
    [InlineData(BinanceMarket.CoinM, "ETHUSD_210924", "ETH-USD-20210924.FUT")]
    [InlineData(BinanceMarket.CoinM, "LINKUSD_211231", "LINK-USD-20211231.FUT")]
    public void SymbolsMapToCanonicalKeys(BinanceMarket market, string symbol, string key)
    {
        var spec = BinanceSymbols.Derive(symbol, market);
        Assert.NotNull(spec);
        Assert.Equal(key, spec.Key);
    }

    [Theory]
    [InlineData(BinanceMarket.Spot, "")]
    [InlineData(BinanceMarket.Spot, "USDT")] // no base
    [InlineData(BinanceMarket.Spot, "XUSDT")] // one-letter base
    [InlineData(BinanceMarket.Spot, "BTCXYZ")] // unknown quote
    [InlineData(BinanceMarket.Spot, "BTC-USDT")]
    [InlineData(BinanceMarket.Spot, "BTCUSDT_210924")] // a future is not spot
    [InlineData(BinanceMarket.UsdM, "BTCUSD_PERP")] // COIN-M grammar
    [InlineData(BinanceMarket.UsdM, "BTCUSDT_21092")]
    [InlineData(BinanceMarket.CoinM, "BTCUSD")] // COIN-M always has a suffix
    [InlineData(BinanceMarket.CoinM, "BTCUSD_220230")] // no 30 February
    [InlineData(BinanceMarket.CoinM, "BTCUSD_PERPETUAL")]
    public void OtherTextIsNotASymbol(BinanceMarket market, string symbol) =>
        Assert.Null(BinanceSymbols.Derive(symbol, market));

    [Fact]
    public void EachMarketRegistersUnderItsOwnVenue()
    {
        var refData = new ReferenceData();
        BinanceSymbols.RegisterAll(refData);

        Assert.True(refData.TryResolve(VenueId.Binance, "BTCUSDT"u8, out var spot));
        Assert.True(refData.TryResolve(VenueId.BinanceUsdm, "BTCUSDT"u8, out var perp));
        Assert.True(refData.TryResolve(VenueId.BinanceCoinm, "BTCUSD_PERP"u8, out var inverse));
        Assert.True(refData.TryResolve(VenueId.BinanceUs, "BTCUSDT"u8, out var us));

        Assert.Equal("BTC-USDT.SPOT", refData.KeyOf(spot));
        Assert.Equal("BTC-USDT.PERP", refData.KeyOf(perp));
        Assert.Equal("BTC-USD.PERP", refData.KeyOf(inverse));
        Assert.Equal(spot, us); // the same canonical instrument, seen on two venues
        Assert.False(refData.TryResolve(VenueId.BinanceCoinm, "BTCUSDT"u8, out _));
    }

    [Fact]
    public void AnExplicitMappingWinsOverTheRule()
    {
        var refData = new ReferenceData();
        BinanceSymbols.Register(refData, BinanceMarket.Us);
        Assert.Equal("XB-TUSD.SPOT", BinanceSymbols.Derive("XBTUSD", BinanceMarket.Us)!.Key); // the grammar's guess
        refData.Map(VenueId.BinanceUs, "XBTUSD", InstrumentSpec.Spot("XBT", "USD"));

        Assert.True(refData.TryResolve(VenueId.BinanceUs, "XBTUSD"u8, out var id));
        Assert.Equal("XBT-USD.SPOT", refData.KeyOf(id));
    }
}
