using Cloudwall.Rx.Control.State;

namespace Cloudwall.Rx.Control.Bus;

/// <summary>Where the desired state lives and how changes are signalled: Redis, or memory for the in-process bus.</summary>
public interface IControlStateStore
{
    /// <summary>The stored state document, or null when none was ever written.</summary>
    Task<string?> ReadStateAsync(CancellationToken ct);

    /// <summary>
    /// Atomically: when the stored version is <paramref name="expectedVersion"/> (0 for none), stores <paramref name="stateJson"/>
    /// and publishes <paramref name="signal"/>. Returns whether it wrote, and the version stored now.
    /// </summary>
    Task<(bool Written, long StoredVersion)> TryWriteStateAsync(long expectedVersion, string stateJson, ControlSignal signal, CancellationToken ct);

    /// <summary>
    /// The nonces this store remembers were claimed at or after this time: a store that forgets them on a restart (memory)
    /// returns its start, and the submitter refuses envelopes issued before it as possible replays. Redis remembers them.
    /// </summary>
    DateTimeOffset RemembersNoncesSince => DateTimeOffset.MinValue;

    /// <summary>Claims a nonce for <paramref name="ttl"/> across every process sharing the store; false if already claimed.</summary>
    Task<bool> TryClaimNonceAsync(string keyId, string nonce, TimeSpan ttl);

    Task PublishSignalAsync(ControlSignal signal);

    /// <summary>Publishes on the results channel and appends to the capped audit list.</summary>
    Task PublishResultAsync(CommandResult result);

    /// <summary>
    /// Reports the version <paramref name="instance"/> runs, and the version it refused to apply with the reason
    /// (<paramref name="failure"/>, e.g. <c>version 7: apply-failed: …</c>), or that none failed (null), both for <paramref name="ttl"/>.
    /// </summary>
    Task ReportAppliedAsync(string instance, long version, TimeSpan ttl, string? failure = null);

    /// <summary>Applied version per live instance.</summary>
    Task<IReadOnlyDictionary<string, long>> ReadAppliedAsync(CancellationToken ct);

    /// <summary>Per live instance that refused a version: which one and why.</summary>
    Task<IReadOnlyDictionary<string, string>> ReadFailedAsync(CancellationToken ct);

    /// <summary>Newest audit entries first (JSON results).</summary>
    Task<IReadOnlyList<string>> ReadAuditAsync(int count, CancellationToken ct);

    /// <summary>Installs the one handler for signals (the bus's). The store calls it for every signal it sees.</summary>
    Task SubscribeAsync(Func<ControlSignal, Task> onSignal);
}
