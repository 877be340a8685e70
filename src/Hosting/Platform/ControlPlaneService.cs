using Cloudwall.Rx.Control;
using Cloudwall.Rx.Control.Bus;
using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Control.Sharding;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>
/// The control plane of this instance: the Redis bus when <c>Control:Redis:Endpoints</c> is set, otherwise the in-process
/// bus with the same envelope, signatures and code path (reachable at <c>POST /commands</c>). Optional shard group.
/// </summary>
public sealed partial class ControlPlaneService(
    KafkaConnection kafka,
    ControlTarget target,
    IOptions<ControlOptions> control,
    IOptions<RedisControlOptions> redis,
    IOptions<ShardOptions> shards,
    ConfiguredSymbols configured,
    IProviderControl providers,
    TimeProvider time,
    ILoggerFactory loggers,
    ILogger<ControlPlaneService> logger) : IHostedService, IAsyncDisposable
{
    private ShardAssignment? _shards;

    public IControlBus? Bus { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var keys = SigningKeyRing.Load(control.Value.Keys, null, out var errors);
        foreach (var e in errors)
        {
            LogKeyProblem(e);
        }

        if (keys.KeyIds.Count == 0)
        {
            LogNoKeys();
        }

        Bus = redis.Value.IsConfigured
            ? await RedisControlBus.CreateAsync(redis.Value, target, keys, control.Value, time, loggers).ConfigureAwait(false)
            : new InProcessControlBus(target, keys, control.Value, time, loggers);
        if (shards.Value.Enabled && kafka.Clients is { } clients)
        {
            _shards = new ShardAssignment(shards.Value, clients, Bus.Agent, loggers.CreateLogger<ShardAssignment>());
            // Configured symbols follow the same shards as the control plane's subscriptions.
            var assignment = _shards;
            _shards.Changed += _ => configured.OnShardsChanged(providers.Entries, assignment.Owns);
            await _shards.StartAsync().ConfigureAwait(false);
        }

        await Bus.StartAsync(cancellationToken).ConfigureAwait(false);
        LogStarted(redis.Value.IsConfigured ? "redis" : "in-process", keys.KeyIds.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (_shards is not null)
        {
            await _shards.DisposeAsync().ConfigureAwait(false);
            _shards = null;
        }

        if (Bus is not null)
        {
            await Bus.DisposeAsync().ConfigureAwait(false);
            Bus = null;
        }
    }

    [LoggerMessage(EventId = 3301, Level = LogLevel.Information, Message = "Control plane started ({Transport} bus, {Keys} signing key(s))")]
    private partial void LogStarted(string transport, int keys);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Warning, Message = "Control plane has no signing keys: every command will be rejected (set Control:Keys:<id>)")]
    private partial void LogNoKeys();

    [LoggerMessage(EventId = 3303, Level = LogLevel.Error, Message = "Control key problem: {Problem}")]
    private partial void LogKeyProblem(string problem);
}
