using Cloudwall.Rx.Simulation.Coinbase;
using Cloudwall.Rx.Simulation.Deribit;
using Cloudwall.Rx.Simulation.Market;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Tests.Integration.Deribit;

public sealed class DeribitSimulatorOptionsTests
{
    [Theory]
    [InlineData("BTC-USD")]
    [InlineData("BTC-FS-24SEP21_PERP")]
    [InlineData("")]
    public async Task Names_that_are_not_perpetuals_futures_or_options_are_refused(string name)
    {
        var options = new DeribitSimulatorOptions { Instruments = [new() { InstrumentName = name }] };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => DeribitSimulator.StartAsync(options));
        Assert.Contains("Simulation:Deribit:Instruments:0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Duplicate_instruments_and_non_positive_settings_are_refused()
    {
        await Assert.ThrowsAsync<OptionsValidationException>(() => DeribitSimulator.StartAsync(new DeribitSimulatorOptions
        {
            Instruments = [new() { InstrumentName = "BTC-PERPETUAL" }, new() { InstrumentName = "BTC-PERPETUAL" }],
        }));
        await Assert.ThrowsAsync<OptionsValidationException>(() => DeribitSimulator.StartAsync(new DeribitSimulatorOptions
        {
            Instruments = [new() { InstrumentName = "BTC-PERPETUAL", TickSize = 0 }],
        }));
        await Assert.ThrowsAsync<OptionsValidationException>(() => DeribitSimulator.StartAsync(new DeribitSimulatorOptions { TickerInterval = TimeSpan.Zero }));
    }

    [Fact]
    public async Task Defaults_are_two_perpetuals_a_future_and_an_option_on_the_walks_coinbase_shares()
    {
        var market = new SyntheticMarket(seed: 3);
        await using var coinbase = await CoinbaseSimulator.StartAsync(new CoinbaseSimulatorOptions { Market = market });
        await using var deribit = await DeribitSimulator.StartAsync(new DeribitSimulatorOptions { Market = market });

        Assert.Equal(["BTC-25DEC26", "BTC-25DEC26-70000-C", "BTC-PERPETUAL", "ETH-PERPETUAL"], deribit.InstrumentNames.Order(StringComparer.Ordinal));
        Assert.Equal("deribit", deribit.Venue);
        Assert.True(market.Contains("BTC-USD"));
        Assert.True(market.Contains("ETH-USD"));
        Assert.False(market.Contains("BTC-PERPETUAL")); // no walk of its own: it reads Coinbase's BTC-USD walk
    }
}
