using System.Text;
using System.Text.Json;
using Cloudwall.Rx.Ingestion.Json;
using Cloudwall.Rx.Ingestion.Recorded;
using Cloudwall.Rx.Tests.Unit.TestSupport;
using FsCheck;
using FsCheck.Fluent;

namespace Cloudwall.Rx.Tests.Property.Ingestion;

/// <summary>
/// <see cref="FrameJsonReader"/> against <see cref="Utf8JsonReader"/> as the oracle: for the same bytes both produce the
/// same tokens (type, raw value, escape flag, start index, unescaped text) and both fail on the same token, over generated
/// JSON (valid trees and random token soup) and over mutated recorded frames of every venue.
/// </summary>
public sealed class FrameJsonReaderProperties
{
    private static readonly string[] Fragments =
    [
        "{", "}", "[", "]", ",", ":", " ", "\n", "\t", "\"a\"", "\"price\"", "\"\"", "\"\\u00e9t\\u00E9\"", "\"\\ud83d\\ude00\"",
        "\"\\ud800\"", "\"\\udc00x\"", "\"\\x\"", "\"\\u12\"", "\"tab\there\"", "\"q\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"open", "0", "-0",
        "1", "-12.5e+3", "1E5", "01", "1.", "-", ".5", "1e", "3.25", "true", "false", "null", "nul", "tru", "x", "\"é\"", "\"€𝄞\"",
    ];

    /// <summary>Non-ASCII bytes, well-formed or not (overlong, surrogate, truncated, past U+10FFFF), spliced into strings.</summary>
    private static readonly byte[][] Utf8Bytes =
    [
        [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9D, 0x84, 0x9E], [0xC0, 0xAF], [0xC1, 0xBF], [0xE0, 0x80, 0xAF],
        [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0x80], [0xBF], [0xC3], [0xE2, 0x82],
        [0xF0, 0x9D, 0x84], [0xFF], [0xEF, 0xBB, 0xBF],
    ];

    [Fact]
    public void Non_ascii_string_bytes_are_checked_like_Utf8JsonReader()
    {
        var gen =
            from before in Gen.Elements("", "a", "BTC")
            from picks in Gen.ArrayOf(Gen.Choose(0, Utf8Bytes.Length - 1), 2)
            from after in Gen.Elements("", "z")
            select (byte[])[.. "{\"k\":\""u8, .. Encoding.UTF8.GetBytes(before), .. Utf8Bytes[picks[0]], .. Utf8Bytes[picks[1]],
                .. Encoding.UTF8.GetBytes(after), .. "\"}"u8];
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2_000), Prop.ForAll(gen.ToArbitrary(), AgreesWithOracle));
    }

    [Fact]
    public void Token_soup_tokenizes_exactly_like_Utf8JsonReader()
    {
        var gen =
            from count in Gen.Choose(0, 24)
            from picks in Gen.ArrayOf(Gen.Choose(0, Fragments.Length - 1), count)
            select Encoding.UTF8.GetBytes(string.Concat(picks.Select(p => Fragments[p])));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(20_000), Prop.ForAll(gen.ToArbitrary(), AgreesWithOracle));
    }

    [Fact]
    public void Generated_documents_tokenize_exactly_like_Utf8JsonReader()
    {
        var gen = Gen.Sized(size => Value(Math.Min(size, 12))).Select(Encoding.UTF8.GetBytes);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(5_000), Prop.ForAll(gen.ToArbitrary(), AgreesWithOracle));
    }

    [Fact]
    public void Skip_lands_where_Utf8JsonReader_lands()
    {
        var gen =
            from doc in Gen.Sized(size => Value(Math.Min(size, 10))).Select(Encoding.UTF8.GetBytes)
            from skipAt in Gen.Choose(0, 40)
            select (doc, skipAt);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(5_000), Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var oracle = new Utf8JsonReader(t.doc);
            var reader = new FrameJsonReader(t.doc);
            for (var i = 0; oracle.Read(); i++)
            {
                Assert.True(reader.Read());
                if (i % 41 == t.skipAt)
                {
                    oracle.Skip();
                    reader.Skip();
                }

                Assert.Equal(oracle.TokenType, reader.TokenType);
                Assert.Equal(oracle.TokenStartIndex, reader.TokenStartIndex);
                if (oracle.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    Assert.Equal(oracle.BytesConsumed, reader.BytesConsumed);
                }
            }

            Assert.False(reader.Read());
        }));
    }

    [RecordedTheory]
    [MemberData(nameof(DecoderMutationProperties.VenueFiles), MemberType = typeof(DecoderMutationProperties))]
    public void Mutated_recorded_frames_tokenize_exactly_like_Utf8JsonReader(string venue, string file)
    {
        _ = venue;
        var frames = RecordedFeedReader.ReadFile(Path.Combine(RecordedFeeds.Locate()!, file))
            .Where(l => l.Kind == RecordedLineKind.Received)
            .Select(l => l.Payload.ToArray())
            .ToArray();
        Assert.NotEmpty(frames);
        foreach (var frame in frames.Take(500))
        {
            Assert.True(AgreesWithOracle(frame));
        }

        var gen =
            from index in Gen.Choose(0, frames.Length - 1)
            from other in Gen.Choose(0, frames.Length - 1)
            from mutation in Gen.Elements(Enum.GetValues<DecoderMutationProperties.Mutation>())
            from a in Gen.Choose(0, int.MaxValue)
            from b in Gen.Choose(0, int.MaxValue)
            from value in Gen.Choose(0, 255)
            select DecoderMutationProperties.Mutate(frames[index], frames[other], mutation, a, b, (byte)value);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3_000), Prop.ForAll(gen.ToArbitrary(), AgreesWithOracle));
    }

    [Fact]
    public void Depth_beyond_the_limit_is_refused_like_Utf8JsonReader()
    {
        var options = new JsonReaderOptions { MaxDepth = 4 };
        var ok = "[[[[1]]]]"u8.ToArray();
        var deep = "[[[[[1]]]]]"u8.ToArray();
        Assert.Equal(Tokens(ok, options), FrameTokens(ok, options));
        Assert.Throws<JsonException>(() => FrameTokens(deep, options));
        Assert.ThrowsAny<JsonException>(() => Tokens(deep, options));
    }

    [Fact]
    public void Escapes_unescape_to_utf8_and_compare_unescaped()
    {
        var json = """{"na\u006De":"\ud83d\ude00 caf\u00e9 \"q\" \/"}"""u8.ToArray();
        var reader = new FrameJsonReader(json);
        Assert.True(reader.Read());
        Assert.True(reader.Read());
        Assert.True(reader.ValueIsEscaped);
        Assert.True(reader.ValueTextEquals("name"u8));
        Assert.True(reader.Read());
        var buffer = new byte[64];
        var n = reader.CopyString(buffer);
        Assert.Equal("😀 café \"q\" /", Encoding.UTF8.GetString(buffer, 0, n));
        var tooShort = false;
        try
        {
            reader.CopyString(new byte[3]);
        }
        catch (ArgumentException)
        {
            tooShort = true;
        }

        Assert.True(tooShort);
    }

    [Fact]
    public void A_lone_surrogate_fails_CopyString_with_a_JsonException()
    {
        Assert.Throws<JsonException>(() => CopyFirstString("\"\\ud800 x\""u8.ToArray()));
        Assert.Throws<JsonException>(() => CopyFirstString("\"x \\udc00\""u8.ToArray()));
        Assert.Equal(4, CopyFirstString("\"\\ud83d\\ude00\""u8.ToArray()));
    }

    private static int CopyFirstString(byte[] json)
    {
        var reader = new FrameJsonReader(json);
        Assert.True(reader.Read());
        return reader.CopyString(new byte[16]);
    }

    private static Gen<string> Value(int size)
    {
        var scalar = Gen.OneOf(
            Gen.Elements("true", "false", "null", "0", "-0", "1", "16578.50", "-1.5e-7", "1E+300", "30289442"),
            JsonString());
        if (size <= 0)
        {
            return scalar;
        }

        var child = Gen.Sized(_ => Value(size / 2));
        var ws = Gen.Elements("", "", "", " ", "\n  ", "\t");
        var array =
            from n in Gen.Choose(0, 4)
            from items in Gen.ListOf(child, n)
            from w in ws
            select "[" + w + string.Join("," + w, items) + w + "]";
        var obj =
            from n in Gen.Choose(0, 4)
            from members in Gen.ListOf(
                from k in JsonString()
                from v in child
                from w in ws
                select w + k + w + ":" + w + v, n)
            from w in ws
            select "{" + string.Join(",", members) + w + "}";
        return Gen.OneOf(scalar, array, obj);
    }

    private static Gen<string> JsonString() =>
        from n in Gen.Choose(0, 4)
        from parts in Gen.ListOf(Gen.Elements("a", "BTC-USD", "é", "\\n", "\\\"", "\\\\", "\\/", "\\u00e9", "\\ud83d\\ude00", "\\u0041", " "), n)
        select "\"" + string.Concat(parts) + "\"";

    /// <summary>
    /// True when both readers agree: on JSON the oracle accepts, the same tokens and no failure; on JSON it refuses, a
    /// failure too, with the same tokens up to it, except that a failure may be reported one token earlier (never later).
    /// </summary>
    private static bool AgreesWithOracle(byte[] json)
    {
        var expected = Capture(json, static b => new Utf8JsonReaderTokens(b));
        var actual = Capture(json, static b => new FrameReaderTokens(b));
        if (!expected.Failed)
        {
            Assert.False(actual.Failed, "refused JSON the oracle accepts");
            Assert.Equal(expected.Tokens, actual.Tokens);
            return true;
        }

        Assert.True(actual.Failed, "accepted JSON the oracle refuses");
        Assert.True(actual.Tokens.Count <= expected.Tokens.Count && actual.Tokens.Count >= expected.Tokens.Count - 1,
            $"failure reported at token {actual.Tokens.Count}, the oracle's at {expected.Tokens.Count}");
        Assert.Equal(expected.Tokens.Take(actual.Tokens.Count), actual.Tokens);
        return true;
    }

    private static (List<string> Tokens, bool Failed) Capture(byte[] json, Func<byte[], ITokens> create)
    {
        var tokens = new List<string>();
        try
        {
            create(json).ReadAll(tokens);
            return (tokens, false);
        }
        catch (JsonException)
        {
            return (tokens, true);
        }
    }

    private static List<string> Tokens(byte[] json, JsonReaderOptions options)
    {
        var reader = new Utf8JsonReader(json, options);
        var list = new List<string>();
        while (reader.Read())
        {
            list.Add(reader.TokenType.ToString());
        }

        return list;
    }

    private static List<string> FrameTokens(byte[] json, JsonReaderOptions options)
    {
        var reader = new FrameJsonReader(json, options);
        var list = new List<string>();
        while (reader.Read())
        {
            list.Add(reader.TokenType.ToString());
        }

        return list;
    }

    private interface ITokens
    {
        void ReadAll(List<string> tokens);
    }

    private sealed class Utf8JsonReaderTokens(byte[] json) : ITokens
    {
        public void ReadAll(List<string> tokens)
        {
            var reader = new Utf8JsonReader(json);
            while (reader.Read())
            {
                string? text = null;
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
                {
                    var buffer = new byte[reader.ValueSpan.Length];
                    try
                    {
                        text = Convert.ToHexString(buffer, 0, reader.CopyString(buffer));
                    }
                    catch (InvalidOperationException)
                    {
                        throw new JsonException("invalid string");
                    }
                }

                tokens.Add(Describe(reader.TokenType, reader.ValueSpan, reader.ValueIsEscaped, reader.TokenStartIndex, text));
            }
        }
    }

    private sealed class FrameReaderTokens(byte[] json) : ITokens
    {
        public void ReadAll(List<string> tokens)
        {
            var reader = new FrameJsonReader(json);
            while (reader.Read())
            {
                string? text = null;
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
                {
                    var buffer = new byte[reader.ValueSpan.Length];
                    text = Convert.ToHexString(buffer, 0, reader.CopyString(buffer));
                }

                tokens.Add(Describe(reader.TokenType, reader.ValueSpan, reader.ValueIsEscaped, reader.TokenStartIndex, text));
            }
        }
    }

    private static string Describe(JsonTokenType type, ReadOnlySpan<byte> value, bool escaped, long start, string? text) =>
        type is JsonTokenType.StartObject or JsonTokenType.EndObject or JsonTokenType.StartArray or JsonTokenType.EndArray
            ? $"{type}@{start}"
            : $"{type}@{start}:{Convert.ToHexString(value)}:{escaped}:{text}";
}
