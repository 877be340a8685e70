using System.Text;
using System.Text.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Venues.Bybit;

namespace Cloudwall.Rx.Tests.Unit.Bybit;

/// <summary>Bybit's data levels (docs/venues.md, "Data levels", Bybit): the topics each subscribes and the level-1 book decode.</summary>
public sealed class BybitLevelTests
{
    /// <summary>The v5 docs' orderbook snapshot example (depth 50) cut to its first level, as depth 1 sends it, with <c>cts</c>.</summary>
    public const string OrderBook1Doc =
        """{"topic":"orderbook.1.BTCUSDT","type":"snapshot","ts":1671179923028,"data":{"s":"BTCUSDT","b":[["17440.00","40.833"]],"a":[["17440.50","78.815"]],"u":13079592,"seq":22520573250},"cts":1671179923025}""";

    [Fact]
    public void Each_kind_offers_its_levels_with_trades_first()
    {
        Assert.Equal(["trades", "quotes"], Levels("bybit-spot"));
        Assert.Equal(["trades", "quotes", "throttled"], Levels("bybit-linear"));
        Assert.Equal(["trades", "quotes", "throttled"], Levels("bybit-inverse"));

        static IEnumerable<string> Levels(string kind) => ProviderCatalog.TryGet(kind, out var k) ? k.Levels.Select(l => l.Name) : [];
    }

    [Theory]
    [InlineData(BybitCategory.Spot, "quotes", new[] { "orderbook.1.BTCUSDT", "orderbook.1.ETHUSDT" })]
    [InlineData(BybitCategory.Linear, "quotes", new[] { "orderbook.1.BTCUSDT", "orderbook.1.ETHUSDT" })]
    [InlineData(BybitCategory.Linear, "throttled", new[] { "tickers.BTCUSDT", "tickers.ETHUSDT" })]
    [InlineData(BybitCategory.Inverse, "throttled", new[] { "tickers.BTCUSDT", "tickers.ETHUSDT" })]
    [InlineData(BybitCategory.Spot, "trades", new[] { "publicTrade.BTCUSDT", "publicTrade.ETHUSDT" })]
    [InlineData(BybitCategory.Linear, "trades", new[] { "publicTrade.BTCUSDT", "tickers.BTCUSDT", "publicTrade.ETHUSDT", "tickers.ETHUSDT" })]
    public void Each_level_subscribes_its_documented_topics(BybitCategory category, string level, string[] expected)
    {
        var topics = level switch
        {
            "quotes" => BybitProtocol.QuotesTopics,
            "throttled" => BybitProtocol.ThrottledTopics,
            _ => BybitProtocol.DefaultTopics(category),
        };
        var frame = Assert.Single(new BybitProtocol(category, topics: topics).SubscribeFrames(["BTCUSDT", "ETHUSDT"]));

        using var doc = JsonDocument.Parse(frame);
        Assert.Equal("subscribe", doc.RootElement.GetProperty("op").GetString());
        Assert.Equal(expected, doc.RootElement.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
    }

    [Theory]
    [InlineData(BybitCategory.Spot, "BTC-USDT.SPOT")]
    [InlineData(BybitCategory.Linear, "BTC-USDT.PERP")]
    public void The_level_1_book_is_one_quote_timed_by_the_matching_engine(BybitCategory category, string key)
    {
        var (refData, outcome, events) = Decode(category, OrderBook1Doc);

        Assert.Equal(FrameOutcome.Decoded(1), outcome);
        var q = Assert.Single(events);
        Assert.Equal((EventKind.Quote, key), (q.Kind, refData.KeyOf(q.Instrument)));
        Assert.Equal((17440.00m, 40.833m, 17440.50m, 78.815m), (q.Price, q.Size, q.Aux, q.AuxSize));
        Assert.Equal("17440.00", q.Price.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1671179923025L * 1_000_000, q.ExchangeTimeNs);
        Assert.Equal(22520573250, q.Sequence);
    }

    [Fact]
    public void An_empty_side_clears_it_a_delta_keeps_the_side_it_omits_and_deeper_books_stay_ignored()
    {
        var refData = new ReferenceData();
        BybitSymbols.Register(refData);
        var decoder = new BybitDecoder(refData, BybitCategory.Linear);

        var oneSided = Decode(decoder, """{"topic":"orderbook.1.BTCUSDT","type":"snapshot","ts":1671179923028,"data":{"s":"BTCUSDT","b":[],"a":[["17440.50","1.5"]],"u":2,"seq":3}}""");
        Assert.Equal((0m, 17440.50m), (Assert.Single(oneSided.Events).Price, oneSided.Events[0].Aux));

        var delta = Decode(decoder, """{"topic":"orderbook.1.BTCUSDT","type":"delta","ts":1671179923030,"data":{"s":"BTCUSDT","b":[["17440.00","2"]],"a":[],"u":3,"seq":4}}""");
        Assert.Equal((17440.00m, 17440.50m), (Assert.Single(delta.Events).Price, delta.Events[0].Aux));

        var removed = Decode(decoder, """{"topic":"orderbook.1.BTCUSDT","type":"delta","ts":1671179923031,"data":{"s":"BTCUSDT","b":[["17440.00","0"]],"a":[],"u":4,"seq":5}}""");
        Assert.Equal((0m, 17440.50m), (Assert.Single(removed.Events).Price, removed.Events[0].Aux));

        var deep = Decode(decoder, OrderBook1Doc.Replace("orderbook.1.", "orderbook.50.", StringComparison.Ordinal));
        Assert.Equal(FrameOutcome.Ignored(FrameReason.BookUpdate), deep.Outcome);

        Assert.Equal(FrameOutcome.Rejected(FrameReason.InvalidPrice),
            Decode(decoder, OrderBook1Doc.Replace("\"17440.00\"", "\"-1\"", StringComparison.Ordinal)).Outcome);
        Assert.Equal(FrameOutcome.Rejected(FrameReason.Malformed),
            Decode(decoder, OrderBook1Doc.Replace("[[\"17440.00\",\"40.833\"]]", "[\"17440.00\"]", StringComparison.Ordinal)).Outcome);
        Assert.Equal(FrameOutcome.Rejected(FrameReason.UnknownSymbol),
            Decode(decoder, OrderBook1Doc.Replace("BTCUSDT", "NOPE", StringComparison.Ordinal)).Outcome);
    }

    private static (ReferenceData RefData, FrameOutcome Outcome, MarketEvent[] Events) Decode(BybitCategory category, string json)
    {
        var refData = new ReferenceData();
        BybitSymbols.Register(refData);
        var (outcome, events) = Decode(new BybitDecoder(refData, category), json);
        return (refData, outcome, events);
    }

    private static (FrameOutcome Outcome, MarketEvent[] Events) Decode(BybitDecoder decoder, string json)
    {
        var output = new EventBuffer();
        var outcome = decoder.Decode(Encoding.UTF8.GetBytes(json), 1_700_000_000_000_000_000, output);
        return (outcome, output.AsSpan().ToArray());
    }
}
