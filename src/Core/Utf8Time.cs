using System.Buffers.Text;

namespace Cloudwall.Rx.Core;

/// <summary>Allocation-free parsers for the timestamp shapes venues send, all to UTC Unix nanoseconds.</summary>
public static class Utf8Time
{
    /// <summary>
    /// Parses ISO-8601 such as <c>2021-04-17T16:43:37.089723Z</c>: 0 to 9 fractional digits, and <c>Z</c> or a <c>±hh:mm</c> offset.
    /// </summary>
    public static bool TryParseIso(ReadOnlySpan<byte> s, out long unixNanos)
    {
        unixNanos = 0;
        if (s.Length < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
        {
            return false;
        }

        if (!Digits(s[..4], out var year) || !Digits(s.Slice(5, 2), out var month) || !Digits(s.Slice(8, 2), out var day) ||
            !Digits(s.Slice(11, 2), out var hour) || !Digits(s.Slice(14, 2), out var minute) || !Digits(s.Slice(17, 2), out var second))
        {
            return false;
        }

        if (year is < 1 or > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var i = 19;
        long fracNanos = 0;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            var digits = 0;
            while (i < s.Length && (uint)(s[i] - '0') <= 9)
            {
                if (digits < 9)
                {
                    fracNanos = fracNanos * 10 + (s[i] - '0');
                }

                digits++;
                i++;
            }

            if (digits == 0)
            {
                return false;
            }

            for (var d = digits; d < 9; d++)
            {
                fracNanos *= 10;
            }
        }

        long offsetSeconds = 0;
        if (i < s.Length && (s[i] == 'Z' || s[i] == 'z'))
        {
            i++;
        }
        else if (i + 6 == s.Length && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':' &&
                 Digits(s.Slice(i + 1, 2), out var oh) && Digits(s.Slice(i + 4, 2), out var om) && oh <= 23 && om <= 59)
        {
            offsetSeconds = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
            i += 6;
        }
        else
        {
            // A time without a zone is ambiguous: venues always send Z or an offset.
            return false;
        }

        if (i != s.Length)
        {
            return false;
        }

        var days = new DateOnly(year, month, day).DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;
        var secs = days * 86400L + hour * 3600 + minute * 60 + second - offsetSeconds;
        unixNanos = secs * UnixTime.NanosPerSecond + fracNanos;
        return true;
    }

    /// <summary>Parses decimal seconds such as <c>1618677817.0618958</c> (Kraken v1, the recordings) exactly to nanoseconds.</summary>
    public static bool TryParseSeconds(ReadOnlySpan<byte> s, out long unixNanos)
    {
        unixNanos = 0;
        var dot = s.IndexOf((byte)'.');
        var whole = dot < 0 ? s : s[..dot];
        if (!Utf8Parser.TryParse(whole, out long secs, out var used) || used != whole.Length || secs < 0 ||
            secs >= long.MaxValue / UnixTime.NanosPerSecond)
        {
            return false;
        }

        long frac = 0;
        if (dot >= 0)
        {
            var f = s[(dot + 1)..];
            if (f.IsEmpty)
            {
                return false;
            }

            for (var k = 0; k < 9; k++)
            {
                int digit = 0;
                if (k < f.Length)
                {
                    digit = f[k] - '0';
                    if ((uint)digit > 9)
                    {
                        return false;
                    }
                }

                frac = frac * 10 + digit;
            }

            for (var k = 9; k < f.Length; k++)
            {
                if ((uint)(f[k] - '0') > 9)
                {
                    return false;
                }
            }
        }

        unixNanos = secs * UnixTime.NanosPerSecond + frac;
        return true;
    }

    /// <summary>Integer milliseconds since the epoch to nanoseconds, rejecting values outside 2000..2200.</summary>
    public static bool TryFromMillis(long millis, out long unixNanos) => TryScale(millis, UnixTime.NanosPerMilli, out unixNanos);

    public static bool TryFromMicros(long micros, out long unixNanos) => TryScale(micros, UnixTime.NanosPerMicro, out unixNanos);

    private const long MinSaneNanos = 946_684_800L * UnixTime.NanosPerSecond; // 2000-01-01
    private const long MaxSaneNanos = 7_258_118_400L * UnixTime.NanosPerSecond; // 2200-01-01

    private static bool TryScale(long value, long factor, out long unixNanos)
    {
        unixNanos = 0;
        if (value <= 0 || value > MaxSaneNanos / factor)
        {
            return false;
        }

        unixNanos = value * factor;
        return unixNanos >= MinSaneNanos;
    }

    private static bool Digits(ReadOnlySpan<byte> s, out int value)
    {
        value = 0;
        foreach (var b in s)
        {
            var d = b - '0';
            if ((uint)d > 9)
            {
                return false;
            }

            value = value * 10 + d;
        }

        return true;
    }
}
