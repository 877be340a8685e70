using Cloudwall.Rx.Core.Configuration;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Hosting.Configuration;

/// <summary>
/// <see cref="ProvidersOptions"/> as the host binds them: the rules of <see cref="ProvidersOptions.Errors(bool)"/> under the
/// bound <c>Simulation:Enabled</c>, so that without simulators an enabled provider with no endpoint fails start-up naming its key.
/// </summary>
public sealed class ProvidersOptionsValidator(IOptions<SimulationOptions> simulation) : IValidateOptions<ProvidersOptions>
{
    public ValidateOptionsResult Validate(string? name, ProvidersOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return OptionsCheck.Result(options.Errors(simulation.Value.Enabled));
    }
}
