using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Simulation.Coinbase;

/// <summary>
/// Lets a host validate bound options on start (<c>AddOptions&lt;CoinbaseSimulatorOptions&gt;().BindConfiguration(..).ValidateOnStart()</c>
/// plus this validator), with the same checks and key names as <see cref="CoinbaseSimulator.StartAsync"/>.
/// </summary>
public sealed class CoinbaseSimulatorOptionsValidator : IValidateOptions<CoinbaseSimulatorOptions>
{
    public ValidateOptionsResult Validate(string? name, CoinbaseSimulatorOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (Exception ex) when (ex is ArgumentException or FileNotFoundException)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
