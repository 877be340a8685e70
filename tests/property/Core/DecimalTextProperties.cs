using System.Buffers.Text;
using System.Text;
using Cloudwall.Rx.Core;
using FsCheck;
using FsCheck.Fluent;

namespace Cloudwall.Rx.Tests.Property.Core;

/// <summary>
/// <see cref="DecimalText.TryParsePlain"/> is only a shortcut: whatever it accepts, <see cref="Utf8Parser"/> accepts too,
/// whole, with the same value and the same scale (identical decimal bits), in both the 'F' and the default format.
/// </summary>
public sealed class DecimalTextProperties
{
    [Fact]
    public void Whatever_the_fast_path_accepts_Utf8Parser_parses_to_identical_bits()
    {
        var text =
            from length in Gen.Choose(0, 24)
            from chars in Gen.ArrayOf(Gen.Frequency(
                (12, Gen.Elements("0123456789".ToCharArray())),
                (2, Gen.Constant('.')),
                (1, Gen.Constant('-')),
                (1, Gen.Elements("+eE x".ToCharArray()))), length)
            select Encoding.ASCII.GetBytes(chars);
        var accepted = 0;
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(50_000), Prop.ForAll(text.ToArbitrary(), bytes =>
        {
            if (!DecimalText.TryParsePlain(bytes, out var fast))
            {
                return;
            }

            accepted++;
            foreach (var format in new[] { 'F', default(char) })
            {
                Assert.True(Utf8Parser.TryParse(bytes, out decimal slow, out var used, format), Encoding.ASCII.GetString(bytes));
                Assert.Equal(bytes.Length, used);
                Assert.Equal(decimal.GetBits(slow), decimal.GetBits(fast));
            }
        }));
        Assert.True(accepted > 1_000, $"only {accepted} generated texts took the fast path");
    }

    [Theory]
    [InlineData("16578.50", "16578.50")]
    [InlineData("0.00001305", "0.00001305")]
    [InlineData("-1.5", "-1.5")]
    [InlineData("40.0", "40.0")]
    [InlineData("9999999999999999999", "9999999999999999999")]
    [InlineData("007", "7")]
    public void Plain_text_keeps_its_value_and_scale(string text, string expected)
    {
        Assert.True(DecimalText.TryParsePlain(Encoding.ASCII.GetBytes(text), out var value));
        Assert.Equal(expected, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData(".5")]
    [InlineData("5.")]
    [InlineData("+5")]
    [InlineData("1e5")]
    [InlineData("-0")]
    [InlineData("-0.00")]
    [InlineData("1.2.3")]
    [InlineData("12345678901234567890")]
    [InlineData("NaN")]
    public void Anything_else_is_left_to_the_full_parser(string text)
    {
        Assert.False(DecimalText.TryParsePlain(Encoding.ASCII.GetBytes(text), out _));
    }
}
