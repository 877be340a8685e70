using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Simulation;
using Cloudwall.Rx.Simulation.Market;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>One running provider: its configured name, its catalog kind, and the provider.</summary>
public sealed record ProviderEntry(string Name, ProviderKind Kind, IMarketDataProvider Provider);

/// <summary>
/// What the admin endpoints, views, metrics and the summary read of the providers of this process: read-only views, with no
/// way to pause, resume or subscribe (that is <see cref="IProviderControl"/>).
/// </summary>
public interface IProviderStatus
{
    /// <summary>Enabled providers in name order; empty until the platform starts.</summary>
    IReadOnlyList<ProviderView> Providers { get; }

    /// <summary>Running simulators by provider name (embedded defaults).</summary>
    IReadOnlyDictionary<string, IVenueSimulator> Simulators { get; }

    /// <summary>Active subscriptions of each provider when it was disconnected; null while running.</summary>
    IReadOnlyList<int>? SubscriptionsAtStop { get; }
}

/// <summary>The providers themselves, for the control plane (<see cref="ControlTarget"/>): subscribe, unsubscribe, pause, resume.</summary>
public interface IProviderControl
{
    /// <summary>Enabled providers in name order; empty until the platform starts.</summary>
    IReadOnlyList<ProviderEntry> Entries { get; }

    /// <summary>The provider of that configured name (case-insensitive), if it runs here.</summary>
    ProviderEntry? Find(string name);
}

/// <summary>
/// The enabled providers (and, on embedded defaults, a simulator for each provider without an endpoint), built from
/// <see cref="ProvidersOptions"/> through <see cref="ProviderCatalog"/>. Dead letters and gaps go through the ports.
/// </summary>
public sealed partial class ProviderSet(IOptions<ProvidersOptions> providers, IOptions<SimulationOptions> simulation, ReferenceData refData,
    IDeadLetterSink deadLetters, ISequenceGapSink gaps, ConfiguredSymbols configured, TimeProvider time, ILoggerFactory loggers,
    Ingestion.Backfill.IBackfillSink? backfills = null) : IProviderStatus, IProviderControl, IAsyncDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger<ProviderSet>();
    private readonly List<ProviderEntry> _providers = [];
    private readonly List<ProviderView> _views = [];
    private readonly Dictionary<string, IVenueSimulator> _simulators = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<IDisposable> _subscriptions = [];

    public IReadOnlyList<ProviderView> Providers => _views;

    public IReadOnlyList<ProviderEntry> Entries => _providers;

    public IReadOnlyDictionary<string, IVenueSimulator> Simulators => _simulators;

    public IReadOnlyList<int>? SubscriptionsAtStop { get; private set; }

    /// <summary>The synthetic market all simulators share, so venues quote one price with their own noise.</summary>
    public SyntheticMarket Market { get; } = new(simulation.Value.Seed);

    public ProviderEntry? Find(string name) => _providers.Find(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Builds the providers (starting simulators where needed); they connect on <see cref="Connect"/>.</summary>
    public async Task CreateAsync(CancellationToken ct)
    {
        var sim = simulation.Value;
        var providerContext = new ProviderContext(refData, deadLetters, gaps, time, loggers);
        var simulatorContext = new SimulatorContext(Market, sim, time, loggers);
        foreach (var (name, options) in providers.Value.Where(p => p.Value.Enabled).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var kind = ProviderCatalog.TryGet(options.Type!, out var k) ? k : throw new InvalidOperationException($"unknown provider kind {options.Type}");
            kind.RegisterSymbols(refData);
            var endpoint = string.IsNullOrEmpty(options.Endpoint) ? null : new Uri(options.Endpoint);
            var rest = string.IsNullOrEmpty(options.Backfill.RestEndpoint) ? null : new Uri(options.Backfill.RestEndpoint);
            var simulated = false;
            if (sim.Enabled && endpoint is null)
            {
                var simulator = await kind.Simulate(simulatorContext, options, ct).ConfigureAwait(false);
                _simulators[name] = simulator;
                endpoint = simulator.Endpoint;
                rest ??= simulator.RestEndpoint;
                simulated = true;
                LogSimulator(name, endpoint.ToString());
            }

            // The simulator offers every configured symbol; the provider subscribes those this instance serves (its shards).
            var atStart = configured.Sharded ? options.WithSymbols(configured.AtStart(name)) : options;
            var provider = kind.Create(providerContext with { Backfill = BackfillOf(kind, options, rest, simulated) }, atStart, endpoint);
            _providers.Add(new ProviderEntry(name, kind, provider));
            _views.Add(new ProviderView(name, provider));
        }
    }

    /// <summary>Subscribes every provider's events into <paramref name="input"/>: connections open now.</summary>
    public void Connect(Func<string, IObserver<MarketEvent>> input)
    {
        foreach (var p in _providers)
        {
            // The one hand-off from Rx into the bounded Dataflow pipeline.
            _subscriptions.Add(p.Provider.Events.Subscribe(input(p.Provider.Id.Name)));
        }
    }

    /// <summary>Closes every provider's connections, noting what each had subscribed.</summary>
    public void Disconnect()
    {
        SubscriptionsAtStop = [.. _providers.Select(p => p.Provider.ActiveSubscriptions)];
        foreach (var s in _subscriptions)
        {
            s.Dispose();
        }

        _subscriptions.Clear();
    }

    public ValueTask DisposeAsync() => StopSimulatorsAsync();

    /// <summary>Stops the simulators (after the providers are disconnected).</summary>
    public async ValueTask StopSimulatorsAsync()
    {
        foreach (var sim in _simulators.Values)
        {
            await sim.DisposeAsync().ConfigureAwait(false);
        }

        _simulators.Clear();
    }

    /// <summary>
    /// The provider's gap-fill: its venue's client on the configured REST root, else the simulator's, else production's. A
    /// simulator that serves no REST API gets none (a sandbox must not call the real venue).
    /// </summary>
    private Ingestion.Backfill.BackfillSetup? BackfillOf(ProviderKind kind, ProviderOptions options, Uri? rest, bool simulated)
    {
        if (!options.Backfill.Enabled || (simulated && rest is null))
        {
            return null;
        }

        var settings = options.Backfill.ToOptions(rest);
        var client = kind.BackfillClient(new BackfillClientContext(options, rest, settings.Http, time, refData));
        return client is null ? null : new Ingestion.Backfill.BackfillSetup(client, settings, backfills);
    }

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Simulator for {Venue} listening at {Endpoint}")]
    private partial void LogSimulator(string venue, string endpoint);
}
