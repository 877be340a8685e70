using System.Text.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Wire;
using Cloudwall.Rx.Kafka;

namespace Cloudwall.Rx.Tests.Unit.Kafka;

public sealed class BarCodecTests
{
    private const long Start = 1_767_225_600_000_000_000; // 2026-01-01T00:00:00Z

    internal static Bar Example(InstrumentId instrument) => new()
    {
        Instrument = instrument,
        Venue = VenueId.Coinbase,
        Provider = ProviderId.Coinbase,
        Kind = EventKind.Trade,
        StartTimeNs = Start,
        IntervalNs = 250 * UnixTime.NanosPerMilli,
        Open = 63000.10m,
        High = 63001.00m,
        Low = 62999.5m,
        Close = 63000.20m,
        Vwap = 63000.401234m,
        Volume = 1.25m,
        Count = 12,
        FirstExchangeTimeNs = Start - 2_000_000,
        LastExchangeTimeNs = Start + 240_000_000,
    };

    [Fact]
    public void A_bar_round_trips_exactly_and_keeps_the_scale_of_every_price()
    {
        var bar = Example(new InstrumentId(3));
        var value = BarCodec.Encode(bar);

        Assert.True(BarCodec.TryDecode(value, bar.Instrument, out var back));
        Assert.Equal(bar, back);
        Assert.Equal("63001.00", back.High.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(value.Length <= 56, $"{value.Length} bytes");
    }

    [Fact]
    public void The_documented_example_encodes_to_the_documented_bytes()
    {
        var value = BarCodec.Encode(Example(new InstrumentId(3)) with { Vwap = 63000.4m, FirstExchangeTimeNs = 0, LastExchangeTimeNs = 0, Count = 3, Volume = 0.5m });

        Assert.Equal("02 01 01 01 00 fa 01 80 90 b7 d5 34 00 02 ea c2 80 03 02 c4 c3 80 03 01 eb b9 26 02 f4 c2 80 03 01 f4 b9 26 01 05 03",
            Hex(value));
    }

    [Fact]
    public void A_revision_costs_a_flag_bit_and_one_trailing_varint_as_documented()
    {
        var first = Example(new InstrumentId(3)) with { Vwap = 63000.4m, FirstExchangeTimeNs = 0, LastExchangeTimeNs = 0, Count = 3, Volume = 0.5m };
        var value = BarCodec.Encode(first with { Revision = 1 });

        Assert.Equal("02 01 01 01 02 fa 01 80 90 b7 d5 34 00 02 ea c2 80 03 02 c4 c3 80 03 01 eb b9 26 02 f4 c2 80 03 01 f4 b9 26 01 05 03 01",
            Hex(value));
        Assert.Equal(BarCodec.Encode(first).Length + 1, value.Length);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(300)]
    [InlineData(int.MaxValue)]
    public void A_revised_bar_round_trips_with_its_revision(int revision)
    {
        var bar = Example(new InstrumentId(3)) with { Revision = revision };
        Assert.True(BarCodec.TryDecode(BarCodec.Encode(bar), bar.Instrument, out var back));
        Assert.Equal(bar, back);
        Assert.Equal(revision, back.Revision);
    }

    [Fact]
    public void A_version_1_value_reads_as_revision_0_and_may_not_carry_a_revision()
    {
        // A version 1 writer wrote exactly the version 2 bytes of a first emission, but for the version byte.
        var bar = Example(new InstrumentId(3));
        var v1 = BarCodec.Encode(bar);
        v1[0] = BarCodec.Version1;
        Assert.True(BarCodec.TryDecode(v1, bar.Instrument, out var back));
        Assert.Equal(bar, back);
        Assert.Equal(0, back.Revision);

        var v1WithRevision = BarCodec.Encode(bar with { Revision = 1 });
        v1WithRevision[0] = BarCodec.Version1;
        Assert.False(BarCodec.TryDecode(v1WithRevision, bar.Instrument, out _));
    }

    [Fact]
    public void A_revision_flag_with_revision_0_is_rejected_and_a_negative_revision_is_not_encoded()
    {
        var value = BarCodec.Encode(Example(new InstrumentId(1)));
        value[4] |= 0x02;
        Assert.False(BarCodec.TryDecode([.. value, 0], new InstrumentId(1), out _)); // one way to write revision 0: no flag
        Assert.False(BarCodec.TryDecode(value, new InstrumentId(1), out _)); // flag without its varint (truncated)
        Assert.Throws<ArgumentOutOfRangeException>(() => BarCodec.Encode(Example(new InstrumentId(1)) with { Revision = -1 }));
    }

    private static string Hex(byte[] value) => string.Join(' ', value.Select(b => b.ToString("x2")));

    [Fact]
    public void A_bar_without_exchange_times_and_a_quote_bar_round_trip()
    {
        var bar = Example(new InstrumentId(1)) with { Kind = EventKind.Quote, FirstExchangeTimeNs = 0, LastExchangeTimeNs = 0, Volume = 0m, Vwap = 63000.20m };
        Assert.True(BarCodec.TryDecode(BarCodec.Encode(bar), bar.Instrument, out var back));
        Assert.Equal(bar, back);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(20)]
    public void A_truncated_value_is_rejected_without_throwing(int cut)
    {
        var value = BarCodec.Encode(Example(new InstrumentId(1)));
        Assert.False(BarCodec.TryDecode(value.AsSpan(0, Math.Min(cut, value.Length - 1)), new InstrumentId(1), out _));
    }

    [Fact]
    public void Trailing_bytes_a_wrong_version_and_unknown_flags_are_rejected()
    {
        var value = BarCodec.Encode(Example(new InstrumentId(1)));
        Assert.False(BarCodec.TryDecode([.. value, 0], new InstrumentId(1), out _));
        var wrongVersion = value.ToArray();
        wrongVersion[0] = 3;
        Assert.False(BarCodec.TryDecode(wrongVersion, new InstrumentId(1), out _));
        var flags = value.ToArray();
        flags[4] |= 0x80;
        Assert.False(BarCodec.TryDecode(flags, new InstrumentId(1), out _));
        flags[4] = 0x01 | 0x04;
        Assert.False(BarCodec.TryDecode(flags, new InstrumentId(1), out _));
    }

    [Fact]
    public void Tail_renders_a_bar_and_prints_quality_json_as_is()
    {
        var refData = new ReferenceData();
        var btc = refData.Intern(InstrumentSpec.Spot("BTC", "USD"));
        using var doc = JsonDocument.Parse(KafkaRecordJson.Format(SchemaIds.BarV1, "BTC-USD.SPOT"u8, BarCodec.Encode(Example(btc.Id)), refData));
        var root = doc.RootElement;
        Assert.Equal("BTC-USD.SPOT", root.GetProperty("instrument").GetString());
        Assert.Equal("63000.10", root.GetProperty("open").GetString());
        Assert.Equal("63000.401234", root.GetProperty("vwap").GetString());
        Assert.Equal(12, root.GetProperty("count").GetInt64());
        Assert.Equal(250, root.GetProperty("interval_ms").GetInt64());
        Assert.Equal(0, root.GetProperty("revision").GetInt32());
        using var revised = JsonDocument.Parse(KafkaRecordJson.Format(SchemaIds.BarV1, "BTC-USD.SPOT"u8, BarCodec.Encode(Example(btc.Id) with { Revision = 2 }), refData));
        Assert.Equal(2, revised.RootElement.GetProperty("revision").GetInt32());
        var v1 = BarCodec.Encode(Example(btc.Id));
        v1[0] = BarCodec.Version1;
        using var old = JsonDocument.Parse(KafkaRecordJson.Format(SchemaIds.BarV1, "BTC-USD.SPOT"u8, v1, refData));
        Assert.Equal(("63000.10", 0), (old.RootElement.GetProperty("open").GetString(), old.RootElement.GetProperty("revision").GetInt32()));

        const string alert = """{"fingerprint":"abc","state":"firing","summary":"BTC stale"}""";
        Assert.Equal(alert, KafkaRecordJson.Format(SchemaIds.QualityAlertV1, "abc"u8, System.Text.Encoding.UTF8.GetBytes(alert), refData));
        const string window = """{"series":"coinbase/BTC-USD.SPOT/trade","count":20}""";
        Assert.Equal(window, KafkaRecordJson.Format(SchemaIds.SeriesWindowV1, "k"u8, System.Text.Encoding.UTF8.GetBytes(window), refData));
        Assert.Contains("\"error\"", KafkaRecordJson.Format(SchemaIds.QualityAlertV1, "k"u8, "{not json"u8, refData));
    }
}
