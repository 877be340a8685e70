using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Hosting.Configuration;

namespace Cloudwall.Rx.Tests.Unit.Hosting;

/// <summary>Secrets are never echoed, and no default credential works outside simulation.</summary>
public sealed class SecretHandlingTests
{
    [Fact]
    public void A_key_put_where_its_variable_name_belongs_is_not_echoed()
    {
        const string key = "0123456789abcdef0123456789abcdef-the-secret";
        var ring = SigningKeyRing.Load(new Dictionary<string, string> { ["ops1"] = key }, _ => null, out var errors);

        Assert.Empty(ring.KeyIds);
        var error = Assert.Single(errors);
        Assert.Equal("Control:Keys:ops1: the value of Control:Keys:ops1 is not an environment variable name or file: path (no such variable is set; the value is not shown)", error);
        Assert.DoesNotContain(key, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_simulator_token_is_a_default_only_with_simulation_on()
    {
        var simulated = Aggregator(endpoint: null);
        simulated.ApplyDefaults(simulation: true);
        Assert.Equal(ProvidersOptions.SimulatorToken, simulated["aggregator"].ApiToken);
        Assert.Empty(simulated.Errors(simulation: true));

        var live = Aggregator(endpoint: "https://aggregator.example:443");
        live.ApplyDefaults(simulation: false);
        Assert.Null(live["aggregator"].ApiToken);
        Assert.Equal(
            ["Providers:aggregator:ApiToken is required when Simulation:Enabled is false (the aggregator's token; prefer the environment)"],
            live.Errors(simulation: false));

        live["aggregator"].ApiToken = "from-the-environment";
        Assert.Empty(live.Errors(simulation: false));
    }

    private static ProvidersOptions Aggregator(string? endpoint) => new() { ["aggregator"] = new ProviderOptions { Endpoint = endpoint } };
}
