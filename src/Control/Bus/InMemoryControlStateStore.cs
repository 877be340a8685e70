using Cloudwall.Rx.Control.State;

namespace Cloudwall.Rx.Control.Bus;

/// <summary>The in-process store: the same contract as Redis, held in memory. Signals are delivered inline, awaited.</summary>
public sealed class InMemoryControlStateStore(int auditCapacity = 1000, TimeProvider? time = null) : IControlStateStore
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly LinkedList<string> _audit = new();
    private readonly Dictionary<string, (long Version, DateTimeOffset Expiry)> _applied = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Failure, DateTimeOffset Expiry)> _failed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _nonces = new(StringComparer.Ordinal);
    private string? _state;
    private long _version;
    private Func<ControlSignal, Task>? _onSignal;

    /// <summary>Its creation, to the millisecond of <c>issued_at</c>: the nonces of earlier envelopes died with the last process.</summary>
    public DateTimeOffset RemembersNoncesSince { get; } = Millis((time ?? TimeProvider.System).GetUtcNow());

    private static DateTimeOffset Millis(DateTimeOffset t) => new(t.Ticks - (t.Ticks % TimeSpan.TicksPerMillisecond), t.Offset);

    /// <summary>Every result published, for the admin endpoint and tests (also raised as <see cref="ResultPublished"/>).</summary>
    public event Action<CommandResult>? ResultPublished;

    public Task<string?> ReadStateAsync(CancellationToken ct)
    {
        lock (_gate) return Task.FromResult(_state);
    }

    public async Task<(bool Written, long StoredVersion)> TryWriteStateAsync(long expectedVersion, string stateJson, ControlSignal signal, CancellationToken ct)
    {
        lock (_gate)
        {
            if (_version != expectedVersion)
            {
                return (false, _version);
            }

            _state = stateJson;
            _version = signal.Version;
        }

        await PublishSignalAsync(signal).ConfigureAwait(false);
        return (true, signal.Version);
    }

    public Task<bool> TryClaimNonceAsync(string keyId, string nonce, TimeSpan ttl)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (_nonces.Count > 10_000)
            {
                foreach (var k in _nonces.Where(kv => kv.Value <= now).Select(kv => kv.Key).ToList()) _nonces.Remove(k);
            }

            var id = keyId + ":" + nonce;
            if (_nonces.TryGetValue(id, out var exp) && exp > now) return Task.FromResult(false);
            _nonces[id] = now + ttl;
            return Task.FromResult(true);
        }
    }

    public Task PublishSignalAsync(ControlSignal signal) => _onSignal?.Invoke(signal) ?? Task.CompletedTask;

    public Task PublishResultAsync(CommandResult result)
    {
        lock (_gate)
        {
            _audit.AddFirst(result.ToJson());
            while (_audit.Count > auditCapacity) _audit.RemoveLast();
        }

        ResultPublished?.Invoke(result);
        return Task.CompletedTask;
    }

    public Task ReportAppliedAsync(string instance, long version, TimeSpan ttl, string? failure = null)
    {
        lock (_gate)
        {
            var expiry = _time.GetUtcNow() + ttl;
            _applied[instance] = (version, expiry);
            if (failure is null) _failed.Remove(instance);
            else _failed[instance] = (failure, expiry);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<string, string>> ReadFailedAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            IReadOnlyDictionary<string, string> live = _failed.Where(a => a.Value.Expiry > now).ToDictionary(a => a.Key, a => a.Value.Failure, StringComparer.Ordinal);
            return Task.FromResult(live);
        }
    }

    public Task<IReadOnlyDictionary<string, long>> ReadAppliedAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            IReadOnlyDictionary<string, long> live = _applied.Where(a => a.Value.Expiry > now).ToDictionary(a => a.Key, a => a.Value.Version, StringComparer.Ordinal);
            return Task.FromResult(live);
        }
    }

    public Task<IReadOnlyList<string>> ReadAuditAsync(int count, CancellationToken ct)
    {
        lock (_gate)
        {
            IReadOnlyList<string> list = _audit.Take(count).ToList();
            return Task.FromResult(list);
        }
    }

    public Task SubscribeAsync(Func<ControlSignal, Task> onSignal)
    {
        _onSignal = onSignal;
        return Task.CompletedTask;
    }
}
