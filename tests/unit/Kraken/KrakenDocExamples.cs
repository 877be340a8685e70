namespace Cloudwall.Rx.Tests.Unit.Kraken;

/// <summary>Example messages from Kraken's API documentation (docs.kraken.com), verbatim apart from whitespace.</summary>
internal static class KrakenDocExamples
{
    public const long ReceiveNs = 1_695_628_177_800_000_000;

    /// <summary>websocket-v2/trade, "Update" example.</summary>
    public const string V2TradeUpdate =
        """{"channel":"trade","type":"update","data":[{"symbol":"MATIC/USD","side":"sell","price":0.5117,"qty":40.0,"ord_type":"market","trade_id":4665906,"timestamp":"2023-09-25T07:49:37.708706Z"}]}""";

    /// <summary>websocket-v2/ticker, "Snapshot" example.</summary>
    public const string V2TickerSnapshot =
        """{"channel":"ticker","type":"snapshot","data":[{"symbol":"ALGO/USD","bid":0.10025,"bid_qty":740.0,"ask":0.10036,"ask_qty":1361.44813783,"last":0.10035,"volume":997038.98383185,"vwap":0.10148,"low":0.09979,"high":0.10285,"change":-0.00017,"change_pct":-0.17,"timestamp":"2023-09-25T09:04:31.742648Z"}]}""";

    /// <summary>websocket-v2/trade, "Subscribe Ack" example.</summary>
    public const string V2SubscribeAck =
        """{"method":"subscribe","result":{"channel":"trade","snapshot":true,"symbol":"MATIC/USD"},"success":true,"time_in":"2023-09-25T09:21:10.428340Z","time_out":"2023-09-25T09:21:10.428375Z"}""";

    /// <summary>websocket-v2/status example.</summary>
    public const string V2Status =
        """{"channel":"status","data":[{"api_version":"v2","connection_id":13834774380200032777,"system":"online","version":"2.0.0"}],"type":"update"}""";

    /// <summary>websocket-v2/heartbeat example.</summary>
    public const string V2Heartbeat = """{"channel":"heartbeat"}""";

    /// <summary>websocket-v2/ping, response example.</summary>
    public const string V2Pong = """{"method":"pong","req_id":101,"time_in":"2023-09-24T14:10:23.799685Z","time_out":"2023-09-24T14:10:23.799703Z"}""";

    /// <summary>A failed v2 subscription, in the documented error shape.</summary>
    public const string V2SubscribeError =
        """{"error":"Currency pair not supported","method":"subscribe","success":false,"symbol":"BTC/XYZ","time_in":"2023-09-25T09:21:10.428340Z","time_out":"2023-09-25T09:21:10.428375Z"}""";

    /// <summary>websocket-v1/trade example.</summary>
    public const string V1Trade =
        """[0,[["5541.20000","0.15850568","1534614057.321597","s","l",""],["6060.00000","0.02455000","1534614057.324998","b","l",""]],"trade","XBT/USD"]""";

    /// <summary>futures-api/websocket/ticker example.</summary>
    public const string FuturesTicker =
        """{"time":1612270825253,"feed":"ticker","product_id":"PI_XBTUSD","bid":34832.5,"ask":34847.5,"bid_size":42864,"ask_size":2300,"volume":262306237,"dtm":0,"leverage":"50x","index":34803.45,"premium":0.1,"last":34852,"change":2.995109121267192,"funding_rate":3.891007752e-9,"funding_rate_prediction":4.2233756e-9,"suspended":false,"tag":"perpetual","pair":"XBT:USD","openInterest":107706940,"markPrice":34844.25,"maturityTime":0,"relative_funding_rate":0.000135046879166667,"relative_funding_rate_prediction":0.000146960125,"next_funding_rate_time":1612281600000}""";

    /// <summary>futures-api/websocket/trade, "Subscription Snapshot Data" example (PF_XBTUSD).</summary>
    public const string FuturesTradeSnapshot =
        """{"feed":"trade_snapshot","product_id":"PF_XBTUSD","trades":[{"feed":"trade","product_id":"PF_XBTUSD","uid":"caa9c653-420b-4c24-a9f1-462a054d86f1","side":"sell","type":"fill","seq":655508,"time":1612269657781,"qty":440,"price":34893},{"feed":"trade","product_id":"PF_XBTUSD","uid":"45ee9737-1877-4682-bc68-e4ef818ef88a","side":"sell","type":"fill","seq":655507,"time":1612269656839,"qty":9643,"price":34891}]}""";

    /// <summary>futures-api/websocket/heartbeat example.</summary>
    public const string FuturesHeartbeat = """{"feed":"heartbeat","time":1534262350627}""";

    public static byte[] Utf8(string s) => System.Text.Encoding.UTF8.GetBytes(s);
}
