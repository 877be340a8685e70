namespace Cloudwall.Rx.Core;

/// <summary>
/// The one rule for when an event happened (docs/fair-price.md §1, docs/quality.md "Clock offset"): the exchange time,
/// bounded by the receive time. A venue clock that runs ahead of ours cannot put an event in our future, and a venue
/// that sends no exchange time is judged by when its data arrived.
/// </summary>
public static class EventTime
{
    /// <summary>
    /// <c>min(exchange, receive)</c> when the exchange time is set (positive), else the receive time. An exchange time
    /// ahead of the receive time counts as the receive time.
    /// </summary>
    public static long Effective(long exchangeNs, long receiveNs) => exchangeNs > 0 && exchangeNs < receiveNs ? exchangeNs : receiveNs;

    /// <summary>
    /// The effective time of an event processed at <paramref name="nowNs"/>: the receive time is itself bounded by now
    /// (an unset receive time, or one stamped by a pod whose clock runs ahead of this one, counts as now).
    /// </summary>
    public static long Effective(in MarketEvent e, long nowNs) =>
        Effective(e.ExchangeTimeNs, e.ReceiveTimeNs > 0 && e.ReceiveTimeNs < nowNs ? e.ReceiveTimeNs : nowNs);

    /// <summary>
    /// Exchange-to-receive latency, never negative: with a venue clock ahead of ours the difference goes negative, which
    /// counts as no latency (the skew is what the clock offset estimate reports, not a latency).
    /// </summary>
    public static long LatencyNs(long exchangeNs, long receiveNs) => Math.Max(0, receiveNs - exchangeNs);
}
