using System.Text;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Wire;

namespace Cloudwall.Rx.Tests.Unit.Kafka;

public sealed class DeadLetterCodecTests
{
    [Theory]
    [InlineData("{\"e\":\"trade\",\"p\":", "unexpected end of frame")]
    [InlineData("", null)]
    [InlineData("\u00ff\u0000binary", "")]
    [InlineData("x", "détail ünïcode 🚀")]
    public void Round_trips_every_field(string raw, string? detail)
    {
        var letter = DeadLetter.Create(ProviderId.Aggregator, VenueId.Okx, FrameReason.InvalidPrice, 1_767_225_600_123_456_789, Encoding.Latin1.GetBytes(raw), detail);

        var bytes = DeadLetterCodec.Encode(letter);

        Assert.Equal(DeadLetterCodec.GetEncodedLength(letter), bytes.Length);
        Assert.True(DeadLetterCodec.TryDecode(bytes, out var back));
        AssertSame(letter, back);
    }

    [Fact]
    public void Keeps_the_original_length_of_a_truncated_frame()
    {
        var frame = new byte[DeadLetter.MaxRawBytes + 500];
        Random.Shared.NextBytes(frame);
        var letter = DeadLetter.Create(ProviderId.Binance, VenueId.Binance, FrameReason.Oversized, -5, frame);

        Assert.True(DeadLetterCodec.TryDecode(DeadLetterCodec.Encode(letter), out var back));

        AssertSame(letter, back);
        Assert.Equal(frame.Length, back.OriginalLength);
        Assert.Equal(DeadLetter.MaxRawBytes, back.Raw.Length);
    }

    [Fact]
    public void Caps_the_detail_without_splitting_a_character()
    {
        var detail = string.Concat(Enumerable.Repeat("é🚀", 600)); // 6 UTF-8 bytes per repeat, 3600 in all
        var letter = DeadLetter.Create(ProviderId.Kraken, VenueId.Kraken, FrameReason.Malformed, 0, "x"u8, detail);

        Assert.True(DeadLetterCodec.TryDecode(DeadLetterCodec.Encode(letter), out var back));

        Assert.NotNull(back.Detail);
        Assert.StartsWith(back.Detail, detail, StringComparison.Ordinal);
        // 170 whole "é🚀" (1020 bytes) plus one more "é" (2 bytes); the next 🚀 (4 bytes) would pass 1024, and is not cut in half.
        Assert.Equal(1022, Encoding.UTF8.GetByteCount(back.Detail));
        Assert.Equal(170 * 3 + 1, back.Detail.Length);
        Assert.False(char.IsHighSurrogate(back.Detail[^1]));
    }

    [Fact]
    public void Rejects_wrong_version_truncation_and_trailing_bytes()
    {
        var good = DeadLetterCodec.Encode(DeadLetter.Create(ProviderId.Bybit, VenueId.Bybit, FrameReason.MissingField, 42, "{}"u8, "no price"));
        var wrongVersion = (byte[])good.Clone();
        wrongVersion[0] = 9;

        Assert.False(DeadLetterCodec.TryDecode(wrongVersion, out _));
        Assert.False(DeadLetterCodec.TryDecode([.. good, 0], out _));
        for (var n = 0; n < good.Length; n++)
        {
            Assert.False(DeadLetterCodec.TryDecode(good.AsSpan(0, n), out _));
        }
    }

    private static void AssertSame(DeadLetter expected, DeadLetter actual)
    {
        Assert.Equal(expected.Provider, actual.Provider);
        Assert.Equal(expected.Venue, actual.Venue);
        Assert.Equal(expected.Reason, actual.Reason);
        Assert.Equal(expected.ReceiveTimeNs, actual.ReceiveTimeNs);
        Assert.Equal(expected.OriginalLength, actual.OriginalLength);
        Assert.Equal(expected.Detail, actual.Detail);
        Assert.Equal(expected.Raw, actual.Raw);
    }
}
