using Cloudwall.Rx.Core;
using Cloudwall.Rx.Pricing;

namespace Cloudwall.Rx.Tests.Unit.Pricing;

/// <summary>Gross errors, two-source conflicts and frozen sources (docs/fair-price.md §3a-§3c), on virtual time.</summary>
public sealed class FairPriceLiarTests
{
    private const long T0 = 1_767_225_600_000_000_000;
    private const long Second = UnixTime.NanosPerSecond;
    private const long Milli = UnixTime.NanosPerMilli;
    private static readonly InstrumentId Sol = new(1);

    /// <summary>A window shorter than the test's steps: each source's price is its last trade, not a blend with older ones.</summary>
    private static readonly ClassParameters Spot = new() { TradeWindow = TimeSpan.FromMilliseconds(400) };

    private static MarketEvent Trade(InstrumentId id, VenueId venue, decimal price, long at) =>
        FairPriceEngineTests.Trade(id, venue, price, 1m, at);

    /// <summary>An engine with every emission's source statuses by venue recorded.</summary>
    private sealed class Harness
    {
        public readonly Dictionary<VenueId, SourceStatus> Status = [];
        public readonly List<FairPrice> Emitted = [];
        public readonly FairPriceEngine Engine;

        public Harness(ClassParameters? spot = null, ReferenceData? refData = null, FairPriceBoard? board = null) =>
            Engine = new FairPriceEngine(new PricingParametersSource(new PricingParameters { Spot = spot ?? FairPriceLiarTests.Spot }), refData, board,
                (in FairPrice fp, ReadOnlySpan<SourceDetail> sources) =>
                {
                    Emitted.Add(fp);
                    foreach (var s in sources)
                    {
                        Status[s.Venue] = s.Status;
                    }
                });

        public void On(in MarketEvent e, long now) => Engine.OnEvent(e, now, out _);

        public FairPrice? Tick(long now)
        {
            var output = new FairPrice[8];
            return Engine.OnTick(now, output) > 0 ? output[0] : null;
        }
    }

    [Fact]
    public void The_trial_a_venue_printing_100x_among_two_never_moves_the_price()
    {
        // SOL-USD on Coinbase and Kraken at ~150: corroborated, good. From T0 + 2 s Kraken prints 100× for a minute while
        // Coinbase drifts up 1 %. Every published value stays on Coinbase's prices; Kraken is Gross from its first print.
        var h = new Harness();
        h.On(Trade(Sol, VenueId.Coinbase, 150m, T0), T0);
        h.On(Trade(Sol, VenueId.Kraken, 150.1m, T0), T0);
        var good = h.Tick(T0 + 500 * Milli)!.Value;
        Assert.Equal((150.05m, FairPriceStatus.Degraded, 2), (good.Price, good.Status, good.SourcesUsed));

        for (var k = 2; k <= 62; k++)
        {
            var now = T0 + k * Second;
            h.On(Trade(Sol, VenueId.Coinbase, 150m + k * 0.025m, now), now);
            h.On(Trade(Sol, VenueId.Kraken, 15_000m + k * 3m, now), now); // moving: not frozen, just wrong
            if (h.Tick(now + 500 * Milli) is { } fp)
            {
                Assert.InRange(fp.Price, 150m, 151.55m);
                Assert.Equal((FairPriceStatus.Degraded, 1), (fp.Status, fp.SourcesUsed));
                Assert.Equal(SourceStatus.Gross, h.Status[VenueId.Kraken]);
                Assert.Equal(SourceStatus.Used, h.Status[VenueId.Coinbase]);
            }
        }

        Assert.True(h.Emitted.Count > 60);
    }

    [Fact]
    public void A_lone_source_that_jumps_is_held_as_conflict_against_its_own_good_price()
    {
        // One source, a class that accepts one: 100 is good. A print at 10 000 is Gross against it and the 100 is held as
        // Conflict. Once the good price and the jump are older than the staleness limit, the source is trusted again.
        var h = new Harness(Spot with { MinSources = 1 });
        h.On(Trade(Sol, VenueId.Coinbase, 100m, T0), T0);
        h.On(Trade(Sol, VenueId.Coinbase, 10_000m, T0 + Second), T0 + Second);
        var held = h.Tick(T0 + 2 * Second)!.Value;
        Assert.Equal((100m, FairPriceStatus.Conflict, 0, 1), (held.Price, held.Status, held.SourcesUsed, held.SourcesKnown));
        Assert.Equal(SourceStatus.Gross, h.Status[VenueId.Coinbase]);

        var now = T0 + 40 * Second;
        h.On(Trade(Sol, VenueId.Coinbase, 10_000m, now), now);
        var back = h.Tick(now + Second)!.Value;
        Assert.Equal((10_000m, FairPriceStatus.Ok), (back.Price, back.Status));
    }

    [Fact]
    public void A_lone_uncorroborated_source_that_jumps_is_judged_by_its_own_history()
    {
        // Default minimum of 3: a lone source is never good. Its jump from 100 to 10 000 is what gives it away (reference 4
        // of §3a); with no good value to hold nothing is published until the jump ages out.
        var h = new Harness();
        h.On(Trade(Sol, VenueId.Coinbase, 100m, T0), T0);
        h.On(Trade(Sol, VenueId.Coinbase, 10_000m, T0 + Second), T0 + Second);
        Assert.Null(h.Tick(T0 + 2 * Second));
    }

    [Fact]
    public void Three_sources_two_agreeing_exclude_the_gross_one_at_once()
    {
        var h = new Harness();
        h.On(Trade(Sol, VenueId.Coinbase, 150m, T0), T0);
        h.On(Trade(Sol, VenueId.Kraken, 150.2m, T0), T0);
        h.On(Trade(Sol, VenueId.Binance, 1.5m, T0), T0);
        var fp = h.Tick(T0 + Second)!.Value;
        Assert.Equal((150.1m, FairPriceStatus.Ok, 2), (fp.Price, fp.Status, fp.SourcesUsed));
        Assert.Equal(SourceStatus.Gross, h.Status[VenueId.Binance]);
    }

    [Fact]
    public void A_related_market_on_the_board_settles_a_cold_start()
    {
        // No history for SOL-USD: Coinbase 150, Kraken 15 000. The board has SOL-USDT at 150.15 and USDT-USD at 0.999:
        // 150.15 × 0.999 = 149.99985, so Kraken is gross and Coinbase alone is used, a result settled by an external
        // reference (so it is good, and a later split is judged against it).
        var refData = new ReferenceData();
        var solUsd = refData.Intern(InstrumentSpec.Spot("SOL", "USD")).Id;
        var solUsdt = refData.Intern(InstrumentSpec.Spot("SOL", "USDT")).Id;
        var usdt = refData.Intern(InstrumentSpec.Spot("USDT", "USD")).Id;
        var board = new FairPriceBoard();
        var other = new FairPriceEngine(new PricingParametersSource(), refData, board); // another partition
        other.OnEvent(Trade(solUsdt, VenueId.Binance, 150.15m, T0), T0, out _);
        other.OnEvent(Trade(usdt, VenueId.Kraken, 0.999m, T0), T0, out _);

        var h = new Harness(refData: refData, board: board);
        h.On(Trade(solUsd, VenueId.Coinbase, 150m, T0), T0);
        h.On(Trade(solUsd, VenueId.Kraken, 15_000m, T0), T0);
        var fp = h.Tick(T0 + Second)!.Value;
        Assert.Equal((150m, FairPriceStatus.Degraded, 1), (fp.Price, fp.Status, fp.SourcesUsed));
        Assert.Equal(SourceStatus.Gross, h.Status[VenueId.Kraken]);

        // Kraken now 3 % off: below the critical deviation, a split judged by the good 150.
        var now = T0 + 2 * Second;
        h.On(Trade(solUsd, VenueId.Kraken, 154.5m, now), now);
        var split = h.Tick(now + Second)!.Value;
        Assert.Equal((150m, 1), (split.Price, split.SourcesUsed));
        Assert.Equal(SourceStatus.Outlier, h.Status[VenueId.Kraken]);
    }

    /// <summary>Coinbase and Kraken agree at 100 at T0 (a good value at T0 + 1 s), then at T0 + 2 s trade at the given prices.</summary>
    private static (Harness, FairPrice) GoodThenTwo(decimal coinbase, decimal kraken)
    {
        var h = new Harness();
        h.On(Trade(Sol, VenueId.Coinbase, 100m, T0), T0);
        h.On(Trade(Sol, VenueId.Kraken, 100m, T0), T0);
        Assert.Equal(100m, h.Tick(T0 + Second)!.Value.Price);
        h.On(Trade(Sol, VenueId.Kraken, kraken, T0 + 2 * Second), T0 + 2 * Second);
        h.On(Trade(Sol, VenueId.Coinbase, coinbase, T0 + 2 * Second), T0 + 2 * Second);
        return (h, h.Tick(T0 + 3 * Second)!.Value);
    }

    [Fact]
    public void Two_sources_with_a_liar_below_the_critical_deviation_the_good_price_decides()
    {
        var (h, fp) = GoodThenTwo(coinbase: 100.2m, kraken: 103m);
        Assert.Equal((100.2m, FairPriceStatus.Degraded, 1), (fp.Price, fp.Status, fp.SourcesUsed));
        Assert.Equal(SourceStatus.Outlier, h.Status[VenueId.Kraken]);
    }

    [Fact]
    public void Two_sources_that_nothing_can_settle_hold_the_last_good_value_as_conflict()
    {
        // Good at 100. Then one goes to 102 and the other to 98: both 2 % from the good price (outside 1 %, inside 5 %),
        // neither jumped by 5 %. No midpoint: 100 is held as Conflict, both Disputed. When they agree again, it is over.
        var (h, fp) = GoodThenTwo(coinbase: 102m, kraken: 98m);
        Assert.Equal((100m, FairPriceStatus.Conflict, 0), (fp.Price, fp.Status, fp.SourcesUsed));
        Assert.Equal((SourceStatus.Disputed, SourceStatus.Disputed), (h.Status[VenueId.Coinbase], h.Status[VenueId.Kraken]));
        Assert.Equal("conflict", fp.Status.ToText());

        h.On(Trade(Sol, VenueId.Kraken, 101.9m, T0 + 4 * Second), T0 + 4 * Second);
        var over = h.Tick(T0 + 5 * Second)!.Value;
        Assert.Equal((FairPriceStatus.Degraded, 2), (over.Status, over.SourcesUsed));
    }

    [Fact]
    public void Two_sources_disagreeing_at_a_cold_start_publish_nothing()
    {
        var h = new Harness();
        h.On(Trade(Sol, VenueId.Coinbase, 100m, T0), T0); // a lone first value: published, but not good
        h.On(Trade(Sol, VenueId.Kraken, 103m, T0), T0);
        Assert.Null(h.Tick(T0 + Second));
        Assert.Null(h.Tick(T0 + 3 * Second)); // not on the heartbeat either
    }

    [Fact]
    public void Without_a_reference_the_source_that_jumped_is_the_liar()
    {
        // Both at 100 at T0 (good), then silent past the staleness limit, so the good price is too old to judge by.
        // At T0 + 40 s Coinbase is at 100.1 and Kraken at 108: Kraken jumped 8 % in one change, Coinbase did not.
        var h = new Harness();
        h.On(Trade(Sol, VenueId.Coinbase, 100m, T0), T0);
        h.On(Trade(Sol, VenueId.Kraken, 100m, T0), T0);
        h.Tick(T0 + Second);
        var now = T0 + 40 * Second;
        h.On(Trade(Sol, VenueId.Coinbase, 100.1m, now), now);
        h.On(Trade(Sol, VenueId.Kraken, 108m, now), now);
        var fp = h.Tick(now + Second)!.Value;
        Assert.Equal((100.1m, FairPriceStatus.Degraded, 1), (fp.Price, fp.Status, fp.SourcesUsed));
        Assert.Equal(SourceStatus.Outlier, h.Status[VenueId.Kraken]);
    }

    /// <summary>Coinbase and Kraken tick up 0.01 % every 500 ms; Binance sends a trade as often, at one price.</summary>
    private static Harness RunFrozen(long untilNs, decimal binance = 100m, Harness? h = null, long fromNs = T0)
    {
        h ??= new Harness();
        for (var t = fromNs; t <= untilNs; t += 500 * Milli)
        {
            var step = (t - T0) / (500 * Milli);
            h.On(Trade(Sol, VenueId.Coinbase, 100m + step * 0.01m, t), t);
            h.On(Trade(Sol, VenueId.Kraken, 100.01m + step * 0.01m, t), t);
            h.On(Trade(Sol, VenueId.Binance, binance, t), t);
            h.Tick(t + 100 * Milli);
        }

        return h;
    }

    [Fact]
    public void A_source_stuck_while_its_peers_move_is_frozen_until_it_changes()
    {
        // Binance never changed since T0 (nothing learned: the 10 s floor). At 9.5 s it is still used; by 10.5 s the others
        // moved 0.2 % and it is Frozen: not eligible, so 2 of 3 sources and degraded.
        var h = RunFrozen(T0 + 9500 * Milli);
        Assert.Equal(SourceStatus.Used, h.Status[VenueId.Binance]);
        RunFrozen(T0 + 10_500 * Milli, h: h, fromNs: T0 + 10 * Second);
        Assert.Equal(SourceStatus.Frozen, h.Status[VenueId.Binance]);
        var fp = h.Emitted[^1];
        Assert.Equal((FairPriceStatus.Degraded, 2, 3), (fp.Status, fp.SourcesUsed, fp.SourcesKnown));

        // It changes: back at once.
        var now = T0 + 11 * Second;
        h.On(Trade(Sol, VenueId.Binance, 100.22m, now), now);
        h.On(Trade(Sol, VenueId.Coinbase, 100.22m, now), now);
        h.Tick(now + 100 * Milli);
        var back = h.Emitted[^1];
        Assert.Equal((FairPriceStatus.Ok, 3), (back.Status, back.SourcesUsed));
        Assert.Equal(SourceStatus.Used, h.Status[VenueId.Binance]);
    }

    [Fact]
    public void A_still_source_is_not_frozen_when_nobody_moved()
    {
        var h = new Harness();
        for (var t = T0; t <= T0 + 20 * Second; t += 500 * Milli)
        {
            h.On(Trade(Sol, VenueId.Coinbase, 100m, t), t);
            h.On(Trade(Sol, VenueId.Kraken, 100.05m, t), t);
            h.On(Trade(Sol, VenueId.Binance, 100.02m, t), t);
            h.Tick(t + 100 * Milli);
        }

        Assert.All(h.Status.Values, s => Assert.Equal(SourceStatus.Used, s));
    }

    [Fact]
    public void The_frozen_limit_is_a_multiple_of_the_learned_change_interval()
    {
        // Binance changes every 1 s for 10 s (interval learned: 1 s), then stands still: limit max(10 s, 20 × 1 s) = 20 s.
        // 15 s after its last change it is still used; 21 s after, frozen.
        var h = new Harness();
        var last = T0 + 10 * Second;
        for (var t = T0; t <= T0 + 40 * Second; t += 500 * Milli)
        {
            var step = (t - T0) / (500 * Milli);
            h.On(Trade(Sol, VenueId.Coinbase, 100m + step * 0.01m, t), t);
            h.On(Trade(Sol, VenueId.Kraken, 100.01m + step * 0.01m, t), t);
            var binance = t <= last ? 100m + ((t - T0) / Second) * 0.02m : 100.2m;
            h.On(Trade(Sol, VenueId.Binance, binance, t), t);
            h.Tick(t + 100 * Milli);
            if (t == last + 15 * Second)
            {
                Assert.Equal(SourceStatus.Used, h.Status[VenueId.Binance]);
            }

            if (t == last + 21 * Second)
            {
                Assert.Equal(SourceStatus.Frozen, h.Status[VenueId.Binance]);
            }
        }
    }

    [Fact]
    public void Frozen_quotes_are_judged_by_bid_and_ask()
    {
        // Quotes only. Binance's bid and ask never change; the others' do. Frozen after the floor.
        var h = new Harness();
        for (var t = T0; t <= T0 + 12 * Second; t += 500 * Milli)
        {
            var step = (t - T0) / (500 * Milli);
            foreach (var (venue, bid) in new[] { (VenueId.Coinbase, 100m + step * 0.01m), (VenueId.Kraken, 100m + step * 0.01m), (VenueId.Binance, 100m) })
            {
                h.On(new MarketEvent
                {
                    Kind = EventKind.Quote, Instrument = Sol, Venue = venue, Provider = ProviderId.Direct(venue), Price = bid, Aux = bid + 0.02m,
                    ExchangeTimeNs = t, ReceiveTimeNs = t,
                }, t);
            }

            h.Tick(t + 100 * Milli);
        }

        Assert.Equal(SourceStatus.Frozen, h.Status[VenueId.Binance]);
        Assert.Equal(SourceStatus.Used, h.Status[VenueId.Coinbase]);
    }

    [Fact]
    public void Gross_frozen_and_conflict_paths_do_not_allocate()
    {
        // Three series in one engine, each steady in one of the new paths: a 100× liar among two (gross against the good
        // price), a frozen source among three, and two sources disputed for ever (conflict held).
        var statuses = new int[8];
        var engine = new FairPriceEngine(new PricingParametersSource(new PricingParameters { Spot = Spot with { MinInterval = TimeSpan.FromMilliseconds(10) } }),
            detail: (in FairPrice _, ReadOnlySpan<SourceDetail> sources) =>
            {
                foreach (var d in sources)
                {
                    statuses[(int)d.Status]++;
                }
            });
        InstrumentId liar = new(1), frozen = new(2), disputed = new(3);
        var output = new FairPrice[16];

        void Run(int from, int count)
        {
            for (var i = from; i < from + count; i++)
            {
                var now = T0 + i * 50 * Milli;
                var move = (i % 40) * 0.01m;
                engine.OnEvent(Trade(liar, VenueId.Coinbase, 150m + move, now), now, out _);
                engine.OnEvent(Trade(liar, VenueId.Kraken, i < 10 ? 150m : 15_000m + move, now), now, out _);
                engine.OnEvent(Trade(frozen, VenueId.Coinbase, 100m + (i * 0.001m), now), now, out _);
                engine.OnEvent(Trade(frozen, VenueId.Kraken, 100.01m + (i * 0.001m), now), now, out _);
                engine.OnEvent(Trade(frozen, VenueId.Binance, 100m, now), now, out _);
                engine.OnEvent(Trade(disputed, VenueId.Coinbase, i < 10 ? 100m : 102m, now), now, out _);
                engine.OnEvent(Trade(disputed, VenueId.Kraken, i < 10 ? 100m : 98m, now), now, out _);
                if (i % 4 == 0)
                {
                    engine.OnTick(now, output);
                }
            }
        }

        Run(0, 2_000);
        var counted = (int[])statuses.Clone();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(2_000, 20_000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(statuses[(int)SourceStatus.Gross] > counted[(int)SourceStatus.Gross]);
        Assert.True(statuses[(int)SourceStatus.Frozen] > counted[(int)SourceStatus.Frozen]);
        Assert.True(statuses[(int)SourceStatus.Disputed] > counted[(int)SourceStatus.Disputed]);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void New_parameters_are_validated_and_overridable()
    {
        var bad = new PricingParameters
        {
            Spot = new ClassParameters { CriticalDeviation = 0m, FrozenFloor = TimeSpan.Zero, FrozenMultiplier = 0, FrozenPeerMove = 2m },
        };
        var errors = bad.Errors().ToList();
        Assert.Contains(errors, e => e.StartsWith("Pricing:Spot:CriticalDeviation", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Pricing:Spot:FrozenFloor", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Pricing:Spot:FrozenMultiplier", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Pricing:Spot:FrozenPeerMove", StringComparison.Ordinal));

        var o = ClassParameters.SpotDefault.With(new ParameterOverride { CriticalDeviation = 0.1m, FrozenFloor = TimeSpan.FromSeconds(30), FrozenMultiplier = 5, FrozenPeerMove = 0.01m });
        Assert.Equal((0.1m, TimeSpan.FromSeconds(30), 5, 0.01m), (o.CriticalDeviation, o.FrozenFloor, o.FrozenMultiplier, o.FrozenPeerMove));
        Assert.Equal((0.05m, TimeSpan.FromSeconds(10), 20, 0.001m),
            (ClassParameters.SpotDefault.CriticalDeviation, ClassParameters.SpotDefault.FrozenFloor, ClassParameters.SpotDefault.FrozenMultiplier, ClassParameters.SpotDefault.FrozenPeerMove));
    }
}
