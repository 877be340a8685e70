using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Ingestion.Backfill;

/// <summary>
/// One provider's gap-fill: a bounded queue of fill requests (<see cref="BackfillOptions.QueueCapacity"/>, overflow
/// <see cref="BackfillOptions.Overflow"/>) drained by one worker, so a provider, and therefore each of its connections, runs one
/// fill at a time. For each request the worker waits <see cref="BackfillOptions.SettleDelay"/>, skips a break longer than
/// <see cref="BackfillOptions.MaxGap"/> or larger than <see cref="BackfillOptions.MaxTrades"/>, fetches through the venue's
/// <see cref="IBackfillClient"/>, keeps only the trades strictly inside the break that the stream did not deliver (by trade id;
/// by id range too where ids are consecutive), validates them with the one <see cref="EventValidator"/>, flags them
/// <see cref="EventFlags.Backfill"/>, sorts them by exchange time and hands them on as one batch. Every break ends in a
/// <see cref="BackfillOutcome"/>: counted, reported to the <see cref="IBackfillSink"/>, and logged when not complete.
/// A bad answer is dead-lettered; nothing a venue sends stops the worker.
/// </summary>
public sealed partial class BackfillCoordinator : IAsyncDisposable
{
    private readonly IBackfillClient _client;
    private readonly BackfillOptions _options;
    private readonly BackfillCounters _counters;
    private readonly IngestionCounters _ingestion;
    private readonly IBackfillSink? _sink;
    private readonly Action<DeadLetter> _deadLetters;
    private readonly EventValidator _validator;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LogRateLimiter _logLimit;
    private readonly Channel<BackfillTicket> _queue;
    private readonly CancellationTokenSource _stop = new();
    private IEventBatchObserver? _output;
    private Task _worker = Task.CompletedTask;
    private long _queued;
    private int _disposed;

    public BackfillCoordinator(IBackfillClient client, BackfillOptions options, IngestionCounters counters, Action<DeadLetter> deadLetters,
        IBackfillSink? sink = null, EventBounds? bounds = null, TimeProvider? time = null, ILogger? logger = null)
    {
        _client = client;
        _options = options;
        _ingestion = counters;
        _counters = counters.Backfill;
        _deadLetters = deadLetters;
        _sink = sink;
        _validator = new EventValidator(bounds);
        _time = time ?? TimeProvider.System;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _logLimit = new LogRateLimiter(8, _time);
        _queue = Channel.CreateBounded<BackfillTicket>(
            new BoundedChannelOptions(options.QueueCapacity)
            {
                SingleReader = true,
                FullMode = options.Overflow == BackfillOverflow.DropOldest ? BoundedChannelFullMode.DropOldest : BoundedChannelFullMode.DropWrite,
            },
            // Both full modes hand the dropped request here: DropWrite the new one (TryWrite still returns true), DropOldest the oldest.
            Dropped);
    }

    /// <summary>Requests waiting (not counting the one being fetched).</summary>
    public int Queued => (int)Math.Max(0, Interlocked.Read(ref _queued));

    public BackfillOptions Options => _options;

    /// <summary>The venue's REST symbol of an instrument (the client's rule), or null.</summary>
    internal string? SymbolOf(ReferenceData refData, InstrumentId instrument, VenueId venue) => _client.SymbolOf(refData, instrument, venue);

    /// <summary>The coordinator's clock, Unix ns: when a tracker closes a break.</summary>
    internal long NowNs => UnixTime.FromTimeProvider(_time);

    /// <summary>A tracker for one connection, whose breaks this coordinator fills.</summary>
    public BackfillTracker CreateTracker(ReferenceData refData, SequenceScope scope, int connection) => new(this, refData, scope, connection);

    /// <summary>Starts the worker, handing filled trades to <paramref name="output"/> (the provider's subscriber). Once.</summary>
    public void Start(IEventBatchObserver output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (Interlocked.CompareExchange(ref _output, output, null) is not null)
        {
            throw new InvalidOperationException("back-fill already started");
        }

        _worker = Task.Run(RunAsync);
    }

    /// <summary>From a tracker (a connection's thread): queues a request; a full queue applies the overflow policy. Never blocks.</summary>
    internal void Submit(BackfillTicket ticket)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            ticket.Tracker.Done(ticket);
            return;
        }

        Interlocked.Increment(ref _queued);
        if (!_queue.Writer.TryWrite(ticket))
        {
            Dropped(ticket); // only once the writer is completed (disposing): nothing will read it
        }
    }

    /// <summary>A request the queue did not keep: no longer waiting, counted and reported as dropped.</summary>
    private void Dropped(BackfillTicket ticket)
    {
        Interlocked.Decrement(ref _queued);
        Report(ticket, new BackfillOutcome(ticket.Request, BackfillResult.Dropped, 0, ticket.Request.ExpectedCount(_client.ConsecutiveIds), 0,
            $"fill queue full ({_options.QueueCapacity}, {_options.Overflow})"));
    }

    private async Task RunAsync()
    {
        try
        {
            await foreach (var ticket in _queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                Interlocked.Decrement(ref _queued);
                BackfillOutcome outcome;
                try
                {
                    outcome = await FillAsync(ticket).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    ticket.Tracker.Done(ticket);
                    return;
                }
                catch (Exception ex)
                {
                    // Anything unexpected ends this fill as failed; the worker goes on with the next.
                    outcome = Failed(ticket.Request, ex.Message);
                }

                Report(ticket, outcome);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private async Task<BackfillOutcome> FillAsync(BackfillTicket ticket)
    {
        var request = ticket.Request;
        var expected = request.ExpectedCount(_client.ConsecutiveIds);
        if (request.Span > _options.MaxGap || expected > _options.MaxTrades)
        {
            return new BackfillOutcome(request, BackfillResult.Skipped, 0, expected, 0,
                $"break of {request.Span.TotalSeconds:0.###} s{(expected is { } n ? $" and {n} trades" : "")} is over the limit ({_options.MaxGap.TotalSeconds:0.###} s, {_options.MaxTrades} trades)");
        }

        var settleUntil = request.DetectedNs + (long)_options.SettleDelay.TotalNanoseconds;
        var wait = settleUntil - UnixTime.FromTimeProvider(_time);
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromTicks(wait / 100), _time, _stop.Token).ConfigureAwait(false);
        }

        var started = _time.GetTimestamp();
        BackfillFetch fetch;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            timeout.CancelAfter(_options.FillTimeout);
            try
            {
                fetch = await _client.FetchAsync(request, _options.MaxTrades, UnixTime.FromTimeProvider(_time), timeout.Token).ConfigureAwait(false);
            }
            catch (BackfillException ex)
            {
                var now = UnixTime.FromTimeProvider(_time);
                _deadLetters(DeadLetter.Create(request.Provider, request.Venue, ex.Reason, now, ex.Body, $"back-fill {request.Symbol}: {ex.Message}"));
                _ingestion.RecordRejectedEvent(ex.Reason);
                return Failed(request, ex.Message, _time.GetElapsedTime(started).TotalSeconds);
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
                return Failed(request, $"no complete answer within {_options.FillTimeout.TotalSeconds:0.###} s", _time.GetElapsedTime(started).TotalSeconds);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Transport failures after the retries, an open circuit: not the venue's data, so no dead letter.
                return Failed(request, ex.Message, _time.GetElapsedTime(started).TotalSeconds);
            }
        }

        var trades = Select(ticket, fetch.Trades, out var delivered);
        if (trades.Length > 0)
        {
            await _output!.OnNextBatchAsync(trades, _stop.Token).ConfigureAwait(false);
        }

        var seconds = _time.GetElapsedTime(started).TotalSeconds;
        // Trades inside the break that the stream did deliver (a snapshot on resubscribe: Coinbase's last_match) are not missing.
        long? missing = expected is { } e ? Math.Max(0, e - trades.Length - delivered) : fetch.ReachedStart ? 0 : null;
        var result = missing is 0 ? BackfillResult.Complete : BackfillResult.Partial;
        var error = result == BackfillResult.Complete ? null
            : missing is { } m ? $"{m} of {expected} trades are no longer served" : "the venue's history no longer reaches the start of the break";
        return new BackfillOutcome(request, result, trades.Length, missing, seconds, error);
    }

    /// <summary>
    /// The fetched trades that belong to the break and were not delivered: the instrument's trades strictly between the bounds,
    /// in time (and in id where ids are consecutive), not known to the stream, each id once, valid; flagged and sorted.
    /// </summary>
    /// <param name="delivered">Trades inside the break the stream delivered after all (kept out, and not missing).</param>
    private MarketEvent[] Select(BackfillTicket ticket, IReadOnlyList<MarketEvent> fetched, out int delivered)
    {
        delivered = 0;
        var r = ticket.Request;
        var byId = _client.ConsecutiveIds && r.FromId.Kind == TradeIdKind.Numeric && r.ToId.Kind == TradeIdKind.Numeric;
        var seen = new HashSet<TradeId>();
        var kept = new List<MarketEvent>(fetched.Count);
        var now = UnixTime.FromTimeProvider(_time);
        foreach (var t in fetched)
        {
            if (t.Kind != EventKind.Trade || t.Instrument != r.Instrument || t.TradeId.IsNone || t.TradeId == r.FromId || t.TradeId == r.ToId)
            {
                continue;
            }

            var inside = byId
                ? t.TradeId.Kind == TradeIdKind.Numeric && t.TradeId.AsLong > r.FromId.AsLong && t.TradeId.AsLong < r.ToId.AsLong
                : t.ExchangeTimeNs >= r.FromTimeNs && t.ExchangeTimeNs <= r.ToTimeNs;
            if (!inside || !seen.Add(t.TradeId))
            {
                continue;
            }

            if (ticket.Tracker.IsKnown(ticket, t.TradeId))
            {
                delivered++;
                continue;
            }

            var e = t with { Flags = t.Flags | EventFlags.Backfill, ReceiveTimeNs = t.ReceiveTimeNs > 0 ? t.ReceiveTimeNs : now };
            var reason = _validator.Check(in e, e.ReceiveTimeNs);
            if (reason != FrameReason.None)
            {
                _ingestion.RecordRejectedEvent(reason);
                var detail = EventValidator.Describe(in e, reason, e.ReceiveTimeNs, r.Symbol);
                _deadLetters(DeadLetter.Create(r.Provider, r.Venue, reason, e.ReceiveTimeNs, [], "back-fill " + detail));
                continue;
            }

            kept.Add(e);
        }

        var result = kept.ToArray();
        Array.Sort(result, static (a, b) => a.ExchangeTimeNs != b.ExchangeTimeNs ? a.ExchangeTimeNs.CompareTo(b.ExchangeTimeNs)
            : a.TradeId.Kind == TradeIdKind.Numeric && b.TradeId.Kind == TradeIdKind.Numeric ? a.TradeId.AsLong.CompareTo(b.TradeId.AsLong) : 0);
        return result;
    }

    private BackfillOutcome Failed(BackfillRequest request, string why, double seconds = 0) =>
        new(request, BackfillResult.Failed, 0, request.ExpectedCount(_client.ConsecutiveIds), seconds, why);

    private void Report(BackfillTicket ticket, BackfillOutcome outcome)
    {
        ticket.Tracker.Done(ticket);
        _counters.Record(outcome);
        try
        {
            _sink?.OnBackfill(outcome);
        }
        catch (Exception ex)
        {
            LogSinkFailed(ex, outcome.Request.Provider.Name);
        }

        var r = outcome.Request;
        if (outcome.Result == BackfillResult.Complete)
        {
            LogFilled(r.Provider.Name, r.Symbol, outcome.Filled, r.Reason, outcome.Seconds * 1000);
        }
        else if (_logLimit.TryAcquire((int)outcome.Result, out var suppressed))
        {
            LogIncomplete(r.Provider.Name, r.Symbol, BackfillOutcome.ResultText(outcome.Result), outcome.Filled,
                outcome.Missing?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown", outcome.Error ?? "", suppressed);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _worker.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped mid-fill.
        }

        _stop.Dispose();
    }

    [LoggerMessage(EventId = 1450, Level = LogLevel.Information,
        Message = "Back-fill {Provider} {Symbol}: {Filled} trades fetched back after a {Reason} in {Ms:0} ms")]
    private partial void LogFilled(string provider, string symbol, long filled, BackfillReason reason, double ms);

    [LoggerMessage(EventId = 1451, Level = LogLevel.Warning,
        Message = "Back-fill {Provider} {Symbol} {Result}: {Filled} trades fetched, {Missing} missing: {Why} ({Suppressed} more since the last line)")]
    private partial void LogIncomplete(string provider, string symbol, string result, long filled, string missing, string why, long suppressed);

    [LoggerMessage(EventId = 1452, Level = LogLevel.Error, Message = "Back-fill {Provider}: the outcome sink threw")]
    private partial void LogSinkFailed(Exception ex, string provider);
}
