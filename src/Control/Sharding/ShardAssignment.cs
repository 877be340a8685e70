using System.Collections.Immutable;
using Cloudwall.Rx.Control.Agent;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Kafka;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Control.Sharding;

/// <summary>Shard-group settings (section <see cref="SectionName"/>).</summary>
public sealed class ShardOptions : ICheckedOptions
{
    public const string SectionName = "Control:Shards";

    /// <summary>Off: every instance serves every subscription (one ingest instance).</summary>
    public bool Enabled { get; set; }

    /// <summary>S: the number of shards, which must equal the partitions of <see cref="Topic"/>.</summary>
    public int ShardCount { get; set; } = 12;

    public string Topic { get; set; } = Topics.Shards;

    public string GroupId { get; set; } = "cloudwall-rx-ingest-shards";

    /// <summary>An instance that stops heart-beating loses its shards to the survivors after this long.</summary>
    public int SessionTimeoutMs { get; set; } = 10_000;

    public int HeartbeatIntervalMs { get; set; } = 1_000;

    /// <summary>Problems with the settings, each naming its key; empty when valid or not <see cref="Enabled"/>.</summary>
    public IEnumerable<string> Errors()
    {
        var errors = new List<string>();
        if (!Enabled)
        {
            return errors;
        }

        if (ShardCount is < 1 or > 4096) errors.Add($"{SectionName}:{nameof(ShardCount)} must be within 1..4096, was {ShardCount}");
        if (string.IsNullOrWhiteSpace(Topic)) errors.Add($"{SectionName}:{nameof(Topic)} is required");
        if (string.IsNullOrWhiteSpace(GroupId)) errors.Add($"{SectionName}:{nameof(GroupId)} is required");
        if (SessionTimeoutMs < 1000) errors.Add($"{SectionName}:{nameof(SessionTimeoutMs)} must be at least 1000, was {SessionTimeoutMs}");
        if (HeartbeatIntervalMs < 100 || HeartbeatIntervalMs * 3 > SessionTimeoutMs)
            errors.Add($"{SectionName}:{nameof(HeartbeatIntervalMs)} must be at least 100 and at most a third of {nameof(SessionTimeoutMs)}, was {HeartbeatIntervalMs}");
        return errors;
    }
}

/// <summary>The shards one instance owns now, and what a rebalance changed.</summary>
public sealed record ShardChange(ImmutableSortedSet<int> Gained, ImmutableSortedSet<int> Lost, ImmutableSortedSet<int> Owned);

/// <summary>
/// Membership and failover through Kafka's consumer-group protocol: the instance joins <see cref="ShardOptions.GroupId"/> on the
/// shard topic (one partition per shard) and serves the shards of the partitions assigned to it. The cooperative-sticky
/// assignor hands over only the partitions that move, so a rebalance drops lost shards and opens gained ones and leaves the
/// rest alone. No record is ever read; the consumer exists for the group protocol.
/// </summary>
public sealed class ShardAssignment : IAsyncDisposable
{
    private readonly ShardOptions _options;
    private readonly ControlAgent? _agent;
    private readonly ILogger _logger;
    private readonly IConsumer<Ignore, Ignore> _consumer;
    private readonly CancellationTokenSource _stop = new();
    private ImmutableSortedSet<int> _owned = [];
    private Task _loop = Task.CompletedTask;
    private int _closed;

    /// <param name="clients">The process's Kafka client settings (cluster, security, client id).</param>
    /// <param name="agent">When given, every change limits the agent's served subscriptions to the owned shards.</param>
    public ShardAssignment(ShardOptions options, KafkaClientConfigs clients, ControlAgent? agent, ILogger logger, Action<ConsumerConfig>? configure = null)
    {
        _options = OptionsCheck.ThrowIfInvalid(options);
        _agent = agent;
        _logger = logger;
        var config = ConsumerConfig(options, clients);
        configure?.Invoke(config);
        _consumer = new ConsumerBuilder<Ignore, Ignore>(config)
            .SetPartitionsAssignedHandler((_, parts) => Change(gained: Shards(parts), lost: []))
            .SetPartitionsRevokedHandler((_, parts) => Change(gained: [], lost: Shards(parts.Select(p => p.TopicPartition))))
            .SetPartitionsLostHandler((_, _) => Change(gained: [], lost: _owned))
            .SetErrorHandler((_, e) => ControlLog.ShardError(_logger, e.Reason))
            .SetLogHandler((_, _) => { })
            .Build();
    }

    /// <summary>The group member's configuration: the process's cluster and security, cooperative-sticky, no commits.</summary>
    public static ConsumerConfig ConsumerConfig(ShardOptions options, KafkaClientConfigs clients)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clients);
        var config = clients.Consumer(options.GroupId, "shards");
        config.PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky;
        config.SessionTimeoutMs = options.SessionTimeoutMs;
        config.HeartbeatIntervalMs = options.HeartbeatIntervalMs;
        config.EnableAutoCommit = false;
        config.AutoOffsetReset = AutoOffsetReset.Latest;
        config.AllowAutoCreateTopics = false;
        return config;
    }

    public int ShardCount => _options.ShardCount;

    public ImmutableSortedSet<int> Owned => Volatile.Read(ref _owned);

    /// <summary>Raised on the consumer's thread after each change has been applied to the agent.</summary>
    public event Action<ShardChange>? Changed;

    public bool Owns(int shard) => Owned.Contains(shard);

    /// <summary>Whether this instance serves (source, instrument) now.</summary>
    public bool Owns(string source, string instrument) => Owned.Contains(ShardHash.Of(source, instrument, _options.ShardCount));

    /// <summary>Serves nothing until assigned, then joins the group. Start this before the control bus so nothing is opened twice.</summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        if (_agent is not null)
        {
            await _agent.SetOwnershipAsync(Owns, ct).ConfigureAwait(false);
        }

        _consumer.Subscribe(_options.Topic);
        _loop = Task.Factory.StartNew(Poll, TaskCreationOptions.LongRunning);
    }

    private void Poll()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                _consumer.Consume(TimeSpan.FromMilliseconds(200)); // drives heartbeats and the rebalance callbacks
            }
            catch (ConsumeException ex)
            {
                ControlLog.ShardError(_logger, ex.Error.Reason);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    private ImmutableSortedSet<int> Shards(IEnumerable<TopicPartition> parts)
    {
        var b = ImmutableSortedSet.CreateBuilder<int>();
        foreach (var p in parts)
        {
            if (p.Partition.Value < _options.ShardCount) b.Add(p.Partition.Value);
            else ControlLog.ShardError(_logger, $"partition {p.Partition.Value} is beyond {ShardOptions.SectionName}:{nameof(ShardOptions.ShardCount)} {_options.ShardCount}; ignored");
        }

        return b.ToImmutable();
    }

    // Runs on the consumer thread inside Consume/Close: blocking here is what makes a revoked shard closed before the
    // group hands it to another instance.
    private void Change(ImmutableSortedSet<int> gained, ImmutableSortedSet<int> lost)
    {
        var before = Owned;
        var after = before.Union(gained).Except(lost);
        Volatile.Write(ref _owned, after);
        var change = new ShardChange(after.Except(before), before.Except(after), after);
        if (change.Gained.IsEmpty && change.Lost.IsEmpty) return;
        ControlLog.ShardsChanged(_logger, string.Join(",", change.Gained), string.Join(",", change.Lost), string.Join(",", after));
        if (_agent is not null)
        {
            try
            {
                _agent.SetOwnershipAsync(Owns).GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                ControlLog.ShardError(_logger, $"applying the shard change failed: {ex.GetType().Name}: {ex.Message}");
            }
        }

        Changed?.Invoke(change);
    }

    /// <summary>Leaves the group (its shards move to the others at once) and stops.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        try
        {
            _consumer.Close();
        }
        catch (KafkaException ex)
        {
            ControlLog.ShardError(_logger, ex.Error.Reason);
        }

        _consumer.Dispose();
        _stop.Dispose();
    }
}
