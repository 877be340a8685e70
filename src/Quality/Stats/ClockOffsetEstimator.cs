using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Quality.Stats;

/// <summary>
/// Estimates one provider × venue's clock minus ours from its recent events. Each event with both times gives
/// <c>receive − exchange = latency − offset</c>; latency is positive and its low end is close to the network minimum, so
/// the low percentile (<see cref="Percentile"/>) of the differences is about <c>−offset</c>, and robust to a few events
/// with bad timestamps. The estimate therefore reads the skew less the venue's low-end latency: an honest clock reads a
/// few milliseconds below zero, a clock 2 s ahead about +2 s.
/// </summary>
/// <remarks>
/// A sliding window of the last <c>capacity</c> samples in a ring: bounded memory, nothing allocated per sample. The
/// estimate sorts a copy on a reused scratch array; callers take it once per statistics window, not per event.
/// Single-threaded, like the accumulator that owns it.
/// </remarks>
public sealed class ClockOffsetEstimator
{
    /// <summary>The low percentile of <c>receive − exchange</c> taken as minus the offset (nearest rank).</summary>
    public const double Percentile = 0.05;

    private readonly long[] _samples;
    private readonly long[] _scratch;
    private int _count;
    private int _next;

    public ClockOffsetEstimator(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _samples = new long[capacity];
        _scratch = new long[capacity];
    }

    /// <summary>Samples in the window (at most the capacity).</summary>
    public int Count => _count;

    /// <summary>
    /// True when the event is evidence of the venue's clock: both times set, and not a funding rate (whose time may be
    /// the funding schedule rather than when the message was sent).
    /// </summary>
    public static bool IsSample(in MarketEvent e) => e.ExchangeTimeNs > 0 && e.ReceiveTimeNs > 0 && e.Kind != EventKind.Funding;

    /// <summary>Adds one event's <c>receive − exchange</c>, in ns (may be negative: that is the point).</summary>
    public void Add(long receiveMinusExchangeNs)
    {
        _samples[_next] = receiveMinusExchangeNs;
        _next = _next + 1 == _samples.Length ? 0 : _next + 1;
        if (_count < _samples.Length)
        {
            _count++;
        }
    }

    /// <summary>The venue's clock minus ours, in ns; false without samples.</summary>
    public bool TryEstimate(out long offsetNs)
    {
        if (_count == 0)
        {
            offsetNs = 0;
            return false;
        }

        var window = _scratch.AsSpan(0, _count);
        _samples.AsSpan(0, _count).CopyTo(window);
        window.Sort();
        var rank = (int)Math.Clamp(Math.Ceiling(Percentile * _count), 1, _count);
        offsetNs = -window[rank - 1];
        return true;
    }

    /// <summary>The estimate as a window carries it; null without samples.</summary>
    public ClockOffset? Estimate() => TryEstimate(out var ns) ? new ClockOffset(ns / 1e9, _count) : null;
}
