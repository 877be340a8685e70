using Cloudwall.Rx.Simulation.Hosting;

namespace Cloudwall.Rx.Simulation;

/// <summary>A running venue simulator: where it listens, its run-time faults and its counters.</summary>
public interface IVenueSimulator : IAsyncDisposable
{
    /// <summary>The venue name, as in <see cref="Core.VenueId.Name"/>.</summary>
    string Venue { get; }

    /// <summary>The WebSocket (or gRPC) endpoint on loopback.</summary>
    Uri Endpoint { get; }

    SimulatorFaults Faults { get; }

    SimulatorStats Stats { get; }

    /// <summary>The venue's REST API for back-fill on loopback, or null when the simulator serves none.</summary>
    Uri? RestEndpoint { get; }
}
