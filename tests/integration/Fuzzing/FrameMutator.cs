using System.Text;
using System.Text.RegularExpressions;

namespace Cloudwall.Rx.Tests.Integration.Fuzzing;

/// <summary>
/// Deterministic mutations of real venue frames: bit flips, truncations, huge fields, wrong types, NaN/zero/negative and
/// overflowing prices, absurd timestamps, unknown symbols, several at once, and a few frames left as recorded. A JSON value
/// (string, number, literal) is the unit most mutations replace, so a frame stays close enough to parse that the decoder's
/// deeper paths are reached, not only its first syntax check. Frames stay under the decoders' 64 KiB cap.
/// </summary>
public sealed partial class FrameMutator(IReadOnlyList<byte[]> seeds, int seed)
{
    private static readonly string[] WrongTypes = ["{}", "[]", "true", "false", "null", "\"x\"", "12", "[1,2]", "{\"a\":1}", "\"\""];
    private static readonly string[] BadPrices =
    [
        "\"NaN\"", "NaN", "\"0\"", "0", "\"-1\"", "-1", "\"-0.0\"", "\"1e999\"", "1e400", "\"Infinity\"", "-Infinity",
        "\"0.000000000000000000000000000001\"", "\"79228162514264337593543950336\"", "79228162514264337593543950336", "\"1,5\"", "\"--1\"",
    ];
    private static readonly string[] BadTimes =
    [
        "0", "-1", "99999999999999999999", "253402300800000", "9223372036854775807", "\"9999-12-31T23:59:59.999999999Z\"",
        "\"1970-01-01T00:00:00Z\"", "\"2021-13-45T25:61:61Z\"", "\"not a time\"", "1.5e300", "\"0001-01-01T00:00:00Z\"",
    ];

    private readonly Random _random = new(seed);

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?|true|false|null")]
    private static partial Regex JsonValue();

    public byte[] Next()
    {
        var frame = seeds[_random.Next(seeds.Count)];
        return _random.Next(12) switch
        {
            0 or 1 => FlipBits(frame),
            2 => frame[.._random.Next(frame.Length)],
            3 => Replace(frame, Huge()),
            4 => Replace(frame, Pick(WrongTypes)),
            5 => Replace(frame, Pick(BadPrices)),
            6 => Replace(frame, Pick(BadTimes)),
            7 => Replace(frame, UnknownSymbol()),
            8 => Several(frame),
            9 => Concatenated(frame),
            _ => frame, // as recorded: the decoded share of the count
        };
    }

    private byte[] FlipBits(byte[] frame)
    {
        var copy = (byte[])frame.Clone();
        for (var i = _random.Next(1, 5); i > 0 && copy.Length > 0; i--)
        {
            var at = _random.Next(copy.Length);
            copy[at] ^= (byte)(1 << _random.Next(8));
        }

        return copy;
    }

    private string Huge() => _random.Next(3) switch
    {
        0 => "\"" + new string('A', _random.Next(4_000, 16_000)) + "\"",
        1 => new string('9', _random.Next(500, 5_000)),
        _ => "\"" + string.Concat(Enumerable.Repeat("\\u0041", _random.Next(500, 2_000))) + "\"",
    };

    // A bounded pool: a venue's symbol rule interns what it can parse, and the fuzz run must not grow reference data without end.
    private string UnknownSymbol() => _random.Next(4) switch
    {
        0 => "\"ZZZ-QQQ\"",
        1 => $"\"SYM{_random.Next(500)}-USD\"",
        2 => $"\"{_random.Next(500)}\"",
        _ => "\"\\u0000\"",
    };

    private string Pick(string[] options) => options[_random.Next(options.Length)];

    private byte[] Replace(byte[] frame, string value)
    {
        var text = Encoding.UTF8.GetString(frame);
        var values = JsonValue().Matches(text);
        if (values.Count == 0)
        {
            return FlipBits(frame);
        }

        var m = values[_random.Next(values.Count)];
        return Encoding.UTF8.GetBytes(string.Concat(text.AsSpan(0, m.Index), value, text.AsSpan(m.Index + m.Length)));
    }

    private byte[] Several(byte[] frame)
    {
        for (var i = _random.Next(2, 6); i > 0; i--)
        {
            frame = Replace(frame, _random.Next(4) switch
            {
                0 => Pick(WrongTypes),
                1 => Pick(BadPrices),
                2 => Pick(BadTimes),
                _ => UnknownSymbol(),
            });
        }

        return frame;
    }

    private byte[] Concatenated(byte[] frame) => _random.Next(3) switch
    {
        0 => [.. frame, .. seeds[_random.Next(seeds.Count)]],
        1 => [],
        _ => "  \r\n\t "u8.ToArray(),
    };
}
