using System.Text;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;
using Cloudwall.Rx.Ingestion.Venues.CoinbaseAdvanced;
using Cloudwall.Rx.Ingestion.Venues.Kraken;

namespace Cloudwall.Rx.Tests.Unit.Ingestion;

/// <summary>Every venue's history-on-subscribe is flagged <see cref="EventFlags.Snapshot"/> and comes out oldest first.</summary>
public sealed class SnapshotDecodingTests
{
    private const long ReceiveNs = 1_767_225_600_000_000_000;

    [Fact]
    public void Coinbase_advanced_snapshot_is_flagged_and_emitted_oldest_first_while_updates_stay_live()
    {
        // The documented shape: a snapshot event lists the latest trades newest first.
        const string frame =
            """{"channel":"market_trades","client_id":"","timestamp":"2023-02-09T20:19:35.39625135Z","sequence_num":0,"events":[""" +
            """{"type":"snapshot","trades":[""" +
            """{"trade_id":"3","product_id":"BTC-USD","price":"21933.00","size":"0.1","side":"BUY","time":"2023-02-09T20:19:30Z"},""" +
            """{"trade_id":"2","product_id":"BTC-USD","price":"21932.00","size":"0.1","side":"BUY","time":"2023-02-09T20:19:20Z"},""" +
            """{"trade_id":"1","product_id":"BTC-USD","price":"21931.00","size":"0.1","side":"SELL","time":"2023-02-09T20:19:10Z"}]},""" +
            """{"trades":[{"trade_id":"4","product_id":"BTC-USD","price":"21934.00","size":"0.1","side":"SELL","time":"2023-02-09T20:19:35Z"}],"type":"update"}]}""";
        var refData = new ReferenceData();
        CoinbaseSymbols.Register(refData);
        var output = new EventBuffer();

        Assert.Equal(FrameOutcome.Decoded(4), new CoinbaseAdvancedDecoder(refData).Decode(Encoding.UTF8.GetBytes(frame), ReceiveNs, output));

        var events = output.AsSpan().ToArray();
        Assert.Equal([1L, 2L, 3L, 4L], events.Select(e => e.TradeId.AsLong));
        Assert.Equal([true, true, true, false], events.Select(e => e.IsSnapshot));
        Assert.True(events.Take(3).Select(e => e.ExchangeTimeNs).SequenceEqual(events.Take(3).Select(e => e.ExchangeTimeNs).Order()));
    }

    [Fact]
    public void Coinbase_exchange_last_match_is_flagged_and_match_is_live()
    {
        var refData = new ReferenceData();
        CoinbaseSymbols.Register(refData);
        var decoder = new CoinbaseExchangeDecoder(refData);
        var output = new EventBuffer();
        const string body = ""","trade_id":881613,"maker_order_id":"27fff20b-af29-4f45-8744-56dd1ef57dc0","taker_order_id":"1da6ce16-c8da-4732-9f71-6049f4c6aaf8","side":"sell","size":"0.04","price":"14.7775","product_id":"BTC-USD","sequence":333938798,"time":"2021-04-17T16:43:30.244075Z"}""";

        Assert.Equal(FrameOutcome.Decoded(1), decoder.Decode(Encoding.UTF8.GetBytes("""{"type":"last_match""" + "\"" + body), ReceiveNs, output));
        Assert.True(output[0].IsSnapshot);
        output.Clear();
        Assert.Equal(FrameOutcome.Decoded(1), decoder.Decode(Encoding.UTF8.GetBytes("""{"type":"match""" + "\"" + body.Replace("881613", "881614", StringComparison.Ordinal)), ReceiveNs, output));
        Assert.False(output[0].IsSnapshot);
    }

    [Fact]
    public void Kraken_v2_trade_snapshot_is_flagged_and_oldest_first_updates_are_live()
    {
        var refData = new ReferenceData();
        KrakenSymbols.Register(refData);
        var decoder = new KrakenV2Decoder(refData);
        var output = new EventBuffer();
        const string snapshot = """
            {"channel":"trade","type":"snapshot","data":[
              {"symbol":"BTC/USD","side":"buy","price":42001.0,"qty":0.1,"ord_type":"limit","trade_id":9,"timestamp":"2024-01-02T03:04:09Z"},
              {"symbol":"BTC/USD","side":"sell","price":42000.0,"qty":0.1,"ord_type":"limit","trade_id":8,"timestamp":"2024-01-02T03:04:08Z"}]}
            """;

        Assert.Equal(FrameOutcome.Decoded(2), decoder.Decode(Encoding.UTF8.GetBytes(snapshot), ReceiveNs, output));
        Assert.Equal([8L, 9L], output.AsSpan().ToArray().Select(e => e.Sequence));
        Assert.All(output.AsSpan().ToArray(), e => Assert.True(e.IsSnapshot));

        output.Clear();
        const string update = """{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":42002.0,"qty":0.1,"ord_type":"limit","trade_id":10,"timestamp":"2024-01-02T03:04:10Z"}]}""";
        Assert.Equal(FrameOutcome.Decoded(1), decoder.Decode(Encoding.UTF8.GetBytes(update), ReceiveNs, output));
        Assert.False(output[0].IsSnapshot);
    }

    [Fact]
    public void Kraken_v1_first_trade_frame_after_the_ack_flags_the_trades_executed_before_it()
    {
        var refData = new ReferenceData();
        KrakenSymbols.Register(refData);
        var decoder = new KrakenV1Decoder(refData);
        var output = new EventBuffer();
        const long ackNs = 1_534_614_060_000_000_000; // 2018-08-18T17:41:00Z
        const string ack = """{"channelID":10001,"channelName":"trade","event":"subscriptionStatus","pair":"XBT/USD","status":"subscribed","subscription":{"name":"trade"}}""";
        Assert.Equal(FrameOutcome.Ignored(FrameReason.SubscriptionAck), decoder.Decode(Encoding.UTF8.GetBytes(ack), ackNs, output));

        // The snapshot: two trades from before the subscription and, in the same frame, one that executed after it.
        const string first = """[10001,[["5541.20000","0.15850568","1534614057.321597","s","l",""],["5542.50000","0.40100000","1534614058.321597","b","l",""],["5543.00000","0.10000000","1534614061.000000","b","m",""]],"trade","XBT/USD"]""";
        Assert.Equal(FrameOutcome.Decoded(3), decoder.Decode(Encoding.UTF8.GetBytes(first), ackNs + 1_500_000_000, output));
        Assert.Equal([true, true, false], output.AsSpan().ToArray().Select(e => e.IsSnapshot));

        // Later frames are live, whatever their times.
        output.Clear();
        const string later = """[10001,[["5544.00000","0.10000000","1534614050.000000","b","m",""]],"trade","XBT/USD"]""";
        Assert.Equal(FrameOutcome.Decoded(1), decoder.Decode(Encoding.UTF8.GetBytes(later), ackNs + 2_000_000_000, output));
        Assert.False(output[0].IsSnapshot);
    }

    [Fact]
    public void Mark_snapshot_keeps_an_oldest_first_list_in_order_and_flags_only_the_range()
    {
        var buffer = new EventBuffer();
        buffer.Add(new MarketEvent { Kind = EventKind.Trade, Sequence = 1, ExchangeTimeNs = 30 });
        buffer.Add(new MarketEvent { Kind = EventKind.Trade, Sequence = 2, ExchangeTimeNs = 10 });
        buffer.Add(new MarketEvent { Kind = EventKind.Trade, Sequence = 3, ExchangeTimeNs = 20 });

        buffer.MarkSnapshot(1);

        // Sequences decide over times where both ends have one: 2..3 ascends, so nothing moves.
        Assert.Equal([1L, 2L, 3L], buffer.AsSpan().ToArray().Select(e => e.Sequence));
        Assert.Equal([false, true, true], buffer.AsSpan().ToArray().Select(e => e.IsSnapshot));
    }
}
