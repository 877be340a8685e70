using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Configuration;

namespace Cloudwall.Rx.Hosting.Configuration;

/// <summary>The admin HTTP endpoint: /metrics, /healthz, /readyz (section <c>Admin</c>).</summary>
public sealed class AdminOptions : ICheckedOptions
{
    public const string Section = "Admin";

    /// <summary>TCP port; 0 picks a free port (tests).</summary>
    public int Port { get; set; } = 8080;

    /// <summary>Address to bind; 0.0.0.0 in containers.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>/healthz answers Unhealthy once a running loop (pipeline partition, price or quality consumer) has not beaten for this long.</summary>
    public TimeSpan StallAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary><c>POST /commands</c> requests one remote address may make per <see cref="CommandsWindow"/>; more get 429.</summary>
    public int CommandsPermitLimit { get; set; } = 10;

    /// <summary>The fixed window of <see cref="CommandsPermitLimit"/>.</summary>
    public TimeSpan CommandsWindow { get; set; } = TimeSpan.FromSeconds(1);

    public IEnumerable<string> Errors()
    {
        if (CommandsPermitLimit < 1) yield return $"{Section}:{nameof(CommandsPermitLimit)} must be at least 1 (was {CommandsPermitLimit})";
        if (CommandsWindow < TimeSpan.FromMilliseconds(1)) yield return $"{Section}:{nameof(CommandsWindow)} must be at least 00:00:00.001 (was {CommandsWindow})";
        if (Port is < 0 or > 65535) yield return $"{Section}:{nameof(Port)} must be 0..65535 (was {Port})";
        if (StallAfter < TimeSpan.FromSeconds(1)) yield return $"{Section}:{nameof(StallAfter)} must be at least 00:00:01 (was {StallAfter})";
        if (!System.Net.IPAddress.TryParse(BindAddress, out _)) yield return $"{Section}:{nameof(BindAddress)} must be an IP address (was '{BindAddress}')";
    }
}

/// <summary>The embedded Kafka cluster (librdkafka's mock cluster), used when <c>Kafka:BootstrapServers</c> is empty.</summary>
public sealed class EmbeddedKafkaOptions : ICheckedOptions
{
    public const string Section = "EmbeddedKafka";

    public int Brokers { get; set; } = 3;

    public int EventsPartitions { get; set; } = 6;

    public int FairPricesPartitions { get; set; } = 6;

    public IEnumerable<string> Errors()
    {
        if (Brokers is < 1 or > 9) yield return $"{Section}:{nameof(Brokers)} must be 1..9 (was {Brokers})";
        if (EventsPartitions is < 1 or > 256) yield return $"{Section}:{nameof(EventsPartitions)} must be 1..256 (was {EventsPartitions})";
        if (FairPricesPartitions is < 1 or > 256) yield return $"{Section}:{nameof(FairPricesPartitions)} must be 1..256 (was {FairPricesPartitions})";
    }
}

/// <summary>
/// Gap-fill of one provider (section <c>Providers:&lt;name&gt;:Backfill</c>): the bindable face of
/// <see cref="Ingestion.Backfill.BackfillOptions"/>, whose defaults it repeats (docs/backfill.md).
/// </summary>
public sealed class ProviderBackfillOptions
{
    private static readonly Ingestion.Backfill.BackfillOptions Defaults = new();

    public bool Enabled { get; set; } = Defaults.Enabled;

    /// <summary>The REST root; empty: the venue's production one, or under simulation the simulator's.</summary>
    public string? RestEndpoint { get; set; }

    public int QueueCapacity { get; set; } = Defaults.QueueCapacity;

    public Ingestion.Backfill.BackfillOverflow Overflow { get; set; } = Defaults.Overflow;

    public TimeSpan MaxGap { get; set; } = Defaults.MaxGap;

    public int MaxTrades { get; set; } = Defaults.MaxTrades;

    public TimeSpan SettleDelay { get; set; } = Defaults.SettleDelay;

    public TimeSpan FillTimeout { get; set; } = Defaults.FillTimeout;

    public int MaxRetries { get; set; } = Defaults.Http.MaxRetries;

    public TimeSpan AttemptTimeout { get; set; } = Defaults.Http.AttemptTimeout;

    /// <summary>The settings, with <paramref name="rest"/> as the REST root (null: the venue's production one).</summary>
    public Ingestion.Backfill.BackfillOptions ToOptions(Uri? rest) => new()
    {
        Enabled = Enabled,
        RestEndpoint = rest,
        QueueCapacity = QueueCapacity,
        Overflow = Overflow,
        MaxGap = MaxGap,
        MaxTrades = MaxTrades,
        SettleDelay = SettleDelay,
        FillTimeout = FillTimeout,
        Http = Defaults.Http with { MaxRetries = MaxRetries, AttemptTimeout = AttemptTimeout },
    };
}

/// <summary>One provider (section <c>Providers:&lt;name&gt;</c>).</summary>
public sealed class ProviderOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>An optional provider runs like any other, but its connections being down does not make the pod unready.</summary>
    public bool Optional { get; set; }

    /// <summary>The provider kind (see <see cref="Platform.ProviderCatalog"/>); defaults to the section name.</summary>
    public string? Type { get; set; }

    /// <summary>The endpoint. Empty: the local simulator when simulation is on; required when it is off.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Venue symbols (or aggregator criteria) to subscribe at start. Empty: the kind's defaults.</summary>
    public List<string> Symbols { get; set; } = [];

    /// <summary>
    /// The data level to ingest (<see cref="Platform.ProviderKind.Levels"/>: <c>trades</c>, <c>aggregated</c>, <c>quotes</c>,
    /// <c>throttled</c>, <c>bars</c>, as the venue offers them). Empty: the kind's default level, its first.
    /// </summary>
    public string? Level { get; set; }

    /// <summary>Shard size: symbols per connection. Empty: the venue's documented limit.</summary>
    public int? MaxSymbolsPerConnection { get; set; }

    /// <summary>Reconnect when no market data arrives for this long (heartbeats do not count).</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First reconnect delay; doubles per failure with jitter, capped at 30 s.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Bearer token for token-authenticated providers (the aggregator). Never logged; prefer the environment.</summary>
    public string? ApiToken { get; set; }

    /// <summary>An event whose exchange time is further ahead of its receive time is dead-lettered (<c>timestamp_future</c>).</summary>
    public TimeSpan MaxFutureSkew { get; set; } = Ingestion.EventBounds.Default.MaxFutureSkew;

    /// <summary>An event whose exchange time is older than this at receipt is dead-lettered (<c>timestamp_past</c>).</summary>
    public TimeSpan MaxAge { get; set; } = Ingestion.EventBounds.Default.MaxAge;

    /// <summary>The largest WebSocket message accepted, enforced while receiving (a larger one closes the connection).</summary>
    public int MaxMessageBytes { get; set; } = Ingestion.Transport.ConnectionOptions.DefaultMaxMessageBytes;

    /// <summary>The event validation's bounds of this provider.</summary>
    public Ingestion.EventBounds ToBounds() => new() { MaxFutureSkew = MaxFutureSkew, MaxAge = MaxAge };

    /// <summary>Gap-fill over the venue's REST API (<c>Providers:&lt;name&gt;:Backfill</c>; docs/backfill.md).</summary>
    public ProviderBackfillOptions Backfill { get; set; } = new();

    /// <summary>A copy subscribing <paramref name="symbols"/> at start instead (the bound options stay as bound).</summary>
    public ProviderOptions WithSymbols(IEnumerable<string> symbols)
    {
        var copy = (ProviderOptions)MemberwiseClone();
        copy.Symbols = [.. symbols];
        return copy;
    }

    /// <param name="key">The section, <c>Providers:&lt;name&gt;</c>.</param>
    /// <param name="simulation">Whether simulators stand in for providers without an endpoint.</param>
    public IEnumerable<string> Errors(string key, bool simulation = true)
    {
        if (Enabled && !simulation && string.IsNullOrEmpty(Endpoint))
            yield return $"{key}:{nameof(Endpoint)} is required when {SimulationOptions.Section}:{nameof(SimulationOptions.Enabled)} is false";
        if (Enabled && !simulation && Type == ProvidersOptions.AggregatorType && string.IsNullOrEmpty(ApiToken))
            yield return $"{key}:{nameof(ApiToken)} is required when {SimulationOptions.Section}:{nameof(SimulationOptions.Enabled)} is false (the aggregator's token; prefer the environment)";
        foreach (var error in ToBounds().Errors(key))
            yield return error;
        if (!Platform.ProviderCatalog.TryGet(Type ?? "", out _))
            yield return $"{key}:{nameof(Type)} '{Type}' is not a provider kind; known: {string.Join(", ", Platform.ProviderCatalog.Names.Order())}";
        if (Endpoint is { Length: > 0 } e && (!Uri.TryCreate(e, UriKind.Absolute, out var uri) || uri.Scheme is not ("ws" or "wss" or "http" or "https")))
            yield return $"{key}:{nameof(Endpoint)} must be a ws://, wss://, http:// or https:// URL (was '{e}')";
        if (Level is { } level && Platform.ProviderCatalog.TryGet(Type ?? "", out var kind) && kind.Level(level) is null)
            yield return $"{key}:{nameof(Level)} '{level}' is not a level of {kind.Name}; it offers {string.Join(", ", kind.Levels.Select(l => l.Name))}";
        foreach (var error in Backfill.ToOptions(null).Errors($"{key}:{nameof(Backfill)}"))
            yield return error;
        if (Backfill.RestEndpoint is { Length: > 0 } rest && (!Uri.TryCreate(rest, UriKind.Absolute, out var restUri) || restUri.Scheme is not ("http" or "https")))
            yield return $"{key}:{nameof(Backfill)}:{nameof(Backfill.RestEndpoint)} must be an http:// or https:// URL (was '{rest}')";
        if (MaxSymbolsPerConnection is < 1) yield return $"{key}:{nameof(MaxSymbolsPerConnection)} must be positive (was {MaxSymbolsPerConnection})";
        if (StaleAfter <= TimeSpan.Zero) yield return $"{key}:{nameof(StaleAfter)} must be positive (was {StaleAfter})";
        if (ReconnectDelay <= TimeSpan.Zero) yield return $"{key}:{nameof(ReconnectDelay)} must be positive (was {ReconnectDelay})";
    }
}

/// <summary>All providers (section <c>Providers</c>), keyed by name.</summary>
public sealed class ProvidersOptions : Dictionary<string, ProviderOptions>, ICheckedOptions
{
    public const string Section = "Providers";

    /// <summary>The provider kind that authenticates with <see cref="ProviderOptions.ApiToken"/>.</summary>
    public const string AggregatorType = "aggregator";

    /// <summary>The token the aggregator simulator accepts unless configured otherwise; never used with simulation off.</summary>
    public const string SimulatorToken = "sim-token";

    public ProvidersOptions()
        : base(StringComparer.OrdinalIgnoreCase)
    {
    }

    /// <summary>
    /// Fills what configuration left out: the default providers, each provider's kind and default symbols. Without
    /// simulation the gRPC aggregator runs only where its endpoint is set: it has no public endpoint to default to.
    /// </summary>
    public void ApplyDefaults(bool simulation = true)
    {
        if (Count == 0)
        {
            foreach (var name in Platform.ProviderCatalog.DefaultProviders)
            {
                this[name] = new ProviderOptions();
            }
        }

        foreach (var (name, o) in this)
        {
            o.Type ??= name;
            if (o.Symbols.Count == 0 && Platform.ProviderCatalog.TryGet(o.Type, out var kind))
            {
                o.Symbols.AddRange(kind.DefaultSymbols);
            }

            if (o.Type == AggregatorType)
            {
                // The simulator's token is a default credential only where the simulator is the endpoint.
                if (simulation)
                {
                    o.ApiToken ??= SimulatorToken;
                }

                if (!simulation && string.IsNullOrEmpty(o.Endpoint))
                {
                    o.Enabled = false;
                }
            }
        }
    }

    /// <summary>The rules as simulation on would apply them; <see cref="ProvidersOptionsValidator"/> applies the bound switch.</summary>
    public IEnumerable<string> Errors() => Errors(simulation: true);

    /// <param name="simulation">Whether simulators stand in for providers without an endpoint.</param>
    public IEnumerable<string> Errors(bool simulation) => this.SelectMany(kv => kv.Value.Errors($"{Section}:{kv.Key}", simulation));
}

/// <summary>Local venue simulators (section <c>Simulation</c>).</summary>
public sealed class SimulationOptions : ICheckedOptions
{
    public const string Section = "Simulation";

    /// <summary>Start simulators and point the providers at them (the embedded default).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary><c>synthetic</c> (random walk) or <c>replay</c> (recorded feed, looped and re-timed).</summary>
    public string Mode { get; set; } = "synthetic";

    /// <summary>Trades per second per product in synthetic mode.</summary>
    public double TradesPerSecond { get; set; } = 20;

    /// <summary>Recorded Coinbase file for replay mode.</summary>
    public string? ReplayFile { get; set; }

    public int Seed { get; set; } = 42;

    public IEnumerable<string> Errors()
    {
        if (Mode is not ("synthetic" or "replay")) yield return $"{Section}:{nameof(Mode)} must be 'synthetic' or 'replay' (was '{Mode}')";
        if (TradesPerSecond is <= 0 or > 1_000_000) yield return $"{Section}:{nameof(TradesPerSecond)} must be in (0, 1000000] (was {TradesPerSecond})";
        if (Mode == "replay" && (string.IsNullOrEmpty(ReplayFile) || !File.Exists(ReplayFile)))
            yield return $"{Section}:{nameof(ReplayFile)} must name an existing file in replay mode (was '{ReplayFile}')";
    }
}

/// <summary>Ingestion limits shared by every provider (section <c>Ingestion</c>).</summary>
public sealed class IngestionOptions : ICheckedOptions
{
    public const string Section = "Ingestion";

    /// <summary>Instruments the reference data interns at most; venue symbols that would add more are refused as unknown.</summary>
    public int MaxInstruments { get; set; } = Core.ReferenceData.DefaultMaxInstruments;

    public IEnumerable<string> Errors()
    {
        if (MaxInstruments < 1) yield return $"{Section}:{nameof(MaxInstruments)} must be positive (was {MaxInstruments})";
    }
}

/// <summary>The live console view (section <c>ConsoleView</c>).</summary>
public sealed class ConsoleViewOptions : ICheckedOptions
{
    public const string Section = "ConsoleView";

    public bool Enabled { get; set; } = true;

    public TimeSpan Refresh { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>At most this many instruments are shown.</summary>
    public int MaxInstruments { get; set; } = 20;

    public IEnumerable<string> Errors()
    {
        if (!Enabled) yield break;
        if (Refresh <= TimeSpan.Zero) yield return $"{Section}:{nameof(Refresh)} must be positive (was {Refresh})";
        if (MaxInstruments < 1) yield return $"{Section}:{nameof(MaxInstruments)} must be positive (was {MaxInstruments})";
    }
}

/// <summary>Pricing settings that are not part of the swappable parameter snapshot (section <c>Pricing</c>).</summary>
public sealed class PricingHostOptions
{
    /// <summary>Composite instruments to compute, e.g. <c>BTC-USD.COMPOSITE</c> (USDT and USDC markets converted to USD).</summary>
    public List<string> Composites { get; set; } = [];
}

/// <summary>
/// Which quality parts run in this process (keys of section <c>Quality</c>, beside <see cref="Quality.QualityOptions"/>);
/// unset, each follows the role. Role <c>ingest</c> publishes the statistics windows for the quality pod and raises no
/// alerts itself: with several ingest pods, each sees only its own shards, so its detectors would alert on partial data.
/// </summary>
public sealed class QualityPlacementOptions : ICheckedOptions
{
    public const string Section = "Quality";

    /// <summary><c>Quality:PublishWindows</c>: statistics windows onto md.quality.v1. Unset: on in role ingest only.</summary>
    public bool? PublishWindows { get; set; }

    public DetectorPlacement Detectors { get; set; } = new();

    /// <summary>Whether the detectors and alert delivery run in this process, next to ingestion.</summary>
    public bool RunsDetectors(string role) => role is RunRole.All or RunRole.Ingest && (Detectors.InProcess ?? role == RunRole.All);

    public bool PublishesWindows(string role) => PublishWindows ?? role == RunRole.Ingest;

    public IEnumerable<string> Errors() => [];
}

/// <summary>Where the detectors run (<c>Quality:Detectors</c>).</summary>
public sealed class DetectorPlacement
{
    /// <summary>
    /// <c>Quality:Detectors:InProcess</c>: detectors and alerts in roles all and ingest. Unset: on in role all, off in role
    /// ingest (a quality pod judges the windows of every shard). Role quality always runs them; role price never does.
    /// </summary>
    public bool? InProcess { get; set; }
}
