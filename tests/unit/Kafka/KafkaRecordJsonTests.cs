using System.Text.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Wire;
using Cloudwall.Rx.Kafka;

namespace Cloudwall.Rx.Tests.Unit.Kafka;

public sealed class KafkaRecordJsonTests
{
    [Fact]
    public void Renders_an_event_exactly_as_EventJson_does()
    {
        var refData = new ReferenceData();
        var btc = refData.Intern(InstrumentSpec.Spot("BTC", "USD"));
        var e = new MarketEvent
        {
            Kind = EventKind.Trade, Side = Side.Sell, Instrument = btc.Id, Venue = VenueId.Kraken, Provider = ProviderId.Kraken,
            Price = 63000.10m, Size = 0.5m, ReceiveTimeNs = 1_767_225_600_000_000_000, TradeId = TradeId.Numeric(77),
        };
        Span<byte> value = stackalloc byte[EventCodec.MaxSize];
        var n = EventCodec.Encode(e, value);

        var json = KafkaRecordJson.Format(SchemaIds.MarketEventV1, "BTC-USD.SPOT"u8, value[..n], refData);

        Assert.Equal(EventJson.ToJson(e, refData), json);
    }

    [Fact]
    public void Resolves_an_instrument_key_it_has_never_seen()
    {
        var refData = new ReferenceData();
        var value = FairPriceCodec.Encode(new FairPrice { Price = 3000m, SourcesUsed = 2, SourcesKnown = 2, ParametersVersion = 1 });

        using var doc = JsonDocument.Parse(KafkaRecordJson.Format(SchemaIds.FairPriceV1, "ETH-USDT.PERP"u8, value, refData));

        Assert.Equal("ETH-USDT.PERP", doc.RootElement.GetProperty("instrument").GetString());
        Assert.Equal("3000", doc.RootElement.GetProperty("price").GetString());
        Assert.Equal("ok", doc.RootElement.GetProperty("status").GetString());
        Assert.True(refData.TryGetByKey("ETH-USDT.PERP", out _));
    }

    [Fact]
    public void Binary_dead_letter_bytes_print_as_base64()
    {
        byte[] raw = [0xff, 0xfe, 0x00, 0x41];
        var value = DeadLetterCodec.Encode(DeadLetter.Create(ProviderId.Okx, VenueId.Okx, FrameReason.Malformed, 0, raw));

        using var doc = JsonDocument.Parse(KafkaRecordJson.Format(SchemaIds.DeadLetterV1, "okx"u8, value, new ReferenceData()));

        Assert.Equal(raw, doc.RootElement.GetProperty("raw_base64").GetBytesFromBase64());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("detail").ValueKind);
    }

    [Theory]
    [InlineData(null, KafkaRecordJson.NoSchema)]
    [InlineData((byte)77, "unknown schema")]
    [InlineData(SchemaIds.MarketEventV1, "undecodable market event")]
    [InlineData(SchemaIds.FairPriceV1, "undecodable fair price")]
    [InlineData(SchemaIds.DeadLetterV1, "undecodable dead letter")]
    public void Undecodable_records_become_error_lines_carrying_the_bytes(byte? schema, string error)
    {
        byte[] value = [1, 0xff, 3];

        using var doc = JsonDocument.Parse(KafkaRecordJson.Format(schema, "BTC-USD.SPOT"u8, value, new ReferenceData()));

        Assert.Equal(error, doc.RootElement.GetProperty("error").GetString());
        Assert.Equal("BTC-USD.SPOT", doc.RootElement.GetProperty("key").GetString());
        Assert.Equal(value, doc.RootElement.GetProperty("value_base64").GetBytesFromBase64());
    }
}
