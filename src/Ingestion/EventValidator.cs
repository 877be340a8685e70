using System.Globalization;

namespace Cloudwall.Rx.Ingestion;

/// <summary>
/// The bounds of <see cref="EventValidator"/> (per provider: <c>Providers:&lt;name&gt;:MaxFutureSkew</c> and <c>MaxAge</c>).
/// </summary>
public sealed record EventBounds
{
    /// <summary>
    /// How far an exchange time may run ahead of the receive time. Venue clocks run a little ahead of ours (NTP error, our own
    /// skew, which the clock-offset work measures); a minute is far beyond that and still catches a wrong unit or epoch.
    /// </summary>
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How far an exchange time may lag the receive time. Kraken Futures' <c>trade_snapshot</c> replays trades up to about
    /// 8 h old on subscribe, and venues replay history after a reconnect, so only absurd ages (a week) are refused.
    /// </summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(7);

    public static EventBounds Default { get; } = new();

    /// <summary>Errors naming the bad key under <paramref name="key"/> (e.g. <c>Providers:coinbase</c>).</summary>
    public IEnumerable<string> Errors(string key)
    {
        if (MaxFutureSkew <= TimeSpan.Zero) yield return $"{key}:{nameof(MaxFutureSkew)} must be positive (was {MaxFutureSkew})";
        if (MaxAge <= TimeSpan.Zero) yield return $"{key}:{nameof(MaxAge)} must be positive (was {MaxAge})";
    }
}

/// <summary>
/// One copy of the sanity rules every venue's events must pass after decoding, whatever the decoder already checked:
/// <list type="bullet">
/// <item>Trade: price and size &gt; 0.</item>
/// <item>Quote: each side is either empty (price and size 0; venues send that for an empty book side) or has a positive
/// price and a size &gt;= 0 (some venues publish a best price without its size); a quote with both prices positive must
/// have bid &lt; ask (a venue's own book cannot be crossed or locked).</item>
/// <item>Mark and index: price &gt; 0. Funding: any sign (negative funding is normal).</item>
/// <item>Every kind: an exchange time (when given, non-zero) within <see cref="EventBounds"/> of the receive time.</item>
/// </list>
/// Checks run in that order and the first failure is the reason. Allocation-free; a detail string is built only for a bad event.
/// </summary>
public sealed class EventValidator
{
    private readonly long _maxFutureNs;
    private readonly long _maxAgeNs;

    public EventValidator(EventBounds? bounds = null)
    {
        bounds ??= EventBounds.Default;
        _maxFutureNs = (long)bounds.MaxFutureSkew.TotalNanoseconds;
        _maxAgeNs = (long)bounds.MaxAge.TotalNanoseconds;
    }

    /// <summary><see cref="FrameReason.None"/> for a good event, else why it is bad.</summary>
    public FrameReason Check(in MarketEvent e, long receiveTimeNs)
    {
        var reason = e.Kind switch
        {
            EventKind.Trade => e.Price <= 0 ? FrameReason.InvalidPrice : e.Size <= 0 ? FrameReason.InvalidSize : FrameReason.None,
            EventKind.Quote => CheckQuote(e),
            EventKind.Mark or EventKind.Index => e.Price <= 0 ? FrameReason.InvalidPrice : FrameReason.None,
            _ => FrameReason.None,
        };
        if (reason != FrameReason.None || e.ExchangeTimeNs == 0)
        {
            return reason;
        }

        if (e.ExchangeTimeNs < 0)
        {
            return FrameReason.TimestampPast;
        }

        var ahead = e.ExchangeTimeNs - receiveTimeNs;
        return ahead > _maxFutureNs ? FrameReason.TimestampFuture
            : -ahead > _maxAgeNs ? FrameReason.TimestampPast
            : FrameReason.None;
    }

    /// <summary>What a dead letter says about a bad event: the instrument and the values the rule looked at.</summary>
    public static string Describe(in MarketEvent e, FrameReason reason, long receiveTimeNs, string instrument)
    {
        var c = CultureInfo.InvariantCulture;
        return reason switch
        {
            FrameReason.TimestampFuture or FrameReason.TimestampPast => string.Create(c,
                $"{instrument} {e.Kind}: exchange time {UnixTime.ToDateTime(e.ExchangeTimeNs):O} vs receive time {UnixTime.ToDateTime(receiveTimeNs):O}"),
            _ when e.Kind == EventKind.Quote => string.Create(c, $"{instrument} quote: bid {e.Price} x {e.Size}, ask {e.Aux} x {e.AuxSize}"),
            _ => string.Create(c, $"{instrument} {e.Kind}: price {e.Price}, size {e.Size}"),
        };
    }

    private static FrameReason CheckQuote(in MarketEvent e)
    {
        var bid = CheckSide(e.Price, e.Size);
        if (bid != FrameReason.None)
        {
            return bid;
        }

        var ask = CheckSide(e.Aux, e.AuxSize);
        if (ask != FrameReason.None)
        {
            return ask;
        }

        return e.Price > 0 && e.Aux > 0 && e.Price >= e.Aux ? FrameReason.CrossedQuote : FrameReason.None;
    }

    private static FrameReason CheckSide(decimal price, decimal size) =>
        size < 0 ? FrameReason.InvalidSize
        : price < 0 || (price == 0 && size != 0) ? FrameReason.InvalidPrice
        : FrameReason.None;
}
