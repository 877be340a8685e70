using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Kit;
using FsCheck;
using FsCheck.Fluent;

namespace Cloudwall.Rx.Tests.Property.Ingestion;

/// <summary>
/// <see cref="VenueDecimal"/> is the one decimal grammar of every venue: on its language it equals <see cref="decimal.Parse(string, NumberStyles, IFormatProvider)"/>
/// (value and scale), outside it it refuses, and wherever the fast path <see cref="DecimalText.TryParsePlain"/> accepts, the
/// two agree to the bit.
/// </summary>
public sealed partial class VenueDecimalProperties
{
    private const NumberStyles Style = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    [GeneratedRegex(@"^-?([0-9]+)(\.([0-9]+))?([eE][+-]?[0-9]+)?$")]
    private static partial Regex Grammar();

    /// <summary>Texts from the grammar's own alphabet, most of them near-misses.</summary>
    private static readonly Gen<byte[]> Noise =
        from length in Gen.Choose(0, 34)
        from chars in Gen.ArrayOf(Gen.Frequency(
            (14, Gen.Elements("0123456789".ToCharArray())),
            (2, Gen.Constant('.')),
            (1, Gen.Constant('-')),
            (1, Gen.Elements("+eE x,".ToCharArray()))), length)
        select Encoding.ASCII.GetBytes(chars);

    /// <summary>Texts built from the grammar, to cover the accepted language well.</summary>
    private static readonly Gen<byte[]> Numbers =
        from negative in Gen.Elements(true, false)
        from whole in Gen.Choose(1, 20)
        from wholeDigits in Gen.ArrayOf(Gen.Elements("0123456789".ToCharArray()), whole)
        from frac in Gen.Choose(0, 14)
        from fracDigits in Gen.ArrayOf(Gen.Elements("0123456789".ToCharArray()), frac)
        from exp in Gen.Choose(-40, 40)
        from withExp in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        from e in Gen.Elements("e", "E", "e+", "E-0")
        let text = (negative ? "-" : "") + new string(wholeDigits) + (frac > 0 ? "." + new string(fracDigits) : "") +
                   (withExp ? (e == "E-0" ? $"E{exp}" : $"{e}{exp}") : "")
        select Encoding.ASCII.GetBytes(text);

    [Fact]
    public void Accepts_exactly_its_language_with_the_value_and_scale_of_decimal_Parse()
    {
        var accepted = 0;
        var refused = 0;
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(50_000), Prop.ForAll(Gen.OneOf(Noise, Numbers).ToArbitrary(), bytes =>
        {
            var text = Encoding.ASCII.GetString(bytes);
            var ok = VenueDecimal.TryParse(bytes, out var value);
            var match = Grammar().Match(text);
            var inLanguage = match.Success && bytes.Length <= VenueDecimal.MaxBytes &&
                             SignificantDigits(match.Groups[1].Value + match.Groups[3].Value) <= VenueDecimal.MaxSignificantDigits &&
                             decimal.TryParse(text, Style, CultureInfo.InvariantCulture, out _);
            Assert.True(ok == inLanguage, $"'{text}': parsed {ok}, in the language {inLanguage}");
            if (!ok)
            {
                refused++;
                return;
            }

            accepted++;
            var expected = decimal.Parse(text, Style, CultureInfo.InvariantCulture);
            Assert.Equal(expected, value);
            Assert.Equal(expected.Scale, value.Scale);
        }));
        Assert.True(accepted > 5_000 && refused > 5_000, $"accepted {accepted}, refused {refused}");
    }

    [Fact]
    public void Agrees_to_the_bit_with_the_fast_path_wherever_that_accepts()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(20_000), Prop.ForAll(Gen.OneOf(Noise, Numbers).ToArbitrary(), bytes =>
        {
            if (DecimalText.TryParsePlain(bytes, out var fast))
            {
                Assert.True(VenueDecimal.TryParse(bytes, out var value));
                Assert.Equal(decimal.GetBits(fast), decimal.GetBits(value));
            }
        }));
    }

    [Theory]
    [InlineData("16578.50", "16578.50")]
    [InlineData("0.00001305", "0.00001305")]
    [InlineData("-1.5", "-1.5")]
    [InlineData("007", "7")]
    [InlineData("1.5E-3", "0.0015")]
    [InlineData("1.50e1", "15.0")]
    [InlineData("3.891007752e-9", "0.000000003891007752")]
    [InlineData("1e+2", "100")]
    [InlineData("1234567890123456789012345678", "1234567890123456789012345678")]
    public void Accepts(string text, string expected)
    {
        Assert.True(VenueDecimal.TryParse(Encoding.ASCII.GetBytes(text), out var value));
        Assert.Equal(expected, value.ToString(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData(".5")]
    [InlineData("5.")]
    [InlineData("+1")]
    [InlineData("-.5")]
    [InlineData(" 5")]
    [InlineData("5 ")]
    [InlineData("1,5")]
    [InlineData("1.2.3")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData("e5")]
    [InlineData("0x10")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("1e400")]
    [InlineData("12345678901234567890.123456789")]
    [InlineData("79228162514264337593543950336")]
    public void Refuses(string text)
    {
        Assert.False(VenueDecimal.TryParse(Encoding.ASCII.GetBytes(text), out _));
    }

    private static int SignificantDigits(string digits) => digits.TrimStart('0').Length;
}
