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
        detail = null;
        if (update.Exchange.Length == 0 || update.Class.Length == 0 || update.Code.Length == 0)
        {
            detail = "exchange, class and code are required";
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!AggregatorCodes.TryVenue(update.Exchange, out var venue))
        {
            detail = "unknown exchange '" + Clip(update.Exchange) + "'";
            return FrameOutcome.Rejected(FrameReason.UnknownSymbol);
        }

        if (!AggregatorCodes.TryMarket(update.Class, out var market) ||
            !refData.TryResolve(AggregatorCodes.SpaceOf(market), update.Code.AsSpan(), out var instrument))
        {
            detail = "unknown instrument '" + Clip(update.Class) + ":" + Clip(update.Code) + "'";
            return FrameOutcome.Rejected(FrameReason.UnknownSymbol);
        }

        venue = AggregatorCodes.MarketVenue(venue, market, refData.Get(instrument).Spec.Quote);

        if (update.Price.Length == 0 || update.Amount.Length == 0)
        {
            detail = "price and amount are required";
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!decimal.TryParse(update.Price, DecimalStyle, CultureInfo.InvariantCulture, out var price))
        {
            detail = "price '" + Clip(update.Price) + "' is not a decimal";
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }

        if (!decimal.TryParse(update.Amount, DecimalStyle, CultureInfo.InvariantCulture, out var size))
        {
            detail = "amount '" + Clip(update.Amount) + "' is not a decimal";
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
