using Cloudwall.Rx.Control.State;
using Cloudwall.Rx.Core.Configuration;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Cloudwall.Rx.Control.Bus;

/// <summary>
/// The desired state in Redis (layout: <see cref="ControlKeys"/>). The state write is one Lua script: compare the stored
/// version, set the document, publish the signal — so a signal never announces a state that is not there.
/// </summary>
public sealed class RedisControlStore : IControlStateStore, IAsyncDisposable
{
    // KEYS[1] state; ARGV: expected version, document, channel, signal. Returns {written (0/1), stored version}.
    private const string CompareAndSetScript = """
        local cur = redis.call('GET', KEYS[1])
        local v = 0
        if cur then v = tonumber(cjson.decode(cur)['version']) or 0 end
        if v ~= tonumber(ARGV[1]) then return {0, v} end
        redis.call('SET', KEYS[1], ARGV[2])
        redis.call('PUBLISH', ARGV[3], ARGV[4])
        return {1, tonumber(cjson.decode(ARGV[2])['version'])}
        """;

    private readonly HashSet<string> _failedReported = new(StringComparer.Ordinal);
    private readonly ConnectionMultiplexer _mux;
    private readonly bool _ownsConnection;
    private readonly ILogger _logger;
    private readonly int _auditCapacity;
    private Func<ControlSignal, Task>? _onSignal;

    public RedisControlStore(ConnectionMultiplexer mux, ControlKeys keys, int auditCapacity, ILogger logger, bool ownsConnection = false)
    {
        _mux = mux;
        Keys = keys;
        _auditCapacity = auditCapacity;
        _logger = logger;
        _ownsConnection = ownsConnection;
        _mux.ConnectionFailed += (_, e) => ControlLog.ConnectionFailed(_logger, e.ConnectionType.ToString(), e.EndPoint?.ToString(), e.FailureType.ToString());
        _mux.ConnectionRestored += (_, e) =>
        {
            ControlLog.ConnectionRestored(_logger, e.ConnectionType.ToString(), e.EndPoint?.ToString());
            Restored?.Invoke();
        };
    }

    public ControlKeys Keys { get; }

    public ConnectionMultiplexer Connection => _mux;

    /// <summary>Raised on every restored connection (interactive or subscription): the owner re-reads the state.</summary>
    public event Action? Restored;

    /// <summary>Connects with the validated options. Does not fail when Redis is down at start: it keeps retrying in the background.</summary>
    /// <param name="configure">Last-word changes to the client settings (tests use it for the reconnect policy).</param>
    public static async Task<RedisControlStore> ConnectAsync(RedisControlOptions options, string clientName, int auditCapacity, ILogger logger,
        Action<ConfigurationOptions>? configure = null)
    {
        if (!OptionsCheck.ThrowIfInvalid(options).IsConfigured)
        {
            throw new InvalidOperationException($"{RedisControlOptions.SectionName}:{nameof(RedisControlOptions.Endpoints)} is required");
        }

        var config = ToConfiguration(options, clientName);
        configure?.Invoke(config);
        var mux = await ConnectionMultiplexer.ConnectAsync(config).ConfigureAwait(false);
        return new RedisControlStore(mux, options.Keys, auditCapacity, logger, ownsConnection: true);
    }

    public static ConfigurationOptions ToConfiguration(RedisControlOptions o, string clientName)
    {
        var c = new ConfigurationOptions
        {
            AbortOnConnectFail = false,
            ConnectTimeout = o.ConnectTimeoutMs,
            SyncTimeout = o.SyncTimeoutMs,
            AsyncTimeout = o.SyncTimeoutMs,
            ClientName = clientName,
            Ssl = o.Tls,
            ConnectRetry = 3,
        };
        foreach (var ep in o.Endpoints.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)) c.EndPoints.Add(ep);
        if (o.User.Length > 0) c.User = o.User;
        if (o.Password.Length > 0) c.Password = o.Password;
        if (o.TlsHost.Length > 0) c.SslHost = o.TlsHost;
        return c;
    }

    private IDatabase Db => _mux.GetDatabase();

    public async Task<string?> ReadStateAsync(CancellationToken ct)
    {
        var v = await Db.StringGetAsync(Keys.State).ConfigureAwait(false);
        return v.IsNull ? null : v.ToString();
    }

    public async Task<(bool Written, long StoredVersion)> TryWriteStateAsync(long expectedVersion, string stateJson, ControlSignal signal, CancellationToken ct)
    {
        var r = (RedisResult[])(await Db.ScriptEvaluateAsync(CompareAndSetScript, [Keys.State],
            [expectedVersion, stateJson, Keys.CommandsChannel, signal.ToJson()]).ConfigureAwait(false))!;
        return ((long)r[0] == 1, (long)r[1]);
    }

    public Task<bool> TryClaimNonceAsync(string keyId, string nonce, TimeSpan ttl) =>
        Db.StringSetAsync(Keys.Nonce(keyId, nonce), 1, ttl, When.NotExists);

    public Task PublishSignalAsync(ControlSignal signal) =>
        _mux.GetSubscriber().PublishAsync(RedisChannel.Literal(Keys.CommandsChannel), signal.ToJson());

    public async Task PublishResultAsync(CommandResult result)
    {
        var json = result.ToJson();
        var batch = Db.CreateBatch();
        var publish = batch.PublishAsync(RedisChannel.Literal(Keys.ResultsChannel), json);
        var push = batch.ListLeftPushAsync(Keys.Audit, json);
        var trim = batch.ListTrimAsync(Keys.Audit, 0, _auditCapacity - 1);
        batch.Execute();
        await Task.WhenAll(publish, push, trim).ConfigureAwait(false);
    }

    public async Task ReportAppliedAsync(string instance, long version, TimeSpan ttl, string? failure = null)
    {
        await Db.StringSetAsync(Keys.Applied(instance), version, ttl).ConfigureAwait(false);
        if (failure is not null)
        {
            await Db.StringSetAsync(Keys.Failed(instance), failure, ttl).ConfigureAwait(false);
            lock (_failedReported) _failedReported.Add(instance);
            return;
        }

        // Only a failure this process reported needs deleting (+del in the ACL); otherwise there is nothing to clear.
        bool reported;
        lock (_failedReported) reported = _failedReported.Remove(instance);
        if (reported)
        {
            await Db.KeyDeleteAsync(Keys.Failed(instance)).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyDictionary<string, long>> ReadAppliedAsync(CancellationToken ct)
    {
        var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (instance, value) in await ReadPerInstanceAsync(Keys.AppliedPattern, Keys.Applied(""), ct).ConfigureAwait(false))
        {
            if (value.TryParse(out long v)) result[instance] = v;
        }

        return result;
    }

    public async Task<IReadOnlyDictionary<string, string>> ReadFailedAsync(CancellationToken ct)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (instance, value) in await ReadPerInstanceAsync(Keys.FailedPattern, Keys.Failed(""), ct).ConfigureAwait(false))
        {
            if (value.HasValue) result[instance] = value.ToString();
        }

        return result;
    }

    /// <summary>The live per-instance keys matching <paramref name="pattern"/>, by instance name (the key after <paramref name="prefix"/>).</summary>
    private async Task<List<(string Instance, RedisValue Value)>> ReadPerInstanceAsync(string pattern, string prefix, CancellationToken ct)
    {
        var keys = new List<RedisKey>();
        // Plain SCAN through the database, not IServer.KeysAsync: it needs no server-role detection and only +scan in the ACL.
        var cursor = "0";
        do
        {
            ct.ThrowIfCancellationRequested();
            var reply = (RedisResult[])(await Db.ExecuteAsync("SCAN", cursor, "MATCH", pattern, "COUNT", 500).ConfigureAwait(false))!;
            cursor = reply[0].ToString();
            keys.AddRange(((RedisResult[])reply[1]!).Select(k => (RedisKey)k.ToString()));
        }
        while (cursor != "0");

        if (keys.Count == 0) return [];
        var values = await Db.StringGetAsync([.. keys]).ConfigureAwait(false);
        return [.. keys.Select((k, i) => (k.ToString()[prefix.Length..], values[i]))];
    }

    public async Task<IReadOnlyList<string>> ReadAuditAsync(int count, CancellationToken ct)
    {
        var items = await Db.ListRangeAsync(Keys.Audit, 0, count - 1).ConfigureAwait(false);
        return items.Select(i => i.ToString()).ToList();
    }

    public async Task SubscribeAsync(Func<ControlSignal, Task> onSignal)
    {
        _onSignal = onSignal;
        // StackExchange.Redis re-subscribes by itself after a reconnect; what was published meanwhile is lost, hence Restored.
        await _mux.GetSubscriber().SubscribeAsync(RedisChannel.Literal(Keys.CommandsChannel), (channel, value) =>
        {
            var signal = value.IsNull ? null : ControlSignal.FromJson(value.ToString());
            if (signal is not null && _onSignal is { } handler)
            {
                handler(signal).ContinueWith(t => ControlLog.SignalFailed(_logger, t.Exception!), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsConnection)
        {
            await _mux.CloseAsync().ConfigureAwait(false);
            _mux.Dispose();
        }
    }
}

/// <summary>The bus with Redis: the state key is the truth; signals and reconnects both lead to a re-read.</summary>
public sealed class RedisControlBus : ControlBus
{
    private readonly RedisControlStore _redis;

    private RedisControlBus(RedisControlStore store, Agent.IControlTarget target, Commands.SigningKeyRing keys, ControlOptions options, TimeProvider time, ILoggerFactory loggers)
        : base(store, target, keys, options, time, loggers)
    {
        _redis = store;
        _redis.Restored += OnRestored;
    }

    public RedisControlStore Redis => _redis;

    /// <summary>Connects to Redis (validating <paramref name="redis"/>; errors name the key) and builds the bus. Call <see cref="ControlBus.StartAsync"/> next.</summary>
    public static async Task<RedisControlBus> CreateAsync(RedisControlOptions redis, Agent.IControlTarget target, Commands.SigningKeyRing keys, ControlOptions options,
        TimeProvider? time = null, ILoggerFactory? loggers = null, Action<ConfigurationOptions>? configure = null)
    {
        loggers ??= Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        var store = await RedisControlStore.ConnectAsync(redis, "cloudwall-rx-" + options.ResolvedInstanceId, options.AuditCapacity,
            loggers.CreateLogger("Cloudwall.Rx.Control.Redis"), configure).ConfigureAwait(false);
        return new RedisControlBus(store, target, keys, options, time ?? TimeProvider.System, loggers);
    }

    private void OnRestored()
    {
        Counters.OnReconnect();
        RequestReconcile();
    }

    public override async ValueTask DisposeAsync()
    {
        _redis.Restored -= OnRestored;
        await base.DisposeAsync().ConfigureAwait(false);
        await _redis.DisposeAsync().ConfigureAwait(false);
    }
}
