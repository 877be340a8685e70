using System.Text;
using System.Text.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Venues.Bybit;
using static Cloudwall.Rx.Tests.Unit.Okx.DecodedRecording;

namespace Cloudwall.Rx.Tests.Unit.Bybit;

/// <summary>Bybit v5 frames from the venue's documentation, legacy instrument_info, control frames and every rejection reason.</summary>
public sealed class BybitDecoderTests
{
    private const long ReceiveNs = 1_700_000_000_123_456_789;

    /// <summary>The v5 docs' publicTrade example (with the <c>seq</c> field of the current docs).</summary>
    public const string PublicTradeDoc =
        """{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486868,"data":[{"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","L":"PlusTick","i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false,"seq":1783284617}]}""";

    /// <summary>The v5 docs' linear tickers snapshot example.</summary>
    public const string LinearTickerDoc =
        """{"topic":"tickers.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT","tickDirection":"PlusTick","price24hPcnt":"0.017103","lastPrice":"17216.00","prevPrice24h":"16926.50","highPrice24h":"17281.50","lowPrice24h":"16915.00","prevPrice1h":"17238.00","markPrice":"17217.33","indexPrice":"17227.36","openInterest":"68744.761","openInterestValue":"1183601235.91","turnover24h":"1570383121.943499","volume24h":"91705.276","nextFundingTime":"1673280000000","fundingRate":"-0.000212","bid1Price":"17215.50","bid1Size":"84.489","ask1Price":"17216.00","ask1Size":"83.020"},"cs":24987956059,"ts":1673272861686}""";

    /// <summary>The legacy (pre-v5) docs' inverse instrument_info snapshot.</summary>
    public const string LegacyInstrumentSnapshot =
        """{"topic":"instrument_info.100ms.BTCUSD","type":"snapshot","data":{"id":1,"symbol":"BTCUSD","last_price_e4":81165000,"last_price":"8116.50","bid1_price_e4":81165000,"bid1_price":"8116.50","ask1_price_e4":81170000,"ask1_price":"8117.00","last_tick_direction":"ZeroPlusTick","prev_price_24h_e4":81585000,"mark_price_e4":81178500,"index_price_e4":81172800,"open_interest":154418471,"funding_rate_e6":100,"predicted_funding_rate_e6":-375,"cross_seq":1053192577,"created_at":"2018-11-14T16:33:26Z","updated_at":"2020-01-12T18:25:16Z","next_funding_time":"2020-01-13T00:00:00Z","countdown_hour":6},"cross_seq":1053192634,"timestamp_e6":1578853524091081}""";

    private sealed class Harness
    {
        public Harness(BybitCategory? category)
        {
            BybitSymbols.Register(RefData);
            Decoder = new BybitDecoder(RefData, category);
        }

        public ReferenceData RefData { get; } = new();

        public BybitDecoder Decoder { get; }

        public (FrameOutcome Outcome, MarketEvent[] Events) Decode(string json)
        {
            var output = new EventBuffer();
            var outcome = Decoder.Decode(Encoding.UTF8.GetBytes(json), ReceiveNs, output);
            return (outcome, output.AsSpan().ToArray());
        }
    }

    [Theory]
    [InlineData(BybitCategory.Linear, "BTC-USDT.PERP")]
    [InlineData(BybitCategory.Spot, "BTC-USDT.SPOT")]
    [InlineData(null, "BTC-USDT.PERP")]
    public void PublicTradeDocExampleIsATakerBuyOnTheCategorysInstrument(BybitCategory? category, string key)
    {
        var h = new Harness(category);
        var (outcome, events) = h.Decode(PublicTradeDoc);

        Assert.Equal(FrameOutcome.Decoded(1), outcome);
        var e = Assert.Single(events);
        Assert.Equal(EventKind.Trade, e.Kind);
        Assert.Equal(key, h.RefData.KeyOf(e.Instrument));
        Assert.Equal(Side.Buy, e.Side);
        AssertExact("16578.50", e.Price);
        AssertExact("0.001", e.Size);
        Assert.Equal(1_672_304_486_865_000_000, e.ExchangeTimeNs);
        Assert.Equal(ReceiveNs, e.ReceiveTimeNs);
        Assert.Equal(1_783_284_617, e.Sequence);
        Assert.Equal(TradeIdKind.Uuid, e.TradeId.Kind);
        Assert.Equal("20f43950-d8dd-5b31-9112-a178eb6023af", e.TradeId.ToString());
        Assert.Equal(VenueId.Bybit, e.Venue);
        Assert.Equal(ProviderId.Bybit, e.Provider);
    }

    [Fact]
    public void ABatchKeepsEveryTradeAndNumericSpotIdsStayNumeric()
    {
        var h = new Harness(BybitCategory.Spot);
        var (outcome, events) = h.Decode(
            """{"topic":"publicTrade.ETHUSDT","type":"snapshot","ts":1672304486868,"data":[{"T":1672304486865,"s":"ETHUSDT","S":"Sell","v":"0.5","p":"1200.10","i":"2290000000061666327","BT":false,"seq":10},{"T":1672304486866,"s":"ETHUSDT","S":"Buy","v":"1","p":"1200.20","i":"2290000000061666328","BT":true,"seq":10}]}""");

        Assert.Equal(FrameOutcome.Decoded(2), outcome);
        Assert.Equal([Side.Sell, Side.Buy], events.Select(e => e.Side));
        Assert.Equal(TradeId.Numeric(2290000000061666327), events[0].TradeId);
        Assert.All(events, e => Assert.Equal("ETH-USDT.SPOT", h.RefData.KeyOf(e.Instrument)));
    }

    [Fact]
    public void LinearTickerSnapshotYieldsQuoteMarkIndexAndFunding()
    {
        var h = new Harness(BybitCategory.Linear);
        var (outcome, events) = h.Decode(LinearTickerDoc);

        Assert.Equal(FrameOutcome.Decoded(4), outcome);
        Assert.Equal([EventKind.Quote, EventKind.Mark, EventKind.Index, EventKind.Funding], events.Select(e => e.Kind));
        Assert.All(events, e => Assert.Equal("BTC-USDT.PERP", h.RefData.KeyOf(e.Instrument)));
        Assert.All(events, e => Assert.Equal(1_673_272_861_686_000_000, e.ExchangeTimeNs));
        Assert.All(events, e => Assert.Equal(24_987_956_059, e.Sequence));
        AssertExact("17215.50", events[0].Price);
        AssertExact("84.489", events[0].Size);
        AssertExact("17216.00", events[0].Aux);
        AssertExact("83.020", events[0].AuxSize);
        AssertExact("17217.33", events[1].Price);
        AssertExact("17227.36", events[2].Price);
        AssertExact("-0.000212", events[3].Price);
        Assert.Equal(0m, events[3].Aux); // Bybit publishes no predicted rate
    }

    [Fact]
    public void TickerDeltasEmitOnlyWhatIsPresentAndKeepTheOtherQuoteSide()
    {
        var h = new Harness(BybitCategory.Linear);
        h.Decode(LinearTickerDoc);

        var (bidOnly, quote) = h.Decode("""{"topic":"tickers.BTCUSDT","type":"delta","data":{"symbol":"BTCUSDT","bid1Price":"17215.00","bid1Size":"10.0"},"cs":24987956060,"ts":1673272861786}""");
        Assert.Equal(FrameOutcome.Decoded(1), bidOnly);
        var q = Assert.Single(quote);
        Assert.Equal(EventKind.Quote, q.Kind);
        AssertExact("17215.00", q.Price);
        AssertExact("10.0", q.Size);
        AssertExact("17216.00", q.Aux); // from the snapshot
        AssertExact("83.020", q.AuxSize);

        var (markOnly, mark) = h.Decode("""{"topic":"tickers.BTCUSDT","type":"delta","data":{"symbol":"BTCUSDT","markPrice":"17218.01"},"cs":24987956061,"ts":1673272861886}""");
        Assert.Equal(FrameOutcome.Decoded(1), markOnly);
        Assert.Equal(EventKind.Mark, Assert.Single(mark).Kind);

        var (nothing, none) = h.Decode("""{"topic":"tickers.BTCUSDT","type":"delta","data":{"symbol":"BTCUSDT","volume24h":"91705.300","openInterest":"68744.8"},"cs":24987956062,"ts":1673272861986}""");
        Assert.Equal(FrameOutcome.Ignored(FrameReason.Unsupported), nothing);
        Assert.Empty(none);
    }

    [Fact]
    public void InverseTickerLandsOnTheInversePerp()
    {
        var h = new Harness(BybitCategory.Inverse);
        var (outcome, events) = h.Decode("""{"topic":"tickers.BTCUSD","type":"snapshot","data":{"symbol":"BTCUSD","markPrice":"16812.5","indexPrice":"16813.1","fundingRate":"0.0001"},"cs":1,"ts":1673272861686}""");

        Assert.Equal(FrameOutcome.Decoded(3), outcome);
        Assert.All(events, e => Assert.Equal("BTC-USD.PERP", h.RefData.KeyOf(e.Instrument)));
    }

    [Fact]
    public void SpotTickerDocExampleHasNothingToEmit()
    {
        var h = new Harness(BybitCategory.Spot);
        var (outcome, events) = h.Decode(
            """{"topic":"tickers.BTCUSDT","ts":1672305380595,"type":"snapshot","cs":496622841,"data":{"symbol":"BTCUSDT","lastPrice":"16363.78","highPrice24h":"16566.64","lowPrice24h":"16009.19","prevPrice24h":"16443.66","volume24h":"5865.470182","turnover24h":"95949815.680875","price24hPcnt":"-0.0049"}}""");

        Assert.Equal(FrameOutcome.Ignored(FrameReason.Unsupported), outcome);
        Assert.Empty(events);
    }

    [Fact]
    public void LegacyInstrumentInfoScaledIntegersConvertExactly()
    {
        var h = new Harness(null);
        var (outcome, events) = h.Decode(LegacyInstrumentSnapshot);

        Assert.Equal(FrameOutcome.Decoded(3), outcome);
        Assert.Equal([EventKind.Mark, EventKind.Index, EventKind.Funding], events.Select(e => e.Kind));
        Assert.All(events, e => Assert.Equal("BTC-USD.PERP", h.RefData.KeyOf(e.Instrument)));
        AssertExact("8117.8500", events[0].Price); // mark_price_e4 81178500
        AssertExact("8117.2800", events[1].Price); // index_price_e4 81172800
        AssertExact("0.000100", events[2].Price); // funding_rate_e6 100
        AssertExact("-0.000375", events[2].Aux); // predicted_funding_rate_e6 -375
        Assert.All(events, e => Assert.Equal(1_578_853_524_091_081_000, e.ExchangeTimeNs)); // timestamp_e6 (µs)
        Assert.All(events, e => Assert.Equal(1_053_192_634, e.Sequence));
    }

    [Fact]
    public void LegacyInstrumentInfoDeltasEmitWhatChanged()
    {
        var h = new Harness(null);
        var (outcome, events) = h.Decode(
            """{"topic":"instrument_info.100ms.BTCUSD","type":"delta","data":{"delete":[],"update":[{"id":1,"symbol":"BTCUSD","mark_price_e4":81180000,"updated_at":"2020-01-12T18:25:25.000Z"}],"insert":[]},"cross_seq":1053192657}""");

        Assert.Equal(FrameOutcome.Decoded(1), outcome);
        var e = Assert.Single(events);
        Assert.Equal(EventKind.Mark, e.Kind);
        AssertExact("8118.0000", e.Price);
        Assert.Equal(1_578_853_525_000_000_000, e.ExchangeTimeNs); // updated_at when timestamp_e6 is absent

        var (ignored, none) = h.Decode(
            """{"topic":"instrument_info.100ms.BTCUSD","type":"delta","data":{"delete":[],"update":[{"id":1,"symbol":"BTCUSD","prev_price_24h_e4":81565000,"volume_24h":735316391,"updated_at":"2020-01-12T18:25:25Z"}],"insert":[]},"cross_seq":1053192657,"timestamp_e6":1578853525691123}""");
        Assert.Equal(FrameOutcome.Ignored(FrameReason.Unsupported), ignored);
        Assert.Empty(none);

        // USDT perpetuals (realtime_public) sent the scaled integers as strings.
        var (linear, marks) = h.Decode(
            """{"topic":"instrument_info.100ms.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT","mark_price_e4":"605555000","funding_rate_e6":"-120"},"cross_seq":"1","timestamp_e6":"1618677786430132"}""");
        Assert.Equal(FrameOutcome.Decoded(2), linear);
        Assert.Equal("BTC-USDT.PERP", h.RefData.KeyOf(marks[0].Instrument));
        AssertExact("60555.5000", marks[0].Price);
        AssertExact("-0.000120", marks[1].Price);
        Assert.Equal(1_618_677_786_430_132_000, marks[0].ExchangeTimeNs);
    }

    [Theory]
    [InlineData("""{"success":true,"ret_msg":"","conn_id":"2324d924-aa4d-45b0-a858-7b8be29ab52b","req_id":"10001","op":"subscribe"}""", FrameReason.SubscriptionAck)]
    [InlineData("""{"success":true,"ret_msg":"","conn_id":"x","req_id":"","op":"unsubscribe"}""", FrameReason.SubscriptionAck)]
    [InlineData("""{"success": true, "ret_msg": "", "conn_id": "38cf0ac3", "request": {"op": "subscribe", "args": ["trade.BCHUSDT"]}}""", FrameReason.SubscriptionAck)]
    [InlineData("""{"success":true,"ret_msg":"pong","conn_id":"0970e817-426e-429a-a679-ff7f55e0b16a","op":"ping"}""", FrameReason.Heartbeat)]
    [InlineData("""{"req_id":"test","op":"pong","args":["1675418560633"],"conn_id":"cfcb4ocsvfriu23r3er0-1b"}""", FrameReason.Heartbeat)]
    [InlineData("""{"success":true,"ret_msg":"pong","conn_id":"x","request":{"op":"ping","args":null}}""", FrameReason.Heartbeat)]
    [InlineData("""{"success":true,"ret_msg":"","conn_id":"x","op":"auth"}""", FrameReason.Unsupported)]
    [InlineData("""{"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1672304484978,"data":{"s":"BTCUSDT","b":[["16493.50","0.006"]],"a":[["16611.00","0.029"]],"u":18521288,"seq":7961638724},"cts":1672304484976}""", FrameReason.BookUpdate)]
    [InlineData("""{"topic":"orderBookL2_25.BTCUSD","type":"delta","data":{"delete":[],"update":[],"insert":[]},"cross_seq":1,"timestamp_e6":1}""", FrameReason.BookUpdate)]
    [InlineData("""{"topic":"kline.5.BTCUSDT","data":[{"start":1672324800000}],"ts":1672324988882,"type":"snapshot"}""", FrameReason.Unsupported)]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486868,"data":[]}""", FrameReason.Unsupported)]
    public void ControlBookAndEmptyFramesAreIgnored(string json, FrameReason reason)
    {
        var (outcome, events) = new Harness(BybitCategory.Linear).Decode(json);

        Assert.Equal(FrameOutcome.Ignored(reason), outcome);
        Assert.Empty(events);
    }

    [Theory]
    [InlineData("""{"success":false,"ret_msg":"error:handler not found","conn_id":"x","req_id":"","op":"subscribe"}""", FrameReason.VenueError)]
    [InlineData("""{"success":false,"ret_msg":"error:invalid topic","conn_id":"x","request":{"op":"subscribe","args":["trade.NOPE"]}}""", FrameReason.VenueError)]
    [InlineData("{", FrameReason.Malformed)]
    [InlineData("pong", FrameReason.Malformed)]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","data":[{"T":1672304486865,"s":"BTCUSDT"}]} x""", FrameReason.Malformed)]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","ts":1,"data":[7]}""", FrameReason.Malformed)]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","ts":1672304486868,"data":[{"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"1","p":"1","i":"not-a-uuid"}]}""", FrameReason.Malformed)]
    [InlineData("""{"foo":1}""", FrameReason.MissingField)]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","ts":1672304486868}""", FrameReason.MissingField)]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","data":[{"s":"BTCUSDT","S":"Buy","v":"1","p":"1","i":"20f43950-d8dd-5b31-9112-a178eb6023af"}]}""", FrameReason.MissingField)]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","ts":1672304486868,"data":[{"T":1672304486865,"s":"BTCUSDT","S":"Buy","p":"1","i":"20f43950-d8dd-5b31-9112-a178eb6023af"}]}""", FrameReason.MissingField)]
    [InlineData("""{"topic":"tickers.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT","markPrice":"1"}}""", FrameReason.MissingField)]
    [InlineData("""{"topic":"publicTrade.NOPE","ts":1672304486868,"data":[{"T":1672304486865,"s":"NOPE","S":"Buy","v":"1","p":"1","i":"20f43950-d8dd-5b31-9112-a178eb6023af"}]}""", FrameReason.UnknownSymbol)]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","ts":1672304486868,"data":[{"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"1","p":"0","i":"20f43950-d8dd-5b31-9112-a178eb6023af"}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","ts":1672304486868,"data":[{"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"1","p":"NaN","i":"20f43950-d8dd-5b31-9112-a178eb6023af"}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","ts":1672304486868,"data":[{"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"-1","p":"5","i":"20f43950-d8dd-5b31-9112-a178eb6023af"}]}""", FrameReason.InvalidPrice)]
    [InlineData("""{"topic":"tickers.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT","markPrice":"-3"},"ts":1673272861686}""", FrameReason.InvalidPrice)]
    [InlineData("""{"topic":"tickers.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT","fundingRate":"x"},"ts":1673272861686}""", FrameReason.InvalidPrice)]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","ts":1672304486868,"data":[{"T":"later","s":"BTCUSDT","S":"Buy","v":"1","p":"1","i":"20f43950-d8dd-5b31-9112-a178eb6023af"}]}""", FrameReason.InvalidTimestamp)]
    [InlineData("""{"topic":"trade.BTCUSDT","data":[{"timestamp":"0000-04-17T16:43:06.000Z","symbol":"BTCUSDT","side":"Sell","size":4,"price":60621.5,"trade_id":"5ffb8b77-900c-507d-97a2-0922557ffe54"}]}""", FrameReason.InvalidTimestamp)]
    [InlineData("""{"topic":"tickers.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT","markPrice":"1"},"ts":5}""", FrameReason.InvalidTimestamp)]
    [InlineData("""{"topic":"instrument_info.100ms.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT","mark_price_e4":1},"timestamp_e6":"x"}""", FrameReason.InvalidTimestamp)]
    public void BadInputIsRejectedWithTheReason(string json, FrameReason reason)
    {
        var (outcome, events) = new Harness(BybitCategory.Linear).Decode(json);

        Assert.Equal(FrameOutcome.Rejected(reason), outcome);
        Assert.Empty(events);
    }

    [Fact]
    public void FramesOverTheCapAreOversized()
    {
        var refData = new ReferenceData();
        var decoder = new BybitDecoder(refData, BybitCategory.Linear, maxFrameBytes: 100);
        var output = new EventBuffer();

        Assert.Equal(FrameOutcome.Rejected(FrameReason.Oversized), decoder.Decode(Encoding.UTF8.GetBytes(PublicTradeDoc), 1, output));
        Assert.Equal(FrameOutcome.Rejected(FrameReason.Oversized), new Harness(null).Decode(new string(' ', BybitDecoder.DefaultMaxFrameBytes + 1)).Outcome);
    }

    [Fact]
    public void GarbageNeverThrows()
    {
        var h = new Harness(BybitCategory.Linear);
        var output = new EventBuffer();
        var random = new Random(11);
        foreach (var seed in new[] { PublicTradeDoc, LinearTickerDoc, LegacyInstrumentSnapshot })
        {
            var bytes = Encoding.UTF8.GetBytes(seed);
            for (var i = 0; i < 3_000; i++)
            {
                var frame = (byte[])bytes.Clone();
                for (var k = random.Next(1, 4); k > 0; k--)
                {
                    frame[random.Next(frame.Length)] = (byte)random.Next(256);
                }

                output.Clear();
                var outcome = h.Decoder.Decode(frame.AsSpan(0, random.Next(frame.Length + 1)), ReceiveNs, output);
                Assert.True(outcome.Status != FrameStatus.Decoded || output.Count == outcome.Events);
            }
        }
    }

    [Theory]
    [InlineData(BybitCategory.Spot, "BTCUSDT", "BTC-USDT.SPOT")]
    [InlineData(BybitCategory.Spot, "ETHBTC", "ETH-BTC.SPOT")]
    [InlineData(BybitCategory.Spot, "BTCUSDC", "BTC-USDC.SPOT")]
    [InlineData(BybitCategory.Linear, "BTCUSDT", "BTC-USDT.PERP")]
    [InlineData(BybitCategory.Linear, "1000PEPEUSDT", "1000PEPE-USDT.PERP")]
    [InlineData(BybitCategory.Linear, "BTCPERP", "BTC-USDC.PERP")]
    [InlineData(BybitCategory.Linear, "BTCUSDT-26DEC25", "BTC-USDT-20251226.FUT")]
    [InlineData(BybitCategory.Linear, "BTC-26DEC25", "BTC-USDC-20251226.FUT")]
    [InlineData(BybitCategory.Linear, "ETH-3JAN25", "ETH-USDC-20250103.FUT")]
    [InlineData(BybitCategory.Inverse, "BTCUSD", "BTC-USD.PERP")]
    [InlineData(BybitCategory.Inverse, "BTCUSDZ25", "BTC-USD-20251226.FUT")]
    [InlineData(BybitCategory.Inverse, "BTCUSDH26", "BTC-USD-20260327.FUT")]
    [InlineData(BybitCategory.Inverse, "ETHUSDM21", "ETH-USD-20210625.FUT")]
    public void SymbolsMapPerCategory(BybitCategory category, string symbol, string key)
    {
        var refData = new ReferenceData();
        BybitSymbols.Register(refData);

        Assert.True(refData.TryResolve(BybitSymbols.SpaceOf(category), Encoding.UTF8.GetBytes(symbol), out var id));
        Assert.Equal(key, refData.KeyOf(id));
    }

    [Theory]
    [InlineData(BybitCategory.Spot, "USDT")]
    [InlineData(BybitCategory.Spot, "BTC-USDT")]
    [InlineData(BybitCategory.Linear, "BTCUSD")]
    [InlineData(BybitCategory.Linear, "BTC-31FEB25")]
    [InlineData(BybitCategory.Inverse, "BTCUSDT")]
    [InlineData(BybitCategory.Inverse, "BTCUSDA25")]
    public void ForeignSymbolsAreUnknownInTheirCategory(BybitCategory category, string symbol)
    {
        var refData = new ReferenceData();
        BybitSymbols.Register(refData);

        Assert.False(refData.TryResolve(BybitSymbols.SpaceOf(category), Encoding.UTF8.GetBytes(symbol), out _));
    }

    [Fact]
    public void OneSymbolIsTwoInstrumentsOnSpotAndLinear()
    {
        var refData = new ReferenceData();
        BybitSymbols.Register(refData);

        Assert.True(refData.TryResolve(BybitSymbols.SpotSpace, "BTCUSDT"u8, out var spot));
        Assert.True(refData.TryResolve(BybitSymbols.LinearSpace, "BTCUSDT"u8, out var perp));
        Assert.NotEqual(spot, perp);
        Assert.Equal(new DateOnly(2025, 12, 26), BybitSymbols.LastFriday(2025, 12));
    }

    [Fact]
    public void ProtocolSubscribesPerCategoryWithinTheArgLimits()
    {
        var spot = new BybitProtocol(BybitCategory.Spot);
        var symbols = Enumerable.Range(0, 25).Select(i => $"C{i}USDT").ToArray();
        var spotFrames = spot.SubscribeFrames(symbols);
        Assert.Equal(3, spotFrames.Count); // 25 topics, 10 per request on spot
        using (var doc = JsonDocument.Parse(spotFrames[0]))
        {
            Assert.Equal("subscribe", doc.RootElement.GetProperty("op").GetString());
            Assert.Equal(10, doc.RootElement.GetProperty("args").GetArrayLength());
            Assert.Equal("publicTrade.C0USDT", doc.RootElement.GetProperty("args")[0].GetString());
            Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("req_id").GetString()));
        }

        var linear = new BybitProtocol(BybitCategory.Linear);
        using (var doc = JsonDocument.Parse(Assert.Single(linear.SubscribeFrames(["BTCUSDT", "ETHUSDT"]))))
        {
            Assert.Equal(["publicTrade.BTCUSDT", "tickers.BTCUSDT", "publicTrade.ETHUSDT", "tickers.ETHUSDT"],
                doc.RootElement.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        }

        using (var doc = JsonDocument.Parse(Assert.Single(linear.UnsubscribeFrames(["BTCUSDT"]))))
        {
            Assert.Equal("unsubscribe", doc.RootElement.GetProperty("op").GetString());
        }

        Assert.Equal(new Uri("wss://stream.bybit.com/v5/public/spot"), spot.DefaultEndpoint);
        Assert.Equal(new Uri("wss://stream.bybit.com/v5/public/linear"), linear.DefaultEndpoint);
        Assert.Equal(new Uri("wss://stream.bybit.com/v5/public/inverse"), new BybitProtocol(BybitCategory.Inverse).DefaultEndpoint);
        Assert.Equal(("""{"op":"ping"}""", TimeSpan.FromSeconds(20)), linear.KeepAlive);
        Assert.Equal(SequenceScope.None, ((IVenueProtocol)linear).SequenceScope);
        Assert.Equal(BybitCategory.Linear, Assert.IsType<BybitDecoder>(linear.CreateDecoder(new ReferenceData())).Category);
    }
    /// <summary>
    /// Trades are decoded in the envelope pass when the topic comes first; frames where the rest of the envelope decides
    /// otherwise (a trade whose only time is a later <c>ts</c>, a second topic or data key) end as the two-pass decode did.
    /// </summary>
    [Theory]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","data":[{"s":"BTCUSDT","S":"Sell","v":"1","p":"100.5","i":"7"}],"ts":1672304486868}""", FrameStatus.Decoded, 1)]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","data":[{"s":"BTCUSDT","S":"Sell","v":"1","p":"100.5","i":"7"}]}""", FrameStatus.Rejected, 0)]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","data":[T],"topic":"orderbook.50.BTCUSDT"}""", FrameStatus.Ignored, 0)]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","data":[T,T],"data":[T]}""", FrameStatus.Decoded, 1)]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","data":[T,T,T],"ts":1}""", FrameStatus.Decoded, 3)]
    [InlineData("""{"topic":"publicTrade.BTCUSDT","data":[]}""", FrameStatus.Ignored, 0)]
    [InlineData("""{"data":[T],"topic":"publicTrade.BTCUSDT"}""", FrameStatus.Decoded, 1)]
    public void The_single_pass_ends_every_frame_as_the_two_pass_decode_does(string template, FrameStatus status, int events)
    {
        const string trade = """{"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","L":"PlusTick","i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false,"seq":1783284617}""";
        var h = new Harness(BybitCategory.Linear);
        var output = new EventBuffer();
        output.Add(new MarketEvent { Kind = EventKind.Trade, Price = 1m, Size = 1m });

        var outcome = h.Decoder.Decode(Encoding.UTF8.GetBytes(template.Replace("[T", "[" + trade, StringComparison.Ordinal)
            .Replace(",T", "," + trade, StringComparison.Ordinal)), ReceiveNs, output);

        Assert.Equal(status, outcome.Status);
        Assert.Equal(events, outcome.Events);
        Assert.Equal(1 + events, output.Count);
        Assert.Equal(1m, output[0].Price);
        if (template.Contains("\"ts\":1672304486868", StringComparison.Ordinal))
        {
            Assert.Equal(1_672_304_486_868_000_000, output[1].ExchangeTimeNs); // the envelope's ts, read after the data
        }
    }
}
