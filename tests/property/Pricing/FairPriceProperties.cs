using Cloudwall.Rx.Core;
using Cloudwall.Rx.Pricing;
using FsCheck;
using FsCheck.Fluent;

namespace Cloudwall.Rx.Tests.Property.Pricing;

/// <summary>Invariants of the fair-price method (docs/fair-price.md), through the real engine.</summary>
public sealed class FairPriceProperties
{
    private const long T0 = 1_767_225_600_000_000_000;
    private const long Second = UnixTime.NanosPerSecond;
    private static readonly InstrumentId Btc = new(1);
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(300);

    /// <summary>One source's input: a price in cents, a volume, and whether it is fresh.</summary>
    public readonly record struct Input(decimal Price, decimal Volume, bool Fresh);

    private static readonly Gen<decimal> Price = Gen.Choose(1_000_000, 2_000_000).Select(c => c / 100m);
    private static readonly Gen<decimal> Volume = Gen.Choose(1, 100).Select(v => (decimal)v);
    private static readonly Gen<Input> FreshInput = Gen.Zip(Price, Volume).Select(t => new Input(t.Item1, t.Item2, true));
    private static readonly Gen<Input[]> Inputs = Gen.Choose(1, 9).SelectMany(n => Gen.ArrayOf(FreshInput, n));

    private static ClassParameters Spot(int minSources = 3) => new()
    {
        // A wide window so each source's VWAP is its one trade with its volume; everything computed once at the tick.
        Staleness = TimeSpan.FromSeconds(30), TradeWindow = TimeSpan.FromSeconds(60), MinInterval = TimeSpan.FromSeconds(10),
        MeaningfulChangeBp = 0m, MinSources = minSources,
    };

    /// <summary>
    /// Feeds one trade per source (stale ones 40 s before the others), then ticks after the minimum interval. The first
    /// fed event computes with a single eligible source, which neither judges outliers nor changes the result.
    /// </summary>
    internal static FairPrice? Run(IReadOnlyList<Input> inputs, ClassParameters? spot = null, FairPriceDetailHandler? detail = null)
    {
        var engine = new FairPriceEngine(new PricingParametersSource(new PricingParameters { Spot = spot ?? Spot() }), detail: detail);
        for (var pass = 0; pass < 2; pass++)
        {
            var now = pass == 0 ? T0 - 40 * Second : T0;
            for (var i = 0; i < inputs.Count; i++)
            {
                if (inputs[i].Fresh == (pass == 1))
                {
                    engine.OnEvent(Trade(i, inputs[i].Price, inputs[i].Volume, now), now, out _);
                }
            }
        }

        var output = new FairPrice[4];
        return engine.OnTick(T0 + 10 * Second, output) == 1 ? output[0] : null;
    }

    internal static MarketEvent Trade(int source, decimal price, decimal volume, long now) => new()
    {
        Kind = EventKind.Trade, Instrument = Btc, Venue = new VenueId((byte)(source + 1)), Provider = new ProviderId((byte)(source + 1)),
        Price = price, Size = volume, ExchangeTimeNs = now, ReceiveTimeNs = now,
    };

    /// <summary>
    /// Two fresh sources further apart than the 1 % threshold of the higher one, with no good value before them (the lone
    /// first source is not corroborated unless one source suffices): nothing decides, and §3b publishes nothing rather than
    /// their midpoint.
    /// </summary>
    private static bool Undecided(IReadOnlyList<Input> inputs, int minSources = 3)
    {
        var fresh = inputs.Where(i => i.Fresh).Select(i => i.Price).ToArray();
        return minSources >= 2 && fresh.Length == 2 && Math.Abs(fresh[0] - fresh[1]) > 0.01m * Math.Max(fresh[0], fresh[1]);
    }

    private static (decimal, FairPriceStatus, decimal, int) Key(FairPrice? p) =>
        p is { } v ? (v.Price, v.Status, v.Confidence, v.SourcesUsed) : (-1m, FairPriceStatus.Stale, -1m, -1);

    [Fact]
    public void Result_does_not_depend_on_source_order() =>
        Check.One(Config, Prop.ForAll(Inputs.SelectMany(a => Gen.Shuffle(a).Select(b => (a, b))).ToArbitrary(), t =>
            Key(Run(t.a)) == Key(Run(t.b))));

    [Fact]
    public void Result_lies_within_the_eligible_prices() =>
        Check.One(Config, Prop.ForAll(Inputs.ToArbitrary(), inputs =>
        {
            if (Run(inputs) is not { } fp)
            {
                return Undecided(inputs);
            }

            return fp.Price >= inputs.Min(i => i.Price) && fp.Price <= inputs.Max(i => i.Price) && fp.Confidence >= 0m;
        }));

    [Fact]
    public void Scaling_every_price_by_k_scales_the_fair_price_by_k() =>
        Check.One(Config, Prop.ForAll(Inputs.ToArbitrary(), Gen.Elements(0.001m, 0.5m, 3m, 7m, 1000m).ToArbitrary(), (inputs, k) =>
        {
            var scaledInputs = inputs.Select(i => i with { Price = i.Price * k }).ToArray();
            if (Undecided(inputs))
            {
                return Run(inputs) is null && Run(scaledInputs) is null;
            }

            var fp = Run(inputs)!.Value;
            var scaled = Run(scaledInputs)!.Value;
            return scaled.Price == fp.Price * k && scaled.Confidence == fp.Confidence * k && scaled.SourcesUsed == fp.SourcesUsed;
        }));

    [Fact]
    public void One_source_at_any_price_cannot_move_the_price_outside_three_or_more_honest_sources()
    {
        // Honest sources agree within a quarter of the 1 % threshold; the liar has any price and any volume.
        var honest = Gen.Choose(3, 7).SelectMany(n => Gen.ArrayOf(Gen.Zip(Gen.Choose(0, 250), Volume)
            .Select(t => new Input(10_000m + t.Item1 / 10m, t.Item2, true)), n));
        var liar = Gen.Zip(Gen.OneOf(Gen.Choose(1, 1_000_000_000).Select(v => v / 100m), Gen.Choose(990_000, 1_010_000).Select(v => v / 100m)),
            Gen.Choose(1, 1_000_000)).Select(t => new Input(t.Item1, t.Item2, true));
        var cases = from h in honest from l in liar from at in Gen.Choose(0, 7) select (h, l, at);
        Check.One(Config, Prop.ForAll(cases.ToArbitrary(), t =>
        {
            var (h, l, at) = t;
            var inputs = h.ToList();
            inputs.Insert(Math.Min(at, inputs.Count), l);
            var fp = Run(inputs)!.Value;
            return fp.Price >= h.Min(i => i.Price) && fp.Price <= h.Max(i => i.Price);
        }));
    }

    [Fact]
    public void Stale_sources_have_no_effect() =>
        Check.One(Config, Prop.ForAll(Inputs.ToArbitrary(), Gen.ArrayOf(Gen.Zip(Gen.Choose(1, 100_000_000), Volume)
            .Select(t => new Input(t.Item1 / 100m, t.Item2, false))).ToArbitrary(), (fresh, stale) =>
        {
            var mixed = fresh.Concat(stale).ToArray();
            return Key(Run(fresh)) == Key(Run(mixed));
        }));

    [Fact]
    public void Status_follows_the_minimum_sources_rule_exactly() =>
        Check.One(Config, Prop.ForAll(Inputs.ToArbitrary(), Gen.Choose(1, 10).ToArbitrary(), Gen.Choose(0, 4).ToArbitrary(), (fresh, min, staleCount) =>
        {
            var stale = Enumerable.Range(0, staleCount).Select(i => new Input(12_345m + i, 1m, false));
            if (Undecided(fresh, min))
            {
                return Run([.. fresh, .. stale], Spot(min)) is null;
            }

            var fp = Run([.. fresh, .. stale], Spot(min))!.Value;
            var expected = fresh.Length >= min ? FairPriceStatus.Ok : FairPriceStatus.Degraded;
            return fp.Status == expected && fp.SourcesKnown == fresh.Length + staleCount;
        }));

    [Fact]
    public void All_sources_stale_holds_the_last_value()
    {
        var engine = new FairPriceEngine(new PricingParametersSource(new PricingParameters { Spot = Spot() }));
        engine.OnEvent(Trade(0, 100m, 1m, T0), T0, out var first);
        var output = new FairPrice[2];
        Assert.Equal(1, engine.OnTick(T0 + 31 * Second, output));
        Assert.Equal((100m, FairPriceStatus.Stale, 0), (output[0].Price, output[0].Status, output[0].SourcesUsed));
        Assert.Equal(100m, first.Price);
    }

    [Fact]
    public void Hysteresis_never_flaps_on_a_constant_input()
    {
        // Prices spread across and around the threshold and its half; the input repeats unchanged for many cycles.
        var gen = Gen.Choose(3, 8).SelectMany(n => Gen.ArrayOf(Gen.Choose(-300, 300).Select(bp => 10_000m * (1m + bp / 10_000m)), n));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), Prop.ForAll(gen.ToArbitrary(), prices =>
        {
            var history = new List<SourceStatus[]>();
            var engine = new FairPriceEngine(new PricingParametersSource(new PricingParameters { Spot = Spot() with { MinInterval = TimeSpan.FromSeconds(1) } }),
                detail: (in FairPrice _, ReadOnlySpan<SourceDetail> s) => history.Add(s.ToArray().Select(d => d.Status).ToArray()));
            var output = new FairPrice[4];
            for (var cycle = 0; cycle < 20; cycle++)
            {
                var now = T0 + cycle * 2 * Second;
                for (var i = 0; i < prices.Length; i++)
                {
                    engine.OnEvent(Trade(i, prices[i], 1m, now), now, out _);
                }

                engine.OnTick(now + Second, output);
            }

            var full = history.Where(h => h.Length == prices.Length).ToList();
            return full.Count >= 19 && full.All(h => h.SequenceEqual(full[0]));
        }));
    }
}
