namespace Cloudwall.Rx.Ingestion.Venues.Kit;

/// <summary>
/// The one exchange-time parser of every venue: the timestamp forms venues send, to UTC Unix nanoseconds, allocation-free
/// and never throwing. Integers come as a JSON number or a numeric string (<c>1652459223003</c> or <c>"1652459223003"</c>).
/// Every form must land in 2000..2200, so a unit mix-up (seconds read as milliseconds) is refused, not believed.
/// </summary>
internal static class VenueTime
{
    private const long MinPlausibleNanos = 946_684_800L * UnixTime.NanosPerSecond; // 2000-01-01
    private const long MaxPlausibleNanos = 7_258_118_400L * UnixTime.NanosPerSecond; // 2200-01-01

    /// <summary>Integer milliseconds (Binance <c>T</c>, OKX <c>ts</c>, Bybit <c>ts</c>, Deribit <c>timestamp</c>, Kraken Futures <c>time</c>).</summary>
    public static bool TryParseMillis(ReadOnlySpan<byte> text, out long unixNanos)
    {
        unixNanos = 0;
        return VenueInteger.TryParse(text, out var millis) && Utf8Time.TryFromMillis(millis, out unixNanos);
    }

    /// <summary>Integer microseconds (Bybit legacy <c>timestamp_e6</c>).</summary>
    public static bool TryParseMicros(ReadOnlySpan<byte> text, out long unixNanos)
    {
        unixNanos = 0;
        return VenueInteger.TryParse(text, out var micros) && Utf8Time.TryFromMicros(micros, out unixNanos);
    }

    /// <summary>Integer nanoseconds.</summary>
    public static bool TryParseNanos(ReadOnlySpan<byte> text, out long unixNanos) =>
        VenueInteger.TryParse(text, out unixNanos) && IsPlausible(unixNanos);

    /// <summary>Decimal seconds (Kraken v1 <c>1618678142.557535</c>), exact to the nanosecond.</summary>
    public static bool TryParseSeconds(ReadOnlySpan<byte> text, out long unixNanos) =>
        Utf8Time.TryParseSeconds(text, out unixNanos) && IsPlausible(unixNanos);

    /// <summary>RFC 3339 / ISO-8601 (Coinbase <c>2021-04-17T16:43:37.089723Z</c>, Kraken v2, Bybit legacy <c>updated_at</c>).</summary>
    public static bool TryParseIso(ReadOnlySpan<byte> text, out long unixNanos)
    {
        try
        {
            return Utf8Time.TryParseIso(text, out unixNanos) && IsPlausible(unixNanos);
        }
        catch (ArgumentOutOfRangeException)
        {
            // Utf8Time.TryParseIso throws for year 0000 (DateTime.DaysInMonth); a bad timestamp must not escape as an exception.
            unixNanos = 0;
            return false;
        }
    }

    /// <summary>True for a time in 2000..2200.</summary>
    public static bool IsPlausible(long unixNanos) => unixNanos is >= MinPlausibleNanos and < MaxPlausibleNanos;
}
