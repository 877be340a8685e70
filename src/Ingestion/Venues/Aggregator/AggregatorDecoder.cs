using System.Buffers;
using System.Globalization;
using System.Text;
using Cloudwall.Rx.Ingestion.Venues.Aggregator.Protocol;
using Google.Protobuf.WellKnownTypes;
using Side = Cloudwall.Rx.Core.Side;

namespace Cloudwall.Rx.Ingestion.Venues.Aggregator;

/// <summary>
/// The pure conversion of one aggregator <see cref="MarketUpdate"/> to a trade <see cref="MarketEvent"/>. It never throws on
/// bad input: it returns <see cref="FrameStatus.Rejected"/> with a reason and a short detail for the dead letter.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Venue from <c>exchange</c> and instrument from <c>class</c> + <c>code</c> (<see cref="AggregatorCodes"/>); unknown → <see cref="FrameReason.UnknownSymbol"/>.</item>
/// <item>Price and size are parsed exactly as invariant decimals (sign and '.', no exponent, no group separators); text that is
/// not such a decimal → <see cref="FrameReason.Malformed"/>; a price or size that is not positive → <see cref="FrameReason.InvalidPrice"/>.</item>
/// <item>Trade id: digits become a numeric id and a UUID a 128-bit id (<see cref="TradeId.TryParseUtf8"/>); any other text becomes a
/// numeric id holding the FNV-1a 64-bit hash of its UTF-8 bytes, which is stable across processes and runs (it can collide with a
/// genuine numeric id of the same series only by chance); an empty id is <see cref="TradeId.None"/>.</item>
/// <item><see cref="MarketEvent.Sequence"/> is the stream's <c>sequence_id</c> (contiguity is checked per stream by the caller).</item>
/// <item><see cref="MarketEvent.ExchangeTimeNs"/> is <c>ts_exchange</c> (0 when absent); the receive time is the caller's clock.
/// <c>ts_collection</c> (the aggregator's own collection time) has no place in the event and is dropped.</item>
/// </list>
/// </remarks>
public static class AggregatorDecoder
{
    private const NumberStyles DecimalStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;
    private const int MaxIdStackBytes = 256;

    public static FrameOutcome Convert(MarketUpdate update, ReferenceData refData, long receiveTimeNs, out MarketEvent result, out string? detail)
    {
        result = default;
        if (!TryInstrument(update.Exchange, update.Class, update.Code, refData, out var instrument, out var venue, out var failure, out detail))
        {
            return failure;
        }

        if (update.Price.Length == 0 || update.Amount.Length == 0)
        {
            detail = "price and amount are required";
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!TryDecimal(update.Price, "price", out var price, ref detail) || !TryDecimal(update.Amount, "amount", out var size, ref detail))
        {
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }

        if (price <= 0m || size <= 0m)
        {
            detail = "price and amount must be positive";
            return FrameOutcome.Rejected(FrameReason.InvalidPrice);
        }

        var exchangeTimeNs = 0L;
        if (update.TsExchange is { } ts && !TryNanos(ts, out exchangeTimeNs))
        {
            detail = "ts_exchange out of range";
            return FrameOutcome.Rejected(FrameReason.InvalidTimestamp);
        }

        result = new MarketEvent
        {
            Kind = EventKind.Trade,
            Side = update.Side switch
            {
                Protocol.Side.Buy => Side.Buy,
                Protocol.Side.Sell => Side.Sell,
                _ => Side.Unknown,
            },
            Instrument = instrument,
            Venue = venue,
            Provider = ProviderId.Aggregator,
            Price = price,
            Size = size,
            ExchangeTimeNs = exchangeTimeNs,
            ReceiveTimeNs = receiveTimeNs,
            Sequence = unchecked((long)update.SequenceId),
            TradeId = ParseTradeId(update.Id),
        };
        return FrameOutcome.Decoded(1);
    }

    /// <summary>
    /// One <see cref="AggregateUpdate"/> (the <c>bars</c> level) as the platform's <see cref="Bar"/> of the instrument's trades: the
    /// exact decimals of the wire, <see cref="Bar.Kind"/> trade, the interval from <c>timestamp</c> and <c>aggregate</c>.
    /// </summary>
    /// <remarks>Rejections as <see cref="Convert"/>'s; a bar whose prices are not ordered (low ≤ open, close, VWAP ≤ high)
    /// or whose volume or count is not positive is <see cref="FrameReason.InvalidPrice"/>; an unknown period is
    /// <see cref="FrameReason.Malformed"/>.</remarks>
    public static FrameOutcome ConvertAggregate(AggregateUpdate aggregate, ReferenceData refData, out Bar bar, out string? detail)
    {
        bar = default;
        if (!TryInstrument(aggregate.Exchange, aggregate.Class, aggregate.Code, refData, out var instrument, out var venue, out var failure, out detail))
        {
            return failure;
        }

        if (aggregate.Timestamp is null || aggregate.Open.Length == 0 || aggregate.High.Length == 0 || aggregate.Low.Length == 0 ||
            aggregate.Close.Length == 0 || aggregate.Vwap.Length == 0 || aggregate.Volume.Length == 0)
        {
            detail = "timestamp, open, high, low, close, vwap and volume are required";
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!TryPeriod(aggregate.Aggregate, out var intervalNs))
        {
            detail = "aggregate '" + Clip(aggregate.Aggregate) + "' is not a period this client reads (1s)";
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }

        if (!TryDecimal(aggregate.Open, "open", out var open, ref detail) || !TryDecimal(aggregate.High, "high", out var high, ref detail) ||
            !TryDecimal(aggregate.Low, "low", out var low, ref detail) || !TryDecimal(aggregate.Close, "close", out var close, ref detail) ||
            !TryDecimal(aggregate.Vwap, "vwap", out var vwap, ref detail) || !TryDecimal(aggregate.Volume, "volume", out var volume, ref detail))
        {
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }

        if (low <= 0m || low > high || open < low || open > high || close < low || close > high || vwap < low || vwap > high ||
            volume <= 0m || aggregate.Count == 0)
        {
            detail = "prices must be ordered (0 < low <= open, close, vwap <= high) with a positive volume and count";
            return FrameOutcome.Rejected(FrameReason.InvalidPrice);
        }

        if (!TryNanos(aggregate.Timestamp, out var startNs))
        {
            detail = "timestamp out of range";
            return FrameOutcome.Rejected(FrameReason.InvalidTimestamp);
        }

        bar = new Bar
        {
            Instrument = instrument,
            Venue = venue,
            Provider = ProviderId.Aggregator,
            Kind = EventKind.Trade,
            StartTimeNs = startNs,
            IntervalNs = intervalNs,
            Open = open,
            High = high,
            Low = low,
            Close = close,
            Vwap = vwap,
            Volume = volume,
            Count = (long)Math.Min(aggregate.Count, long.MaxValue),
        };
        return FrameOutcome.Decoded(1);
    }

    /// <summary>
    /// A bar as the event the pipeline prices: one trade at the bar's VWAP for its whole volume, at the last nanosecond of its
    /// interval: after every trade in it, and still inside it, so anything that buckets by exchange time (the fair price's
    /// trade window, <c>compare-levels</c>' intervals) counts the bar in its own second, not the next. The trade window's notional and volume are then exactly the bar's, so the fair price's VWAP
    /// over whole bars is the VWAP of their trades; open, high, low, close and the trade count stay on the bar
    /// (docs/fair-price.md, "Bars"). Side and trade id are unknown: a bar has neither.
    /// </summary>
    public static MarketEvent TradeOf(in Bar bar, long sequence, long receiveTimeNs) => new()
    {
        Kind = EventKind.Trade,
        Instrument = bar.Instrument,
        Venue = bar.Venue,
        Provider = bar.Provider,
        Price = bar.Vwap,
        Size = bar.Volume,
        ExchangeTimeNs = bar.StartTimeNs + bar.IntervalNs - 1,
        ReceiveTimeNs = receiveTimeNs,
        Sequence = sequence,
    };

    /// <summary>The aggregation periods this client reads, as the request and the wire spell them.</summary>
    public static bool TryPeriod(string period, out long intervalNs)
    {
        intervalNs = period == OneSecond ? UnixTime.NanosPerSecond : 0;
        return intervalNs > 0;
    }

    /// <summary>The one period served and read: <c>1s</c>.</summary>
    public const string OneSecond = "1s";

    /// <summary>Venue from the exchange code, instrument from class and code; false with the rejection and its detail.</summary>
    private static bool TryInstrument(string exchange, string cls, string code, ReferenceData refData, out InstrumentId instrument, out VenueId venue,
        out FrameOutcome failure, out string? detail)
    {
        instrument = default;
        venue = default;
        failure = default;
        detail = null;
        if (exchange.Length == 0 || cls.Length == 0 || code.Length == 0)
        {
            detail = "exchange, class and code are required";
            failure = FrameOutcome.Rejected(FrameReason.MissingField);
            return false;
        }

        if (!AggregatorCodes.TryVenue(exchange, out venue))
        {
            detail = "unknown exchange '" + Clip(exchange) + "'";
            failure = FrameOutcome.Rejected(FrameReason.UnknownSymbol);
            return false;
        }

        if (!AggregatorCodes.TryMarket(cls, out var market) || !refData.TryResolve(AggregatorCodes.SpaceOf(market), code.AsSpan(), out instrument))
        {
            detail = "unknown instrument '" + Clip(cls) + ":" + Clip(code) + "'";
            failure = FrameOutcome.Rejected(FrameReason.UnknownSymbol);
            return false;
        }

        venue = AggregatorCodes.MarketVenue(venue, market, refData.Get(instrument).Spec.Quote);
        return true;
    }

    /// <summary>An exact invariant decimal, or false with a detail naming the field.</summary>
    private static bool TryDecimal(string text, string field, out decimal value, ref string? detail)
    {
        if (decimal.TryParse(text, DecimalStyle, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        detail = field + " '" + Clip(text) + "' is not a decimal";
        return false;
    }

    /// <summary>Digits or a UUID as themselves; other text as its stable FNV-1a 64-bit hash; empty as none.</summary>
    public static TradeId ParseTradeId(string id)
    {
        if (id.Length == 0)
        {
            return TradeId.None;
        }

        var max = Encoding.UTF8.GetMaxByteCount(id.Length);
        byte[]? rented = null;
        var bytes = max <= MaxIdStackBytes ? stackalloc byte[MaxIdStackBytes] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var n = Encoding.UTF8.GetBytes(id, bytes);
            var utf8 = bytes[..n];
            return TradeId.TryParseUtf8(utf8, out var parsed) ? parsed : TradeId.Numeric(unchecked((long)Fnv1a64(utf8)));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>FNV-1a, 64 bits: tiny, stable across runtimes (unlike <see cref="string.GetHashCode()"/>), good enough for ids.</summary>
    public static ulong Fnv1a64(ReadOnlySpan<byte> data)
    {
        const ulong offset = 14695981039346656037UL;
        const ulong prime = 1099511628211UL;
        var h = offset;
        foreach (var b in data)
        {
            h = unchecked((h ^ b) * prime);
        }

        return h;
    }

    /// <summary>UTC nanoseconds since the epoch, or false when the timestamp is outside protobuf's valid range.</summary>
    public static bool TryNanos(Timestamp ts, out long nanos)
    {
        // Protobuf's valid range is years 1 to 9999 with 0 <= nanos < 1e9; a long holds years 1678 to 2262.
        const long minSeconds = -9_223_372_036L;
        const long maxSeconds = 9_223_372_035L;
        if (ts.Nanos is < 0 or >= 1_000_000_000 || ts.Seconds < minSeconds || ts.Seconds > maxSeconds)
        {
            nanos = 0;
            return false;
        }

        nanos = ts.Seconds * UnixTime.NanosPerSecond + ts.Nanos;
        return true;
    }

    /// <summary>A timestamp from UTC nanoseconds since the epoch.</summary>
    public static Timestamp ToTimestamp(long unixNanos)
    {
        var seconds = Math.DivRem(unixNanos, UnixTime.NanosPerSecond, out var frac);
        if (frac < 0)
        {
            frac += UnixTime.NanosPerSecond;
            seconds--;
        }

        return new Timestamp { Seconds = seconds, Nanos = (int)frac };
    }

    private static string Clip(string s) => s.Length <= 64 ? s : s[..64] + "…";
}
