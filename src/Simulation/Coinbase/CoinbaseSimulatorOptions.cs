using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Market;

namespace Cloudwall.Rx.Simulation.Coinbase;

/// <summary>Where a Coinbase simulator's market data comes from.</summary>
public enum CoinbaseFeedSource
{
    /// <summary>A seeded random walk per product (see <see cref="CoinbaseSimulatorOptions.Products"/>).</summary>
    Synthetic,

    /// <summary>A recorded Coinbase file replayed in a loop with its original spacing (see <see cref="CoinbaseSimulatorOptions.ReplayFile"/>).</summary>
    Replay,
}

/// <summary>Settings of a <see cref="CoinbaseSimulator"/>. Validated by <see cref="CoinbaseSimulator.StartAsync"/>.</summary>
public sealed class CoinbaseSimulatorOptions : ICheckedOptions
{
    public const string SectionName = "Simulation:Coinbase";

    /// <summary>Port, path and per-connection queue.</summary>
    public WebSocketVenueServerOptions Server { get; set; } = new();

    public CoinbaseFeedSource Source { get; set; } = CoinbaseFeedSource.Synthetic;

    /// <summary>Synthetic products. When empty, <see cref="DefaultProducts"/> is used.</summary>
    public List<CoinbaseSyntheticProduct> Products { get; set; } = [];

    /// <summary>Seed of the venue's random source (sides, sizes, order ids, noise).</summary>
    public int Seed { get; set; } = 42;

    /// <summary>The shared market to read; null creates a private one seeded with <see cref="Seed"/>.</summary>
    public SyntheticMarket? Market { get; set; }

    /// <summary>Standard deviation of this venue's fixed basis against the shared market.</summary>
    public double VenueBasisFraction { get; set; } = 0.0002;

    /// <summary>Standard deviation of the per-trade noise against the shared market.</summary>
    public double VenueNoiseFraction { get; set; } = 0.00005;

    /// <summary>The feed loop's step: trades due in a step are generated and sent together, so high rates need no timer per message.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Synthetic tickers: null sends one after every trade (as Coinbase does); a value sends one per product at that interval.</summary>
    public TimeSpan? TickerInterval { get; set; }

    /// <summary><c>ticker_batch</c> period: the latest ticker of each product that changed (Coinbase: five seconds).</summary>
    public TimeSpan TickerBatchInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Heartbeat period per product (Coinbase: one second).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Recorded file in the cryptofeed format (<c>&lt;secs&gt;: &lt;json&gt;</c> lines), for <see cref="CoinbaseFeedSource.Replay"/>.</summary>
    public string? ReplayFile { get; set; }

    /// <summary>Replay speed-up: 2 plays the recording twice as fast.</summary>
    public double ReplaySpeed { get; set; } = 1.0;

    /// <summary>Pause between the end of the recording and the start of its next loop (in recorded time).</summary>
    public TimeSpan ReplayLoopGap { get; set; } = TimeSpan.FromSeconds(1);

    public static IReadOnlyList<CoinbaseSyntheticProduct> DefaultProducts { get; } =
    [
        new() { ProductId = "BTC-USD", StartPrice = 65_000m, TickSize = 0.01m, TradesPerSecond = 20, MeanTradeSize = 0.02m },
        new() { ProductId = "ETH-USD", StartPrice = 3_200m, TickSize = 0.01m, TradesPerSecond = 15, MeanTradeSize = 0.3m },
        new() { ProductId = "SOL-USD", StartPrice = 150m, TickSize = 0.01m, TradesPerSecond = 10, MeanTradeSize = 5m },
    ];

    internal IReadOnlyList<CoinbaseSyntheticProduct> EffectiveProducts => Products.Count == 0 ? DefaultProducts : Products;

    public IEnumerable<string> Errors()
    {
        const string p = SectionName;
        var errors = new List<string>(Server.Errors(p + ":" + nameof(Server)));
        errors.AddRange(OptionChecks.Positive($"{p}:{nameof(TickInterval)}", TickInterval));
        if (TickerInterval is { } ti && ti <= TimeSpan.Zero)
            errors.Add($"{p}:{nameof(TickerInterval)} must be positive, or null for a ticker after every trade (was {ti})");
        errors.AddRange(OptionChecks.Positive($"{p}:{nameof(TickerBatchInterval)}", TickerBatchInterval));
        errors.AddRange(OptionChecks.Positive($"{p}:{nameof(HeartbeatInterval)}", HeartbeatInterval));
        errors.AddRange(OptionChecks.VenueSpread(p, VenueBasisFraction, VenueNoiseFraction));
        if (Source != CoinbaseFeedSource.Replay)
        {
            errors.AddRange(OptionChecks.EachOnce($"{p}:{nameof(Products)}", EffectiveProducts, static x => x.ProductId, "product", static (x, key) => x.Errors(key)));
            return errors;
        }

        if (string.IsNullOrWhiteSpace(ReplayFile)) errors.Add($"{p}:{nameof(ReplayFile)} is required when {nameof(Source)} is Replay");
        else if (!File.Exists(ReplayFile)) errors.Add($"{p}:{nameof(ReplayFile)} '{ReplayFile}' does not exist");
        if (!(ReplaySpeed > 0) || double.IsInfinity(ReplaySpeed)) errors.Add($"{p}:{nameof(ReplaySpeed)} must be a positive finite factor (was {ReplaySpeed})");
        if (ReplayLoopGap < TimeSpan.Zero) errors.Add($"{p}:{nameof(ReplayLoopGap)} must not be negative (was {ReplayLoopGap})");
        return errors;
    }
}

/// <summary>One synthetic Coinbase product.</summary>
public sealed class CoinbaseSyntheticProduct : SyntheticInstrumentOptions
{
    /// <summary>Coinbase product id, such as <c>BTC-USD</c>.</summary>
    public string ProductId { get; set; } = "";

    /// <summary>The <see cref="SyntheticMarket"/> instrument it follows; defaults to <see cref="ProductId"/>.</summary>
    public string? BaseInstrument { get; set; }

    internal string Instrument => BaseInstrument ?? ProductId;

    internal IEnumerable<string> Errors(string key)
    {
        if (string.IsNullOrWhiteSpace(ProductId)) yield return $"{key}:{nameof(ProductId)} is required";
        foreach (var e in TradingErrors(key)) yield return e;
    }
}
