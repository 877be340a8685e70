using Cloudwall.Rx.Core;
using Cloudwall.Rx.Pricing;
using FsCheck;
using FsCheck.Fluent;

namespace Cloudwall.Rx.Tests.Property.Pricing;

/// <summary>Invariants of docs/fair-price.md §3a-§3c over time: a liar among two sources, and a frozen source.</summary>
public sealed class LiarProperties
{
    private const long T0 = 1_767_225_600_000_000_000;
    private const long Milli = UnixTime.NanosPerMilli;
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(200);

    /// <summary>A window shorter than any step: each source's price is its last trade.</summary>
    private static readonly ClassParameters Spot = new() { TradeWindow = TimeSpan.FromMilliseconds(100) };

    private sealed record Emission(FairPrice Price, SourceStatus[] Statuses);

    /// <summary>Feeds one trade per source per step (prices by step and source), ticking half a step later; every emission with its statuses.</summary>
    private static List<Emission> Run(int steps, long stepNs, int sources, Func<int, int, decimal> price)
    {
        var emitted = new List<Emission>();
        var engine = new FairPriceEngine(new PricingParametersSource(new PricingParameters { Spot = Spot }),
            detail: (in FairPrice fp, ReadOnlySpan<SourceDetail> s) => emitted.Add(new Emission(fp, s.ToArray().Select(d => d.Status).ToArray())));
        var output = new FairPrice[4];
        for (var k = 0; k < steps; k++)
        {
            var now = T0 + k * stepNs;
            for (var i = 0; i < sources; i++)
            {
                engine.OnEvent(FairPriceProperties.Trade(i, price(k, i), 1m, now), now, out _);
            }

            engine.OnTick(now + stepNs / 2, output);
        }

        return emitted;
    }

    /// <summary>The honest path: a walk of at most ±0.05 % a step from 100, from a seed.</summary>
    private static decimal[] Walk(int steps, int seed)
    {
        var random = new Random(seed);
        var path = new decimal[steps];
        var p = 100m;
        for (var k = 0; k < steps; k++)
        {
            path[k] = p;
            p = decimal.Round(p * (1m + random.Next(-50, 51) / 100_000m), 6);
        }

        return path;
    }

    [Fact]
    public void One_liar_among_two_sources_never_moves_the_price_beyond_the_honest_range()
    {
        // Two honest sources for a while (a good value), then one of them lies by any factor 0.01×..100× from any step
        // on. Every value published from then on lies within the honest prices' range widened by the 1 % outlier
        // threshold; it is ok/degraded with the honest source used, or conflict holding a value published before.
        var cases = from seed in Gen.Choose(0, int.MaxValue)
                    from at in Gen.Choose(3, 30)
                    from exponent in Gen.Choose(-200, 200) // factor 10^(exponent/100): 0.01..100, 1 included
                    from liar in Gen.Choose(0, 1)
                    select (seed, at, exponent, liar);
        Check.One(Config, Prop.ForAll(cases.ToArbitrary(), t =>
        {
            var (seed, at, exponent, liar) = t;
            const int steps = 45;
            var honest = Walk(steps, seed);
            var factor = decimal.Round((decimal)Math.Pow(10, exponent / 100.0), 6);
            var emitted = Run(steps, 1000 * Milli, 2, (k, i) => i == liar && k >= at ? decimal.Round(honest[k] * factor, 6) : honest[k]);
            var low = honest.Min() * 0.99m;
            var high = honest.Max() * 1.01m;
            var before = new HashSet<decimal>();
            foreach (var e in emitted.Where(e => e.Statuses.Length == 2)) // not the first, lone computation
            {
                var fp = e.Price;
                var ok = fp.Price >= low && fp.Price <= high && fp.Status switch
                {
                    FairPriceStatus.Ok or FairPriceStatus.Degraded => e.Statuses[1 - liar] == SourceStatus.Used,
                    FairPriceStatus.Conflict => before.Contains(fp.Price),
                    _ => false,
                };
                if (!ok)
                {
                    return false;
                }

                if (fp.Status != FairPriceStatus.Conflict)
                {
                    before.Add(fp.Price);
                }
            }

            return emitted.Any(e => e.Price.ComputedTimeNs > T0 + (at * 1000 * Milli));
        }));
    }

    [Fact]
    public void A_frozen_source_among_moving_ones_ends_up_frozen_and_excluded()
    {
        // 1-4 sources rise 0.05 % a step (every 200 ms-1 s); one more moves with them until a step, then repeats its price.
        // Its learned interval is the step, so it is frozen exactly max(10 s, 20 steps) after its last change: not a
        // second before, and from then on excluded.
        var cases = from movers in Gen.Choose(1, 4)
                    from stepMs in Gen.Choose(200, 1000)
                    from freezeAt in Gen.Choose(3, 20)
                    select (movers, stepMs, freezeAt);
        Check.One(Config, Prop.ForAll(cases.ToArbitrary(), t =>
        {
            var (movers, stepMs, freezeAt) = t;
            var stepNs = stepMs * Milli;
            var limitNs = Math.Max(10_000 * Milli, 20 * stepNs);
            var steps = freezeAt + (int)(limitNs / stepNs) + 3;
            var frozen = movers; // the last source
            decimal Rising(int k, int i) => decimal.Round(100m * (1m + k * 0.0005m) + i * 0.01m, 6);
            var emitted = Run(steps, stepNs, movers + 1, (k, i) => i == frozen && k > freezeAt ? Rising(freezeAt, i) : Rising(k, i));

            var lastChangeNs = T0 + freezeAt * stepNs;
            var early = emitted.Where(e => e.Statuses.Length > frozen && e.Price.ComputedTimeNs - lastChangeNs < limitNs).ToList();
            var last = emitted[^1];
            return early.All(e => e.Statuses[frozen] != SourceStatus.Frozen) &&
                   last.Price.ComputedTimeNs - lastChangeNs >= limitNs &&
                   last.Statuses[frozen] == SourceStatus.Frozen && last.Price.SourcesUsed == movers &&
                   (last.Price.SourcesMask & (1UL << frozen)) == 0 && last.Price.SourcesKnown == movers + 1;
        }));
    }
}
