using Cloudwall.Rx.Control.Agent;
using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Control.State;
using Cloudwall.Rx.Core;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Control.Bus;

/// <summary>
/// The one submission path, shared by the in-process bus, the Redis bus and the CLI: authenticate, validate, reduce the
/// desired state, compare-and-set it at a higher version, signal, and publish and audit the result. Only authenticated
/// commands (signature verified) are published and audited: a rejection before that is counted by reason and logged at most
/// once per reason per <see cref="LogRateLimiter.DefaultInterval"/>, so nobody without a key can flush the audit list or the log.
/// </summary>
public sealed class ControlCommandProcessor
{
    private const int MaxWriteAttempts = 5;

    private readonly SigningKeyRing _keys;
    private readonly IControlStateStore _store;
    private readonly ControlOptions _options;
    private readonly TimeProvider _time;
    private readonly ControlCounters _counters;
    private readonly ILogger _logger;
    private readonly string _instance;
    private readonly Func<ControlSnapshot, IEnumerable<string>>? _rules;
    private readonly LogRateLimiter _unauthenticatedLog;

    /// <param name="rules">The platform's rules for a desired state (<see cref="IControlTarget.Errors"/>): a command whose
    /// resulting state breaks one is refused here, before it is stored, rather than failing on every instance.</param>
    public ControlCommandProcessor(SigningKeyRing keys, IControlStateStore store, ControlOptions options, TimeProvider time, ControlCounters counters, ILogger logger,
        Func<ControlSnapshot, IEnumerable<string>>? rules = null)
    {
        _rules = rules;
        _keys = keys;
        _store = store;
        _options = options;
        _time = time;
        _counters = counters;
        _logger = logger;
        _instance = options.ResolvedInstanceId;
        _unauthenticatedLog = new LogRateLimiter(RejectReasons.Unauthenticated.Count, time);
        Authenticator = new CommandAuthenticator(keys, options.ResolvedGrants(), options.ClockSkew, options.NonceCapacity, time);
    }

    public CommandAuthenticator Authenticator { get; }

    public async Task<CommandResult> SubmitAsync(string json, CancellationToken ct = default)
    {
        _counters.OnSubmitted();
        if (!Authenticator.TryAuthenticate(json, out var env, out var command, out var reason))
        {
            var code = Code(reason!);
            var unauthenticated = IndexOfUnauthenticated(code);
            return unauthenticated >= 0
                ? RejectUnauthenticated(env, reason!, code, unauthenticated)
                : await RejectAsync(env, reason!).ConfigureAwait(false);
        }

        if (env!.IssuedAt < _store.RemembersNoncesSince)
        {
            // The in-process store forgot the nonces of the last run: an envelope from before this start may be a replay.
            return await RejectAsync(env, $"{RejectReasons.Replay}: issued before this instance started, when its nonces were not remembered; sign it again").ConfigureAwait(false);
        }

        if (!Authenticator.TryClaimNonce(env!, out reason))
        {
            return await RejectAsync(env, reason!).ConfigureAwait(false);
        }

        try
        {
            if (!await _store.TryClaimNonceAsync(env!.KeyId!, env.Nonce, Authenticator.Nonces.Ttl).ConfigureAwait(false))
            {
                return await RejectAsync(env, $"{RejectReasons.Replay}: nonce '{env.Nonce}' was already used").ConfigureAwait(false);
            }

            if (command is SnapshotStateCommand)
            {
                await _store.PublishSignalAsync(new ControlSignal { Kind = ControlSignal.SnapshotKind, Envelope = json }).ConfigureAwait(false);
                return await FinishAsync(env, CommandResult.Applied, null, env.Version).ConfigureAwait(false);
            }

            for (var attempt = 0; attempt < MaxWriteAttempts; attempt++)
            {
                var stored = await _store.ReadStateAsync(ct).ConfigureAwait(false);
                var current = ControlSnapshot.Empty;
                if (stored is not null && !StateDocument.TryParse(stored, _keys, out current, out var problem))
                {
                    return await RejectAsync(env, $"{RejectReasons.BadState}: {problem}").ConfigureAwait(false);
                }

                current ??= ControlSnapshot.Empty;
                if (env.Version <= current.Version)
                {
                    return current.CommandId == env.Id
                        ? await FinishAsync(env, CommandResult.NoOp, $"version {env.Version} already applied by this command", current.Version).ConfigureAwait(false)
                        : await RejectAsync(env, $"{RejectReasons.StaleVersion}: version {env.Version} is not above the current version {current.Version}").ConfigureAwait(false);
                }

                var next = StateReducer.Apply(current, command!, env.Version, _time.GetUtcNow(), env.Id, out var rejection);
                if (next is null)
                {
                    return await RejectAsync(env, $"{RejectReasons.InvalidPayload}: {rejection}").ConfigureAwait(false);
                }

                if (next.SameConfiguration(current))
                {
                    return await FinishAsync(env, CommandResult.NoOp, "the desired state already has this configuration", current.Version).ConfigureAwait(false);
                }

                if (_rules?.Invoke(next).ToList() is { Count: > 0 } errors)
                {
                    return await RejectAsync(env, $"{RejectReasons.InvalidPayload}: the platform would refuse the resulting state: {string.Join("; ", errors)}").ConfigureAwait(false);
                }

                var signer = _options.SigningKeyId.Length > 0 ? _options.SigningKeyId : env.KeyId!;
                var doc = StateDocument.Serialize(next, env.Type, _keys, signer);
                var (written, _) = await _store.TryWriteStateAsync(current.Version, doc, new ControlSignal { Version = next.Version }, ct).ConfigureAwait(false);
                if (written)
                {
                    _counters.OnAccepted();
                    return await FinishAsync(env, CommandResult.Applied, null, next.Version).ConfigureAwait(false);
                }
            }

            return await RejectAsync(env, $"{RejectReasons.Conflict}: the state kept changing under {MaxWriteAttempts} attempts").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return await RejectAsync(env, $"{RejectReasons.Unavailable}: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
        }
    }

    private static string Code(string reason) => reason.IndexOf(':') is var i and > 0 ? reason[..i] : reason;

    private static int IndexOfUnauthenticated(string code)
    {
        var reasons = RejectReasons.Unauthenticated;
        for (var i = 0; i < reasons.Count; i++)
        {
            if (reasons[i] == code)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Answers the caller only: counted, the log line rate-limited, nothing published or audited.</summary>
    private CommandResult RejectUnauthenticated(CommandEnvelope? env, string reason, string code, int index)
    {
        _counters.OnRejected(code);
        if (_unauthenticatedLog.TryAcquire(index, out var suppressed))
        {
            ControlLog.RejectedUnauthenticated(_logger, code, reason, suppressed);
        }

        return Result(env, CommandResult.Rejected, reason, env?.Version ?? 0);
    }

    private async Task<CommandResult> RejectAsync(CommandEnvelope? env, string reason)
    {
        var code = Code(reason);
        _counters.OnRejected(code);
        ControlLog.Rejected(_logger, env?.Id, reason);
        var result = Result(env, CommandResult.Rejected, reason, env?.Version ?? 0);
        await TryPublishAsync(result).ConfigureAwait(false);
        return result;
    }

    private async Task<CommandResult> FinishAsync(CommandEnvelope env, string status, string? reason, long version)
    {
        if (status == CommandResult.NoOp) _counters.OnNoOp();
        ControlLog.Submitted(_logger, env.Id, env.Type, version, env.KeyId, status);
        var result = Result(env, status, reason, version);
        await TryPublishAsync(result).ConfigureAwait(false);
        return result;
    }

    private CommandResult Result(CommandEnvelope? env, string status, string? reason, long version) => new()
    {
        Status = status,
        Reason = reason,
        CommandId = env?.Id,
        Type = env?.Type,
        KeyId = env?.KeyId,
        Version = version,
        Instance = _instance,
        Stage = "submit",
        At = _time.GetUtcNow(),
    };

    private async Task TryPublishAsync(CommandResult result)
    {
        try
        {
            await _store.PublishResultAsync(result).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The caller still gets the result; only the channel and audit copy are lost while the store is down.
            ControlLog.StoreWriteFailed(_logger, ex, "result and audit");
        }
    }
}
