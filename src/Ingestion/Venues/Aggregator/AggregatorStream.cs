using Cloudwall.Rx.Ingestion.Venues.Aggregator.Protocol;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Ingestion.Venues.Aggregator;

/// <summary>What one shard's stream is doing.</summary>
public enum AggregatorStreamState
{
    /// <summary>No criteria: no call is open.</summary>
    Idle,
    /// <summary>A call is open and no message has arrived on it yet.</summary>
    Connecting,
    /// <summary>Messages are arriving.</summary>
    Streaming,
    /// <summary>Waiting before a reconnect after a failure.</summary>
    Backoff,
    /// <summary>The server refused the token (UNAUTHENTICATED or PERMISSION_DENIED): stopped until its criteria change.</summary>
    Refused,
    /// <summary>The provider stopped.</summary>
    Stopped,
}

/// <summary>A snapshot of one shard: its criteria, state and counters.</summary>
/// <param name="StreamsOpened">Calls opened since start: 1 for a shard that never restarted.</param>
/// <param name="Restarts">Calls reopened because this shard's criteria changed.</param>
/// <param name="Reconnects">Calls reopened after a failure (including <paramref name="StaleRestarts"/>).</param>
/// <param name="LastSequence">The last <c>sequence_id</c> seen on the current call.</param>
public sealed record AggregatorShardStatus(
    int Index,
    IReadOnlyList<string> Criteria,
    AggregatorStreamState State,
    long StreamsOpened,
    long Restarts,
    long Reconnects,
    long StaleRestarts,
    long Refusals,
    long Updates,
    long Heartbeats,
    long LastSequence,
    long SequenceGaps,
    string? LastError);

/// <summary>
/// One shard of the aggregator provider: one server-streaming call at a time for the shard's criteria, reopened when the
/// criteria change (at once), when the call fails or ends (after a jittered exponential backoff), or when no market update has
/// arrived for <see cref="AggregatorProviderOptions.StaleAfter"/> (heartbeats keep the connection honest, not the data).
/// UNAUTHENTICATED and PERMISSION_DENIED stop the shard until its criteria change: retrying a refused token only hammers the server.
/// </summary>
/// <remarks>
/// Sequence check: <c>sequence_id</c> is contiguous per call, so the expected value resets on every new call. A jump forward is a
/// gap (counted, logged, reported as a <see cref="SequenceGap"/> naming the instrument of the update that revealed it); a heartbeat's
/// <c>last_sequence_id</c> ahead of the last update seen is a gap too (updates lost while otherwise idle). A repeat or step back is
/// logged and the sequence re-anchored. Rejected updates still consume their number, so a bad update is not also a gap.
/// </remarks>
internal sealed partial class AggregatorStream : IDisposable
{
    private readonly StreamMarketData.StreamMarketDataClient _client;
    private readonly AggregatorProviderOptions _options;
    private readonly ReferenceData _refData;
    private readonly IObserver<MarketEvent> _sink;
    private readonly Action<DeadLetter> _deadLetters;
    private readonly Action<SequenceGap>? _gaps;
    private readonly IngestionCounters _counters;
    private readonly Metadata _headers;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly EventValidator _validator;
    private readonly LogRateLimiter _logLimit;
    private readonly Lock _gate = new();
    private readonly List<string> _criteria = [];
    private readonly CancellationTokenSource _stop = new();
    private CancellationTokenSource _change = new();
    private Task _loop = Task.CompletedTask;
    private volatile AggregatorStreamState _state = AggregatorStreamState.Idle;
    private volatile string? _lastError;
    private long _lastDataTimestamp;
    private long _streamsOpened;
    private long _restarts;
    private long _reconnects;
    private long _staleRestarts;
    private long _refusals;
    private long _updates;
    private long _heartbeats;
    private long _lastSequence;
    private long _sequenceGaps;
    private readonly Backfill.BackfillTracker? _backfill;

    public AggregatorStream(int index, StreamMarketData.StreamMarketDataClient client, AggregatorProviderOptions options, ReferenceData refData,
        IObserver<MarketEvent> sink, Action<DeadLetter> deadLetters, Action<SequenceGap>? gaps, IngestionCounters counters, TimeProvider time,
        ILogger log, Backfill.BackfillTracker? backfill = null)
    {
        Index = index;
        _backfill = backfill;
        _client = client;
        _options = options;
        _refData = refData;
        _sink = sink;
        _deadLetters = deadLetters;
        _gaps = gaps;
        _counters = counters;
        _time = time;
        _log = log;
        _validator = new EventValidator(options.Bounds);
        _logLimit = new LogRateLimiter(FrameReasonText.KeySpace, time);
        _headers = AggregatorProvider.AuthHeaders(options);
    }

    public int Index { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _criteria.Count;
            }
        }
    }

    public bool Contains(string criteria)
    {
        lock (_gate)
        {
            return _criteria.Contains(criteria, StringComparer.Ordinal);
        }
    }

    public long SequenceGaps => Interlocked.Read(ref _sequenceGaps);

    public long Refusals => Interlocked.Read(ref _refusals);

    public AggregatorShardStatus Status()
    {
        string[] criteria;
        lock (_gate)
        {
            criteria = [.. _criteria];
        }

        return new AggregatorShardStatus(Index, criteria, _state, Interlocked.Read(ref _streamsOpened), Interlocked.Read(ref _restarts),
            Interlocked.Read(ref _reconnects), Interlocked.Read(ref _staleRestarts), Interlocked.Read(ref _refusals), Interlocked.Read(ref _updates),
            Interlocked.Read(ref _heartbeats), Interlocked.Read(ref _lastSequence), Interlocked.Read(ref _sequenceGaps), _lastError);
    }

    /// <summary>Starts the shard's loop; it opens a call as soon as the shard has criteria.</summary>
    public void Start(IEnumerable<string> criteria)
    {
        lock (_gate)
        {
            _criteria.AddRange(criteria);
        }

        _loop = Task.Run(RunAsync);
    }

    /// <summary>Adds criteria up to <paramref name="max"/> in all; a change restarts this shard's call (and only this one's).</summary>
    public void Add(Queue<string> pending, int max)
    {
        var changed = false;
        lock (_gate)
        {
            while (_criteria.Count < max && pending.Count > 0)
            {
                _criteria.Add(pending.Dequeue());
                changed = true;
            }
        }

        if (changed)
        {
            SignalChange();
        }
    }

    /// <summary>Removes criteria this shard carries; a change restarts its call, or closes it when none are left.</summary>
    public void Remove(IReadOnlySet<string> criteria)
    {
        int removed;
        lock (_gate)
        {
            removed = _criteria.RemoveAll(criteria.Contains);
        }

        if (removed > 0)
        {
            SignalChange();
        }
    }

    public void Dispose()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _stop.Cancel();
        try
        {
            // The loop ends promptly: every wait in it observes the stop token.
            _loop.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // The loop catches everything; nothing to add on shutdown.
        }

        _state = AggregatorStreamState.Stopped;
    }

    private void SignalChange()
    {
        CancellationTokenSource old;
        lock (_gate)
        {
            old = _change;
            _change = new CancellationTokenSource();
        }

        // Not disposed: the loop may still be linking to its token. A cancelled source without a timer holds nothing.
        old.Cancel();
    }

    private async Task RunAsync()
    {
        var stop = _stop.Token;
        var attempt = 0;
        while (!stop.IsCancellationRequested)
        {
            string[] criteria;
            CancellationToken change;
            lock (_gate)
            {
                criteria = [.. _criteria];
                change = _change.Token;
            }

            if (criteria.Length == 0)
            {
                _state = AggregatorStreamState.Idle;
                await WaitAsync(Timeout.InfiniteTimeSpan, stop, change).ConfigureAwait(false);
                continue;
            }

            CallResult result;
            using (var call = CancellationTokenSource.CreateLinkedTokenSource(stop, change))
            {
                result = await RunCallAsync(criteria, call.Token).ConfigureAwait(false);
            }

            if (stop.IsCancellationRequested)
            {
                break;
            }

            if (change.IsCancellationRequested)
            {
                Interlocked.Increment(ref _restarts);
                LogRestart(_log, Index, Count);
                attempt = 0;
                continue;
            }

            if (result.Outcome == CallOutcome.Refused)
            {
                _state = AggregatorStreamState.Refused;
                await WaitAsync(Timeout.InfiniteTimeSpan, stop, change).ConfigureAwait(false);
                attempt = 0;
                continue;
            }

            if (result.GotMessages)
            {
                attempt = 0;
            }

            Interlocked.Increment(ref _reconnects);
            _counters.RecordReconnect();
            _backfill?.OnReconnect(); // what the call missed while down is fetched back (docs/backfill.md)
            var delay = Backoff.Delay(++attempt, _options.ReconnectDelay, _options.MaxReconnectDelay, Random.Shared.NextDouble());
            _state = AggregatorStreamState.Backoff;
            LogReconnecting(_log, Index, result.Outcome.ToString(), result.Detail, delay.TotalMilliseconds);
            await WaitAsync(delay, stop, change).ConfigureAwait(false);
        }

        _state = AggregatorStreamState.Stopped;
    }

    private async Task<CallResult> RunCallAsync(string[] criteria, CancellationToken token)
    {
        var request = new SubscribeRequest();
        var aggregates = _options.Aggregate is { } period ? new SubscribeAggregatesRequest { Aggregate = period } : null;
        foreach (var c in criteria)
        {
            (aggregates?.Criteria ?? request.Criteria).Add(AggregatorCriteria.ToProto(c));
        }

        using var watch = new CallWatch(this, token);
        using var timer = _options.StaleAfter == Timeout.InfiniteTimeSpan
            ? null
            : _time.CreateTimer(static s => ((CallWatch)s!).Check(), watch, WatchPeriod(_options.StaleAfter), WatchPeriod(_options.StaleAfter));
        Interlocked.Increment(ref _streamsOpened);
        Interlocked.Exchange(ref _lastSequence, 0);
        Volatile.Write(ref _lastDataTimestamp, _time.GetTimestamp());
        _state = AggregatorStreamState.Connecting;
        LogOpening(_log, Index, criteria.Length);
        var got = false;
        try
        {
            using var call = aggregates is null
                ? _client.Subscribe(request, _headers, cancellationToken: watch.Token)
                : _client.SubscribeAggregates(aggregates, _headers, cancellationToken: watch.Token);
            while (await call.ResponseStream.MoveNext(watch.Token).ConfigureAwait(false))
            {
                if (!got)
                {
                    got = true;
                    _state = AggregatorStreamState.Streaming;
                    _lastError = null;
                }

                var message = call.ResponseStream.Current;
                // Ingress is the message's serialized size (gRPC hands over the parsed message, not its bytes): an update
                // counts for its venue, anything else for the provider as a whole (VenueId.None).
                var size = message.CalculateSize();
                switch (message.PayloadCase)
                {
                    case StreamMessage.PayloadOneofCase.Update:
                        OnUpdate(message.Update, size);
                        break;
                    case StreamMessage.PayloadOneofCase.Aggregate:
                        OnAggregate(message.Aggregate, size);
                        break;
                    case StreamMessage.PayloadOneofCase.Heartbeat:
                        _counters.Ingress(VenueId.None).Record(size);
                        OnHeartbeat(message.Heartbeat);
                        break;
                    default:
                        // A payload this client does not know yet (a newer server): understood as "not for us".
                        _counters.Ingress(VenueId.None).Record(size);
                        _counters.Record(FrameOutcome.Ignored(FrameReason.Unsupported));
                        break;
                }
            }

            return Fail(CallOutcome.Ended, got, "the server ended the stream");
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
        {
            Interlocked.Increment(ref _refusals);
            _lastError = ex.StatusCode + ": " + ex.Status.Detail;
            // A refusal is the venue saying no: counted and dead-lettered like any venue error, so dashboards see it.
            var rx = UnixTime.FromTimeProvider(_time);
            _counters.Record(FrameOutcome.Rejected(FrameReason.VenueError));
            _deadLetters(DeadLetter.Create(ProviderId.Aggregator, VenueId.None, FrameReason.VenueError, rx, [], _lastError));
            LogRefused(_log, Index, ex.StatusCode.ToString(), ex.Status.Detail);
            return new CallResult(CallOutcome.Refused, got, _lastError);
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException && token.IsCancellationRequested)
        {
            return new CallResult(CallOutcome.Cancelled, got, null);
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException && watch.IsStale)
        {
            Interlocked.Increment(ref _staleRestarts);
            LogStale(_log, Index, _options.StaleAfter.TotalSeconds);
            return Fail(CallOutcome.Stale, got, $"no market update for {_options.StaleAfter.TotalSeconds:0.###} s");
        }
        catch (RpcException ex)
        {
            return Fail(CallOutcome.Failed, got, ex.StatusCode + ": " + ex.Status.Detail);
        }
        catch (Exception ex)
        {
            // Transport surprises (and a throwing observer) must not end the shard: log, back off, reconnect.
            LogCallFailed(_log, Index, ex);
            return Fail(CallOutcome.Failed, got, ex.GetType().Name + ": " + ex.Message);
        }
    }

    private CallResult Fail(CallOutcome outcome, bool got, string detail)
    {
        _lastError = detail;
        return new CallResult(outcome, got, detail);
    }

    /// <param name="size">The message's bytes, counted for the decoded event's venue (else the exchange code's, else none).</param>
    private void OnUpdate(MarketUpdate update, int size)
    {
        var rx = UnixTime.FromTimeProvider(_time);
        FrameOutcome outcome;
        MarketEvent e;
        string? detail;
        try
        {
            outcome = AggregatorDecoder.Convert(update, _refData, rx, out e, out detail);
        }
        catch (Exception ex)
        {
            outcome = ConvertThrew(ex, out e, out detail);
        }

        Deliver(outcome, e, detail, update.Exchange, update.SequenceId, update, size, rx);
    }

    /// <summary>A bar (the <c>bars</c> level): decoded to a <see cref="Bar"/>, delivered as its VWAP trade.</summary>
    private void OnAggregate(AggregateUpdate aggregate, int size)
    {
        var rx = UnixTime.FromTimeProvider(_time);
        FrameOutcome outcome;
        MarketEvent e = default;
        string? detail;
        try
        {
            outcome = AggregatorDecoder.ConvertAggregate(aggregate, _refData, out var bar, out detail);
            if (outcome.Status == FrameStatus.Decoded)
            {
                e = AggregatorDecoder.TradeOf(bar, unchecked((long)aggregate.SequenceId), rx);
            }
        }
        catch (Exception ex)
        {
            outcome = ConvertThrew(ex, out e, out detail);
        }

        Deliver(outcome, e, detail, aggregate.Exchange, aggregate.SequenceId, aggregate, size, rx);
    }

    /// <summary>The conversion must not throw; if it does, the message is dead-lettered and the stream carries on.</summary>
    private FrameOutcome ConvertThrew(Exception ex, out MarketEvent e, out string? detail)
    {
        _counters.RecordDecoderException();
        LogConvertThrew(_log, Index, ex);
        e = default;
        detail = ex.GetType().Name;
        return FrameOutcome.Rejected(FrameReason.Malformed);
    }

    private void Deliver(FrameOutcome outcome, in MarketEvent e, string? detail, string exchange, ulong sequenceId, IMessage raw, int size, long rx)
    {
        Interlocked.Increment(ref _updates);
        Volatile.Write(ref _lastDataTimestamp, _time.GetTimestamp());

        // The same rules as every WebSocket venue's (FrameHandler): one update is one event, so a bad one rejects the update.
        if (outcome.Status == FrameStatus.Decoded && _validator.Check(in e, rx) is var invalid and not FrameReason.None)
        {
            _counters.RecordRejectedEvent(invalid);
            detail = EventValidator.Describe(in e, invalid, rx, _refData.KeyOf(e.Instrument));
            outcome = FrameOutcome.Rejected(invalid);
        }

        // The exchange code is looked up only where the event names no venue (a reject), not once per update.
        var venue = e.Venue;
        if (venue == VenueId.None)
        {
            AggregatorCodes.TryVenue(exchange, out venue);
        }

        _counters.Ingress(venue).Record(size);
        CheckSequence(sequenceId, e.Venue, e.Instrument, rx);
        _counters.Record(outcome);
        if (outcome.Status == FrameStatus.Rejected)
        {
            if (_logLimit.TryAcquire((int)outcome.Reason, out var suppressed))
            {
                LogRejected(_log, Index, outcome.Reason.ToText(), detail ?? "", suppressed);
            }

            AggregatorCodes.TryVenue(exchange, out var exchangeVenue); // the dead letter names the update's own exchange
            _deadLetters(DeadLetter.Create(ProviderId.Aggregator, exchangeVenue, outcome.Reason, rx, raw.ToByteArray(), detail));
            return;
        }

        _sink.OnNext(e);
        if (e.Kind == EventKind.Trade)
        {
            _backfill?.OnTrade(in e);
        }
    }

    private void OnHeartbeat(Heartbeat heartbeat)
    {
        Interlocked.Increment(ref _heartbeats);
        _counters.Record(FrameOutcome.Ignored(FrameReason.Heartbeat));
        var last = Interlocked.Read(ref _lastSequence);
        var reported = unchecked((long)heartbeat.LastSequenceId);
        if (reported > last && last > 0)
        {
            ReportGap(last, reported + 1, VenueId.None, InstrumentId.None, UnixTime.FromTimeProvider(_time));
            Interlocked.Exchange(ref _lastSequence, reported);
        }
    }

    private void CheckSequence(ulong sequenceId, VenueId venue, InstrumentId instrument, long rx)
    {
        var seq = unchecked((long)sequenceId);
        if (seq <= 0)
        {
            return; // no sequence given
        }

        var last = Interlocked.Exchange(ref _lastSequence, seq);
        if (last == 0 || seq == last + 1)
        {
            return;
        }

        if (seq > last + 1)
        {
            ReportGap(last, seq, venue, instrument, rx);
        }
        else
        {
            LogSequenceBack(_log, Index, last, seq);
        }
    }

    private void ReportGap(long last, long received, VenueId venue, InstrumentId instrument, long rx)
    {
        Interlocked.Increment(ref _sequenceGaps);
        LogGap(_log, Index, last, received, received - last - 1);
        _gaps?.Invoke(new SequenceGap(ProviderId.Aggregator, venue, instrument, EventKind.Trade, last, received, rx));
        _backfill?.OnStreamGap(); // sequence_id numbers the whole call: any of its instruments may have lost trades
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken stop, CancellationToken change)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(stop, change);
        try
        {
            await Task.Delay(delay, _time, both.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped, or the criteria changed: the loop decides.
        }
    }

    private static TimeSpan WatchPeriod(TimeSpan staleAfter) => TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 10, staleAfter.Ticks / 4));

    private enum CallOutcome
    {
        Cancelled,
        Refused,
        Ended,
        Stale,
        Failed,
    }

    private readonly record struct CallResult(CallOutcome Outcome, bool GotMessages, string? Detail);

    /// <summary>One call's cancellation: the caller's token, plus the stale watchdog's verdict.</summary>
    private sealed class CallWatch(AggregatorStream owner, CancellationToken token) : IDisposable
    {
        private readonly CancellationTokenSource _cts = CancellationTokenSource.CreateLinkedTokenSource(token);
        private int _stale;

        public CancellationToken Token => _cts.Token;

        public bool IsStale => Volatile.Read(ref _stale) != 0;

        public void Check()
        {
            var idle = owner._time.GetElapsedTime(Volatile.Read(ref owner._lastDataTimestamp));
            if (idle < owner._options.StaleAfter || Interlocked.Exchange(ref _stale, 1) != 0)
            {
                return;
            }

            try
            {
                _cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The call already ended.
            }
        }

        public void Dispose() => _cts.Dispose();
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Aggregator stream #{Shard}: opening a call for {Count} criteria")]
    private static partial void LogOpening(ILogger logger, int shard, int count);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Aggregator stream #{Shard}: criteria changed, restarted with {Count} criteria")]
    private static partial void LogRestart(ILogger logger, int shard, int count);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Aggregator stream #{Shard} {Outcome} ({Detail}); reconnecting in {DelayMs} ms")]
    private static partial void LogReconnecting(ILogger logger, int shard, string outcome, string? detail, double delayMs);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Error,
        Message = "Aggregator stream #{Shard} refused by the server ({Status}: {Detail}); check the API token and its entitlements. This shard is stopped until its subscriptions change")]
    private static partial void LogRefused(ILogger logger, int shard, string status, string detail);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "Aggregator stream #{Shard}: no market update for {Seconds} s; restarting the stream")]
    private static partial void LogStale(ILogger logger, int shard, double seconds);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Error, Message = "Aggregator stream #{Shard} call failed unexpectedly")]
    private static partial void LogCallFailed(ILogger logger, int shard, Exception exception);

    [LoggerMessage(EventId = 1207, Level = LogLevel.Warning,
        Message = "Aggregator stream #{Shard}: rejected update ({Reason}: {Detail}); dead-lettered ({Suppressed} more since the last line)")]
    private static partial void LogRejected(ILogger logger, int shard, string reason, string detail, long suppressed);

    [LoggerMessage(EventId = 1208, Level = LogLevel.Error, Message = "Aggregator stream #{Shard}: update conversion threw; dead-lettered as malformed")]
    private static partial void LogConvertThrew(ILogger logger, int shard, Exception exception);

    [LoggerMessage(EventId = 1209, Level = LogLevel.Warning, Message = "Aggregator stream #{Shard}: sequence gap after {Last}: got {Received} ({Missing} missing)")]
    private static partial void LogGap(ILogger logger, int shard, long last, long received, long missing);

    [LoggerMessage(EventId = 1210, Level = LogLevel.Warning, Message = "Aggregator stream #{Shard}: sequence went back from {Last} to {Received}")]
    private static partial void LogSequenceBack(ILogger logger, int shard, long last, long received);
}
