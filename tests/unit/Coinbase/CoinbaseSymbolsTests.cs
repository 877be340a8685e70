using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;

namespace Cloudwall.Rx.Tests.Unit.Coinbase;

public sealed class CoinbaseSymbolsTests
{
    [Theory]
    [InlineData("BTC-USD", "BTC-USD.SPOT")]
    [InlineData("SKL-BTC", "SKL-BTC.SPOT")]
    [InlineData("1INCH-USD", "1INCH-USD.SPOT")]
    [InlineData("ABCDEFGHIJ-USDC", "ABCDEFGHIJ-USDC.SPOT")]
    [InlineData("OP-EUR", "OP-EUR.SPOT")]
    [InlineData("btc-usd", "BTC-USD.SPOT")]
    public void BaseDashQuoteIsASpotPair(string symbol, string key)
    {
        var spec = CoinbaseSymbols.Rule(symbol);

        Assert.NotNull(spec);
        Assert.Equal(MarketType.Spot, spec.Market);
        Assert.Equal(key, spec.Key);
    }

    [Theory]
    [InlineData("")]
    [InlineData("BTCUSD")]
    [InlineData("-USD")]
    [InlineData("BTC-")]
    [InlineData("B-USD")]
    [InlineData("BTC-U")]
    [InlineData("ABCDEFGHIJK-USD")]
    [InlineData("BTC-ABCDEFGHIJK")]
    [InlineData("BTC-USD-20261225")]
    [InlineData("BTC/USD")]
    [InlineData("BTC_USD")]
    [InlineData("BTC-US D")]
    [InlineData(" BTC-USD")]
    [InlineData("BTC-USDÄ")]
    [InlineData("BTC-ＵＳＤ")]
    public void AnythingElseIsNotACoinbaseProduct(string symbol) => Assert.Null(CoinbaseSymbols.Rule(symbol));

    [Fact]
    public void RegisterInstallsTheRuleForCoinbaseOnly()
    {
        var refData = new ReferenceData();
        Assert.False(refData.TryResolve(VenueId.Coinbase, "BTC-USD"u8, out _));

        CoinbaseSymbols.Register(refData);

        Assert.True(refData.TryResolve(VenueId.Coinbase, "BTC-USD"u8, out var id));
        Assert.Equal("BTC-USD.SPOT", refData.KeyOf(id));
        Assert.Equal("BTC-USD", refData.VenueSymbol(id, VenueId.Coinbase));
        Assert.False(refData.TryResolve(VenueId.Coinbase, "BTCUSD"u8, out _));
        Assert.False(refData.TryResolve(VenueId.Kraken, "BTC-USD"u8, out _));
    }
}
