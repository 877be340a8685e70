using System.Text;
using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Tests.Unit.Core;

public sealed class Utf8TimeTests
{
    [Theory]
    [InlineData("2021-04-17T16:43:37.089723Z", 1_618_677_817_089_723_000L)]
    [InlineData("2021-04-17T16:43:37Z", 1_618_677_817_000_000_000L)]
    [InlineData("2021-04-17T18:43:37.5+02:00", 1_618_677_817_500_000_000L)]
    [InlineData("2021-04-17T16:43:37.123456789Z", 1_618_677_817_123_456_789L)]
    public void Parses_iso_timestamps_exactly(string text, long expected)
    {
        Assert.True(Utf8Time.TryParseIso(Encoding.UTF8.GetBytes(text), out var ns));
        Assert.Equal(expected, ns);
    }

    [Theory]
    [InlineData("0000-01-01T00:00:00Z")] // year 0 does not exist
    [InlineData("2021-04-17T16:43:37.089723")] // no zone
    [InlineData("2021-04-17T16:43:37+99:99")] // impossible offset
    [InlineData("2021-02-30T00:00:00Z")]
    [InlineData("2021-04-17T16:43:37.Z")]
    [InlineData("garbage")]
    public void Rejects_bad_iso_timestamps_without_throwing(string text) =>
        Assert.False(Utf8Time.TryParseIso(Encoding.UTF8.GetBytes(text), out _));

    [Theory]
    [InlineData("1618677817.0618958", 1_618_677_817_061_895_800L)]
    [InlineData("1618677817", 1_618_677_817_000_000_000L)]
    public void Parses_decimal_seconds_exactly(string text, long expected)
    {
        Assert.True(Utf8Time.TryParseSeconds(Encoding.UTF8.GetBytes(text), out var ns));
        Assert.Equal(expected, ns);
    }

    [Theory]
    [InlineData("99999999999.5")] // would overflow nanoseconds
    [InlineData("-1.5")]
    [InlineData("12.")]
    [InlineData("1.2x")]
    public void Rejects_bad_or_overflowing_seconds(string text) =>
        Assert.False(Utf8Time.TryParseSeconds(Encoding.UTF8.GetBytes(text), out _));
}
