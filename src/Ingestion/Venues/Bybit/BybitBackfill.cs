using System.Globalization;
using Cloudwall.Rx.Ingestion.Backfill;
using Cloudwall.Rx.Ingestion.Json;
using Cloudwall.Rx.Ingestion.Venues.Kit;

namespace Cloudwall.Rx.Ingestion.Venues.Bybit;

/// <summary>
/// Bybit v5 back-fill: <c>GET /v5/market/recent-trade?category=..&amp;symbol=..&amp;limit=..</c>, the only public trade
/// history. It does not page: one request brings the newest <c>limit</c> trades (spot at most 60, linear and inverse at most
/// 1,000), newest first, and the client keeps those inside the interval, by exchange time. When even the oldest of a full
/// answer is newer than the interval's start, the rest is out of reach (<see cref="BackfillFetch.ReachedStart"/> false).
/// The documentation's example (spot):
/// <code>
/// {"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[{"execId":"2100000000007764263","symbol":"BTCUSDT","price":"16618.49","size":"0.00012","side":"Buy","time":"1672052955758","isBlockTrade":false}]},"retExtInfo":{},"time":1672053054358}
/// </code>
/// </summary>
/// <remarks>
/// Checked 2026-12-06. "Get Public Recent Trading History" (https://bybit-exchange.github.io/docs/v5/market/recent-trade):
/// the page itself was not in the stored docs; its parameters and example are as the bybit-rust-api crate quotes them with
/// that address (https://docs.rs/crate/bybit-rust-api/0.3.0/source/src/rest/market/dto/recent_trade.rs): <c>category</c>,
/// <c>symbol</c>, <c>limit</c> "spot: [1,60], default: 60, others: [1,1000], default: 500"; items <c>execId</c>,
/// <c>symbol</c>, <c>price</c>, <c>size</c>, <c>side</c> (the taker's), <c>time</c> (ms, a string), <c>isBlockTrade</c>.
/// Bybit's own MCP server describes the answer as "reverse chronological" with a <c>seq</c> (cross sequence), as the live
/// <c>publicTrade</c> prints it (https://glama.ai/mcp/servers/bybit-exchange/trading-mcp/tools/getRecentPublicTrades).
/// Errors come as <c>"retCode"</c> ≠ 0 with <c>retMsg</c>. Rate limit
/// (https://bybit-exchange.github.io/docs/v5/rate-limit): 600 requests per 5-second window per IP, shared by every
/// endpoint of the host; passing it is "403, access too frequent" and a ban of at least 10 minutes.
/// Trade ids: UUIDs on linear and inverse, and on spot a number that Bybit's v3 docs describe as shared across symbols
/// (https://bybit-exchange.github.io/doc-v3-offline/spot/ws-public/public-trade), so
/// no category numbers a symbol's trades consecutively (<see cref="ConsecutiveIds"/> false): the count lost is not known.
/// </remarks>
public sealed class BybitBackfill : IBackfillClient
{
    public const string Path = "v5/market/recent-trade";

    /// <summary>The documented maximum <c>limit</c> on spot.</summary>
    public const int SpotMaxLimit = 60;

    /// <summary>The documented maximum <c>limit</c> on linear and inverse.</summary>
    public const int DerivativesMaxLimit = 1000;

    private const int NameBuffer = 32;

    private readonly BackfillHttp _http;

    /// <param name="http">The HTTP client on <see cref="DefaultRestEndpoint"/> (or a simulator), with <see cref="CreateBudget"/>.</param>
    /// <param name="category">The category the provider streams (one endpoint per category).</param>
    public BybitBackfill(BackfillHttp http, BybitCategory category)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!Enum.IsDefined(category))
        {
            throw new ArgumentOutOfRangeException(nameof(category), category, "Unknown Bybit category.");
        }

        _http = http;
        Category = category;
        MaxLimit = category == BybitCategory.Spot ? SpotMaxLimit : DerivativesMaxLimit;
    }

    public BybitCategory Category { get; }

    /// <summary>The most trades one answer holds, and so the most the client can ever recover for one break.</summary>
    public int MaxLimit { get; }

    /// <summary>UUIDs on derivatives, cross-symbol numbers on spot: never consecutive per symbol.</summary>
    public bool ConsecutiveIds => false;

    /// <summary>The production REST root, the same for every category.</summary>
    public static Uri DefaultRestEndpoint { get; } = new("https://api.bybit.com/");

    /// <summary>The published IP limit: 600 requests per 5 seconds; one budget per IP, shared by every Bybit client.</summary>
    public static RestBudget CreateBudget(TimeProvider? time = null) => new(600, TimeSpan.FromSeconds(5), time);

    /// <summary>The category as the API spells it.</summary>
    public static string CategoryName(BybitCategory category) => category switch
    {
        BybitCategory.Spot => "spot",
        BybitCategory.Linear => "linear",
        BybitCategory.Inverse => "inverse",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, null),
    };

    public async Task<BackfillFetch> FetchAsync(BackfillRequest request, int maxTrades, long receiveTimeNs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTrades);
        var query = string.Create(CultureInfo.InvariantCulture,
            $"{Path}?category={CategoryName(Category)}&symbol={Uri.EscapeDataString(request.Symbol)}&limit={MaxLimit}");
        var body = await _http.GetAsync(query, 1, cancellationToken).ConfigureAwait(false);
        var listed = Decode(body, request, receiveTimeNs);

        // Times are milliseconds, so trades of the bounds' milliseconds are kept; the bounds themselves were delivered live.
        var inside = listed.Where(t => t.ExchangeTimeNs >= request.FromTimeNs && t.ExchangeTimeNs <= request.ToTimeNs
                && t.TradeId != request.FromId && t.TradeId != request.ToId)
            .OrderBy(t => t.ExchangeTimeNs)
            .Take(maxTrades)
            .ToList();

        // Reached: the answer holds the start bound, goes back past the start, or is all the venue has.
        var reachedStart = listed.Count < MaxLimit
            || listed.Any(t => t.TradeId == request.FromId && !request.FromId.IsNone)
            || listed.Min(t => t.ExchangeTimeNs) < request.FromTimeNs;
        return new BackfillFetch(inside, reachedStart);
    }

    /// <summary>Decodes an answer into trades (newest first, as listed); a <c>retCode</c> other than 0 or anything undecodable throws.</summary>
    internal static List<MarketEvent> Decode(byte[] body, BackfillRequest request, long receiveTimeNs)
    {
        var trades = new List<MarketEvent>();
        try
        {
            var reader = new FrameJsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new BackfillException(FrameReason.Malformed, "Bybit answered no JSON object", body);
            }

            var names = new byte[NameBuffer]; // not the hot path: an answer is decoded once
            long? retCode = null;
            var sawList = false;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = JsonValues.PropertyName(ref reader, names);
                if (name.SequenceEqual("retCode"u8))
                {
                    reader.Read();
                    retCode = VenueInteger.TryParse(reader.ValueSpan, out var code) ? code : long.MinValue;
                }
                else if (name.SequenceEqual("result"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }

                    while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                    {
                        var inner = JsonValues.PropertyName(ref reader, names);
                        reader.Read();
                        if (inner.SequenceEqual("list"u8) && reader.TokenType == JsonTokenType.StartArray)
                        {
                            sawList = true;
                            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                            {
                                if (reader.TokenType != JsonTokenType.StartObject)
                                {
                                    throw new BackfillException(FrameReason.Malformed, "a list element is not an object", body);
                                }

                                trades.Add(DecodeTrade(ref reader, names, request, receiveTimeNs, body));
                            }
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (retCode is not 0)
            {
                throw new BackfillException(retCode is null ? FrameReason.Malformed : FrameReason.VenueError,
                    retCode is null ? "Bybit answer without retCode" : $"Bybit retCode {retCode}", body);
            }

            if (!sawList)
            {
                throw new BackfillException(FrameReason.MissingField, "Bybit answer without result.list", body);
            }

            return trades;
        }
        catch (JsonException ex)
        {
            throw new BackfillException(FrameReason.Malformed, "Bybit answer is not valid JSON: " + ex.Message, body, ex);
        }
    }

    private static MarketEvent DecodeTrade(ref FrameJsonReader reader, byte[] names, BackfillRequest request, long receiveTimeNs, byte[] body)
    {
        ReadOnlySpan<byte> id = default, price = default, size = default, side = default, time = default, seq = default;
        while (JsonValues.NextScalarField(ref reader, names, out var name))
        {
            if (name.SequenceEqual("execId"u8))
            {
                id = reader.ValueSpan;
            }
            else if (name.SequenceEqual("price"u8))
            {
                price = reader.ValueSpan;
            }
            else if (name.SequenceEqual("size"u8))
            {
                size = reader.ValueSpan;
            }
            else if (name.SequenceEqual("side"u8))
            {
                side = reader.ValueSpan;
            }
            else if (name.SequenceEqual("time"u8))
            {
                time = reader.ValueSpan;
            }
            else if (name.SequenceEqual("seq"u8))
            {
                seq = reader.ValueSpan;
            }
        }

        if (id.IsEmpty || price.IsEmpty || size.IsEmpty || side.IsEmpty || time.IsEmpty)
        {
            throw new BackfillException(FrameReason.MissingField, "a trade lacks its execId, price, size, side or time", body);
        }

        if (!TradeId.TryParseUtf8(id, out var tradeId))
        {
            throw new BackfillException(FrameReason.Malformed, "an execId is neither a number nor a UUID", body);
        }

        VenueInteger.TryParse(seq, out var sequence); // as the live decoder: 0 when absent
        var takerSide = side.SequenceEqual("Buy"u8) ? Side.Buy : side.SequenceEqual("Sell"u8) ? Side.Sell : Side.Unknown;
        return RestTradeJson.Trade(request, tradeId, sequence, takerSide, price, size, time, receiveTimeNs, body);
    }
}
