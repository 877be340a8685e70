using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Wire;
using FsCheck;
using FsCheck.Fluent;

namespace Cloudwall.Rx.Tests.Property.Core;

/// <summary>The bar codec (docs/wire-format.md, "Bar v2"): exact round trips, revisions, and version 1 values.</summary>
public sealed class BarCodecProperties
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(2000);

    private static readonly Gen<Bar> Bars =
        from kind in Gen.Elements(EventKind.Trade, EventKind.Quote, EventKind.Mark, EventKind.Index, EventKind.Funding)
        from venue in Gen.Choose(0, 255)
        from provider in Gen.Choose(0, 255)
        from intervalMs in Gen.Frequency((3, Gen.Elements(250, 1000, 60_000)), (1, Gen.Choose(1, 3_600_000)))
        from start in Generators.Timestamp
        from prices in Gen.ArrayOf(Gen.OneOf(Generators.VenuePrice, Generators.AnyDecimal), 6)
        from count in Gen.OneOf(Gen.Choose(1, 10_000).Select(c => (long)c), ArbMap.Default.GeneratorFor<long>().Select(l => l == long.MinValue ? 1 : Math.Max(1, Math.Abs(l))))
        from first in Generators.Timestamp
        from last in Generators.Timestamp
        from revision in Gen.Frequency((2, Gen.Constant(0)), (2, Gen.Choose(1, 5)), (1, Gen.Choose(0, int.MaxValue)))
        select new Bar
        {
            Instrument = new InstrumentId(7), Kind = kind, Venue = new VenueId((byte)venue), Provider = new ProviderId((byte)provider),
            IntervalNs = intervalMs * UnixTime.NanosPerMilli, StartTimeNs = start,
            Open = prices[0], High = prices[1], Low = prices[2], Close = prices[3], Vwap = prices[4], Volume = prices[5], Count = count,
            FirstExchangeTimeNs = first, LastExchangeTimeNs = last, Revision = revision,
        };

    [Fact]
    public void Encode_then_decode_is_identity_revision_included() =>
        Check.One(Config, Prop.ForAll(Bars.ToArbitrary(), bar =>
            BarCodec.TryDecode(BarCodec.Encode(bar), bar.Instrument, out var back) && back == bar));

    [Fact]
    public void A_revision_changes_only_flag_bit_1_and_appends_its_varint() =>
        Check.One(Config, Prop.ForAll(Bars.ToArbitrary(), Gen.Choose(1, int.MaxValue).ToArbitrary(), (bar, revision) =>
        {
            var first = BarCodec.Encode(bar with { Revision = 0 });
            var revised = BarCodec.Encode(bar with { Revision = revision });
            return revised[4] == (first[4] | 0x02) && revised.AsSpan(5, first.Length - 5).SequenceEqual(first.AsSpan(5)) &&
                   revised.Length - first.Length is >= 1 and <= 5;
        }));

    [Fact]
    public void Version_1_values_decode_as_revision_0() =>
        Check.One(Config, Prop.ForAll(Bars.ToArbitrary(), bar =>
        {
            // A version 1 writer produced exactly the version 2 bytes of a first emission, with version byte 1.
            var v1 = BarCodec.Encode(bar with { Revision = 0 });
            v1[0] = BarCodec.Version1;
            return BarCodec.TryDecode(v1, bar.Instrument, out var back) && back == bar with { Revision = 0 };
        }));

    [Fact]
    public void Truncated_values_never_decode_and_never_throw() =>
        Check.One(Config, Prop.ForAll(Bars.ToArbitrary(), ArbMap.Default.ArbFor<byte>(), (bar, cut) =>
        {
            var value = BarCodec.Encode(bar);
            return !BarCodec.TryDecode(value.AsSpan(0, cut % value.Length), bar.Instrument, out _);
        }));
}
