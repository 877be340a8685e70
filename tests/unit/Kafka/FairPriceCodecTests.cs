using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Wire;

namespace Cloudwall.Rx.Tests.Unit.Kafka;

public sealed class FairPriceCodecTests
{
    private static readonly InstrumentId Btc = new(3);

    public static TheoryData<FairPrice> Prices() => new()
    {
        new FairPrice
        {
            Instrument = Btc, Price = 63000.10m, Status = FairPriceStatus.Ok, Confidence = 0.05m, SourcesUsed = 5, SourcesKnown = 6,
            NewestInputTimeNs = 1_767_225_600_123_456_789, ComputedTimeNs = 1_767_225_600_123_500_000, ParametersVersion = 12, SourcesMask = 0b111110,
        },
        new FairPrice
        {
            Instrument = Btc, Price = 0.00001305m, Status = FairPriceStatus.Degraded, Confidence = 0m, SourcesUsed = 1, SourcesKnown = 4,
            NewestInputTimeNs = 1, ComputedTimeNs = 0, ParametersVersion = 0, SourcesMask = 1,
        },
        new FairPrice
        {
            Instrument = Btc, Price = -79228162514264337593543950335m, Status = FairPriceStatus.Stale, Confidence = decimal.MaxValue,
            SourcesUsed = int.MaxValue, SourcesKnown = int.MinValue, NewestInputTimeNs = long.MinValue, ComputedTimeNs = long.MaxValue,
            ParametersVersion = -1, SourcesMask = ulong.MaxValue,
        },
        new FairPrice { Instrument = Btc },
    };

    [Theory]
    [MemberData(nameof(Prices))]
    public void Round_trips_every_field_exactly(FairPrice price)
    {
        var bytes = FairPriceCodec.Encode(price);

        Assert.True(bytes.Length <= FairPriceCodec.MaxSize);
        Assert.Equal(FairPriceCodec.Version, bytes[0]);
        Assert.True(FairPriceCodec.TryDecode(bytes, Btc, out var back));
        Assert.Equal(price, back);
        Assert.Equal(price.Price.ToString(System.Globalization.CultureInfo.InvariantCulture), back.Price.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_typical_price_is_compact()
    {
        var bytes = FairPriceCodec.Encode(new FairPrice
        {
            Price = 63000.10m, Confidence = 0.05m, SourcesUsed = 5, SourcesKnown = 6, ParametersVersion = 3, SourcesMask = 0b11111,
            NewestInputTimeNs = 1_767_225_600_123_456_789, ComputedTimeNs = 1_767_225_600_123_556_789,
        });

        // 2 head + price 5 (scale + 4-byte mantissa) + confidence 2 + counts 2 + newest 9 + delta 3 + version 1 + mask 1
        Assert.Equal(25, bytes.Length);
    }

    [Fact]
    public void Rejects_wrong_version_unknown_status_truncation_and_trailing_bytes()
    {
        var good = FairPriceCodec.Encode(new FairPrice { Price = 1.5m, Confidence = 0.1m, SourcesUsed = 2, SourcesKnown = 3, NewestInputTimeNs = 10, ComputedTimeNs = 20, SourcesMask = 3 });
        Assert.True(FairPriceCodec.TryDecode(good, Btc, out _));

        var wrongVersion = (byte[])good.Clone();
        wrongVersion[0] = 2;
        var badStatus = (byte[])good.Clone();
        badStatus[1] = 3;
        Assert.False(FairPriceCodec.TryDecode(wrongVersion, Btc, out _));
        Assert.False(FairPriceCodec.TryDecode(badStatus, Btc, out _));
        Assert.False(FairPriceCodec.TryDecode([.. good, 0], Btc, out _));
        for (var n = 0; n < good.Length; n++)
        {
            Assert.False(FairPriceCodec.TryDecode(good.AsSpan(0, n), Btc, out _));
        }
    }
}
