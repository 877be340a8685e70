using Cloudwall.Rx.Core;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Ingestion;

/// <summary>
/// The safe handler around a decoder: it never lets a frame end the stream. Exceptions and rejections are counted,
/// logged (at most one line per reason per <see cref="LogRateLimiter.DefaultInterval"/>) and dead-lettered; good events go
/// to the callback. After decoding, every event passes <see cref="EventValidator"/> (one copy of the rule for every venue):
/// a bad event is removed, dead-lettered on its own and counted by reason, and the good events of the same frame still pass.
/// A frame whose events are all bad is <see cref="FrameStatus.Rejected"/> with the first bad event's reason.
/// Not thread-safe: one per connection, called from that connection's receive loop.
/// </summary>
public sealed partial class FrameHandler
{
    private readonly IFrameDecoder _decoder;
    private readonly ProviderId _provider;
    private readonly IngestionCounters _counters;
    private readonly Action<DeadLetter> _deadLetters;
    private readonly ILogger _logger;
    private readonly EventValidator _validator;
    private readonly LogRateLimiter _logLimit;
    private readonly ReferenceData? _refData;
    private readonly EventBuffer _buffer = new(64);
    private FrameReason[] _verdicts = new FrameReason[64];

    /// <param name="bounds">The validator's timestamp bounds; null: <see cref="EventBounds.Default"/>.</param>
    /// <param name="refData">Names instruments in dead-letter details; null: the numeric instrument id.</param>
    /// <param name="time">The clock of the log rate limit.</param>
    public FrameHandler(IFrameDecoder decoder, ProviderId provider, IngestionCounters counters, Action<DeadLetter> deadLetters, ILogger logger,
        EventBounds? bounds = null, ReferenceData? refData = null, TimeProvider? time = null)
    {
        _decoder = decoder;
        _provider = provider;
        _counters = counters;
        _deadLetters = deadLetters;
        _logger = logger;
        _validator = new EventValidator(bounds);
        _logLimit = new LogRateLimiter(FrameReasonText.KeySpace, time);
        _refData = refData;
    }

    /// <summary>
    /// Decodes one frame and hands each good event to <paramref name="onEvent"/>, and each event refused by validation
    /// (already dead-lettered) to <paramref name="onRefused"/>, in the frame's order: a refused event still takes its
    /// sequence number, so the caller's sequence check does not see a gap that is not there. Returns the outcome.
    /// </summary>
    public FrameOutcome Handle<TState>(ReadOnlySpan<byte> frame, long receiveTimeNs, TState state, EventAction<TState> onEvent,
        EventAction<TState>? onRefused = null)
    {
        _buffer.Clear();
        FrameOutcome outcome;
        try
        {
            outcome = _decoder.Decode(frame, receiveTimeNs, _buffer);
        }
        catch (Exception ex)
        {
            // A decoder must not throw; if one does, the frame is dead-lettered and the stream carries on.
            _counters.RecordDecoderException();
            LogDecoderThrew(ex, _decoder.Venue.Name);
            _buffer.Clear();
            outcome = FrameOutcome.Rejected(FrameReason.Malformed);
        }

        // Rejected by the decoder: the frame is the dead letter. Rejected by validation (every event bad): each event already
        // is one, and the refused events still go to onRefused below.
        var validated = outcome.Status != FrameStatus.Rejected;
        if (validated)
        {
            outcome = Validate(frame, receiveTimeNs, outcome);
        }

        _counters.Record(outcome);
        if (!validated)
        {
            if (_logLimit.TryAcquire((int)outcome.Reason, out var suppressed))
            {
                LogRejected(_decoder.Venue.Name, outcome.Reason.ToText(), frame.Length, suppressed);
            }

            _deadLetters(DeadLetter.Create(_provider, _decoder.Venue, outcome.Reason, receiveTimeNs, frame));
            return outcome;
        }

        var events = _buffer.AsSpan();
        for (var i = 0; i < events.Length; i++)
        {
            if (_verdicts[i] == FrameReason.None)
            {
                onEvent(state, in events[i]);
            }
            else
            {
                onRefused?.Invoke(state, in events[i]);
            }
        }

        return outcome;
    }

    /// <summary>
    /// Checks every event, keeping each verdict for the delivery loop, and dead-letters and counts the bad ones. Returns the
    /// frame's outcome: decoded with the good count, or rejected with the first reason when none is good.
    /// </summary>
    private FrameOutcome Validate(ReadOnlySpan<byte> frame, long receiveTimeNs, FrameOutcome decoded)
    {
        var events = _buffer.AsSpan();
        if (_verdicts.Length < events.Length)
        {
            _verdicts = new FrameReason[Math.Max(events.Length, _verdicts.Length * 2)];
        }

        var first = FrameReason.None;
        var good = 0;
        for (var i = 0; i < events.Length; i++)
        {
            var reason = _validator.Check(in events[i], receiveTimeNs);
            _verdicts[i] = reason;
            if (reason == FrameReason.None)
            {
                good++;
                continue;
            }

            if (first == FrameReason.None)
            {
                first = reason;
            }

            RejectEvent(frame, receiveTimeNs, in events[i], reason);
        }

        return first == FrameReason.None ? decoded
            : good == 0 ? FrameOutcome.Rejected(first)
            : FrameOutcome.Decoded(good);
    }

    private void RejectEvent(ReadOnlySpan<byte> frame, long receiveTimeNs, in MarketEvent e, FrameReason reason)
    {
        _counters.RecordRejectedEvent(reason);
        var instrument = _refData is { } r ? r.KeyOf(e.Instrument) : e.Instrument.ToString();
        var detail = EventValidator.Describe(in e, reason, receiveTimeNs, instrument);
        if (_logLimit.TryAcquire((int)reason, out var suppressed))
        {
            LogRejectedEvent(_decoder.Venue.Name, reason.ToText(), detail, suppressed);
        }

        _deadLetters(DeadLetter.Create(_provider, _decoder.Venue, reason, receiveTimeNs, frame, detail));
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning,
        Message = "Rejected frame from {Venue}: {Reason} ({Length} bytes); dead-lettered ({Suppressed} more since the last line)")]
    private partial void LogRejected(string venue, string reason, int length, long suppressed);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning,
        Message = "Rejected event from {Venue}: {Reason}, {Detail}; dead-lettered ({Suppressed} more since the last line)")]
    private partial void LogRejectedEvent(string venue, string reason, string detail, long suppressed);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Decoder for {Venue} threw; frame dead-lettered as malformed")]
    private partial void LogDecoderThrew(Exception ex, string venue);
}

/// <summary>A per-event callback that takes the event by reference and a caller state (no closure allocation).</summary>
public delegate void EventAction<in TState>(TState state, in MarketEvent e);
