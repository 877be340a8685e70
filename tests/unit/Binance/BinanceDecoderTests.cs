using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Binance;
using static Cloudwall.Rx.Tests.Unit.Binance.BinanceFrames;

namespace Cloudwall.Rx.Tests.Unit.Binance;

public sealed class BinanceDecoderTests
{
    [Fact]
    public void DocTradeBecomesATradeWithTheTakersSideAndTheTradeIdAsSequence()
    {
        var outcome = Decode(DocTrade, BinanceMarket.Spot, out var output, out var refData);

        Assert.Equal(FrameOutcome.Decoded(1), outcome);
        var e = output[0];
        Assert.Equal(EventKind.Trade, e.Kind);
        Assert.Equal(VenueId.Binance, e.Venue);
        Assert.Equal(ProviderId.Binance, e.Provider);
        Assert.Equal("BNB-BTC.SPOT", refData.KeyOf(e.Instrument));
        Assert.Equal("BNBBTC", refData.VenueSymbol(e.Instrument, VenueId.Binance));
        Assert.Equal(Side.Sell, e.Side); // "m":true: the buyer was the maker, so the taker sold
        Assert.Equal("0.001", EventJson.Dec(e.Price));
        Assert.Equal("100", EventJson.Dec(e.Size));
        Assert.Equal(12345, e.Sequence); // "t", not the buyer/seller order ids "b"/"a"
        Assert.Equal(TradeId.Numeric(12345), e.TradeId);
        Assert.Equal(1_672_515_782_136_000_000, e.ExchangeTimeNs); // "T" in ms
        Assert.Equal("2022-12-31T19:43:02.136Z", UnixTime.ToIso(e.ExchangeTimeNs));
        Assert.Equal(ReceiveNs, e.ReceiveTimeNs);
        Assert.Equal(0m, e.Aux);
        Assert.Equal(0m, e.AuxSize);
    }

    [Fact]
    public void DocAggTradeUsesTheAggregateIdAsSequenceAndTradeId()
    {
        Assert.Equal(FrameOutcome.Decoded(1), Decode(DocAggTrade, out var output));
        var e = output[0];
        Assert.Equal(EventKind.Trade, e.Kind);
        Assert.Equal(12345, e.Sequence);
        Assert.Equal(TradeId.Numeric(12345), e.TradeId);
        Assert.Equal(Side.Sell, e.Side);
        Assert.Equal(1_672_515_782_136_000_000, e.ExchangeTimeNs);
    }

    [Fact]
    public void DocBookTickerBecomesAQuoteWithoutExchangeTime()
    {
        var outcome = Decode(DocBookTicker, BinanceMarket.Spot, out var output, out var refData);

        Assert.Equal(FrameOutcome.Decoded(1), outcome);
        var e = output[0];
        Assert.Equal(EventKind.Quote, e.Kind);
        Assert.Equal("BNB-USDT.SPOT", refData.KeyOf(e.Instrument));
        Assert.Equal("25.35190000", EventJson.Dec(e.Price));
        Assert.Equal("31.21000000", EventJson.Dec(e.Size));
        Assert.Equal("25.36520000", EventJson.Dec(e.Aux));
        Assert.Equal("40.66000000", EventJson.Dec(e.AuxSize));
        Assert.Equal(0, e.ExchangeTimeNs); // spot bookTicker carries no time
        Assert.Equal(0, e.Sequence); // "u" is an order-book update id, not contiguous per quote
        Assert.Equal(Side.Unknown, e.Side);
        Assert.True(e.TradeId.IsNone);
    }

    [Fact]
    public void FuturesBookTickerUsesTheTransactionTime()
    {
        var outcome = Decode(DocFuturesBookTicker, BinanceMarket.UsdM, out var output, out var refData);

        Assert.Equal(FrameOutcome.Decoded(1), outcome);
        var e = output[0];
        Assert.Equal(VenueId.BinanceUsdm, e.Venue);
        Assert.Equal(ProviderId.BinanceUsdm, e.Provider);
        Assert.Equal("BNB-USDT.PERP", refData.KeyOf(e.Instrument));
        Assert.Equal(1_568_014_460_891_000_000, e.ExchangeTimeNs); // "T", not "E" (…893)
        Assert.Equal(0, e.Sequence);
    }

    [Fact]
    public void BookTickerWithOnlyAnEventTimeUsesIt()
    {
        Assert.Equal(FrameOutcome.Decoded(1), Decode(With(DocFuturesBookTicker, "T", null), out var output, BinanceMarket.UsdM));
        Assert.Equal(1_568_014_460_893_000_000, output[0].ExchangeTimeNs);
    }

    [Fact]
    public void UsdmMarkPriceUpdateBecomesMarkIndexAndFunding()
    {
        var outcome = Decode(DocUsdmMarkPrice, BinanceMarket.UsdM, out var output, out var refData);

        Assert.Equal(FrameOutcome.Decoded(3), outcome);
        Assert.Equal(3, output.Count);
        var (mark, index, funding) = (output[0], output[1], output[2]);
        Assert.Equal(EventKind.Mark, mark.Kind);
        Assert.Equal("11794.15000000", EventJson.Dec(mark.Price));
        Assert.Equal(0m, mark.Aux); // no implied volatility on futures
        Assert.Equal(EventKind.Index, index.Kind);
        Assert.Equal("11784.62659091", EventJson.Dec(index.Price));
        Assert.Equal(EventKind.Funding, funding.Kind);
        Assert.Equal("0.00038167", EventJson.Dec(funding.Price));
        Assert.Equal(0m, funding.Aux); // Binance publishes no predicted rate
        foreach (var e in output.AsSpan())
        {
            Assert.Equal("BTC-USDT.PERP", refData.KeyOf(e.Instrument));
            Assert.Equal(1_562_305_380_000_000_000, e.ExchangeTimeNs); // "E"; "T" is the next funding time
            Assert.Equal(ReceiveNs, e.ReceiveTimeNs);
            Assert.Equal(0, e.Sequence);
            Assert.Equal(VenueId.BinanceUsdm, e.Venue);
        }
    }

    [Fact]
    public void CoinmDeliveryMarkPriceHasNoFunding()
    {
        var outcome = Decode(DocCoinmMarkPrice, BinanceMarket.CoinM, out var output, out var refData);

        Assert.Equal(FrameOutcome.Decoded(2), outcome);
        Assert.Equal(EventKind.Mark, output[0].Kind);
        Assert.Equal("10934.62615417", EventJson.Dec(output[0].Price));
        Assert.Equal(EventKind.Index, output[1].Kind);
        Assert.Equal("10933.62615417", EventJson.Dec(output[1].Price));
        Assert.Equal("BTC-USD-20201225.FUT", refData.KeyOf(output[0].Instrument));
        Assert.Equal(VenueId.BinanceCoinm, output[0].Venue);
        Assert.Equal(1_596_095_725_000_000_000, output[0].ExchangeTimeNs);
    }

    [Fact]
    public void CoinmPerpetualMarkPriceWithoutIndexHasMarkAndANegativeFunding()
    {
        var frame = With(With(With(DocCoinmMarkPrice, "s", "\"BTCUSD_PERP\""), "i", null), "r", "\"-0.00010000\"");

        Assert.Equal(FrameOutcome.Decoded(2), Decode(frame, BinanceMarket.CoinM, out var output, out var refData));
        Assert.Equal(EventKind.Mark, output[0].Kind);
        Assert.Equal(EventKind.Funding, output[1].Kind);
        Assert.Equal("-0.00010000", EventJson.Dec(output[1].Price));
        Assert.Equal("BTC-USD.PERP", refData.KeyOf(output[1].Instrument));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CombinedStreamWrapperDecodesLikeTheRawPayloadWhicheverMemberComesFirst(bool dataFirst)
    {
        Decode(DocTrade, out var raw);
        Assert.Equal(FrameOutcome.Decoded(1), Decode(Wrap("bnbbtc@trade", DocTrade, dataFirst), out var wrapped));
        Assert.Equal(raw[0], wrapped[0]);

        Decode(DocBookTicker, out var rawQuote);
        Assert.Equal(FrameOutcome.Decoded(1), Decode(Wrap("bnbusdt@bookTicker", DocBookTicker, dataFirst), out var wrappedQuote));
        Assert.Equal(rawQuote[0], wrappedQuote[0]);

        Decode(DocUsdmMarkPrice, out var rawMark, BinanceMarket.UsdM);
        Assert.Equal(FrameOutcome.Decoded(3), Decode(Wrap("btcusdt@markPrice@1s", DocUsdmMarkPrice, dataFirst), out var wrappedMark, BinanceMarket.UsdM));
        Assert.Equal(rawMark.AsSpan().ToArray(), wrappedMark.AsSpan().ToArray());
    }

    [Fact]
    public void RecordedSpotAggTradeDecodesExactly()
    {
        Assert.Equal(FrameOutcome.Decoded(1), Decode(RecordedSpotAggTrade, BinanceMarket.Spot, out var output, out var refData));
        var e = output[0];
        Assert.Equal("NKN-USDT.SPOT", refData.KeyOf(e.Instrument));
        Assert.Equal("0.35280000", EventJson.Dec(e.Price));
        Assert.Equal("58.00000000", EventJson.Dec(e.Size));
        Assert.Equal(Side.Buy, e.Side); // "m":false: the seller was the maker, the taker bought
        Assert.Equal(15683430, e.Sequence);
        Assert.Equal(1_633_998_523_963_000_000, e.ExchangeTimeNs);
    }

    [Theory]
    [InlineData("true", Side.Sell)]
    [InlineData("false", Side.Buy)]
    [InlineData(null, Side.Unknown)]
    [InlineData("\"true\"", Side.Unknown)]
    public void BuyerIsMakerIsTurnedIntoTheTakerSide(string? rawM, Side taker)
    {
        Assert.Equal(FrameOutcome.Decoded(1), Decode(With(DocTrade, "m", rawM), out var output));
        Assert.Equal(taker, output[0].Side);
    }

    [Fact]
    public void FieldsMayComeInAnyOrderAndUnknownMembersAreSkipped()
    {
        Decode(DocTrade, out var inOrder);
        const string reordered =
            """{"M":true,"m":true,"T":1672515782136,"x":{"nested":[1,2,{"p":"9"}]},"a":50,"b":88,"q":"100","p":"0.001","t":12345,"s":"BNBBTC","E":1672515782136,"e":"trade"}""";
        Assert.Equal(FrameOutcome.Decoded(1), Decode(reordered, out var output));
        Assert.Equal(inOrder[0], output[0]);
    }

    [Fact]
    public void EscapedNamesAndValuesDecodeLikePlainOnes()
    {
        Decode(DocTrade, out var plain);
        var escaped = DocTrade.Replace("\"s\":\"BNBBTC\"", "\"\\u0073\":\"BNB\\u0042TC\"", StringComparison.Ordinal)
            .Replace("\"p\":\"0.001\"", "\"p\":\"0.00\\u0031\"", StringComparison.Ordinal)
            .Replace("\"e\":\"trade\"", "\"e\":\"tr\\u0061de\"", StringComparison.Ordinal);
        Assert.NotEqual(DocTrade, escaped);

        Assert.Equal(FrameOutcome.Decoded(1), Decode(escaped, out var decoded));
        Assert.Equal(plain[0], decoded[0]);
    }

    [Theory]
    [InlineData("\"0.001\"", "0.001")]
    [InlineData("0.001", "0.001")] // a JSON number instead of a string
    [InlineData("\"1.5E-3\"", "0.0015")]
    [InlineData("\"1.50e1\"", "15.0")]
    [InlineData("\"65000.10000000\"", "65000.10000000")]
    public void PricesAreExactWithTheirScale(string rawPrice, string expected)
    {
        Assert.Equal(FrameOutcome.Decoded(1), Decode(With(DocTrade, "p", rawPrice), out var output));
        Assert.Equal(expected, EventJson.Dec(output[0].Price));
    }

    [Fact]
    public void LowerCaseSymbolsMapToTheSameInstrument()
    {
        var refData = NewRefData();
        var decoder = new BinanceDecoder(refData, BinanceMarket.Spot);
        var output = new EventBuffer();
        decoder.Decode(Utf8(DocTrade), ReceiveNs, output);
        decoder.Decode(Utf8(With(DocTrade, "s", "\"bnbbtc\"")), ReceiveNs, output);

        Assert.Equal(2, output.Count);
        Assert.Equal(output[0].Instrument, output[1].Instrument);
    }

    [Fact]
    public void BinanceUsIsItsOwnVenue()
    {
        Assert.Equal(FrameOutcome.Decoded(1), Decode(DocBookTicker, BinanceMarket.Us, out var output, out var refData));
        Assert.Equal(VenueId.BinanceUs, output[0].Venue);
        Assert.Equal(ProviderId.BinanceUs, output[0].Provider);
        Assert.Equal("BNB-USDT.SPOT", refData.KeyOf(output[0].Instrument));
        Assert.Equal("BNBUSDT", refData.VenueSymbol(output[0].Instrument, VenueId.BinanceUs));
        Assert.Null(refData.VenueSymbol(output[0].Instrument, VenueId.Binance));
    }

    // ---- ignored frames ----

    [Theory]
    [InlineData("""{"result":null,"id":1}""", FrameReason.SubscriptionAck)]
    [InlineData("""{"id":312,"result":null}""", FrameReason.SubscriptionAck)]
    [InlineData("""{"result":["btcusdt@trade","btcusdt@bookTicker"],"id":3}""", FrameReason.SubscriptionAck)]
    [InlineData(RecordedFuturesDepth, FrameReason.BookUpdate)]
    [InlineData("""{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"]],"a":[["0.0026","100"]]}""", FrameReason.BookUpdate)]
    [InlineData("""{"lastUpdateId":160,"bids":[["0.0024","10"]],"asks":[["0.0026","100"]]}""", FrameReason.BookUpdate)]
    [InlineData("""{"stream":"nknusdt@kline_1m","data":{"e":"kline","E":1633998523963,"s":"NKNUSDT","k":{"t":1633998480000,"T":1633998539999,"s":"NKNUSDT","i":"1m","f":19862761,"L":19862790,"o":"0.35270000","c":"0.35280000","h":"0.35280000","l":"0.35220000","v":"25877.00000000","n":30,"x":false,"q":"9116.04600000","V":"58.00000000","Q":"20.46240000","B":"0"}}}""", FrameReason.Unsupported)]
    [InlineData("""{"e":"24hrTicker","E":1672515782136,"s":"BNBBTC","p":"0.0015","P":"250.00","w":"0.0018","x":"0.0009","c":"0.0025","Q":"10","b":"0.0024","B":"10","a":"0.0026","A":"100","o":"0.0010","h":"0.0025","l":"0.0010","v":"10000","q":"18","O":0,"C":86400000,"F":0,"L":18150,"n":18151}""", FrameReason.Unsupported)]
    [InlineData("""{"e":"forceOrder","E":1568014460893,"o":{"s":"BTCUSDT"}}""", FrameReason.Unsupported)]
    [InlineData("""{"stream":"!ticker@arr","data":[{"e":"24hrTicker","s":"BNBBTC"}]}""", FrameReason.Unsupported)]
    [InlineData("""{}""", FrameReason.Unsupported)]
    public void NonMarketDataFramesAreIgnoredWithTheirReason(string json, FrameReason reason)
    {
        Assert.Equal(FrameOutcome.Ignored(reason), Decode(json, out var output, BinanceMarket.UsdM));
        Assert.Equal(0, output.Count);
    }

    // ---- rejected frames, one group per reason ----

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"e":"trade","s":"BNBBTC","p":"0.001""")]
    [InlineData("""[{"e":"trade"}]""")]
    [InlineData("\"trade\"")]
    [InlineData("""{"e":"trade"}{"e":"trade"}""")]
    [InlineData("""{"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","T":1672515782136,"m":true,}""")]
    [InlineData("""{"stream":"bnbbtc@trade","data":{"e":"trade","E":1}""")]
    public void BrokenJsonIsMalformed(string json) =>
        Assert.Equal(FrameOutcome.Rejected(FrameReason.Malformed), Decode(json));

    [Theory]
    [InlineData("t", "-1")]
    [InlineData("t", "\"x\"")]
    [InlineData("t", "1.5")]
    public void ABadTradeIdIsMalformed(string field, string raw) =>
        Assert.Equal(FrameOutcome.Rejected(FrameReason.Malformed), Decode(With(DocTrade, field, raw)));

    [Theory]
    [InlineData("s")]
    [InlineData("p")]
    [InlineData("q")]
    [InlineData("T")]
    [InlineData("t")]
    public void TradeWithoutARequiredFieldIsMissingField(string field) =>
        Assert.Equal(FrameOutcome.Rejected(FrameReason.MissingField), Decode(With(DocTrade, field, null)));

    [Theory]
    [InlineData("""{"e":"aggTrade","E":1672515782136,"s":"BNBBTC","p":"0.001","q":"100","T":1672515782136,"m":true}""")] // no "a"
    [InlineData("""{"u":400900217,"s":"BNBUSDT","b":"25.35190000","a":"25.36520000","A":"40.66000000"}""")] // no "B"
    [InlineData("""{"e":"bookTicker","u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","A":"40.66000000"}""")] // no "a"
    [InlineData("""{"e":"markPriceUpdate","s":"BTCUSDT","p":"11794.15000000","r":"0.00038167"}""")] // no "E"
    [InlineData("""{"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","i":"11784.62659091"}""")] // no "p"
    [InlineData("""{"stream":"bnbbtc@trade"}""")] // wrapper without data
    [InlineData("""{"s":"BNBBTC","p":"0.001","q":"100"}""")] // a payload without its event type
    [InlineData("""{"e":null,"s":"BNBBTC","p":"0.001","q":"100"}""")]
    public void FramesWithoutARequiredMemberAreMissingField(string json) =>
        Assert.Equal(FrameOutcome.Rejected(FrameReason.MissingField), Decode(json, BinanceMarket.UsdM));

    [Theory]
    [InlineData(BinanceMarket.Spot, "\"NOTAPAIR\"")]
    [InlineData(BinanceMarket.Spot, "\"BTCUSDT_PERP\"")]
    [InlineData(BinanceMarket.Spot, "\"BTC-USDT\"")]
    [InlineData(BinanceMarket.Spot, "\"\"")]
    [InlineData(BinanceMarket.Spot, "123")]
    [InlineData(BinanceMarket.UsdM, "\"BTCUSD_PERP\"")]
    [InlineData(BinanceMarket.CoinM, "\"BTCUSD\"")]
    [InlineData(BinanceMarket.CoinM, "\"BTCUSD_211331\"")]
    public void UnknownSymbolsAreRejected(BinanceMarket market, string rawSymbol) =>
        Assert.Equal(FrameOutcome.Rejected(FrameReason.UnknownSymbol), Decode(With(DocTrade, "s", rawSymbol), market));

    [Theory]
    [InlineData("p", "\"0\"")]
    [InlineData("p", "\"0.00000000\"")]
    [InlineData("p", "\"-0.001\"")]
    [InlineData("p", "\"NaN\"")]
    [InlineData("p", "\"Infinity\"")]
    [InlineData("p", "\"-Infinity\"")]
    [InlineData("p", "\"abc\"")]
    [InlineData("p", "\"\"")]
    [InlineData("p", "\" 0.001\"")]
    [InlineData("p", "\"0x10\"")]
    [InlineData("p", "\"1e400\"")]
    [InlineData("p", "\"1.2.3\"")]
    [InlineData("q", "\"0\"")]
    [InlineData("q", "\"-5\"")]
    public void BadTradePricesAndSizesAreInvalidPrice(string field, string raw) =>
        Assert.Equal(FrameOutcome.Rejected(FrameReason.InvalidPrice), Decode(With(DocTrade, field, raw)));

    [Theory]
    [InlineData(DocBookTicker, "b", "\"0\"")]
    [InlineData(DocBookTicker, "a", "\"NaN\"")]
    [InlineData(DocBookTicker, "B", "\"-1\"")]
    [InlineData(DocUsdmMarkPrice, "p", "\"0\"")]
    [InlineData(DocUsdmMarkPrice, "i", "\"-1\"")]
    [InlineData(DocUsdmMarkPrice, "r", "\"NaN\"")]
    public void BadQuoteAndMarkValuesAreInvalidPrice(string frame, string field, string raw) =>
        Assert.Equal(FrameOutcome.Rejected(FrameReason.InvalidPrice), Decode(With(frame, field, raw), BinanceMarket.UsdM));

    [Fact]
    public void ZeroQuoteSizesAreAllowed()
    {
        Assert.Equal(FrameOutcome.Decoded(1), Decode(With(DocBookTicker, "B", "\"0.00000000\""), out var output));
        Assert.Equal(0m, output[0].Size);
    }

    [Theory]
    [InlineData(DocTrade, "T", "0")]
    [InlineData(DocTrade, "T", "-1672515782136")]
    [InlineData(DocTrade, "T", "1672515782136000000")] // nanoseconds, not ms
    [InlineData(DocTrade, "T", "1672515782.136")]
    [InlineData(DocTrade, "T", "\"soon\"")]
    [InlineData(DocTrade, "T", "99999999999999999999")]
    [InlineData(DocFuturesBookTicker, "T", "0")]
    [InlineData(DocUsdmMarkPrice, "E", "-5")]
    public void BadTimesAreInvalidTimestamp(string frame, string field, string raw) =>
        Assert.Equal(FrameOutcome.Rejected(FrameReason.InvalidTimestamp), Decode(With(frame, field, raw), BinanceMarket.UsdM));

    [Fact]
    public void FramesOverTheCapAreOversized()
    {
        Assert.Equal(FrameOutcome.Rejected(FrameReason.Oversized), Decode(DocTrade, BinanceMarket.Spot, out _, out _, maxFrameBytes: DocTrade.Length - 1));
        Assert.Equal(FrameOutcome.Decoded(1), Decode(DocTrade, BinanceMarket.Spot, out _, out _, maxFrameBytes: DocTrade.Length));

        var huge = Wrap("bnbbtc@trade", With(DocTrade, "M", "\"" + new string('x', BinanceDecoder.DefaultMaxFrameBytes) + "\""));
        Assert.Equal(FrameOutcome.Rejected(FrameReason.Oversized), Decode(huge));
    }

    [Theory]
    [InlineData("""{"error":{"code":2,"msg":"Invalid request: unknown variant `SUBSCRIBES`"},"id":1}""")]
    [InlineData("""{"code":3,"msg":"Invalid JSON: expected value at line 1 column 1"}""")]
    [InlineData("""{"code":0,"msg":"Unknown property","id":5}""")]
    public void VenueErrorsAreRejected(string json) =>
        Assert.Equal(FrameOutcome.Rejected(FrameReason.VenueError), Decode(json));

    [Fact]
    public void ARejectedFrameAddsNoEvents()
    {
        var refData = NewRefData();
        var decoder = new BinanceDecoder(refData, BinanceMarket.UsdM);
        var output = new EventBuffer();

        Assert.Equal(FrameOutcome.Rejected(FrameReason.InvalidPrice), decoder.Decode(Utf8(With(DocUsdmMarkPrice, "r", "\"x\"")), ReceiveNs, output));
        Assert.Equal(0, output.Count);
    }

    [Fact]
    public void DecodingNeverThrowsOnAnyPrefixOfRealFrames()
    {
        var decoder = new BinanceDecoder(NewRefData(), BinanceMarket.UsdM);
        var output = new EventBuffer();
        foreach (var frame in new[] { DocTrade, DocBookTicker, DocFuturesBookTicker, DocUsdmMarkPrice, RecordedFuturesDepth, Wrap("x@trade", DocTrade, dataFirst: true) })
        {
            var bytes = Utf8(frame);
            for (var n = 0; n <= bytes.Length; n++)
            {
                output.Clear();
                var outcome = decoder.Decode(bytes.AsSpan(0, n), ReceiveNs, output);
                if (n < bytes.Length)
                {
                    Assert.NotEqual(FrameStatus.Decoded, outcome.Status);
                }
            }
        }
    }
}
