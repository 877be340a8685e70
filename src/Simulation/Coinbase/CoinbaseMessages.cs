namespace Cloudwall.Rx.Simulation.Coinbase;

/// <summary>Coinbase feed channels this simulator serves.</summary>
[Flags]
internal enum CoinbaseChannels
{
    None = 0,
    Matches = 1,
    Ticker = 2,
    Heartbeat = 4,

    /// <summary>The latest ticker every 5 s when it changed, in the ticker's own shape (<c>"type":"ticker"</c>).</summary>
    TickerBatch = 8,
}

internal static class CoinbaseChannelNames
{
    public const string Matches = "matches";
    public const string Ticker = "ticker";
    public const string Heartbeat = "heartbeat";
    public const string TickerBatch = "ticker_batch";

    /// <summary>In the order the <c>subscriptions</c> message lists them.</summary>
    public static readonly CoinbaseChannels[] All = [CoinbaseChannels.Matches, CoinbaseChannels.Ticker, CoinbaseChannels.Heartbeat, CoinbaseChannels.TickerBatch];

    public static string Name(CoinbaseChannels channel) => channel switch
    {
        CoinbaseChannels.Matches => Matches,
        CoinbaseChannels.Ticker => Ticker,
        CoinbaseChannels.Heartbeat => Heartbeat,
        CoinbaseChannels.TickerBatch => TickerBatch,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, null),
    };

    public static CoinbaseChannels Parse(string? name) => name switch
    {
        Matches => CoinbaseChannels.Matches,
        Ticker => CoinbaseChannels.Ticker,
        Heartbeat => CoinbaseChannels.Heartbeat,
        TickerBatch => CoinbaseChannels.TickerBatch,
        _ => CoinbaseChannels.None,
    };
}

/// <summary>A trade as Coinbase prints it; <see cref="MakerSide"/> is the maker's side.</summary>
internal struct CoinbaseMatch
{
    public long TradeId;
    public Guid MakerOrderId;
    public Guid TakerOrderId;
    public bool MakerIsBuy;
    public decimal Size;
    public decimal Price;
    public string ProductId;
    public long Sequence;
    public DateTime Time;

    public readonly string MakerSide => MakerIsBuy ? "buy" : "sell";
}

/// <summary>A match as the REST trade history keeps it: the REST answer prints it, with the time the feed printed.</summary>
internal readonly record struct CoinbaseHistoricTrade(CoinbaseMatch Match) : Market.IHistoricTrade
{
    public long Id => Match.TradeId;

    /// <summary>The printed time: the feed writes microseconds.</summary>
    public long TimeNs => Market.PrintedTime.MicrosecondsNs(Match.Time);
}

/// <summary>A ticker; <see cref="TakerIsBuy"/> is the taker's side of the last trade.</summary>
internal struct CoinbaseTicker
{
    public long Sequence;
    public string ProductId;
    public decimal Price;
    public decimal Open24h;
    public decimal Volume24h;
    public decimal Low24h;
    public decimal High24h;
    public decimal Volume30d;
    public decimal? BestBid;
    public decimal? BestBidSize;
    public decimal? BestAsk;
    public decimal? BestAskSize;
    public bool TakerIsBuy;
    public DateTime Time;
    public long TradeId;
    public decimal LastSize;
}
