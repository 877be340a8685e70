using System.Text;
using System.Text.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Binance;

namespace Cloudwall.Rx.Tests.Unit.Binance;

/// <summary>Hand-written Binance frames (from the venue documentation and the recordings) and helpers.</summary>
internal static class BinanceFrames
{
    /// <summary>The spot <c>trade</c> payload of the Binance spot WebSocket streams documentation, verbatim (comments removed).</summary>
    public const string DocTrade =
        """{"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","b":88,"a":50,"T":1672515782136,"m":true,"M":true}""";

    /// <summary>The spot <c>bookTicker</c> payload of the documentation, verbatim: no event type, no times.</summary>
    public const string DocBookTicker =
        """{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}""";

    /// <summary>The USDⓈ-M <c>bookTicker</c> payload of the futures documentation: with transaction and event times.</summary>
    public const string DocFuturesBookTicker =
        """{"e":"bookTicker","u":400900217,"E":1568014460893,"T":1568014460891,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}""";

    /// <summary>The USDⓈ-M <c>markPriceUpdate</c> payload of the futures documentation.</summary>
    public const string DocUsdmMarkPrice =
        """{"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11794.15000000","i":"11784.62659091","P":"11784.25641265","r":"0.00038167","T":1562306400000}""";

    /// <summary>The COIN-M <c>markPriceUpdate</c> payload of the documentation: a delivery contract, so no funding rate.</summary>
    public const string DocCoinmMarkPrice =
        """{"e":"markPriceUpdate","E":1596095725000,"s":"BTCUSD_201225","p":"10934.62615417","P":"10962.17178236","i":"10933.62615417","r":"","T":0}""";

    /// <summary>The spot <c>aggTrade</c> payload of the documentation.</summary>
    public const string DocAggTrade =
        """{"e":"aggTrade","E":1672515782136,"s":"BNBBTC","a":12345,"p":"0.001","q":"100","f":100,"l":105,"T":1672515782136,"m":true,"M":true}""";

    /// <summary>Line 110 of BINANCE.ws.1.0: an aggTrade in the combined-stream wrapper, verbatim.</summary>
    public const string RecordedSpotAggTrade =
        """{"stream":"nknusdt@aggTrade","data":{"e":"aggTrade","E":1633998523963,"s":"NKNUSDT","a":15683430,"p":"0.35280000","q":"58.00000000","f":19862790,"l":19862790,"T":1633998523963,"m":false,"M":true}}""";

    /// <summary>Line 2 of BINANCE_FUTURES.ws.1.0, a depth update, verbatim.</summary>
    public const string RecordedFuturesDepth =
        """{"stream":"sushiusdt@depth@100ms","data":{"e":"depthUpdate","E":1626992741037,"T":1626992741024,"s":"SUSHIUSDT","U":600859599090,"u":600859600917,"pu":600859598061,"b":[["7.5040","813"],["7.6090","0"],["7.6110","2"]],"a":[["7.6150","1563"],["7.6220","3284"]]}}""";

    /// <summary>Receive time used by the hand-written tests: 2021-10-12T00:28:44Z.</summary>
    public const long ReceiveNs = 1_633_998_524_000_000_000;

    public static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);

    /// <summary>A payload in the combined-stream wrapper, with "data" first or "stream" first.</summary>
    public static string Wrap(string stream, string payload, bool dataFirst = false) =>
        dataFirst ? $$"""{"data":{{payload}},"stream":"{{stream}}"}""" : $$"""{"stream":"{{stream}}","data":{{payload}}}""";

    public static ReferenceData NewRefData()
    {
        var refData = new ReferenceData();
        BinanceSymbols.RegisterAll(refData);
        return refData;
    }

    public static FrameOutcome Decode(string json, BinanceMarket market, out EventBuffer output, out ReferenceData refData,
        int maxFrameBytes = BinanceDecoder.DefaultMaxFrameBytes)
    {
        refData = NewRefData();
        output = new EventBuffer();
        return new BinanceDecoder(refData, market, maxFrameBytes).Decode(Utf8(json), ReceiveNs, output);
    }

    public static FrameOutcome Decode(string json, out EventBuffer output, BinanceMarket market = BinanceMarket.Spot) =>
        Decode(json, market, out output, out _);

    public static FrameOutcome Decode(string json, BinanceMarket market = BinanceMarket.Spot) => Decode(json, market, out _, out _);

    /// <summary>The frame with one member's raw JSON value replaced, or removed when <paramref name="rawValue"/> is null.</summary>
    public static string With(string frame, string field, string? rawValue)
    {
        using var doc = JsonDocument.Parse(frame);
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
