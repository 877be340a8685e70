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
        new FairPrice
        {
            Instrument = Btc, Price = 63030.5m, Status = FairPriceStatus.Ok, Method = FairPriceMethod.MarkBased, Confidence = 1.5m, SourcesUsed = 3,
            SourcesKnown = 3, NewestInputTimeNs = 5, ComputedTimeNs = 6, ParametersVersion = 2, SourcesMask = 7, Basis = -12.25m, FundingRate = 0.0001m,
        },
        new FairPrice { Instrument = Btc, Method = FairPriceMethod.MarkBased, Price = 0.0525m, MarkIv = 55.3m, Basis = 0m },
        new FairPrice { Instrument = Btc, Price = 150.25m, Status = FairPriceStatus.Conflict, SourcesUsed = 0, SourcesKnown = 2, ComputedTimeNs = 7 },
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

        // 4 head (version, status, method, presence) + price 5 (scale + 4-byte mantissa) + confidence 2 + counts 2 + newest 9 + delta 3 + version 1 + mask 1
        Assert.Equal(27, bytes.Length);
    }

    [Fact]
    public void Reads_version_1_values_as_trade_based_without_optional_fields()
    {
        // The v1 example of docs/wire-format.md.
        var v1 = Convert.FromHexString("0100" + "02efc28003" + "0219" + "0608" + "80d3f6d4be94b98631" + "80f104" + "0e" + "0b");
        Assert.True(FairPriceCodec.TryDecode(v1, Btc, out var p));
        Assert.Equal(new FairPrice
        {
            Instrument = Btc, Price = 63000.15m, Status = FairPriceStatus.Ok, Confidence = 0.25m, SourcesUsed = 3, SourcesKnown = 4,
            NewestInputTimeNs = 1_767_225_600_123_000_000, ComputedTimeNs = 1_767_225_600_123_040_000, ParametersVersion = 7, SourcesMask = 0b1011,
        }, p);
        Assert.False(FairPriceCodec.TryDecode([.. v1, 0], Btc, out _));
    }

    [Fact]
    public void Rejects_unknown_method_and_unknown_presence_bits()
    {
        var good = FairPriceCodec.Encode(new FairPrice { Price = 1m, Basis = 2m });
        var badMethod = (byte[])good.Clone();
        badMethod[2] = 2;
        var badFlags = (byte[])good.Clone();
        badFlags[3] |= 8;
        Assert.False(FairPriceCodec.TryDecode(badMethod, Btc, out _));
        Assert.False(FairPriceCodec.TryDecode(badFlags, Btc, out _));
        Assert.True(FairPriceCodec.TryDecode(good, Btc, out var back));
        Assert.Equal(2m, back.Basis);
    }

    [Fact]
    public void Rejects_wrong_version_unknown_status_truncation_and_trailing_bytes()
    {
        var good = FairPriceCodec.Encode(new FairPrice { Price = 1.5m, Confidence = 0.1m, SourcesUsed = 2, SourcesKnown = 3, NewestInputTimeNs = 10, ComputedTimeNs = 20, SourcesMask = 3 });
        Assert.True(FairPriceCodec.TryDecode(good, Btc, out _));

        var wrongVersion = (byte[])good.Clone();
        wrongVersion[0] = 3;
        var badStatus = (byte[])good.Clone();
        badStatus[1] = 4; // one past Conflict
        Assert.False(FairPriceCodec.TryDecode(wrongVersion, Btc, out _));
        Assert.False(FairPriceCodec.TryDecode(badStatus, Btc, out _));
        Assert.False(FairPriceCodec.TryDecode([.. good, 0], Btc, out _));
        for (var n = 0; n < good.Length; n++)
        {
            Assert.False(FairPriceCodec.TryDecode(good.AsSpan(0, n), Btc, out _));
        }
    }
}
