using Cloudwall.Rx.Core;
using FsCheck;
using FsCheck.Fluent;

namespace Cloudwall.Rx.Tests.Property.Core;

/// <summary>Generators for the event format: any valid event, with decimals over the whole 96-bit mantissa and every scale.</summary>
public static class Generators
{
    public static Gen<decimal> AnyDecimal =>
        from lo in ArbMap.Default.GeneratorFor<int>()
        from mid in Gen.Frequency((3, Gen.Constant(0)), (1, ArbMap.Default.GeneratorFor<int>()))
        from hi in Gen.Frequency((5, Gen.Constant(0)), (1, ArbMap.Default.GeneratorFor<int>()))
        from negative in ArbMap.Default.GeneratorFor<bool>()
        from scale in Gen.Choose(0, 28)
        select new decimal(lo, mid, hi, negative, (byte)scale);

    /// <summary>Prices as venues send them: positive, 0 to 10 decimal places, preserved trailing zeros.</summary>
    public static Gen<decimal> VenuePrice =>
        from mantissa in Gen.Choose(1, int.MaxValue)
        from scale in Gen.Choose(0, 10)
        select new decimal(mantissa, 0, 0, false, (byte)scale);

    public static Gen<long> Timestamp =>
        Gen.Frequency(
            (1, Gen.Constant(0L)),
            (3, Gen.Choose(0, int.MaxValue).Select(s => (1_600_000_000_000L + s) * UnixTime.NanosPerMilli)),
            (3, Gen.Choose(0, int.MaxValue).Select(s => (1_600_000_000_000_000L + s) * UnixTime.NanosPerMicro)),
            (3, ArbMap.Default.GeneratorFor<long>().Select(l => Math.Abs(l % 7_000_000_000_000_000_000L))));

    public static Gen<TradeId> TradeIds =>
        Gen.OneOf(
            Gen.Constant(TradeId.None),
            ArbMap.Default.GeneratorFor<long>().Select(TradeId.Numeric),
            ArbMap.Default.GeneratorFor<Guid>().Select(TradeId.FromGuid));

    public static Gen<MarketEvent> Events =>
        from kind in Gen.Elements(EventKind.Trade, EventKind.Quote, EventKind.Mark, EventKind.Index, EventKind.Funding)
        from side in Gen.Elements(Side.Unknown, Side.Buy, Side.Sell)
        from venue in Gen.Choose(0, 255)
        from provider in Gen.Choose(0, 255)
        from price in Gen.OneOf(VenuePrice, AnyDecimal)
        from size in Gen.OneOf(Gen.Constant(0m), VenuePrice, AnyDecimal)
        from aux in Gen.OneOf(Gen.Constant(0m), AnyDecimal)
        from auxSize in Gen.OneOf(Gen.Constant(0m), AnyDecimal)
        from ex in Timestamp
        from rxDelta in Gen.OneOf(Gen.Choose(-1000, 1_000_000).Select(d => (long)d), Gen.Choose(0, 5000).Select(d => d * UnixTime.NanosPerMilli))
        from seq in Gen.OneOf(Gen.Constant(0L), ArbMap.Default.GeneratorFor<long>())
        from tid in TradeIds
        from flags in Gen.Elements(EventFlags.None, EventFlags.Snapshot)
        select new MarketEvent
        {
            Kind = kind,
            Side = side,
            Instrument = new InstrumentId(7),
            Venue = new VenueId((byte)venue),
            Provider = new ProviderId((byte)provider),
            Price = price,
            Size = size,
            Aux = aux,
            AuxSize = auxSize,
            ExchangeTimeNs = ex,
            ReceiveTimeNs = Math.Max(0, ex + rxDelta),
            Sequence = seq,
            TradeId = tid,
            Flags = flags,
        };
}

public sealed class CoreArbitraries
{
    public static Arbitrary<MarketEvent> MarketEvent() => Generators.Events.ToArbitrary();

    public static Arbitrary<decimal> Decimal() => Generators.AnyDecimal.ToArbitrary();
}
