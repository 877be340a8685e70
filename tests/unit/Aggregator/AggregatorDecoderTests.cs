using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Aggregator;
using Cloudwall.Rx.Ingestion.Venues.Aggregator.Protocol;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using Side = Cloudwall.Rx.Core.Side;
using WireSide = Cloudwall.Rx.Ingestion.Venues.Aggregator.Protocol.Side;

namespace Cloudwall.Rx.Tests.Unit.Aggregator;

public sealed class AggregatorDecoderTests
{
    private const long Rx = 1_767_225_600_123_456_789; // 2026-01-01T00:00:00.123456789Z

    private static ReferenceData RefData()
    {
        var r = new ReferenceData();
        AggregatorCodes.Register(r);
        return r;
    }

    private static MarketUpdate Good() => new()
    {
        Exchange = "cbse",
        Class = "spot",
        Code = "btc-usd",
        Id = "123456789",
        Price = "65000.10",
        Amount = "0.01234500",
        Side = WireSide.Sell,
        TsExchange = new Timestamp { Seconds = 1_767_225_600, Nanos = 5_000 },
        TsCollection = new Timestamp { Seconds = 1_767_225_600, Nanos = 90_000 },
        SequenceId = 42,
    };

    [Fact]
    public void A_good_trade_converts_exactly()
    {
        var refData = RefData();

        var outcome = AggregatorDecoder.Convert(Good(), refData, Rx, out var e, out var detail);

        Assert.Equal(FrameOutcome.Decoded(1), outcome);
        Assert.Null(detail);
        Assert.Equal(EventKind.Trade, e.Kind);
        Assert.Equal(ProviderId.Aggregator, e.Provider);
        Assert.Equal(VenueId.Coinbase, e.Venue);
        Assert.Equal("BTC-USD.SPOT", refData.KeyOf(e.Instrument));
        Assert.Equal(65000.10m, e.Price);
        Assert.Equal("65000.10", e.Price.ToString(System.Globalization.CultureInfo.InvariantCulture)); // scale kept
        Assert.Equal("0.01234500", e.Size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Side.Sell, e.Side);
        Assert.Equal(1_767_225_600_000_005_000, e.ExchangeTimeNs);
        Assert.Equal(Rx, e.ReceiveTimeNs);
        Assert.Equal(42, e.Sequence);
        Assert.Equal(TradeId.Numeric(123456789), e.TradeId);
    }

    [Theory]
    [InlineData("spot", "btc-usd", "BTC-USD.SPOT")]
    [InlineData("SPOT", "ETH-USDC", "ETH-USDC.SPOT")]
    [InlineData("perpetual-future", "btc-usdt", "BTC-USDT.PERP")]
    [InlineData("future", "btc-usd-20261225", "BTC-USD-20261225.FUT")]
    public void Class_and_code_map_to_canonical_instruments(string cls, string code, string key)
    {
        var refData = RefData();
        var u = Good();
        u.Class = cls;
        u.Code = code;

        Assert.Equal(FrameStatus.Decoded, AggregatorDecoder.Convert(u, refData, Rx, out var e, out _).Status);
        Assert.Equal(key, refData.KeyOf(e.Instrument));
    }

    [Theory]
    [InlineData("cbse", "coinbase")]
    [InlineData("krkn", "kraken")]
    [InlineData("binc", "binance")]
    [InlineData("bnce", "binance")]
    [InlineData("okex", "okx")]
    [InlineData("bybt", "bybit")]
    [InlineData("drbt", "deribit")]
    [InlineData("CBSE", "coinbase")]
    public void Exchange_codes_map_to_venues(string code, string venue)
    {
        Assert.True(AggregatorCodes.TryVenue(code, out var v));
        Assert.Equal(venue, v.Name);
    }

    [Theory]
    [InlineData("binc", "spot", "btc-usdt", "binance", "BTC-USDT.SPOT")]
    [InlineData("binc", "perpetual-future", "btc-usdt", "binance-usdm", "BTC-USDT.PERP")]
    [InlineData("bnce", "perpetual-future", "btc-usd", "binance-coinm", "BTC-USD.PERP")]
    [InlineData("cbse", "spot", "btc-usd", "coinbase", "BTC-USD.SPOT")]
    public void Binance_derivatives_land_on_the_venue_that_trades_them(string exchange, string cls, string code, string venue, string key)
    {
        var refData = new ReferenceData();
        AggregatorCodes.Register(refData);
        var u = new MarketUpdate
        {
            Exchange = exchange, Class = cls, Code = code, Id = "1", Price = "100.5", Amount = "2", Side = Cloudwall.Rx.Ingestion.Venues.Aggregator.Protocol.Side.Buy,
            TsExchange = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
        };
        Assert.Equal(FrameStatus.Decoded, AggregatorDecoder.Convert(u, refData, Rx, out var e, out _).Status);
        Assert.Equal(venue, e.Venue.Name);
        Assert.Equal(key, refData.KeyOf(e.Instrument));
    }

    [Fact]
    public void The_exchange_table_is_the_documented_one()
    {
        Assert.Equal(["binc", "bnce", "bybt", "cbse", "drbt", "krkn", "okex"], AggregatorCodes.ExchangeCodes.Order(StringComparer.Ordinal).ToArray());
        Assert.False(AggregatorCodes.TryVenue("zzzz", out _));
    }

    [Theory]
    [InlineData(nameof(MarketUpdate.Exchange), "zzzz", FrameReason.UnknownSymbol)]
    [InlineData(nameof(MarketUpdate.Exchange), "", FrameReason.MissingField)]
    [InlineData(nameof(MarketUpdate.Class), "option", FrameReason.UnknownSymbol)]
    [InlineData(nameof(MarketUpdate.Code), "btcusd", FrameReason.UnknownSymbol)]
    [InlineData(nameof(MarketUpdate.Code), "btc-usd-20261399", FrameReason.UnknownSymbol)]
    [InlineData(nameof(MarketUpdate.Price), "", FrameReason.MissingField)]
    [InlineData(nameof(MarketUpdate.Price), "65,000.1", FrameReason.Malformed)]
    [InlineData(nameof(MarketUpdate.Price), "6.5e4", FrameReason.Malformed)]
    [InlineData(nameof(MarketUpdate.Price), "NaN", FrameReason.Malformed)]
    [InlineData(nameof(MarketUpdate.Price), "0", FrameReason.InvalidPrice)]
    [InlineData(nameof(MarketUpdate.Price), "-1.5", FrameReason.InvalidPrice)]
    [InlineData(nameof(MarketUpdate.Price), "99999999999999999999999999999999", FrameReason.Malformed)]
    [InlineData(nameof(MarketUpdate.Amount), "abc", FrameReason.Malformed)]
    [InlineData(nameof(MarketUpdate.Amount), "0.00000000", FrameReason.InvalidPrice)]
    public void Bad_updates_are_rejected_with_a_reason_and_a_detail(string field, string value, FrameReason reason)
    {
        var u = Good();
        typeof(MarketUpdate).GetProperty(field)!.SetValue(u, value);

        var outcome = AggregatorDecoder.Convert(u, RefData(), Rx, out var e, out var detail);

        Assert.Equal(FrameOutcome.Rejected(reason), outcome);
        Assert.False(string.IsNullOrEmpty(detail));
        Assert.Equal(default, e);
    }

    [Fact]
    public void An_out_of_range_exchange_time_is_rejected_and_a_missing_one_is_zero()
    {
        var u = Good();
        u.TsExchange = new Timestamp { Seconds = 1, Nanos = -5 };
        Assert.Equal(FrameOutcome.Rejected(FrameReason.InvalidTimestamp), AggregatorDecoder.Convert(u, RefData(), Rx, out _, out _));

        u.TsExchange = null;
        Assert.Equal(FrameStatus.Decoded, AggregatorDecoder.Convert(u, RefData(), Rx, out var e, out _).Status);
        Assert.Equal(0, e.ExchangeTimeNs);
    }

    [Theory]
    [InlineData(WireSide.Buy, Side.Buy)]
    [InlineData(WireSide.Sell, Side.Sell)]
    [InlineData(WireSide.Unknown, Side.Unknown)]
    public void Taker_side_maps(WireSide wire, Side side)
    {
        var u = Good();
        u.Side = wire;
        AggregatorDecoder.Convert(u, RefData(), Rx, out var e, out _);
        Assert.Equal(side, e.Side);
    }

    [Fact]
    public void Trade_ids_are_numeric_uuid_hashed_or_none()
    {
        Assert.Equal(TradeId.Numeric(987), AggregatorDecoder.ParseTradeId("987"));
        var g = Guid.Parse("2f1c1f0e-8a4b-4c7d-9e3f-0a1b2c3d4e5f");
        Assert.Equal(TradeId.FromGuid(g), AggregatorDecoder.ParseTradeId("2f1c1f0e-8a4b-4c7d-9e3f-0a1b2c3d4e5f"));
        Assert.Equal(TradeId.None, AggregatorDecoder.ParseTradeId(""));

        var hashed = AggregatorDecoder.ParseTradeId("T-abc/42");
        Assert.Equal(TradeIdKind.Numeric, hashed.Kind);
        Assert.Equal(hashed, AggregatorDecoder.ParseTradeId("T-abc/42")); // stable
        Assert.NotEqual(hashed, AggregatorDecoder.ParseTradeId("T-abc/43"));
        // FNV-1a 64 of "a" (published test vector): the hash is fixed across runtimes and processes.
        Assert.Equal(0xaf63dc4c8601ec8cUL, AggregatorDecoder.Fnv1a64("a"u8));
        Assert.Equal(TradeIdKind.Numeric, AggregatorDecoder.ParseTradeId(new string('x', 1000)).Kind); // long ids take the pooled path
    }

    [Fact]
    public void Timestamps_round_trip_through_nanoseconds()
    {
        foreach (var ns in new[] { 0L, 1L, Rx, -1L, -1_500_000_000L })
        {
            Assert.True(AggregatorDecoder.TryNanos(AggregatorDecoder.ToTimestamp(ns), out var back));
            Assert.Equal(ns, back);
        }
    }

    [Fact]
    public void Resolving_a_known_code_does_not_allocate()
    {
        var refData = RefData();
        var u = Good();
        AggregatorDecoder.Convert(u, refData, Rx, out _, out _); // warm up: interns the instrument

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            AggregatorCodes.TryVenue(u.Exchange, out _);
            refData.TryResolve(AggregatorCodes.SpaceOf(MarketType.Spot), u.Code.AsSpan(), out _);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}

public sealed class AggregatorCriteriaTests
{
    [Theory]
    [InlineData("cbse:spot:btc-usd", "cbse:spot:btc-usd")]
    [InlineData(" CBSE:Spot:BTC-USD ", "cbse:spot:btc-usd")]
    [InlineData("*:spot:*", "*:spot:*")]
    public void Criteria_normalize(string text, string expected)
    {
        Assert.True(AggregatorCriteria.TryNormalize(text, out var n));
        Assert.Equal(expected, n);
    }

    [Theory]
    [InlineData("")]
    [InlineData("cbse:spot")]
    [InlineData("cbse::btc-usd")]
    [InlineData("cbse:spot:btc-usd:x")]
    [InlineData("cbse:sp ot:btc-usd")]
    public void Bad_criteria_are_refused(string text) => Assert.False(AggregatorCriteria.TryNormalize(text, out _));

    [Fact]
    public void Wildcards_match_any_value_case_insensitively()
    {
        var c = AggregatorCriteria.ToProto("*:spot:*");
        Assert.True(AggregatorCriteria.Matches(c, "krkn", "spot", "eth-usd"));
        Assert.True(AggregatorCriteria.Matches(c, "CBSE", "SPOT", "btc-usd"));
        Assert.False(AggregatorCriteria.Matches(c, "binc", "perpetual-future", "btc-usdt"));
    }
}

public sealed class AggregatorBackoffTests
{
    [Fact]
    public void Delays_double_with_jitter_up_to_the_cap()
    {
        var initial = TimeSpan.FromMilliseconds(500);
        var cap = TimeSpan.FromSeconds(30);
        Assert.Equal(TimeSpan.FromMilliseconds(250), Backoff.Delay(1, initial, cap, 0));
        Assert.Equal(TimeSpan.FromMilliseconds(500), Backoff.Delay(1, initial, cap, 1));
        Assert.Equal(TimeSpan.FromMilliseconds(1000), Backoff.Delay(3, initial, cap, 0));
        Assert.Equal(TimeSpan.FromSeconds(30), Backoff.Delay(21, initial, cap, 1));
        Assert.Equal(TimeSpan.FromSeconds(15), Backoff.Delay(int.MaxValue, initial, cap, 0));
    }

    [Fact]
    public void Options_are_validated_with_the_key_named_and_the_token_is_never_printed()
    {
        var bad = new AggregatorProviderOptions { MaxCriteriaPerStream = 0 };
        var ex = Assert.Throws<OptionsValidationException>(() => new AggregatorProvider(bad, [], new ReferenceData(), _ => { }));
        Assert.Contains("Ingestion:Aggregator:MaxCriteriaPerStream", ex.Message, StringComparison.Ordinal);

        var ok = new AggregatorProviderOptions { ApiToken = "s3cret" };
        Assert.DoesNotContain("s3cret", ok.ToString(), StringComparison.Ordinal);
        Assert.Equal(new Uri(AggregatorProviderOptions.DefaultEndpoint), ok.Endpoint);

        var arg = Assert.Throws<ArgumentException>(() => new AggregatorProvider(ok, ["cbse:spot"], new ReferenceData(), _ => { }));
        Assert.Contains("exchange:class:code", arg.Message, StringComparison.Ordinal);
    }
}
