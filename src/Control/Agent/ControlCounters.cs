using System.Collections.Concurrent;

namespace Cloudwall.Rx.Control.Agent;

/// <summary>Counters of the control plane, for the lead's metrics export (suggested names in docs/control-plane.md).</summary>
public sealed class ControlCounters
{
    private long _submitted;
    private long _accepted;
    private long _applied;
    private long _noOps;
    private long _rejected;
    private long _stateReads;
    private long _reconnects;
    private long _signalsDropped;
    private long _applyFailures;
    private long _appliedVersion;
    private readonly ConcurrentDictionary<string, long> _rejectedByReason = new(StringComparer.Ordinal);

    /// <summary>Commands submitted to this process (cloudwall_control_commands_total).</summary>
    public long Submitted => Volatile.Read(ref _submitted);

    /// <summary>Commands that changed the desired state.</summary>
    public long Accepted => Volatile.Read(ref _accepted);

    /// <summary>Desired-state versions this instance applied.</summary>
    public long Applied => Volatile.Read(ref _applied);

    public long NoOps => Volatile.Read(ref _noOps);

    public long Rejected => Volatile.Read(ref _rejected);

    public long StateReads => Volatile.Read(ref _stateReads);

    public long Reconnects => Volatile.Read(ref _reconnects);

    /// <summary>Signals dropped because the signal queue was full (harmless: the next read of the state catches up).</summary>
    public long SignalsDropped => Volatile.Read(ref _signalsDropped);

    public long ApplyFailures => Volatile.Read(ref _applyFailures);

    public long AppliedVersion => Volatile.Read(ref _appliedVersion);

    /// <summary>Rejections by reason code (<see cref="Commands.RejectReasons"/>).</summary>
    public IReadOnlyDictionary<string, long> RejectedByReason => _rejectedByReason;

    internal void OnSubmitted() => Interlocked.Increment(ref _submitted);
    internal void OnAccepted() => Interlocked.Increment(ref _accepted);
    internal void OnApplied(long version)
    {
        Interlocked.Increment(ref _applied);
        Volatile.Write(ref _appliedVersion, version);
    }

    internal void OnNoOp() => Interlocked.Increment(ref _noOps);
    internal void OnRejected(string reason)
    {
        Interlocked.Increment(ref _rejected);
        _rejectedByReason.AddOrUpdate(reason, 1, static (_, n) => n + 1);
    }

    internal void OnStateRead() => Interlocked.Increment(ref _stateReads);
    internal void OnReconnect() => Interlocked.Increment(ref _reconnects);
    internal void OnSignalDropped() => Interlocked.Increment(ref _signalsDropped);
    internal void OnApplyFailure() => Interlocked.Increment(ref _applyFailures);
}
