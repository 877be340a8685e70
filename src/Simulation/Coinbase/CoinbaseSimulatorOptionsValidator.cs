using Cloudwall.Rx.Simulation.Hosting;

namespace Cloudwall.Rx.Simulation.Coinbase;

/// <summary>
/// Lets a host validate bound options on start (<c>AddOptions&lt;CoinbaseSimulatorOptions&gt;().BindConfiguration(..).ValidateOnStart()</c>
/// plus this validator), with the same checks and key names as <see cref="CoinbaseSimulator.StartAsync"/>.
/// </summary>
public sealed class CoinbaseSimulatorOptionsValidator() : SimulatorOptionsValidator<CoinbaseSimulatorOptions>(static o => o.Validate());
