using System.Buffers.Text;
using System.Text;
using Cloudwall.Rx.Core;
using FsCheck;
using FsCheck.Fluent;

namespace Cloudwall.Rx.Tests.Property.Core;

/// <summary>The direct UUID parse of <see cref="TradeId.TryParseUtf8"/> agrees with <see cref="Guid"/> on any text.</summary>
public sealed class TradeIdProperties
{
    [Fact]
    public void A_uuid_in_either_case_parses_to_the_same_id_as_through_Guid()
    {
        var gen =
            from guid in ArbMap.Default.GeneratorFor<Guid>()
            from upper in Gen.Elements(false, true)
            select (guid, upper);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2_000), Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var text = t.guid.ToString("D");
            var bytes = Encoding.ASCII.GetBytes(t.upper ? text.ToUpperInvariant() : text);
            Assert.True(TradeId.TryParseUtf8(bytes, out var id));
            Assert.Equal(TradeId.FromGuid(t.guid), id);
            Assert.Equal(t.guid, id.ToGuid());
        }));
    }

    [Fact]
    public void A_mutated_uuid_is_accepted_exactly_when_Guid_or_a_number_accepts_it()
    {
        var gen =
            from guid in ArbMap.Default.GeneratorFor<Guid>()
            from at in Gen.Choose(0, 35)
            from value in Gen.Elements("0123456789abcdefABCDEFgG-{} x\0".ToCharArray())
            select (guid, at, value);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(5_000), Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var chars = t.guid.ToString("D").ToCharArray();
            chars[t.at] = t.value;
            var bytes = Encoding.ASCII.GetBytes(chars);
            var viaGuid = Utf8Parser.TryParse(bytes, out Guid g, out var used, 'D') && used == bytes.Length;
            var ok = TradeId.TryParseUtf8(bytes, out var id);
            Assert.Equal(viaGuid, ok);
            if (viaGuid)
            {
                Assert.Equal(TradeId.FromGuid(g), id);
            }
        }));
    }
}
