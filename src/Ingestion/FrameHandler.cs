using Cloudwall.Rx.Core;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Ingestion;

/// <summary>
/// The safe handler around a decoder: it never lets a frame end the stream. Exceptions and rejections are counted,
/// logged (rate-limited by the caller's logger configuration) and dead-lettered; good events go to the callback.
/// Not thread-safe: one per connection, called from that connection's receive loop.
/// </summary>
public sealed partial class FrameHandler
{
    private readonly IFrameDecoder _decoder;
    private readonly ProviderId _provider;
    private readonly IngestionCounters _counters;
    private readonly Action<DeadLetter> _deadLetters;
    private readonly ILogger _logger;
    private readonly EventBuffer _buffer = new(64);

    public FrameHandler(IFrameDecoder decoder, ProviderId provider, IngestionCounters counters, Action<DeadLetter> deadLetters, ILogger logger)
    {
        _decoder = decoder;
        _provider = provider;
        _counters = counters;
        _deadLetters = deadLetters;
        _logger = logger;
    }

    /// <summary>Decodes one frame and hands each event to <paramref name="onEvent"/>. Returns the outcome.</summary>
    public FrameOutcome Handle<TState>(ReadOnlySpan<byte> frame, long receiveTimeNs, TState state, EventAction<TState> onEvent)
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

        _counters.Record(outcome);
        if (outcome.Status == FrameStatus.Rejected)
        {
            LogRejected(_decoder.Venue.Name, outcome.Reason.ToText(), frame.Length);
            _deadLetters(DeadLetter.Create(_provider, _decoder.Venue, outcome.Reason, receiveTimeNs, frame));
            return outcome;
        }

        var events = _buffer.AsSpan();
        for (var i = 0; i < events.Length; i++)
        {
            onEvent(state, in events[i]);
        }

        return outcome;
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Rejected frame from {Venue}: {Reason} ({Length} bytes); dead-lettered")]
    private partial void LogRejected(string venue, string reason, int length);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Decoder for {Venue} threw; frame dead-lettered as malformed")]
    private partial void LogDecoderThrew(Exception ex, string venue);
}

/// <summary>A per-event callback that takes the event by reference and a caller state (no closure allocation).</summary>
public delegate void EventAction<in TState>(TState state, in MarketEvent e);
