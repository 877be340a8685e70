using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Market;

namespace Cloudwall.Rx.Simulation.Okx;

/// <summary>Settings of an <see cref="OkxSimulator"/>. Validated by <see cref="OkxSimulator.StartAsync"/>.</summary>
public sealed class OkxSimulatorOptions : ICheckedOptions
{
    public const string SectionName = "Simulation:Okx";

    /// <summary>Port, path and per-connection queue. OKX serves <c>/ws/v5/public</c>.</summary>
    public WebSocketVenueServerOptions Server { get; set; } = new() { Path = "/ws/v5/public" };

    /// <summary>Synthetic instruments. When empty, <see cref="DefaultInstruments"/> is used.</summary>
    public List<OkxSyntheticInstrument> Instruments { get; set; } = [];

    /// <summary>Seed of the venue's random source (sides, sizes, noise, funding).</summary>
    public int Seed { get; set; } = 77;

    /// <summary>The shared market to read; null creates a private one seeded with <see cref="Seed"/>.</summary>
    public SyntheticMarket? Market { get; set; }

    /// <summary>Standard deviation of this venue's fixed basis against the shared market.</summary>
    public double VenueBasisFraction { get; set; } = 0.0003;

    /// <summary>Standard deviation of the per-read noise against the shared market.</summary>
    public double VenueNoiseFraction { get; set; } = 0.00005;

    /// <summary>The feed loop's step; trades due in a step go out as one batched <c>trades</c> message per instrument.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary><c>tickers</c> period per instrument (OKX pushes up to every 100 ms).</summary>
    public TimeSpan TickerInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary><c>mark-price</c> and <c>index-tickers</c> period (OKX: 200 ms when changed, 100 ms for indices).</summary>
    public TimeSpan MarkInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary><c>funding-rate</c> period for swaps (OKX: every 30 to 90 seconds; shorter here so tests see it).</summary>
    public TimeSpan FundingInterval { get; set; } = TimeSpan.FromSeconds(1);

    public static IReadOnlyList<OkxSyntheticInstrument> DefaultInstruments { get; } =
    [
        new() { InstId = "BTC-USDT", StartPrice = 65_000m, TickSize = 0.1m, TradesPerSecond = 20, MeanTradeSize = 0.02m },
        new() { InstId = "ETH-USDT", StartPrice = 3_200m, TickSize = 0.01m, TradesPerSecond = 15, MeanTradeSize = 0.3m },
        new() { InstId = "BTC-USDT-SWAP", StartPrice = 65_000m, TickSize = 0.1m, TradesPerSecond = 30, MeanTradeSize = 1m },
        new() { InstId = "ETH-USDT-SWAP", StartPrice = 3_200m, TickSize = 0.01m, TradesPerSecond = 20, MeanTradeSize = 3m },
        new() { InstId = "BTC-USD-SWAP", StartPrice = 65_000m, TickSize = 0.1m, TradesPerSecond = 10, MeanTradeSize = 10m },
    ];

    internal IReadOnlyList<OkxSyntheticInstrument> EffectiveInstruments => Instruments.Count == 0 ? DefaultInstruments : Instruments;

    public IEnumerable<string> Errors()
    {
        const string p = SectionName;
        var errors = new List<string>(Server.Errors(p + ":" + nameof(Server)));
        errors.AddRange(OptionChecks.Positive($"{p}:{nameof(TickInterval)}", TickInterval));
        errors.AddRange(OptionChecks.Positive($"{p}:{nameof(TickerInterval)}", TickerInterval));
        errors.AddRange(OptionChecks.Positive($"{p}:{nameof(MarkInterval)}", MarkInterval));
        errors.AddRange(OptionChecks.Positive($"{p}:{nameof(FundingInterval)}", FundingInterval));
        errors.AddRange(OptionChecks.VenueSpread(p, VenueBasisFraction, VenueNoiseFraction));
        errors.AddRange(OptionChecks.EachOnce($"{p}:{nameof(Instruments)}", EffectiveInstruments, static x => x.InstId, "instrument", static (x, key) => x.Errors(key)));
        return errors;
    }
}

/// <summary>One synthetic OKX instrument: spot <c>BTC-USDT</c>, swap <c>BTC-USDT-SWAP</c> or dated future <c>BTC-USD-250627</c>.</summary>
public sealed class OkxSyntheticInstrument : SyntheticInstrumentOptions
{
    public string InstId { get; set; } = "";

    /// <summary>
    /// The <see cref="SyntheticMarket"/> walk it follows. Defaults to <c>BASE-USD</c> (<c>BTC-USDT-SWAP</c> follows <c>BTC-USD</c>), so
    /// OKX, Coinbase and Bybit BTC prices move together around one fair price.
    /// </summary>
    public string? BaseInstrument { get; set; }

    /// <summary>Mean funding rate per interval, for swaps.</summary>
    public decimal MeanFundingRate { get; set; } = 0.0001m;

    internal string Walk => BaseInstrument ?? InstId.Split('-')[0] + "-USD";

    internal bool IsSwap => InstId.EndsWith("-SWAP", StringComparison.Ordinal);

    internal bool IsSpot => InstId.Count(c => c == '-') == 1;

    /// <summary>The index the instrument settles against: <c>BTC-USDT</c> for <c>BTC-USDT-SWAP</c>.</summary>
    internal string IndexId
    {
        get
        {
            var parts = InstId.Split('-');
            return parts[0] + "-" + parts[1];
        }
    }

    internal IEnumerable<string> Errors(string key)
    {
        var parts = InstId.Split('-');
        if (parts.Length < 2 || parts.Any(string.IsNullOrWhiteSpace))
            yield return $"{key}:{nameof(InstId)} must be an OKX instrument id such as BTC-USDT or BTC-USDT-SWAP";
        foreach (var e in TradingErrors(key)) yield return e;
    }
}
