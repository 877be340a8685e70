using System.Text;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;

namespace Cloudwall.Rx.Tests.Unit.Coinbase;

/// <summary>Hand-written Coinbase Exchange frames (shapes from the venue documentation and the recording) and helpers.</summary>
internal static class CoinbaseFrames
{
    /// <summary>The first <c>match</c> of COINBASE.ws.28.0 (line 56), verbatim.</summary>
    public const string Match =
        """{"type":"match","trade_id":280232,"maker_order_id":"2a0da34e-61f7-4c36-88e5-c9dd15927b16","taker_order_id":"3c82abaa-c01e-4608-be59-6a1e69742891","side":"sell","size":"985","price":"0.00001305","product_id":"SKL-BTC","sequence":177100030,"time":"2021-04-17T16:43:37.089723Z"}""";

    /// <summary>The same match with every field in a different order (type last).</summary>
    public const string MatchReordered =
        """{"time":"2021-04-17T16:43:37.089723Z","sequence":177100030,"product_id":"SKL-BTC","price":"0.00001305","size":"985","side":"sell","taker_order_id":"3c82abaa-c01e-4608-be59-6a1e69742891","maker_order_id":"2a0da34e-61f7-4c36-88e5-c9dd15927b16","trade_id":280232,"type":"match"}""";

    /// <summary>A ticker in the shape of the current Coinbase Exchange documentation (with best sizes), ETH-USD.</summary>
    public const string Ticker =
        """{"type":"ticker","sequence":37475248783,"product_id":"ETH-USD","price":"1285.22","open_24h":"1310.79","volume_24h":"245532.79269678","low_24h":"1280.52","high_24h":"1313.8","volume_30d":"9788783.60117027","best_bid":"1285.04","best_bid_size":"0.46688654","best_ask":"1285.27","best_ask_size":"1.56637040","side":"buy","time":"2022-10-19T23:28:22.061769Z","trade_id":370843401,"last_size":"11.4396987"}""";

    /// <summary>Receive time used by the hand-written tests: 2021-04-17T16:43:37.1295161Z.</summary>
    public const long ReceiveNs = 1_618_677_817_129_516_100;

    public static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);

    public static ReferenceData NewRefData()
    {
        var refData = new ReferenceData();
        CoinbaseSymbols.Register(refData);
        return refData;
    }

    public static FrameOutcome Decode(string json, out EventBuffer output, out ReferenceData refData, int maxFrameBytes = CoinbaseExchangeDecoder.DefaultMaxFrameBytes)
    {
        refData = NewRefData();
        output = new EventBuffer();
        return new CoinbaseExchangeDecoder(refData, maxFrameBytes).Decode(Utf8(json), ReceiveNs, output);
    }

    public static FrameOutcome Decode(string json, out EventBuffer output) => Decode(json, out output, out _);

    /// <summary>The <see cref="Match"/> frame with one field's raw JSON value replaced (or the field removed when null).</summary>
    public static string MatchWith(string field, string? rawValue) => With(Match, field, rawValue);

    public static string TickerWith(string field, string? rawValue) => With(Ticker, field, rawValue);

    private static string With(string frame, string field, string? rawValue)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(frame);
        var parts = new List<string>();
        var found = false;
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Name == field)
            {
                found = true;
                if (rawValue is not null)
                {
                    parts.Add($"\"{field}\":{rawValue}");
                }
            }
            else
            {
                parts.Add($"\"{p.Name}\":{p.Value.GetRawText()}");
            }
        }

        if (!found)
        {
            throw new ArgumentException($"the frame has no field {field}", nameof(field));
        }

        return "{" + string.Join(",", parts) + "}";
    }
}
