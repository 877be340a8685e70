using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace Cloudwall.Rx.Ingestion.Json;

/// <summary>
/// A forward-only, validating JSON tokenizer over one complete frame, with the subset of <see cref="Utf8JsonReader"/>'s
/// surface the venue decoders use (<see cref="Read"/>, <see cref="TokenType"/>, <see cref="ValueSpan"/>,
/// <see cref="ValueIsEscaped"/>, <see cref="Skip"/>, <see cref="CopyString"/>, <see cref="ValueTextEquals"/>,
/// <see cref="TokenStartIndex"/>, <see cref="BytesConsumed"/>) and the same token sequence for valid JSON (RFC 8259).
/// </summary>
/// <remarks>
/// <para>Why not <see cref="Utf8JsonReader"/>: decoding is the hot path (every frame of every venue), and the general
/// reader pays for what a frame decoder never needs: partial buffers and rollback, multi-segment input, comment handling,
/// line and column tracking. This reader knows its input is one whole frame, which halves the cost of a walk (see
/// bench/README.md).</para>
/// <para>Validation is the same as the general reader's for what the decoders see: structure (nesting, commas, colons,
/// trailing data), the number grammar, literals, string escapes (<c>\"</c> <c>\\</c> <c>\/</c> <c>\b</c> <c>\f</c>
/// <c>\n</c> <c>\r</c> <c>\t</c> <c>\uXXXX</c>) and control characters in strings; depth is limited. Invalid JSON
/// throws <see cref="JsonException"/>, as does <see cref="CopyString"/> on an escape that is not valid UTF-16 (a lone
/// surrogate), so a decoder needs one catch. Non-ASCII bytes in strings must be well-formed UTF-8, as the general reader
/// requires; venue frames are ASCII, so that check costs nothing on the hot path.</para>
/// </remarks>
public ref struct FrameJsonReader
{
    public const int DefaultMaxDepth = 64;

    private readonly ReadOnlySpan<byte> _buffer;
    private readonly int _maxDepth;
    private int _pos;
    private int _depth;
    private ulong _objects; // bit d set: the container at depth d + 1 is an object
    private Expect _expect;
    private int _tokenStart;
    private int _valueStart;
    private int _valueLength;

    public FrameJsonReader(ReadOnlySpan<byte> json, int maxDepth = DefaultMaxDepth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDepth, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxDepth, DefaultMaxDepth);
        _buffer = json;
        _maxDepth = maxDepth;
        _expect = Expect.Value;
    }

    /// <summary>Same as <see cref="FrameJsonReader(ReadOnlySpan{byte}, int)"/> with the options' depth (comments are never allowed).</summary>
    public FrameJsonReader(ReadOnlySpan<byte> json, JsonReaderOptions options)
        : this(json, options.MaxDepth == 0 ? DefaultMaxDepth : Math.Min(options.MaxDepth, DefaultMaxDepth))
    {
        if (options.CommentHandling != JsonCommentHandling.Disallow || options.AllowTrailingCommas)
        {
            throw new ArgumentException("FrameJsonReader reads strict JSON only: no comments, no trailing commas", nameof(options));
        }
    }

    private enum Expect : byte
    {
        Value,
        ValueOrEndArray,
        NameOrEndObject,
        CommaOrEnd,
        Done,
    }

    public JsonTokenType TokenType { get; private set; }

    /// <summary>True when the current string or property name contains a backslash escape (see <see cref="CopyString"/>).</summary>
    public bool ValueIsEscaped { get; private set; }

    /// <summary>A string's or name's raw content (between the quotes, escapes not applied), a number's or literal's text.</summary>
    public readonly ReadOnlySpan<byte> ValueSpan => _buffer.Slice(_valueStart, _valueLength);

    /// <summary>Index of the current token's first byte (the opening quote of a string or name).</summary>
    public readonly long TokenStartIndex => _tokenStart;

    /// <summary>Bytes read so far: just past the current token (past the colon for a property name).</summary>
    public readonly long BytesConsumed => _pos;

    public readonly int CurrentDepth => _depth;

    public bool Read()
    {
        var buf = _buffer;
        var pos = SkipWhitespace(buf, _pos);
        switch (_expect)
        {
            case Expect.Value:
                ReadValue(buf, pos);
                return true;
            case Expect.ValueOrEndArray:
                if (pos < buf.Length && buf[pos] == (byte)']')
                {
                    EndContainer(pos, JsonTokenType.EndArray);
                }
                else
                {
                    ReadValue(buf, pos);
                }

                return true;
            case Expect.NameOrEndObject:
                if (pos < buf.Length && buf[pos] == (byte)'}')
                {
                    EndContainer(pos, JsonTokenType.EndObject);
                }
                else
                {
                    ReadName(buf, pos);
                }

                return true;
            case Expect.CommaOrEnd:
            {
                if (pos >= buf.Length)
                {
                    throw Error("unexpected end of data");
                }

                var inObject = (_objects & (1UL << (_depth - 1))) != 0;
                var c = buf[pos];
                if (c == (byte)',')
                {
                    pos = SkipWhitespace(buf, pos + 1);
                    if (inObject)
                    {
                        ReadName(buf, pos);
                    }
                    else
                    {
                        ReadValue(buf, pos);
                    }

                    return true;
                }

                if (c == (inObject ? (byte)'}' : (byte)']'))
                {
                    EndContainer(pos, inObject ? JsonTokenType.EndObject : JsonTokenType.EndArray);
                    return true;
                }

                throw Error("expected ',' or the end of the container");
            }

            default:
                if (pos >= buf.Length)
                {
                    _pos = pos;
                    return false;
                }

                throw Error("data after the end of the JSON value");
        }
    }

    /// <summary>
    /// On a property name, moves to its value; on the start of an object or array, moves to its matching end. Any other
    /// token stays where it is.
    /// </summary>
    public void Skip()
    {
        if (TokenType == JsonTokenType.PropertyName)
        {
            Read();
        }

        if (TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            SkipToDepth(_depth - 1);
        }
    }

    /// <summary>
    /// Reads until <see cref="CurrentDepth"/> is back at <paramref name="depth"/>: past the end of every container opened
    /// deeper. A decoder that stopped inside a container (say, on a rejected entry) uses it to get back to the envelope.
    /// </summary>
    public void SkipToDepth(int depth)
    {
        while (_depth > depth)
        {
            Read();
        }
    }

    /// <summary>Compares the current string or property name, escapes applied, with UTF-8 text.</summary>
    public readonly bool ValueTextEquals(ReadOnlySpan<byte> utf8Text)
    {
        if (TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
        {
            throw new InvalidOperationException($"ValueTextEquals on a {TokenType} token");
        }

        if (!ValueIsEscaped)
        {
            return ValueSpan.SequenceEqual(utf8Text);
        }

        if (utf8Text.Length > _valueLength)
        {
            return false; // unescaping never lengthens the text
        }

        Span<byte> unescaped = _valueLength <= 256 ? stackalloc byte[256] : new byte[_valueLength];
        var n = Unescape(ValueSpan, unescaped);
        return unescaped[..n].SequenceEqual(utf8Text);
    }

    /// <summary>Copies the current string or property name into <paramref name="utf8Destination"/> with escapes applied.</summary>
    /// <exception cref="ArgumentException">The destination is shorter than the unescaped text.</exception>
    /// <exception cref="JsonException">An escape is not valid UTF-16 (a lone surrogate).</exception>
    public readonly int CopyString(Span<byte> utf8Destination)
    {
        if (TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
        {
            throw new InvalidOperationException($"CopyString on a {TokenType} token");
        }

        if (!ValueIsEscaped)
        {
            ValueSpan.CopyTo(utf8Destination);
            return _valueLength;
        }

        return Unescape(ValueSpan, utf8Destination);
    }

    private void ReadValue(ReadOnlySpan<byte> buf, int pos)
    {
        if (pos >= buf.Length)
        {
            throw Error("expected a value");
        }

        _tokenStart = pos;
        ValueIsEscaped = false;
        var c = buf[pos];
        switch (c)
        {
            case (byte)'"':
                _pos = ScanString(buf, pos);
                TokenType = JsonTokenType.String;
                AfterValue();
                return;
            case (byte)'{':
                Push(isObject: true);
                StartContainer(pos, JsonTokenType.StartObject);
                _expect = Expect.NameOrEndObject;
                return;
            case (byte)'[':
                Push(isObject: false);
                StartContainer(pos, JsonTokenType.StartArray);
                _expect = Expect.ValueOrEndArray;
                return;
            case (byte)'t':
                Literal(buf, pos, "true"u8, JsonTokenType.True);
                return;
            case (byte)'f':
                Literal(buf, pos, "false"u8, JsonTokenType.False);
                return;
            case (byte)'n':
                Literal(buf, pos, "null"u8, JsonTokenType.Null);
                return;
            default:
                if (c == (byte)'-' || (uint)(c - '0') <= 9)
                {
                    _pos = ScanNumber(buf, pos);
                    if (_pos >= buf.Length ? _depth > 0 : !IsDelimiter(buf[_pos]))
                    {
                        // As the general reader: a number must be followed by a delimiter, and one that ends the data inside
                        // a container is an error now, not at the next Read, so a decoder that stops early never acts on a
                        // number that a truncation or a stray byte may have cut.
                        throw Error("invalid end of a number");
                    }

                    _valueStart = pos;
                    _valueLength = _pos - pos;
                    TokenType = JsonTokenType.Number;
                    AfterValue();
                    return;
                }

                throw Error("expected a value");
        }
    }

    private void ReadName(ReadOnlySpan<byte> buf, int pos)
    {
        if (pos >= buf.Length || buf[pos] != (byte)'"')
        {
            throw Error("expected a property name");
        }

        _tokenStart = pos;
        ValueIsEscaped = false;
        var end = ScanString(buf, pos);
        if ((uint)end >= (uint)buf.Length || buf[end] != (byte)':')
        {
            end = SkipWhitespace(buf, end);
            if (end >= buf.Length || buf[end] != (byte)':')
            {
                throw Error("expected ':' after a property name");
            }
        }

        _pos = end + 1;
        TokenType = JsonTokenType.PropertyName;
        _expect = Expect.Value;
    }

    /// <summary>Scans the string whose opening quote is at <paramref name="quote"/>; returns the index past its closing quote.</summary>
    /// <remarks>
    /// The fast path: the closing quote within the first sixteen bytes with nothing special before it (most names and
    /// values of a venue frame). Anything else (longer strings, escapes, control characters, non-ASCII, the frame's last
    /// sixteen bytes) goes to <see cref="ScanStringSlow"/>.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int ScanString(ReadOnlySpan<byte> buf, int quote)
    {
        var i = quote + 1;
        if (Vector128.IsHardwareAccelerated && i + Vector128<byte>.Count <= buf.Length)
        {
            var mask = StopMask(buf.Slice(i, Vector128<byte>.Count));
            if (mask != 0)
            {
                var end = i + BitOperations.TrailingZeroCount(mask);
                if (buf[end] == (byte)'"')
                {
                    _valueStart = i;
                    _valueLength = end - i;
                    return end + 1;
                }
            }
        }

        return ScanStringSlow(buf, quote);
    }

    /// <summary>
    /// Bit k set when byte k of the sixteen ends a plain run: a quote, a backslash, a control character or a non-ASCII byte
    /// (negative as sbyte, so below ' ' too).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint StopMask(ReadOnlySpan<byte> sixteen)
    {
        var v = Vector128.Create(sixteen);
        var stop = Vector128.Equals(v, Vector128.Create((byte)'"')) | Vector128.Equals(v, Vector128.Create((byte)'\\')) |
            Vector128.LessThan(v.AsSByte(), Vector128.Create((sbyte)' ')).AsByte();
        return stop.ExtractMostSignificantBits();
    }

    private int ScanStringSlow(ReadOnlySpan<byte> buf, int quote)
    {
        var i = quote + 1;
        var stops = StringStops;
        while (true)
        {
            if (Vector128.IsHardwareAccelerated && i + Vector128<byte>.Count <= buf.Length)
            {
                var mask = StopMask(buf.Slice(i, Vector128<byte>.Count));
                if (mask == 0)
                {
                    i += Vector128<byte>.Count;
                    continue;
                }

                i += BitOperations.TrailingZeroCount(mask);
            }
            else if ((uint)i >= (uint)buf.Length)
            {
                throw Error("unterminated string");
            }

            var b = buf[i];
            if (stops[b] == 0)
            {
                i++;
                continue;
            }

            if (b == (byte)'"')
            {
                break;
            }

            if (b >= 0x80)
            {
                i += Utf8SequenceLength(buf, i);
                continue;
            }

            if (b != (byte)'\\')
            {
                throw Error("control character in a string");
            }

            ValueIsEscaped = true;
            i++;
            if (i >= buf.Length)
            {
                throw Error("unterminated string");
            }

            switch (buf[i])
            {
                case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    i++;
                    break;
                case (byte)'u':
                    if (i + 4 >= buf.Length || !IsHex(buf[i + 1]) || !IsHex(buf[i + 2]) || !IsHex(buf[i + 3]) || !IsHex(buf[i + 4]))
                    {
                        throw Error("invalid \\u escape");
                    }

                    i += 5;
                    break;
                default:
                    throw Error("invalid escape");
            }
        }

        _valueStart = quote + 1;
        _valueLength = i - quote - 1;
        return i + 1;
    }

    /// <summary>
    /// Length of the well-formed UTF-8 sequence that starts at <paramref name="i"/> (Unicode table 3-7: no overlong forms,
    /// no surrogates, nothing past U+10FFFF); throws on anything else. Venue frames are ASCII, so this is off the hot path.
    /// </summary>
    private static int Utf8SequenceLength(ReadOnlySpan<byte> buf, int i)
    {
        var b = buf[i];
        var (length, lo, hi) = b switch
        {
            >= 0xC2 and <= 0xDF => (2, 0x80, 0xBF),
            0xE0 => (3, 0xA0, 0xBF),
            >= 0xE1 and <= 0xEC => (3, 0x80, 0xBF),
            0xED => (3, 0x80, 0x9F),
            >= 0xEE and <= 0xEF => (3, 0x80, 0xBF),
            0xF0 => (4, 0x90, 0xBF),
            >= 0xF1 and <= 0xF3 => (4, 0x80, 0xBF),
            0xF4 => (4, 0x80, 0x8F),
            _ => (0, 0, 0),
        };
        if (length == 0 || i + length > buf.Length || buf[i + 1] < lo || buf[i + 1] > hi)
        {
            throw Error("invalid UTF-8 in a string");
        }

        for (var k = 2; k < length; k++)
        {
            if ((buf[i + k] & 0xC0) != 0x80)
            {
                throw Error("invalid UTF-8 in a string");
            }
        }

        return length;
    }

    /// <summary>RFC 8259 number: <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>; returns the index past it.</summary>
    private static int ScanNumber(ReadOnlySpan<byte> buf, int pos)
    {
        var i = pos;
        if (buf[i] == (byte)'-')
        {
            i++;
        }

        if (i >= buf.Length)
        {
            throw Error("incomplete number");
        }

        if (buf[i] == (byte)'0')
        {
            i++;
        }
        else if ((uint)(buf[i] - '1') <= 8)
        {
            i = Digits(buf, i + 1);
        }
        else
        {
            throw Error("invalid number");
        }

        if (i < buf.Length && buf[i] == (byte)'.')
        {
            var start = i + 1;
            i = Digits(buf, start);
            if (i == start)
            {
                throw Error("no digits after the decimal point");
            }
        }

        if (i < buf.Length && (buf[i] | 0x20) == (byte)'e')
        {
            i++;
            if (i < buf.Length && (buf[i] == (byte)'+' || buf[i] == (byte)'-'))
            {
                i++;
            }

            var start = i;
            i = Digits(buf, start);
            if (i == start)
            {
                throw Error("no digits in the exponent");
            }
        }

        return i;
    }

    private static int Digits(ReadOnlySpan<byte> buf, int i)
    {
        while (i < buf.Length && (uint)(buf[i] - '0') <= 9)
        {
            i++;
        }

        return i;
    }

    private void Literal(ReadOnlySpan<byte> buf, int pos, ReadOnlySpan<byte> literal, JsonTokenType type)
    {
        if (!buf[pos..].StartsWith(literal))
        {
            throw Error("invalid literal");
        }

        _valueStart = pos;
        _valueLength = literal.Length;
        _pos = pos + literal.Length;
        TokenType = type;
        AfterValue();
    }

    private void Push(bool isObject)
    {
        if (_depth >= _maxDepth)
        {
            throw Error("maximum depth exceeded");
        }

        if (isObject)
        {
            _objects |= 1UL << _depth;
        }
        else
        {
            _objects &= ~(1UL << _depth);
        }

        _depth++;
    }

    private void StartContainer(int pos, JsonTokenType type)
    {
        _valueStart = pos;
        _valueLength = 1;
        _pos = pos + 1;
        TokenType = type;
    }

    private void EndContainer(int pos, JsonTokenType type)
    {
        _depth--;
        _tokenStart = pos;
        ValueIsEscaped = false;
        StartContainer(pos, type);
        AfterValue();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AfterValue() => _expect = _depth == 0 ? Expect.Done : Expect.CommaOrEnd;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipWhitespace(ReadOnlySpan<byte> buf, int pos)
    {
        while ((uint)pos < (uint)buf.Length)
        {
            var b = buf[pos];
            if (b > (byte)' ' || (b != (byte)' ' && b != (byte)'\n' && b != (byte)'\r' && b != (byte)'\t'))
            {
                break;
            }

            pos++;
        }

        return pos;
    }

    private static bool IsDelimiter(byte b) =>
        b is (byte)',' or (byte)'}' or (byte)']' or (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t';

    private static bool IsHex(byte b) => (uint)(b - '0') <= 9 || (uint)((b | 0x20) - 'a') <= 5;

    private static int HexValue(byte b) => (uint)(b - '0') <= 9 ? b - '0' : (b | 0x20) - 'a' + 10;

    /// <summary>Applies the escapes of a validated string's raw content; UTF-16 escapes become UTF-8.</summary>
    private static int Unescape(ReadOnlySpan<byte> raw, Span<byte> destination)
    {
        var o = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var b = raw[i];
            if (b != (byte)'\\')
            {
                Put(destination, ref o, b);
                continue;
            }

            var e = raw[++i];
            switch (e)
            {
                case (byte)'b': Put(destination, ref o, (byte)'\b'); break;
                case (byte)'f': Put(destination, ref o, (byte)'\f'); break;
                case (byte)'n': Put(destination, ref o, (byte)'\n'); break;
                case (byte)'r': Put(destination, ref o, (byte)'\r'); break;
                case (byte)'t': Put(destination, ref o, (byte)'\t'); break;
                case (byte)'u':
                {
                    var cp = Hex4(raw, i + 1);
                    i += 4;
                    if (cp is >= 0xD800 and <= 0xDBFF)
                    {
                        if (i + 6 >= raw.Length || raw[i + 1] != (byte)'\\' || raw[i + 2] != (byte)'u')
                        {
                            throw Error("lone high surrogate in a \\u escape");
                        }

                        var low = Hex4(raw, i + 3);
                        if (low is < 0xDC00 or > 0xDFFF)
                        {
                            throw Error("high surrogate not followed by a low surrogate");
                        }

                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        i += 6;
                    }
                    else if (cp is >= 0xDC00 and <= 0xDFFF)
                    {
                        throw Error("lone low surrogate in a \\u escape");
                    }

                    // cp is a scalar value here (surrogates were paired or refused above).
                    if (!new Rune(cp).TryEncodeToUtf8(destination[Math.Min(o, destination.Length)..], out var written))
                    {
                        throw ShortDestination(nameof(destination));
                    }

                    o += written;
                    break;
                }

                default: Put(destination, ref o, e); break; // " \ /
            }
        }

        return o;
    }

    private static int Hex4(ReadOnlySpan<byte> raw, int i) =>
        (HexValue(raw[i]) << 12) | (HexValue(raw[i + 1]) << 8) | (HexValue(raw[i + 2]) << 4) | HexValue(raw[i + 3]);

    private static void Put(Span<byte> destination, ref int o, byte b)
    {
        if (o >= destination.Length)
        {
            throw ShortDestination(nameof(destination));
        }

        destination[o++] = b;
    }

    private static ArgumentException ShortDestination(string parameter) =>
        new("the destination is shorter than the unescaped string", parameter);

    private static JsonException Error(string message) => new($"invalid JSON: {message}");

    /// <summary>Bytes that end the fast scan of a string: the quote, the backslash, control characters and non-ASCII bytes.</summary>
    private static ReadOnlySpan<byte> StringStops =>
    [
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ];
}
