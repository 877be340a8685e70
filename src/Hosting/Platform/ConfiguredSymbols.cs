using Cloudwall.Rx.Control.Sharding;
using Cloudwall.Rx.Hosting.Configuration;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>
/// Which of the configured symbols (<c>Providers:&lt;name&gt;:Symbols</c>) this instance subscribes. Alone, all of them.
/// With <c>Control:Shards:Enabled</c> in roles all and ingest, only those whose shard it owns: a configured symbol belongs
/// to the shard <see cref="ShardAssignment.Owns(string, string)"/> gives (provider name, venue symbol), the function that
/// routes control-plane subscriptions; none is subscribed before the first assignment, and each rebalance subscribes the
/// symbols of gained shards and unsubscribes those of lost ones.
/// </summary>
public sealed partial class ConfiguredSymbols(IOptions<ProvidersOptions> providers, IOptions<ShardOptions> shards, RunRole role,
    ILogger<ConfiguredSymbols> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HashSet<string>> _served = new(StringComparer.OrdinalIgnoreCase);
    private volatile bool _assigned;

    /// <summary>Whether configured symbols follow shard ownership here.</summary>
    public bool Sharded { get; } = shards.Value.Enabled && role.Name is RunRole.All or RunRole.Ingest;

    /// <summary>False until the first shard assignment when <see cref="Sharded"/>; always true otherwise.</summary>
    public bool Assigned => !Sharded || _assigned;

    /// <summary>The symbols provider <paramref name="name"/> subscribes when it connects.</summary>
    public IReadOnlyList<string> AtStart(string name) => Sharded ? [] : providers.Value[name].Symbols;

    /// <summary>How many configured symbols provider <paramref name="name"/> is to carry here now.</summary>
    public int Expected(string name)
    {
        if (!Sharded)
        {
            return providers.Value.TryGetValue(name, out var o) ? o.Symbols.Count : 0;
        }

        lock (_gate)
        {
            return _served.TryGetValue(name, out var s) ? s.Count : 0;
        }
    }

    /// <summary>
    /// Applies a shard change: every provider subscribes the configured symbols it now owns and drops those it no longer
    /// owns. Runs on the shard consumer's thread and blocks it, so a lost shard is closed before another instance opens it.
    /// </summary>
    public void OnShardsChanged(IReadOnlyList<ProviderEntry> running, Func<string, string, bool> owns)
    {
        lock (_gate)
        {
            foreach (var entry in running)
            {
                if (!providers.Value.TryGetValue(entry.Name, out var options))
                {
                    continue;
                }

                if (!_served.TryGetValue(entry.Name, out var served))
                {
                    _served[entry.Name] = served = new HashSet<string>(StringComparer.Ordinal);
                }

                var owned = options.Symbols.Where(s => owns(entry.Name, s)).ToHashSet(StringComparer.Ordinal);
                var lost = served.Where(s => !owned.Contains(s)).ToList();
                var gained = owned.Where(s => !served.Contains(s)).ToList();
                try
                {
                    if (lost.Count > 0)
                    {
                        entry.Provider.RemoveSubscriptions(lost);
                    }

                    if (gained.Count > 0)
                    {
                        entry.Provider.AddSubscriptionsAsync(gained).GetAwaiter().GetResult();
                    }

                    served.ExceptWith(lost);
                    served.UnionWith(gained);
                    if (lost.Count + gained.Count > 0)
                    {
                        LogMoved(entry.Name, gained.Count, lost.Count, served.Count);
                    }
                }
                catch (Exception ex)
                {
                    LogMoveFailed(ex, entry.Name);
                }
            }

            _assigned = true;
        }
    }

    [LoggerMessage(EventId = 3310, Level = LogLevel.Information, Message = "Shards moved configured symbols of {Provider}: +{Gained} -{Lost}, {Served} served here")]
    private partial void LogMoved(string provider, int gained, int lost, int served);

    [LoggerMessage(EventId = 3311, Level = LogLevel.Error, Message = "Moving configured symbols of {Provider} after a shard change failed")]
    private partial void LogMoveFailed(Exception ex, string provider);
}
