using System.Text;

namespace Cloudwall.Rx.Ingestion.Venues.Bybit;

/// <summary>
/// Bybit v5 public WebSocket, one endpoint per category (<c>wss://stream.bybit.com/v5/public/spot|linear|inverse</c>).
/// Linear and inverse symbols are subscribed on <c>publicTrade.{symbol}</c> and <c>tickers.{symbol}</c> (quote, mark, index
/// and funding). Spot symbols on <c>publicTrade.{symbol}</c> only by default: v5 spot tickers carry no best bid or offer, no
/// mark and no funding, so they would produce nothing (the decoder ignores them if subscribed anyway).
/// </summary>
/// <remarks>
/// <para>Limits (v5 docs, "Connect"): spot accepts at most 10 args per subscribe request, so spot frames carry 10 topics;
/// linear and inverse have no per-request cap but the args of one connection may not exceed 21,000 characters, which
/// <see cref="MaxSymbolsPerConnection"/> (default 100 symbols, 200 topics, ~5,000 characters) stays far below. Bybit also
/// limits new connections to 500 per 5 minutes per IP.</para>
/// <para>Keep-alive: Bybit drops a connection without traffic; the documented heartbeat is <c>{"op":"ping"}</c> every 20 s,
/// answered with <c>{"op":"pong",...}</c> (linear/inverse) or <c>{"success":true,"ret_msg":"pong","op":"ping",...}</c> (spot),
/// both ignored as heartbeats.</para>
/// <para>Data levels (docs/venues.md, "Data levels", Bybit; checked 2026-12-06): <c>trades</c> is the default above;
/// <c>quotes</c> is <see cref="QuotesTopics"/>, the level-1 book <c>orderbook.1.{symbol}</c>, snapshots only, pushed every
/// 10 ms on change and after 3 s without one (https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook);
/// <c>throttled</c> (linear and inverse) is <see cref="ThrottledTopics"/>, <c>tickers.{symbol}</c> alone, pushed every 100 ms
/// (https://bybit-exchange.github.io/docs/v5/websocket/public/ticker).</para>
/// <para>Checked against the venue's documentation: docs/venues.md#bybit.</para>
/// </remarks>
public sealed class BybitProtocol : IVenueProtocol
{
    public const string PublicTrade = "publicTrade";
    public const string Tickers = "tickers";

    /// <summary>The level-1 order book: the best bid and offer, snapshots only (see the remarks).</summary>
    public const string OrderBookLevel1 = "orderbook.1";

    /// <summary>The <c>quotes</c> level: best bid and offer only, every category.</summary>
    public static IReadOnlyList<string> QuotesTopics { get; } = [OrderBookLevel1];

    /// <summary>The <c>throttled</c> level (linear and inverse): tickers at 100 ms, no trades.</summary>
    public static IReadOnlyList<string> ThrottledTopics { get; } = [Tickers];

    /// <summary>Spot's documented cap on args per subscribe request.</summary>
    public const int SpotMaxArgsPerFrame = 10;

    /// <summary>Args per frame for linear and inverse (no per-request cap; only 21,000 characters of args per connection).</summary>
    public const int DerivativesMaxArgsPerFrame = 100;

    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(20);

    private readonly IReadOnlyList<string> _topics;
    private readonly int _maxArgsPerFrame;
    private long _requests;

    /// <param name="topics">Topic prefixes per symbol; defaults by category (see the class summary).</param>
    public BybitProtocol(BybitCategory category, int maxSymbolsPerConnection = 100, IReadOnlyList<string>? topics = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSymbolsPerConnection);
        Category = category;
        BybitSymbols.SpaceOf(category); // validates the category
        MaxSymbolsPerConnection = maxSymbolsPerConnection;
        _topics = topics is null ? DefaultTopics(category) : [.. topics];
        if (_topics.Count == 0 || _topics.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("topic lists must be non-empty and hold no blank names", nameof(topics));
        }

        _maxArgsPerFrame = category == BybitCategory.Spot ? SpotMaxArgsPerFrame : DerivativesMaxArgsPerFrame;
    }

    public BybitCategory Category { get; }

    public VenueId Venue => VenueId.Bybit;

    public ProviderId Provider => ProviderId.Bybit;

    public Uri DefaultEndpoint => EndpointOf(Category);

    public int MaxSymbolsPerConnection { get; }

    /// <summary>Bybit's <c>seq</c>/<c>cs</c> are cross sequences shared across symbols and trades: nothing to check.</summary>
    public SequenceScope SequenceScope => SequenceScope.None;

    public (string Frame, TimeSpan Interval)? KeepAlive => ("""{"op":"ping"}""", KeepAliveInterval);

    public IReadOnlyList<string> Topics => _topics;

    public static Uri EndpointOf(BybitCategory category) => category switch
    {
        BybitCategory.Spot => new Uri("wss://stream.bybit.com/v5/public/spot"),
        BybitCategory.Linear => new Uri("wss://stream.bybit.com/v5/public/linear"),
        BybitCategory.Inverse => new Uri("wss://stream.bybit.com/v5/public/inverse"),
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, null),
    };

    public static IReadOnlyList<string> DefaultTopics(BybitCategory category) =>
        category == BybitCategory.Spot ? [PublicTrade] : [PublicTrade, Tickers];

    public IFrameDecoder CreateDecoder(ReferenceData refData) => new BybitDecoder(refData, Category);

    public IReadOnlyList<string> SubscribeFrames(IReadOnlyCollection<string> symbols) => Frames("subscribe", symbols);

    public IReadOnlyList<string> UnsubscribeFrames(IReadOnlyCollection<string> symbols) => Frames("unsubscribe", symbols);

    private List<string> Frames(string op, IReadOnlyCollection<string> symbols)
    {
        var args = new List<string>(symbols.Count * _topics.Count);
        foreach (var s in symbols)
        {
            foreach (var t in _topics)
            {
                args.Add(t + "." + s);
            }
        }

        var frames = new List<string>();
        for (var i = 0; i < args.Count; i += _maxArgsPerFrame)
        {
            frames.Add(Frame(op, args.GetRange(i, Math.Min(_maxArgsPerFrame, args.Count - i)), Interlocked.Increment(ref _requests)));
        }

        return frames;
    }

    private static string Frame(string op, List<string> args, long requestId)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("req_id"u8, op + "-" + requestId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("op"u8, op);
            w.WriteStartArray("args"u8);
            foreach (var a in args)
            {
                w.WriteStringValue(a);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
