using System.Threading.Channels;
using Cloudwall.Rx.Control.Agent;
using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Control.State;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Control.Bus;

/// <summary>The control plane of one instance: submit commands, and keep this instance's applied snapshot up to date.</summary>
public interface IControlBus : IAsyncDisposable
{
    string InstanceId { get; }

    IControlSnapshotSource Snapshots { get; }

    ControlAgent Agent { get; }

    ControlCounters Counters { get; }

    IControlStateStore Store { get; }

    /// <summary>Subscribes to signals and applies the stored state. Call once.</summary>
    Task StartAsync(CancellationToken ct = default);

    /// <summary>
    /// Submits one envelope (the body of <c>POST /commands</c>): the same checks and state change on every bus. Answer with
    /// <see cref="CommandResult.ToJson"/> and <see cref="CommandResult.HttpStatus"/>.
    /// </summary>
    Task<CommandResult> SubmitAsync(string envelopeJson, CancellationToken ct = default);
}

/// <summary>
/// The shared code path of both buses: one processor for submissions, one agent for applying, and a single pump that handles
/// signals in order. Only the store differs (memory or Redis).
/// </summary>
public abstract class ControlBus : IControlBus
{
    private readonly Channel<ControlSignal> _signals;
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;
    private readonly ControlOptions _options;
    private Task _pump = Task.CompletedTask;
    private Task _resync = Task.CompletedTask;
    private int _started;

    protected ControlBus(IControlStateStore store, IControlTarget target, SigningKeyRing keys, ControlOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        Store = store;
        _signals = Channel.CreateBounded<ControlSignal>(
            new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Counters.OnSignalDropped());
        _time = time;
        _options = options;
        Logger = loggers.CreateLogger("Cloudwall.Rx.Control");
        Processor = new ControlCommandProcessor(keys, store, options, time, Counters, Logger, target.Errors);
        Agent = new ControlAgent(target, keys, store, options, time, Counters, Logger);
    }

    public string InstanceId => Agent.InstanceId;

    public IControlSnapshotSource Snapshots => Agent;

    public ControlAgent Agent { get; }

    public ControlCounters Counters { get; } = new();

    public IControlStateStore Store { get; }

    public ControlCommandProcessor Processor { get; }

    protected ILogger Logger { get; }

    protected CancellationToken Stopping => _stop.Token;

    public virtual async Task StartAsync(CancellationToken ct = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("the control bus is already started");
        }

        await Store.SubscribeAsync(OnSignalAsync).ConfigureAwait(false);
        _pump = Task.Run(PumpAsync, CancellationToken.None);
        await Agent.ReconcileAsync(reportNoOp: false, ct).ConfigureAwait(false);
        _resync = Task.Run(ResyncAsync, CancellationToken.None);
    }

    public virtual Task<CommandResult> SubmitAsync(string envelopeJson, CancellationToken ct = default) => Processor.SubmitAsync(envelopeJson, ct);

    /// <summary>Asks for a re-read of the state (after a reconnect); handled in order with signals.</summary>
    protected void RequestReconcile() => _signals.Writer.TryWrite(new ControlSignal { Kind = ControlSignal.StateKind, Version = -1 });

    /// <summary>Signals are queued for the pump. The queue drops the oldest when full, which loses nothing: the state is the truth.</summary>
    protected virtual Task OnSignalAsync(ControlSignal signal)
    {
        _signals.Writer.TryWrite(signal);
        return Task.CompletedTask;
    }

    /// <summary>Handles one signal now, on the caller (the in-process bus uses this so a submission returns after it applied).</summary>
    protected async Task HandleSignalAsync(ControlSignal signal, CancellationToken ct)
    {
        if (signal.Kind == ControlSignal.SnapshotKind)
        {
            if (signal.Envelope is not null) await Agent.HandleSnapshotRequestAsync(signal.Envelope).ConfigureAwait(false);
            return;
        }

        // A signal for a version already applied, or a reconnect, is reported as a no-op; the state is read either way.
        await Agent.ReconcileAsync(reportNoOp: true, ct).ConfigureAwait(false);
    }

    private async Task PumpAsync()
    {
        try
        {
            await foreach (var signal in _signals.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    await HandleSignalAsync(signal, _stop.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    ControlLog.SignalFailed(Logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ResyncAsync()
    {
        using var timer = new PeriodicTimer(_options.ResyncInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    await Agent.ReconcileAsync(reportNoOp: false, _stop.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    ControlLog.SignalFailed(Logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _signals.Writer.TryComplete();
        await Task.WhenAll(_pump, _resync).ConfigureAwait(false);
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// The bus without Redis: the same envelope, signatures, checks and state machine, with the state in memory. A submission
/// returns after this instance applied it. Reach it through <c>POST /commands</c> on the admin port (<see cref="ControlBus.SubmitAsync"/>).
/// </summary>
public sealed class InProcessControlBus : ControlBus
{
    public InProcessControlBus(IControlTarget target, SigningKeyRing keys, ControlOptions options, TimeProvider? time = null, ILoggerFactory? loggers = null)
        : this(new InMemoryControlStateStore(options.AuditCapacity, time), target, keys, options, time ?? TimeProvider.System, loggers)
    {
    }

    private InProcessControlBus(InMemoryControlStateStore store, IControlTarget target, SigningKeyRing keys, ControlOptions options, TimeProvider time, ILoggerFactory? loggers)
        : base(store, target, keys, options, time, loggers ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance)
    {
        MemoryStore = store;
    }

    public InMemoryControlStateStore MemoryStore { get; }

    // Inline: the submitter awaits the apply, so POST /commands answers after the change is live here.
    protected override Task OnSignalAsync(ControlSignal signal) => HandleSignalAsync(signal, Stopping);
}
