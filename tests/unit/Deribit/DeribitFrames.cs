using System.Text;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Deribit;

namespace Cloudwall.Rx.Tests.Unit.Deribit;

/// <summary>Deribit frames in the shapes of the API v2 documentation (fields in the order the docs print them) and helpers.</summary>
internal static class DeribitFrames
{
    public const string RecordedFile = "deribit/DERIBIT.ws.1.0";

    /// <summary>The <c>trades.{instrument_name}.{interval}</c> notification example of the documentation (data before channel).</summary>
    public const string Trade =
        """{"params":{"data":[{"trade_seq":30289442,"trade_id":"48079269","timestamp":1590484512188,"tick_direction":2,"price":8950,"mark_price":8948.9,"instrument_name":"BTC-PERPETUAL","index_price":8955.88,"direction":"sell","amount":10}],"channel":"trades.BTC-PERPETUAL.raw"},"method":"subscription","jsonrpc":"2.0"}""";

    /// <summary>A batch of three: an inverse perpetual, an option with iv (exponent price) and a prefixed ETH trade id.</summary>
    public const string TradeBatch =
        """{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.any","data":[""" +
        """{"trade_seq":30289442,"trade_id":"48079269","timestamp":1590484512188,"tick_direction":2,"price":8950,"mark_price":8948.9,"instrument_name":"BTC-PERPETUAL","index_price":8955.88,"direction":"sell","amount":10},""" +
        """{"trade_seq":1207,"trade_id":"48079270","timestamp":1590484512189,"tick_direction":0,"price":0.0465,"mark_price":0.04612,"iv":71.36,"instrument_name":"BTC-24SEP21-40000-C","index_price":8955.88,"direction":"buy","amount":1.5},""" +
        """{"trade_seq":77,"trade_id":"ETH-12345","timestamp":1590484512190,"tick_direction":1,"price":2.5e2,"mark_price":250.1,"instrument_name":"ETH-PERPETUAL","index_price":250.05,"direction":"buy","amount":1e1,"liquidation":"T"}]}}""";

    /// <summary>The <c>ticker.{instrument_name}.{interval}</c> notification example of the documentation (a perpetual with funding).</summary>
    public const string PerpTicker =
        """{"params":{"data":{"timestamp":1623060194301,"stats":{"volume_usd":284061480,"volume":7871.02139035,"price_change":0.7229,"low":35213.5,"high":36824.5},"state":"open","settlement_price":36169.49,"open_interest":502097590,"min_price":35898.37,"max_price":36991.72,"mark_price":36446.51,"last_price":36457.5,"interest_value":1.7362511643080387,"instrument_name":"BTC-PERPETUAL","index_price":36441.64,"funding_8h":0.0000211,"estimated_delivery_price":36441.64,"current_funding":0,"best_bid_price":36442.5,"best_bid_amount":5000,"best_ask_price":36443,"best_ask_amount":100},"channel":"ticker.BTC-PERPETUAL.raw"},"method":"subscription","jsonrpc":"2.0"}""";

    /// <summary>Line 4 of DERIBIT.ws.1.0 (an ETH option ticker), verbatim.</summary>
    public const string OptionTicker =
        """{"jsonrpc":"2.0","method":"subscription","params":{"channel":"ticker.ETH-30JUL21-2800-C.raw","data":{"underlying_price":2003.61,"underlying_index":"ETH-30JUL21","timestamp":1626993723632,"stats":{"volume":869.0,"price_change":0.0,"low":0.0015,"high":0.0025},"state":"open","settlement_price":0.0,"open_interest":12685.0,"min_price":0.0001,"max_price":0.025,"mark_price":0.001972,"mark_iv":120.74,"last_price":0.002,"interest_rate":0.0,"instrument_name":"ETH-30JUL21-2800-C","index_price":2006.72,"greeks":{"vega":0.20072,"theta":-1.64029,"rho":0.01188,"gamma":0.0002,"delta":0.03127},"estimated_delivery_price":2006.72,"bid_iv":115.62,"best_bid_price":0.0015,"best_bid_amount":4714.0,"best_ask_price":0.0025,"best_ask_amount":873.0,"ask_iv":143.38}}}""";

    /// <summary>The docs' <c>quote.BTC-PERPETUAL</c> notification (quote.(instrument_name), checked 2026-12-06), in its envelope.</summary>
    public const string Quote =
        """{"jsonrpc":"2.0","method":"subscription","params":{"channel":"quote.BTC-PERPETUAL","data":{"best_ask_amount":50,"best_ask_price":3996.61,"best_bid_amount":40,"best_bid_price":3914.97,"instrument_name":"BTC-PERPETUAL","timestamp":1550658624149}}}""";

    public const string TestRequest = """{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"test_request"}}""";

    public const string Heartbeat = """{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"heartbeat"}}""";

    public const string SubscribeResult = """{"jsonrpc":"2.0","id":3,"result":["trades.BTC-PERPETUAL.raw","ticker.BTC-PERPETUAL.100ms"],"usIn":1,"usOut":2,"usDiff":1,"testnet":false}""";

    public const string TestResult = """{"jsonrpc":"2.0","id":0,"result":{"version":"1.2.26"}}""";

    public const string Error = """{"jsonrpc":"2.0","id":8163,"error":{"code":11050,"data":{"reason":"unknown instrument"},"message":"bad_request"},"testnet":false,"usIn":1535037392434763,"usOut":1535037392448119,"usDiff":13356}""";

    /// <summary>1590484512.2 s, an arbitrary receive time.</summary>
    public const long ReceiveNs = 1_590_484_512_200_000_000;

    public static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);

    public static ReferenceData NewRefData()
    {
        var refData = new ReferenceData();
        DeribitSymbols.Register(refData);
        return refData;
    }

    public static FrameOutcome Decode(string json, out EventBuffer output, out ReferenceData refData, int maxFrameBytes = DeribitDecoder.DefaultMaxFrameBytes)
    {
        refData = NewRefData();
        output = new EventBuffer();
        return new DeribitDecoder(refData, maxFrameBytes).Decode(Utf8(json), ReceiveNs, output);
    }

    public static FrameOutcome Decode(string json) => Decode(json, out _, out _);

    /// <summary><see cref="Trade"/> with one raw JSON value of the trade replaced, or the field removed when null.</summary>
    public static string TradeWith(string field, string? rawValue) => WithDataField(Trade, field, rawValue, array: true);

    public static string PerpTickerWith(string field, string? rawValue) => WithDataField(PerpTicker, field, rawValue, array: false);

    private static string WithDataField(string frame, string field, string? rawValue, bool array)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(frame)!;
        var data = array ? node["params"]!["data"]![0]!.AsObject() : node["params"]!["data"]!.AsObject();
        if (!data.ContainsKey(field))
        {
            throw new ArgumentException($"no field {field}", nameof(field));
        }

        data.Remove(field);
        if (rawValue is not null)
        {
            data[field] = System.Text.Json.Nodes.JsonNode.Parse(rawValue);
        }

        return node.ToJsonString();
    }
}
