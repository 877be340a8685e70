using System.Globalization;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Backfill;
using Cloudwall.Rx.Ingestion.Venues.Kraken;
using Cloudwall.Rx.Tests.Unit.TestSupport;

namespace Cloudwall.Rx.Tests.Unit.Kraken;

/// <summary><see cref="KrakenBackfill"/> against scripted answers in the venue's documented shape.</summary>
public sealed class KrakenBackfillTests
{
    private const long ReceiveNs = 1_700_000_000_000_000_000;
    private const long Second = 1_000_000_000;

    /// <summary>Trade <c>n</c> of the scripted pages prints at <c>T0 + n + 0.25</c> seconds.</summary>
    private const long T0 = 1_765_000_000;

    private static long At(long id) => (T0 + id) * Second + Second / 4;

    /// <summary>The example answer of https://docs.kraken.com/api-reference/market-data/get-recent-trades (checked 2026-12-06), verbatim.</summary>
    private const string DocExample = """
        {
          "error": [],
          "result": {
            "XXBTZUSD": [
              [
                "30243.40000",
                "0.34507674",
                1688669597.8277369,
                "b",
                "m",
                "",
                61044952
              ],
              [
                "30243.30000",
                "0.00376960",
                1688669598.2804112,
                "s",
                "l",
                "",
                61044953
              ],
              [
                "30243.30000",
                "0.01235716",
                1688669602.698379,
                "s",
                "m",
                "",
                61044956
              ]
            ],
            "last": "1688671969993150842"
          }
        }
        """;

    private static readonly ReferenceData RefData = CreateRefData();

    private static ReferenceData CreateRefData()
    {
        var refData = new ReferenceData();
        KrakenSymbols.Register(refData);
        return refData;
    }

    private static BackfillRequest Request(long fromId, long fromNs, long toId, long toNs)
    {
        Assert.True(RefData.TryResolve(VenueId.Kraken, "BTC/USD", out InstrumentId instrument));
        return new BackfillRequest(ProviderId.Kraken, VenueId.Kraken, instrument, "BTC/USD", 0, BackfillReason.SequenceGap,
            fromNs, TradeId.Numeric(fromId), toNs, TradeId.Numeric(toId), toNs);
    }

    private static (KrakenBackfill Client, ScriptedRestHandler Handler) Client(int pageSize = KrakenBackfill.MaxPageSize)
    {
        var handler = new ScriptedRestHandler();
        return (new KrakenBackfill(handler.Http(), pageSize), handler);
    }

    /// <summary>An answer with trades <c>ids</c> at <see cref="At"/>, oldest first; <c>last</c> is the last trade's time.</summary>
    private static string Page(params long[] ids) =>
        """{"error":[],"result":{"XXBTZUSD":[""" + string.Join(",", ids.Select(id =>
            $"""["100.{id % 100:D2}","0.50000000",{(T0 + id).ToString(CultureInfo.InvariantCulture)}.25,"s","l","",{id}]""")) +
        "],\"last\":\"" + (ids.Length > 0 ? At(ids[^1]) : 0).ToString(CultureInfo.InvariantCulture) + "\"}}";

    [Fact]
    public async Task The_documented_answer_becomes_trades_with_exact_prices_times_and_ids()
    {
        var (client, handler) = Client();
        handler.Answer(DocExample);

        var fetch = await client.FetchAsync(Request(61044951, 1688669597 * Second, 61044957, 1688669603 * Second), 100, ReceiveNs, CancellationToken.None);

        Assert.Equal(3, fetch.Trades.Count);
        var e = fetch.Trades[0];
        Assert.Equal(EventKind.Trade, e.Kind);
        Assert.Equal("BTC-USD.SPOT", RefData.KeyOf(e.Instrument));
        Assert.Equal(VenueId.Kraken, e.Venue);
        Assert.Equal(ProviderId.Kraken, e.Provider);
        Assert.Equal(Side.Buy, e.Side);
        Assert.Equal("30243.40000", EventJson.Dec(e.Price));
        Assert.Equal("0.34507674", EventJson.Dec(e.Size));
        Assert.Equal(1_688_669_597_827_736_900, e.ExchangeTimeNs);
        Assert.Equal(TradeId.Numeric(61044952), e.TradeId);
        Assert.Equal(61044952, e.Sequence); // as the live v2 decoder: the trade id is the sequence
        Assert.Equal(ReceiveNs, e.ReceiveTimeNs);
        Assert.False(e.Flags.HasFlag(EventFlags.Backfill));
        Assert.Equal([Side.Buy, Side.Sell, Side.Sell], fetch.Trades.Select(t => t.Side));
        Assert.Equal([61044952L, 61044953, 61044956], fetch.Trades.Select(t => t.TradeId.AsLong));
        Assert.Equal(1_688_669_602_698_379_000, fetch.Trades[2].ExchangeTimeNs);
        Assert.True(fetch.ReachedStart);
        Assert.Equal(["/0/public/Trades?pair=BTC%2FUSD&count=1000&since=1688669596999999999"], handler.Requests);
    }

    [Fact]
    public async Task Pages_forwards_with_last_until_past_the_second_bound()
    {
        var (client, handler) = Client(pageSize: 2);
        handler.Answer(Page(10, 11)).Answer(Page(12, 13)).Answer(Page(14, 15));

        var fetch = await client.FetchAsync(Request(10, At(10), 14, At(14)), 100, ReceiveNs, CancellationToken.None);

        Assert.Equal([10L, 11, 12, 13, 14], fetch.Trades.Select(e => e.TradeId.AsLong));
        Assert.True(fetch.ReachedStart);
        Assert.Equal(
        [
            $"/0/public/Trades?pair=BTC%2FUSD&count=2&since={At(10) - 1}",
            $"/0/public/Trades?pair=BTC%2FUSD&count=2&since={At(11)}",
            $"/0/public/Trades?pair=BTC%2FUSD&count=2&since={At(13)}",
        ], handler.Requests);
    }

    [Fact]
    public async Task When_the_first_trade_served_is_later_than_the_break_ReachedStart_is_false()
    {
        var (client, handler) = Client();
        handler.Answer(Page(13, 14));

        var fetch = await client.FetchAsync(Request(10, At(10), 14, At(14)), 100, ReceiveNs, CancellationToken.None);

        Assert.Equal([13L, 14], fetch.Trades.Select(e => e.TradeId.AsLong));
        Assert.False(fetch.ReachedStart);
    }

    [Fact]
    public async Task Answers_without_trade_ids_are_filled_by_time()
    {
        var (client, handler) = Client();
        handler.Answer("""{"error":[],"result":{"XXBTZUSD":[["5.1","2.0",1765001000.5,"b","m",""],["5.2","1.0",1765001002.5,"s","m",""]],"last":"1765001002500000000"}}""");
        var request = Request(0, At(1000) - Second / 4, 0, At(1001)) with { FromId = TradeId.None, ToId = TradeId.None };

        var fetch = await client.FetchAsync(request, 100, ReceiveNs, CancellationToken.None);

        var e = Assert.Single(fetch.Trades);
        Assert.True(e.TradeId.IsNone);
        Assert.Equal(0, e.Sequence);
        Assert.Equal(At(1000) + Second / 4, e.ExchangeTimeNs);
    }

    [Theory]
    [InlineData("""{"error":["EQuery:Unknown asset pair"]}""", FrameReason.VenueError)]
    [InlineData("""{"error":["EGeneral:Too many requests"]}""", FrameReason.VenueError)]
    [InlineData("""{"result":{}}""", FrameReason.Malformed)]
    [InlineData("""{"error":[]}""", FrameReason.MissingField)]
    [InlineData("""{"error":[],"result":{"last":"5"}}""", FrameReason.MissingField)]
    [InlineData("""{"error":[],"result":{"A":[],"B":[],"last":"5"}}""", FrameReason.Malformed)]
    [InlineData("""{"error":[],"result":{"XXBTZUSD":[{"price":"5"}],"last":"5"}}""", FrameReason.Malformed)]
    [InlineData("""{"error":[],"result":{"XXBTZUSD":[["NaN","1.0",1765001000.5,"b","m","",1]],"last":"5"}}""", FrameReason.InvalidPrice)]
    [InlineData("""{"error":[],"result":{"XXBTZUSD":[["5.0","-1.0",1765001000.5,"b","m","",1]],"last":"5"}}""", FrameReason.InvalidPrice)]
    [InlineData("""{"error":[],"result":{"XXBTZUSD":[["0","1.0",1765001000.5,"b","m","",1]],"last":"5"}}""", FrameReason.InvalidPrice)]
    [InlineData("""{"error":[],"result":{"XXBTZUSD":[["5.0","1.0","soon","b","m","",1]],"last":"5"}}""", FrameReason.InvalidTimestamp)]
    [InlineData("""{"error":[],"result":{"XXBTZUSD":[["5.0","1.0",1765001000.5,"b","m","",-1]],"last":"5"}}""", FrameReason.Malformed)]
    [InlineData("""{"error":[],"result":{"XXBTZUSD":[],"last":"x"}}""", FrameReason.Malformed)]
    [InlineData("""{"error":[""", FrameReason.Malformed)]
    public async Task Venue_errors_and_bad_answers_are_BackfillExceptions_with_the_body(string body, FrameReason reason)
    {
        var (client, handler) = Client();
        handler.Answer(body);

        var ex = await Assert.ThrowsAsync<BackfillException>(() =>
            client.FetchAsync(Request(10, At(10), 14, At(14)), 100, ReceiveNs, CancellationToken.None));

        Assert.Equal(reason, ex.Reason);
        Assert.Equal(body, System.Text.Encoding.UTF8.GetString(ex.Body));
    }

    [Fact]
    public void The_budget_is_one_public_call_a_second_and_ids_are_consecutive()
    {
        var budget = KrakenBackfill.CreateBudget();
        Assert.Equal(1, budget.Capacity);
        Assert.Equal(TimeSpan.FromSeconds(1), budget.Window);
        Assert.Equal(new Uri("https://api.kraken.com/"), KrakenBackfill.DefaultRestEndpoint);
        Assert.True(Client().Client.ConsecutiveIds);
    }
}
