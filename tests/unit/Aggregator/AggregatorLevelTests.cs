using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Ingestion.Venues.Aggregator;
using Cloudwall.Rx.Ingestion.Venues.Aggregator.Protocol;
using Google.Protobuf.WellKnownTypes;
using Side = Cloudwall.Rx.Core.Side;

namespace Cloudwall.Rx.Tests.Unit.Aggregator;

/// <summary>The aggregator's data levels (docs/venues.md, "Data levels", Aggregator): trades, and 1 s OHLCV/VWAP bars.</summary>
public sealed class AggregatorLevelTests
{
    private const long Start = 1_767_225_600L * UnixTime.NanosPerSecond; // 2026-01-01T00:00:00Z

    private static ReferenceData RefData()
    {
        var r = new ReferenceData();
        AggregatorCodes.Register(r);
        return r;
    }

    private static AggregateUpdate Good() => new()
    {
        Exchange = "cbse",
        Class = "spot",
        Code = "btc-usd",
        Aggregate = "1s",
        Timestamp = new Timestamp { Seconds = 1_767_225_600 },
        Open = "65000.10",
        High = "65010.00",
        Low = "64990.50",
        Close = "65001.00",
        Vwap = "65002.123456",
        Volume = "1.25000000",
        Count = 17,
        SequenceId = 9,
    };

    [Fact]
    public void The_aggregator_offers_trades_first_then_bars()
    {
        Assert.True(ProviderCatalog.TryGet("aggregator", out var kind));
        Assert.Equal(["trades", "bars"], kind.Levels.Select(l => l.Name));
    }

    [Fact]
    public void An_aggregate_is_the_platforms_bar_and_prices_as_one_vwap_trade_at_the_end_of_its_second()
    {
        var refData = RefData();

        var outcome = AggregatorDecoder.ConvertAggregate(Good(), refData, out var bar, out var detail);

        Assert.Equal(FrameOutcome.Decoded(1), outcome);
        Assert.Null(detail);
        Assert.Equal(("BTC-USD.SPOT", VenueId.Coinbase, ProviderId.Aggregator, EventKind.Trade), (refData.KeyOf(bar.Instrument), bar.Venue, bar.Provider, bar.Kind));
        Assert.Equal((Start, UnixTime.NanosPerSecond), (bar.StartTimeNs, bar.IntervalNs));
        Assert.Equal((65000.10m, 65010.00m, 64990.50m, 65001.00m, 65002.123456m, 1.25m, 17L), (bar.Open, bar.High, bar.Low, bar.Close, bar.Vwap, bar.Volume, bar.Count));

        var e = AggregatorDecoder.TradeOf(bar, 9, Start + 2 * UnixTime.NanosPerSecond);
        Assert.Equal((EventKind.Trade, 65002.123456m, 1.25m), (e.Kind, e.Price, e.Size));
        Assert.Equal("1.25000000", e.Size.ToString(System.Globalization.CultureInfo.InvariantCulture)); // the wire's scale
        Assert.Equal((Start + UnixTime.NanosPerSecond - 1, 9L, Side.Unknown, TradeId.None), (e.ExchangeTimeNs, e.Sequence, e.Side, e.TradeId));
    }

    [Theory]
    [InlineData("exchange", "zzzz", FrameReason.UnknownSymbol)]
    [InlineData("code", "", FrameReason.MissingField)]
    [InlineData("vwap", "", FrameReason.MissingField)]
    [InlineData("high", "65,010.00", FrameReason.Malformed)]
    [InlineData("aggregate", "1m", FrameReason.Malformed)]
    [InlineData("vwap", "65010.01", FrameReason.InvalidPrice)]
    [InlineData("low", "65000.20", FrameReason.InvalidPrice)]
    [InlineData("volume", "0", FrameReason.InvalidPrice)]
    public void A_bad_aggregate_is_rejected_with_a_reason(string field, string value, FrameReason reason)
    {
        var a = Good();
        switch (field)
        {
            case "exchange": a.Exchange = value; break;
            case "code": a.Code = value; break;
            case "vwap": a.Vwap = value; break;
            case "high": a.High = value; break;
            case "aggregate": a.Aggregate = value; break;
            case "low": a.Low = value; break;
            case "volume": a.Volume = value; break;
        }

        var outcome = AggregatorDecoder.ConvertAggregate(a, RefData(), out _, out var detail);

        Assert.Equal(FrameOutcome.Rejected(reason), outcome);
        Assert.False(string.IsNullOrEmpty(detail));
    }

    [Fact]
    public void Only_the_one_second_period_is_accepted_in_the_options()
    {
        Assert.Empty(new AggregatorProviderOptions { Aggregate = "1s" }.Errors());
        Assert.Contains(new AggregatorProviderOptions { Aggregate = "1m" }.Errors(), e => e.Contains("Aggregate must be 1s", StringComparison.Ordinal));
    }
}
