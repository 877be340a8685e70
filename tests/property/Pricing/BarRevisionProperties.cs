using Cloudwall.Rx.Core;
using Cloudwall.Rx.Pricing.Aggregation;
using FsCheck;
using FsCheck.Fluent;

namespace Cloudwall.Rx.Tests.Property.Pricing;

/// <summary>
/// Bar revisions (docs/wire-format.md, "Revisions"): however an interval's trades are split between the live stream and
/// back-fill, in whatever order and batches back-fill brings them, the last version of the bar is the bar of all of them.
/// </summary>
public sealed class BarRevisionProperties
{
    private const long T0 = 1_767_225_600_000_000_000;
    private const long Ms = UnixTime.NanosPerMilli;
    private const long S = UnixTime.NanosPerSecond;
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(500);

    /// <summary>A trade of the interval: its price and size, whether the live stream delivered it, and its back-fill batch otherwise.</summary>
    public readonly record struct Trade(decimal Price, decimal Size, bool Live, int Batch);

    private static readonly Gen<Trade> Trades =
        from cents in Gen.Choose(1_000_000, 2_000_000)
        from tenths in Gen.Choose(1, 100)
        from live in ArbMap.Default.GeneratorFor<bool>()
        from batch in Gen.Choose(0, 2)
        select new Trade(cents / 100m, tenths / 10m, live, batch);

    /// <summary>The trades in exchange-time order (index i trades at T0 + 10 i ms), and each batch's arrival order.</summary>
    private static readonly Gen<(Trade[] Trades, int[][] Arrivals)> Cases =
        from n in Gen.Choose(1, 60)
        from trades in Gen.ArrayOf(Trades, n)
        from first in Arrival(trades, 0)
        from second in Arrival(trades, 1)
        from third in Arrival(trades, 2)
        select (trades, new[] { first, second, third });

    private static Gen<int[]> Arrival(Trade[] trades, int batch) =>
        Gen.Shuffle(Enumerable.Range(0, trades.Length).Where(i => !trades[i].Live && trades[i].Batch == batch).ToArray()).Select(a => a.ToArray());

    private sealed class Sink : IBarPublisher
    {
        public List<Bar> Published { get; } = [];

        public void PublishBar(in Bar bar) => Published.Add(bar);
    }

    private static MarketEvent Event(in Trade t, int i, long receiveNs, EventFlags flags) => new()
    {
        Kind = EventKind.Trade, Instrument = new InstrumentId(1), Venue = VenueId.Coinbase, Provider = ProviderId.Coinbase,
        Price = t.Price, Size = t.Size, ExchangeTimeNs = T0 + i * 10 * Ms + 1, ReceiveTimeNs = receiveNs, Flags = flags,
    };

    [Fact]
    public void The_last_version_is_the_bar_of_every_trade_and_revisions_count_up_from_0() =>
        Check.One(Config, Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var options = new AggregationOptions { Interval = TimeSpan.FromSeconds(1) };
            var sink = new Sink();
            var agg = new BarAggregator(1, options, sink);
            agg.OnTick(0, T0); // running before the interval began
            for (var i = 0; i < c.Trades.Length; i++)
            {
                if (c.Trades[i].Live)
                {
                    agg.OnEvent(0, Event(c.Trades[i], i, T0 + i * 10 * Ms + 5, EventFlags.None), T0 + i * 10 * Ms + 5);
                }
            }

            agg.OnTick(0, T0 + S);
            for (var b = 0; b < c.Arrivals.Length; b++)
            {
                var now = T0 + (2 + b) * S;
                foreach (var i in c.Arrivals[b])
                {
                    agg.OnBackfill(0, Event(c.Trades[i], i, now, EventFlags.Backfill), now);
                }

                agg.OnTick(0, now + 100 * Ms);
            }

            // Reference: every trade live, in exchange-time order.
            var all = new Sink();
            var reference = new BarAggregator(1, options, all);
            for (var i = 0; i < c.Trades.Length; i++)
            {
                reference.OnEvent(0, Event(c.Trades[i], i, T0 + i * 10 * Ms + 5, EventFlags.None), T0 + i * 10 * Ms + 5);
            }

            reference.FlushAll();
            var versions = (c.Trades.Any(t => t.Live) ? 1 : 0) + c.Arrivals.Count(a => a.Length > 0);
            var last = sink.Published[^1];
            return sink.Published.Select(b => b.Revision).SequenceEqual(Enumerable.Range(0, versions)) &&
                   sink.Published.All(b => b.StartTimeNs == T0) &&
                   last with { Revision = 0, FirstReceiveTimeNs = 0 } == all.Published.Single() with { FirstReceiveTimeNs = 0 } &&
                   agg.BarsRevised == versions - 1 && agg.BackfillTooLate == 0;
        }));
}
