using Cloudwall.Rx.Core;
using Cloudwall.Rx.Kafka;
using Cloudwall.Rx.Quality;
using Cloudwall.Rx.Quality.Alerts;
using Cloudwall.Rx.Quality.Wire;
using Confluent.Kafka;

namespace Cloudwall.Rx.Tests.Unit.Kafka;

public sealed class RecordSchemaTests
{
    [Theory]
    [InlineData(Topics.Events, SchemaIds.MarketEventV1)]
    [InlineData(Topics.FairPrices, SchemaIds.FairPriceV1)]
    [InlineData(Topics.DeadLetters, SchemaIds.DeadLetterV1)]
    [InlineData(Topics.Bars, SchemaIds.BarV1)]
    public void Each_binary_topic_names_its_one_schema(string topic, byte schema)
    {
        Assert.Equal(schema, RecordSchema.Of(topic, [], [2, 0]));
        Assert.Equal(schema, RecordSchema.Of(topic, null, [2, 0]));
    }

    [Fact]
    public void Quality_records_are_told_apart_by_the_type_field_their_encoders_write()
    {
        var alert = AlertCodec.EncodeValue(new AlertNotification("fp", "no_data", AlertStatus.Firing, AlertSeverity.Warning, AlertLevel.Series,
            new AlertLabels("binance", "binance", "BTC-USDT.SPOT", "trade", "spot"), "no trades", 1, 2, 0, 1, "s"));
        var refData = new ReferenceData();
        var btc = refData.Intern(InstrumentSpec.Spot("BTC", "USD")).Id;
        var window = SeriesWindowCodec.Encode(new SeriesWindow(new SeriesKey(ProviderId.Binance, VenueId.Binance, btc, DataClass.Trade, MarketType.Spot),
            0, 1_000_000_000, 3, 100m, 100m, default, default, 0, 0, 500, 1, 100m), refData);

        Assert.Equal(SchemaIds.QualityAlertV1, RecordSchema.Of(Topics.Quality, null, alert));
        Assert.Equal(SchemaIds.SeriesWindowV1, RecordSchema.Of(Topics.Quality, null, window));
    }

    [Theory]
    [InlineData("""{"labels":{"type":"alert"},"type":"series_window"}""", SchemaIds.SeriesWindowV1)] // only the top level counts
    [InlineData("""{"a":[1,{"type":"alert"}]}""", null)]
    [InlineData("""{"type":"something_else"}""", null)]
    [InlineData("""{"type":5}""", null)]
    [InlineData("""["type","alert"]""", null)]
    [InlineData("""{"type":""", null)]
    [InlineData("not json", null)]
    [InlineData("", null)]
    public void A_quality_value_without_a_known_top_level_type_has_no_schema(string json, byte? schema) =>
        Assert.Equal(schema, RecordSchema.OfQualityRecord(System.Text.Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void A_legacy_header_wins_over_the_topic_and_names_the_schema_of_any_topic()
    {
        var headers = new Headers { { Topics.SchemaHeader, [SchemaIds.SeriesWindowV1] } };

        Assert.Equal(SchemaIds.SeriesWindowV1, RecordSchema.Of(Topics.Quality, headers, "{}"u8));
        Assert.Equal(SchemaIds.SeriesWindowV1, RecordSchema.Of("someone.elses.topic", headers, "{}"u8));
        Assert.Equal(SchemaIds.MarketEventV1, RecordSchema.Of(Topics.Events, new Headers { { Topics.SchemaHeader, [1, 2] } }, [2])); // malformed: ignored
    }

    [Fact]
    public void A_topic_that_is_not_ours_without_a_header_has_no_schema()
    {
        Assert.Null(RecordSchema.Of("md.garbage.v1", [], [2]));
        Assert.Null(RecordSchema.Of(null, null, [2]));
        Assert.Null(RecordSchema.Of(Topics.Shards, null, [2]));
    }
}
