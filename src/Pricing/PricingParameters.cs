using System.Collections.Frozen;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Configuration;

namespace Cloudwall.Rx.Pricing;

/// <summary>
/// The fair-price method's knobs for one instrument class (docs/fair-price.md explains each default). Immutable: a change is
/// a new <see cref="PricingParameters"/> snapshot with a higher version.
/// </summary>
public sealed record ClassParameters
{
    /// <summary>A source whose last update is older than this is not eligible (BRTI: 30 s).</summary>
    public TimeSpan Staleness { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Relative distance from the median past which a source is excluded (0.01 = 1 %); re-admitted within half of it.</summary>
    public decimal OutlierThreshold { get; init; } = 0.01m;

    /// <summary>Below this many eligible sources the status is degraded.</summary>
    public int MinSources { get; init; } = 3;

    /// <summary>No single source carries more than this share of the total weight (0.4 = 40 %).</summary>
    public decimal MaxWeightShare { get; init; } = 0.4m;

    /// <summary>The rolling window of trades behind each source's VWAP and volume.</summary>
    public TimeSpan TradeWindow { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Minimum time between two computations (and emissions) of one fair price: the conflation knob.</summary>
    public TimeSpan MinInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A fair price is re-published at least this often, changed or not.</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A move smaller than this (in basis points of the last published price) is not published before the heartbeat.</summary>
    public decimal MeaningfulChangeBp { get; init; } = 0.5m;

    /// <summary>
    /// Relative distance from the reference (consensus, own last good price, related markets, own history) past which a
    /// source is a gross error and excluded at once, at any source count (0.05 = 5 %).
    /// </summary>
    public decimal CriticalDeviation { get; init; } = 0.05m;

    /// <summary>A source whose price has not changed for this long (at least) while it keeps updating and others move is frozen.</summary>
    public TimeSpan FrozenFloor { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Frozen after this many of the source's own learned change intervals without a change (when longer than the floor).</summary>
    public int FrozenMultiplier { get; init; } = 20;

    /// <summary>Another source must have moved by more than this fraction meanwhile for a still source to be frozen (0.001 = 0.1 %).</summary>
    public decimal FrozenPeerMove { get; init; } = 0.001m;

    public static ClassParameters SpotDefault { get; } = new();

    public static ClassParameters DerivativeDefault { get; } = new() { OutlierThreshold = 0.02m };

    /// <summary>
    /// Options pass venue marks through: one venue is normal, marks update slowly, and vendors' IV surfaces differ more. A
    /// cheap option's mark moves tens of percent in one update, so only a far larger deviation is gross; and a mark may
    /// legitimately stand still as long as the staleness limit.
    /// </summary>
    public static ClassParameters OptionDefault { get; } = new()
    {
        Staleness = TimeSpan.FromSeconds(120), OutlierThreshold = 0.05m, MinSources = 1, CriticalDeviation = 0.5m, FrozenFloor = TimeSpan.FromSeconds(120),
    };

    /// <summary>Applies an override's set fields on top of this class's values.</summary>
    public ClassParameters With(ParameterOverride o) => new()
    {
        Staleness = o.Staleness ?? Staleness,
        OutlierThreshold = o.OutlierThreshold ?? OutlierThreshold,
        MinSources = o.MinSources ?? MinSources,
        MaxWeightShare = o.MaxWeightShare ?? MaxWeightShare,
        TradeWindow = o.TradeWindow ?? TradeWindow,
        MinInterval = o.MinInterval ?? MinInterval,
        Heartbeat = o.Heartbeat ?? Heartbeat,
        MeaningfulChangeBp = o.MeaningfulChangeBp ?? MeaningfulChangeBp,
        CriticalDeviation = o.CriticalDeviation ?? CriticalDeviation,
        FrozenFloor = o.FrozenFloor ?? FrozenFloor,
        FrozenMultiplier = o.FrozenMultiplier ?? FrozenMultiplier,
        FrozenPeerMove = o.FrozenPeerMove ?? FrozenPeerMove,
    };

    public IEnumerable<string> Errors(string prefix)
    {
        if (Staleness <= TimeSpan.Zero || Staleness > TimeSpan.FromHours(1)) yield return $"{prefix}:{nameof(Staleness)} must be in (0, 01:00:00] (was {Staleness})";
        if (OutlierThreshold is <= 0m or > 1m) yield return $"{prefix}:{nameof(OutlierThreshold)} must be in (0, 1] (was {OutlierThreshold})";
        if (MinSources is < 1 or > 64) yield return $"{prefix}:{nameof(MinSources)} must be 1..64 (was {MinSources})";
        if (MaxWeightShare is <= 0m or > 1m) yield return $"{prefix}:{nameof(MaxWeightShare)} must be in (0, 1] (was {MaxWeightShare})";
        if (TradeWindow < TimeSpan.FromMilliseconds(8) || TradeWindow > TimeSpan.FromMinutes(10)) yield return $"{prefix}:{nameof(TradeWindow)} must be 00:00:00.008..00:10:00 (was {TradeWindow})";
        if (MinInterval < TimeSpan.Zero || MinInterval > TimeSpan.FromMinutes(1)) yield return $"{prefix}:{nameof(MinInterval)} must be 0..00:01:00 (was {MinInterval})";
        if (Heartbeat <= TimeSpan.Zero || Heartbeat > TimeSpan.FromHours(1)) yield return $"{prefix}:{nameof(Heartbeat)} must be in (0, 01:00:00] (was {Heartbeat})";
        if (MeaningfulChangeBp is < 0m or > 10_000m) yield return $"{prefix}:{nameof(MeaningfulChangeBp)} must be 0..10000 (was {MeaningfulChangeBp})";
        if (CriticalDeviation is <= 0m or > 100m) yield return $"{prefix}:{nameof(CriticalDeviation)} must be in (0, 100] (was {CriticalDeviation})";
        if (FrozenFloor <= TimeSpan.Zero || FrozenFloor > TimeSpan.FromHours(1)) yield return $"{prefix}:{nameof(FrozenFloor)} must be in (0, 01:00:00] (was {FrozenFloor})";
        if (FrozenMultiplier is < 1 or > 10_000) yield return $"{prefix}:{nameof(FrozenMultiplier)} must be 1..10000 (was {FrozenMultiplier})";
        if (FrozenPeerMove is <= 0m or > 1m) yield return $"{prefix}:{nameof(FrozenPeerMove)} must be in (0, 1] (was {FrozenPeerMove})";
    }
}

/// <summary>Per-instrument overrides: the fields that are set replace the class's values.</summary>
public sealed record ParameterOverride
{
    public TimeSpan? Staleness { get; init; }
    public decimal? OutlierThreshold { get; init; }
    public int? MinSources { get; init; }
    public decimal? MaxWeightShare { get; init; }
    public TimeSpan? TradeWindow { get; init; }
    public TimeSpan? MinInterval { get; init; }
    public TimeSpan? Heartbeat { get; init; }
    public decimal? MeaningfulChangeBp { get; init; }
    public decimal? CriticalDeviation { get; init; }
    public TimeSpan? FrozenFloor { get; init; }
    public int? FrozenMultiplier { get; init; }
    public decimal? FrozenPeerMove { get; init; }
}

/// <summary>
/// One immutable, versioned snapshot of the pricing parameters (configuration section <c>Pricing</c>): a value per instrument
/// class, overrides per instrument key. The engine reads <see cref="IPricingParametersSource.Current"/> on each update
/// and re-resolves an instrument's values when the snapshot reference changed; nothing mutates a live snapshot.
/// </summary>
public sealed record PricingParameters : ICheckedOptions
{
    public const string Section = "Pricing";

    /// <summary>Carried on every fair price it produced (<see cref="FairPrice.ParametersVersion"/>).</summary>
    public int Version { get; init; } = 1;

    public ClassParameters Spot { get; init; } = ClassParameters.SpotDefault;
    public ClassParameters Perp { get; init; } = ClassParameters.DerivativeDefault;
    public ClassParameters Future { get; init; } = ClassParameters.DerivativeDefault;
    public ClassParameters Option { get; init; } = ClassParameters.OptionDefault;
    /// <summary>Composite instruments (e.g. <c>BTC-USD.COMPOSITE</c>) and index instruments.</summary>
    public ClassParameters Composite { get; init; } = ClassParameters.SpotDefault;

    /// <summary>Overrides by canonical instrument key (e.g. <c>DOGE-USD.SPOT</c>).</summary>
    public IReadOnlyDictionary<string, ParameterOverride> Overrides { get; init; } = FrozenDictionary<string, ParameterOverride>.Empty;

    public static PricingParameters Default { get; } = new();

    public ClassParameters ForClass(MarketType market) => market switch
    {
        MarketType.Perp => Perp,
        MarketType.Future => Future,
        MarketType.Option => Option,
        MarketType.Composite or MarketType.Index => Composite,
        _ => Spot,
    };

    /// <summary>The values for one instrument: its class, with its override applied. Called on a snapshot change, not per event.</summary>
    public ClassParameters For(MarketType market, string instrumentKey) =>
        Overrides.TryGetValue(instrumentKey, out var o) ? ForClass(market).With(o) : ForClass(market);

    public IEnumerable<string> Errors()
    {
        foreach (var e in Spot.Errors($"{Section}:{nameof(Spot)}")) yield return e;
        foreach (var e in Perp.Errors($"{Section}:{nameof(Perp)}")) yield return e;
        foreach (var e in Future.Errors($"{Section}:{nameof(Future)}")) yield return e;
        foreach (var e in Option.Errors($"{Section}:{nameof(Option)}")) yield return e;
        foreach (var e in Composite.Errors($"{Section}:{nameof(Composite)}")) yield return e;
        foreach (var (key, o) in Overrides)
        {
            if (!InstrumentSpec.TryParseKey(key, out var spec))
            {
                yield return $"{Section}:{nameof(Overrides)}:{key} is not a canonical instrument key";
                continue;
            }

            foreach (var e in ForClass(spec!.Market).With(o).Errors($"{Section}:{nameof(Overrides)}:{key}")) yield return e;
        }
    }
}

/// <summary>Where the engines read the live parameters from. Reads are a volatile reference read: cheap on every event.</summary>
public interface IPricingParametersSource
{
    PricingParameters Current { get; }
}

/// <summary>
/// Holds the live snapshot and swaps it atomically (the Redis control plane calls <see cref="TrySwap"/>). Engines pick the
/// new snapshot up on the next update of each instrument.
/// </summary>
public sealed class PricingParametersSource : IPricingParametersSource
{
    private volatile PricingParameters _current;

    public PricingParametersSource(PricingParameters? initial = null)
    {
        initial ??= PricingParameters.Default;
        _current = OptionsCheck.ThrowIfInvalid(initial);
    }

    public PricingParameters Current => _current;

    /// <summary>
    /// Swaps in a newer snapshot. Returns false, leaving the live one, when the version is not higher (commands are
    /// idempotent and may arrive twice or out of order). Throws when the snapshot is invalid.
    /// </summary>
    public bool TrySwap(PricingParameters next)
    {
        OptionsCheck.ThrowIfInvalid(next);
        while (true)
        {
            var live = _current;
            if (next.Version <= live.Version)
            {
                return false;
            }

            if (ReferenceEquals(Interlocked.CompareExchange(ref _current, next, live), live))
            {
                return true;
            }
        }
    }
}
