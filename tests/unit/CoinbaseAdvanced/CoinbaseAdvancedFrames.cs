using System.Text;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;
using Cloudwall.Rx.Ingestion.Venues.CoinbaseAdvanced;

namespace Cloudwall.Rx.Tests.Unit.CoinbaseAdvanced;

/// <summary>
/// Coinbase Advanced Trade frames in the shapes of the venue's WebSocket channel documentation (the venue is not in the
/// recordings). Values of the documentation's examples are kept; the batches add trades in the same shape.
/// </summary>
internal static class CoinbaseAdvancedFrames
{
    /// <summary>The market_trades example of the documentation.</summary>
    public const string MarketTrades =
        """{"channel":"market_trades","client_id":"","timestamp":"2023-02-09T20:19:35.39625135Z","sequence_num":0,"events":[{"type":"snapshot","trades":[{"trade_id":"000000000","product_id":"ETH-USD","price":"1260.01","size":"0.3","side":"BUY","time":"2019-08-14T20:42:27.265Z"}]}]}""";

    /// <summary>An update batching three trades on two products, then a second event with one more.</summary>
    public const string MarketTradesBatch =
        """{"channel":"market_trades","client_id":"","timestamp":"2023-02-09T20:19:35.39625135Z","sequence_num":1,"events":[""" +
        """{"type":"update","trades":[""" +
        """{"trade_id":"12345","product_id":"BTC-USD","price":"21932.98","size":"0.00100000","side":"SELL","time":"2023-02-09T20:19:35.123456789Z"},""" +
        """{"trade_id":"12346","product_id":"BTC-USD","price":"21933.00","size":"0.5","side":"BUY","time":"2023-02-09T20:19:35.2Z"},""" +
        """{"trade_id":"98765","product_id":"ETH-USD","price":"1260.01","size":"2","side":"SELL","time":"2023-02-09T20:19:35.3Z"}]},""" +
        """{"type":"update","trades":[{"trade_id":"12347","product_id":"BTC-USD","price":"21933.01","size":"0.01","side":"BUY","time":"2023-02-09T20:19:35.39Z"}]}]}""";

    /// <summary>The ticker example of the documentation (with best bid and ask quantities).</summary>
    public const string Ticker =
        """{"channel":"ticker","client_id":"","timestamp":"2023-02-09T20:30:37.167359596Z","sequence_num":0,"events":[{"type":"snapshot","tickers":[{"type":"ticker","product_id":"BTC-USD","price":"21932.98","volume_24_h":"16038.28770938","low_24_h":"21835.29","high_24_h":"23011.18","low_52_w":"15460","high_52_w":"48240","price_percent_chg_24_h":"-4.15775596190603","best_bid":"21931.98","best_bid_quantity":"8000.21","best_ask":"21933.98","best_ask_quantity":"8038.07770938"}]}]}""";

    public const string Heartbeats =
        """{"channel":"heartbeats","client_id":"","timestamp":"2023-06-23T20:31:26.122969572Z","sequence_num":0,"events":[{"current_time":"2023-06-23 20:31:56.121961769 +0000 UTC m=+91717.525857105","heartbeat_counter":"3049"}]}""";

    public const string Subscriptions =
        """{"channel":"subscriptions","client_id":"","timestamp":"2023-02-09T20:32:32.431580404Z","sequence_num":2,"events":[{"subscriptions":{"market_trades":["BTC-USD","ETH-USD"],"heartbeats":["heartbeats"]}}]}""";

    public const string Error = """{"type":"error","message":"failure to subscribe"}""";

    public const long ReceiveNs = 1_675_974_000_000_000_000;

    public static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);

    public static ReferenceData NewRefData()
    {
        var refData = new ReferenceData();
        CoinbaseSymbols.Register(refData);
        return refData;
    }

    public static FrameOutcome Decode(string json, out EventBuffer output, out ReferenceData refData, int maxFrameBytes = CoinbaseAdvancedDecoder.DefaultMaxFrameBytes)
    {
        refData = NewRefData();
        output = new EventBuffer();
        return new CoinbaseAdvancedDecoder(refData, maxFrameBytes).Decode(Utf8(json), ReceiveNs, output);
    }

    public static FrameOutcome Decode(string json) => Decode(json, out _, out _);

    /// <summary><see cref="MarketTrades"/> with one raw JSON value of its trade replaced (or removed when null).</summary>
    public static string TradeWith(string field, string? rawValue)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(MarketTrades)!;
        var trade = node["events"]![0]!["trades"]![0]!.AsObject();
        trade.Remove(field);
        if (rawValue is not null)
        {
            trade[field] = System.Text.Json.Nodes.JsonNode.Parse(rawValue);
        }

        return node.ToJsonString();
    }

    public static string TickerWith(string field, string? rawValue)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(Ticker)!;
        var ticker = node["events"]![0]!["tickers"]![0]!.AsObject();
        ticker.Remove(field);
        if (rawValue is not null)
        {
            ticker[field] = System.Text.Json.Nodes.JsonNode.Parse(rawValue);
        }

        return node.ToJsonString();
    }
}
