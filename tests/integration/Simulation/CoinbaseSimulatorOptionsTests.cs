using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Simulation.Coinbase;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Tests.Integration.Simulation;

public sealed class CoinbaseSimulatorOptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        Assert.True(CheckedOptionsValidator<CoinbaseSimulatorOptions>.Instance.Validate(null, new CoinbaseSimulatorOptions()).Succeeded);
    }

    [Fact]
    public void Replay_without_a_file_names_the_key()
    {
        var result = CheckedOptionsValidator<CoinbaseSimulatorOptions>.Instance.Validate(null, new CoinbaseSimulatorOptions { Source = CoinbaseFeedSource.Replay });
        Assert.True(result.Failed);
        Assert.Contains("Simulation:Coinbase:ReplayFile", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_rejects_a_duplicate_product_before_binding()
    {
        var options = new CoinbaseSimulatorOptions { Products = [new() { ProductId = "BTC-USD" }, new() { ProductId = "BTC-USD" }] };
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => CoinbaseSimulator.StartAsync(options));
        Assert.Contains("Simulation:Coinbase:Products:1", ex.Message, StringComparison.Ordinal);
    }
}
