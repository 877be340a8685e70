using System.Text;

namespace Cloudwall.Rx.Ingestion.Venues.Okx;

/// <summary>
/// OKX v5 public WebSocket (<c>wss://ws.okx.com:8443/ws/v5/public</c>). Each instrument id is subscribed on the channels of
/// its market: by default <c>trades</c> + <c>tickers</c> for spot and dated futures, plus <c>mark-price</c> +
/// <c>funding-rate</c> for perpetual swaps, plus <c>mark-price</c> for options.
/// </summary>
/// <remarks>
/// <para>Limits (OKX v5 docs, "WebSocket" overview): at most 3 connection requests per second per IP; subscribe, unsubscribe
/// and login requests share 480 operations per hour per connection; one request's <c>args</c> may not exceed 64 KB. One
/// frame carries at most <see cref="MaxArgsPerFrame"/> args (a few KB), so a full shard goes out in one or two operations.</para>
/// <para>Keep-alive: OKX closes a connection that has received nothing for 30 seconds; the client sends the text
/// <c>ping</c> and the venue answers the text <c>pong</c> (not JSON), which the decoder ignores as a heartbeat. The transport
/// sends the ping every <see cref="KeepAliveInterval"/> whatever else arrives, which satisfies "if nothing was received".</para>
/// <para>Checked against the venue's documentation: docs/venues.md#okx.</para>
/// </remarks>
public sealed class OkxProtocol : IVenueProtocol
{
    public static readonly Uri ProductionEndpoint = new("wss://ws.okx.com:8443/ws/v5/public");

    public const string Trades = "trades";
    public const string Tickers = "tickers";
    public const string MarkPrice = "mark-price";
    public const string IndexTickers = "index-tickers";
    public const string FundingRate = "funding-rate";

    /// <summary>Args per subscribe/unsubscribe frame; ~50 bytes each, far below the 64 KB request cap.</summary>
    public const int MaxArgsPerFrame = 200;

    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(25);

    public static IReadOnlyList<string> DefaultSpotChannels { get; } = [Trades, Tickers];

    public static IReadOnlyList<string> DefaultSwapChannels { get; } = [Trades, Tickers, MarkPrice, FundingRate];

    public static IReadOnlyList<string> DefaultFutureChannels { get; } = [Trades, Tickers, MarkPrice];

    public static IReadOnlyList<string> DefaultOptionChannels { get; } = [Trades, Tickers, MarkPrice];

    private readonly IReadOnlyList<string> _spot;
    private readonly IReadOnlyList<string> _swap;
    private readonly IReadOnlyList<string> _future;
    private readonly IReadOnlyList<string> _option;

    /// <param name="maxSymbolsPerConnection">Instrument ids per connection; with 4 channels each, 100 ids are 400 args.</param>
    public OkxProtocol(int maxSymbolsPerConnection = 100, IReadOnlyList<string>? spotChannels = null, IReadOnlyList<string>? swapChannels = null,
        IReadOnlyList<string>? futureChannels = null, IReadOnlyList<string>? optionChannels = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSymbolsPerConnection);
        MaxSymbolsPerConnection = maxSymbolsPerConnection;
        _spot = Checked(spotChannels ?? DefaultSpotChannels, nameof(spotChannels));
        _swap = Checked(swapChannels ?? DefaultSwapChannels, nameof(swapChannels));
        _future = Checked(futureChannels ?? DefaultFutureChannels, nameof(futureChannels));
        _option = Checked(optionChannels ?? DefaultOptionChannels, nameof(optionChannels));
    }

    public VenueId Venue => VenueId.Okx;

    public ProviderId Provider => ProviderId.Okx;

    public Uri DefaultEndpoint => ProductionEndpoint;

    public int MaxSymbolsPerConnection { get; }

    /// <summary>Trade ids are per instrument and contiguous; quotes, marks and funding carry no sequence.</summary>
    public SequenceScope SequenceScope => SequenceScope.PerInstrumentAndKind;

    public (string Frame, TimeSpan Interval)? KeepAlive => ("ping", KeepAliveInterval);

    public IFrameDecoder CreateDecoder(ReferenceData refData) => new OkxDecoder(refData);

    /// <summary>The channels an instrument id is subscribed on, from the shape of the id.</summary>
    public IReadOnlyList<string> ChannelsFor(string instId) => OkxSymbols.MarketOf(instId) switch
    {
        MarketType.Perp => _swap,
        MarketType.Future => _future,
        MarketType.Option => _option,
        _ => _spot,
    };

    public IReadOnlyList<string> SubscribeFrames(IReadOnlyCollection<string> symbols) => Frames("subscribe", symbols);

    public IReadOnlyList<string> UnsubscribeFrames(IReadOnlyCollection<string> symbols) => Frames("unsubscribe", symbols);

    private List<string> Frames(string op, IReadOnlyCollection<string> symbols)
    {
        var frames = new List<string>();
        var args = new List<(string Channel, string InstId)>();
        foreach (var s in symbols)
        {
            foreach (var c in ChannelsFor(s))
            {
                args.Add((c, s));
            }
        }

        for (var i = 0; i < args.Count; i += MaxArgsPerFrame)
        {
            frames.Add(Frame(op, args.GetRange(i, Math.Min(MaxArgsPerFrame, args.Count - i))));
        }

        return frames;
    }

    private static string Frame(string op, List<(string Channel, string InstId)> args)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("op"u8, op);
            w.WriteStartArray("args"u8);
            foreach (var (channel, instId) in args)
            {
                w.WriteStartObject();
                w.WriteString("channel"u8, channel);
                w.WriteString("instId"u8, instId);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static IReadOnlyList<string> Checked(IReadOnlyList<string> channels, string name)
    {
        if (channels.Count == 0 || channels.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("channel lists must be non-empty and hold no blank names", name);
        }

        return [.. channels];
    }
}
