using System.Collections.Immutable;
using Cloudwall.Rx.Control.Bus;
using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Control.State;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Control.Agent;

/// <summary>
/// Applies the desired state to this instance: reads the stored state, verifies it, and when its version is above the applied
/// one computes what changed and calls <see cref="IControlTarget"/> with only that, then swaps the snapshot. One apply at a
/// time. Apply is all or nothing: the state is checked first (<see cref="IControlTarget.Errors"/>), and a step that throws
/// undoes the steps before it. A failed version is recorded (<see cref="Failed"/>) and skipped by later reads.
/// </summary>
public sealed class ControlAgent : IControlSnapshotSource
{
    private readonly IControlTarget _target;
    private readonly SigningKeyRing _keys;
    private readonly IControlStateStore _store;
    private readonly ControlOptions _options;
    private readonly TimeProvider _time;
    private readonly ControlCounters _counters;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CommandAuthenticator _snapshotRequests;
    private volatile ControlSnapshot _current = ControlSnapshot.Empty;
    private ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, DataClasses>> _served = ControlSnapshot.Empty.Subscriptions;
    private Func<string, string, bool>? _owns;
    private volatile CommandResult? _failed;

    public ControlAgent(IControlTarget target, SigningKeyRing keys, IControlStateStore store, ControlOptions options, TimeProvider time, ControlCounters counters, ILogger logger)
    {
        _target = target;
        _keys = keys;
        _store = store;
        _options = options;
        _time = time;
        _counters = counters;
        _logger = logger;
        InstanceId = options.ResolvedInstanceId;
        _snapshotRequests = new CommandAuthenticator(keys, options.ResolvedGrants(), options.ClockSkew, options.NonceCapacity, time);
    }

    public string InstanceId { get; }

    public ControlSnapshot Current => _current;

    public long AppliedVersion => _current.Version;

    /// <summary>The desired version that failed to apply here, with its reason (<c>apply-failed: …</c>); null once a newer one applied.</summary>
    public CommandResult? Failed => _failed;

    /// <summary>The subscriptions this instance serves now (the desired ones, limited to its shards).</summary>
    public ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, DataClasses>> Served => Volatile.Read(ref _served);

    public event EventHandler<ControlSnapshotChanged>? Changed;

    /// <summary>
    /// Reads the desired state and applies it when newer. <paramref name="reportNoOp"/>: publish a no-op result when the
    /// version is already applied (a repeated signal or a reconnect), rather than staying quiet (a periodic re-read).
    /// </summary>
    public async Task<CommandResult?> ReconcileAsync(bool reportNoOp, CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            string? json;
            try
            {
                json = await _store.ReadStateAsync(ct).ConfigureAwait(false);
                _counters.OnStateRead();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                ControlLog.ReadFailed(_logger, ex, _current.Version);
                return null;
            }

            var current = _current;
            if (json is null)
            {
                return reportNoOp ? await NoOpAsync(current).ConfigureAwait(false) : null;
            }

            if (!StateDocument.TryParse(json, _keys, out var next, out var problem))
            {
                ControlLog.BadState(_logger, problem!);
                _counters.OnRejected(RejectReasons.BadState);
                return await PublishAsync(new CommandResult
                {
                    Status = CommandResult.Rejected, Reason = $"{RejectReasons.BadState}: {problem}", Version = StateDocumentVersion(json),
                    Instance = InstanceId, Stage = "apply", At = _time.GetUtcNow(),
                }).ConfigureAwait(false);
            }

            if (_failed is { } failed && failed.Version == next!.Version && failed.CommandId == next.CommandId)
            {
                // This version failed here already: not retried on every re-read; a newer version (or a restart) tries again.
                await ReportAppliedAsync(current.Version).ConfigureAwait(false);
                return reportNoOp ? failed : null;
            }

            if (next!.Version <= current.Version)
            {
                await ReportAppliedAsync(current.Version).ConfigureAwait(false);
                return reportNoOp ? await NoOpAsync(current).ConfigureAwait(false) : null;
            }

            return await ApplyAsync(current, next, ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Limits the served subscriptions to those <paramref name="owns"/> accepts (null: all), and applies the difference now.
    /// The shard group calls this on every rebalance.
    /// </summary>
    public async Task SetOwnershipAsync(Func<string, string, bool>? owns, CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _owns = owns;
            var served = SubscriptionDiff.Filter(_current.Subscriptions, owns);
            var diff = SubscriptionDiff.Compute(_served, served);
            if (!diff.IsEmpty)
            {
                await _target.ApplySubscriptionsAsync(diff, ct).ConfigureAwait(false);
            }

            Volatile.Write(ref _served, served);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Handles a signed snapshot-state request from the commands channel: verify, then report this instance's state.</summary>
    public async Task<CommandResult> HandleSnapshotRequestAsync(string envelopeJson)
    {
        CommandResult result;
        if (!_snapshotRequests.TryAuthenticate(envelopeJson, out var env, out var command, out var reason) ||
            !_snapshotRequests.TryClaimNonce(env!, out reason))
        {
            _counters.OnRejected(reason!.IndexOf(':') is var i and > 0 ? reason[..i] : reason);
            result = Result(CommandResult.Rejected, reason, env, _current.Version, "snapshot");
        }
        else if (command is not SnapshotStateCommand)
        {
            result = Result(CommandResult.Rejected, $"{RejectReasons.InvalidEnvelope}: type: only snapshot-state travels on the channel", env, _current.Version, "snapshot");
        }
        else if (env!.Target is { Length: > 0 } target && target != "*" && target != InstanceId)
        {
            return Result(CommandResult.NoOp, $"targeted at '{target}'", env, _current.Version, "snapshot"); // not ours: stay quiet
        }
        else
        {
            string state;
            try
            {
                state = _target.SnapshotState();
            }
            catch (Exception ex)
            {
                state = $"{{\"error\":\"{ex.GetType().Name}\"}}";
            }

            result = Result(CommandResult.Applied, null, env, _current.Version, "snapshot") with { State = state };
        }

        return await PublishAsync(result).ConfigureAwait(false);
    }

    private async Task<CommandResult> ApplyAsync(ControlSnapshot current, ControlSnapshot next, CancellationToken ct)
    {
        // Check everything first: a state the platform refuses changes nothing here.
        if (_target.Errors(next).ToList() is { Count: > 0 } errors)
        {
            return await FailAsync(current, next, string.Join("; ", errors), null).ConfigureAwait(false);
        }

        var served = SubscriptionDiff.Filter(next.Subscriptions, _owns);
        var diff = SubscriptionDiff.Compute(_served, served);
        var undo = new Stack<Func<Task>>();
        try
        {
            // Order: stop what is paused, change subscriptions, then parameters, then resume; reference data first of all,
            // so new subscriptions resolve against it. Each step pushes its inverse, so a failure part-way undoes the rest.
            if (next.ReferenceDataVersion != current.ReferenceDataVersion)
            {
                await _target.ReloadReferenceDataAsync(next.ReferenceDataVersion, ct).ConfigureAwait(false);
            }

            foreach (var p in next.PausedProviders.Except(current.PausedProviders))
            {
                await _target.PauseProviderAsync(p, ct).ConfigureAwait(false);
                undo.Push(() => _target.ResumeProviderAsync(p, CancellationToken.None));
            }

            if (!diff.IsEmpty)
            {
                var before = _served;
                await _target.ApplySubscriptionsAsync(diff, ct).ConfigureAwait(false);
                undo.Push(() => _target.ApplySubscriptionsAsync(SubscriptionDiff.Compute(served, before), CancellationToken.None));
            }

            if (!next.PricingByClass.Equals(current.PricingByClass) || !next.PricingByInstrument.Equals(current.PricingByInstrument))
            {
                _target.SetPricing(next);
                undo.Push(() =>
                {
                    _target.SetPricing(current);
                    return Task.CompletedTask;
                });
            }

            if (!next.Detectors.Equals(current.Detectors))
            {
                _target.SetDetectors(next);
                undo.Push(() =>
                {
                    _target.SetDetectors(current);
                    return Task.CompletedTask;
                });
            }

            foreach (var p in current.PausedProviders.Except(next.PausedProviders))
            {
                await _target.ResumeProviderAsync(p, ct).ConfigureAwait(false);
                undo.Push(() => _target.PauseProviderAsync(p, CancellationToken.None));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await RollBackAsync(undo).ConfigureAwait(false);
            return await FailAsync(current, next, $"{ex.GetType().Name}: {ex.Message}", ex).ConfigureAwait(false);
        }

        Volatile.Write(ref _served, served);
        _current = next;
        _failed = null;
        _counters.OnApplied(next.Version);
        ControlLog.Applied(_logger, next.Version, current.Version, diff.Count);
        Changed?.Invoke(this, new ControlSnapshotChanged(current, next, diff));
        await ReportAppliedAsync(next.Version).ConfigureAwait(false);
        return await PublishAsync(Result(CommandResult.Applied, null, null, next.Version, "apply") with { CommandId = next.CommandId }).ConfigureAwait(false);
    }

    /// <summary>Best effort: each undo that throws is logged, and the others still run.</summary>
    private async Task RollBackAsync(Stack<Func<Task>> undo)
    {
        while (undo.TryPop(out var step))
        {
            try
            {
                await step().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                ControlLog.RollBackFailed(_logger, ex);
            }
        }
    }

    /// <summary>Records the failed version with its reason, so re-reads skip it rather than fail again; reports it once.</summary>
    private async Task<CommandResult> FailAsync(ControlSnapshot current, ControlSnapshot next, string reason, Exception? ex)
    {
        _counters.OnApplyFailure();
        _counters.OnRejected(RejectReasons.ApplyFailed);
        ControlLog.ApplyFailed(_logger, ex, next.Version, current.Version, reason);
        var result = Result(CommandResult.Rejected, $"{RejectReasons.ApplyFailed}: {reason}", null, next.Version, "apply") with { CommandId = next.CommandId };
        _failed = result;
        await ReportAppliedAsync(current.Version).ConfigureAwait(false); // the state shows the version that failed here, and why
        return await PublishAsync(result).ConfigureAwait(false);
    }

    private Task<CommandResult> NoOpAsync(ControlSnapshot current)
    {
        _counters.OnNoOp();
        return PublishAsync(Result(CommandResult.NoOp, $"version {current.Version} already applied", null, current.Version, "apply") with { CommandId = current.CommandId });
    }

    private async Task ReportAppliedAsync(long version)
    {
        try
        {
            var failure = _failed is { } f ? $"version {f.Version}: {f.Reason}" : null;
            await _store.ReportAppliedAsync(InstanceId, version, _options.AppliedTtl, failure).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ControlLog.StoreWriteFailed(_logger, ex, "applied version");
        }
    }

    private async Task<CommandResult> PublishAsync(CommandResult result)
    {
        try
        {
            await _store.PublishResultAsync(result).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ControlLog.StoreWriteFailed(_logger, ex, "result and audit");
        }

        return result;
    }

    private CommandResult Result(string status, string? reason, CommandEnvelope? env, long version, string stage) => new()
    {
        Status = status,
        Reason = reason,
        CommandId = env?.Id,
        Type = env?.Type,
        KeyId = env?.KeyId,
        Version = version,
        Instance = InstanceId,
        Stage = stage,
        At = _time.GetUtcNow(),
    };

    private static long StateDocumentVersion(string json)
    {
        try
        {
            return StateDocument.PeekVersion(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return 0;
        }
    }
}
