using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Cloudwall.Rx.Control.Commands;

/// <summary>
/// The canonical form that signatures cover: object keys sorted by Unicode code point, no whitespace, UTF-8, strings
/// escaped exactly as Python's <c>json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)</c> does,
/// and integers only (decimals travel as strings, so no float formatting differs between languages).
/// docs/control-plane.md gives a verification example.
/// </summary>
public static class CanonicalJson
{
    /// <summary>Writes <paramref name="element"/> in canonical form, leaving out the top-level <paramref name="omitTopLevel"/> property.</summary>
    /// <exception cref="CanonicalJsonException">The value has something the canonical form refuses (a non-integer number, a duplicate key).</exception>
    public static byte[] Canonicalize(JsonElement element, string? omitTopLevel = null)
    {
        var sb = new StringBuilder(256);
        Write(sb, element, "", omitTopLevel);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static byte[] Canonicalize(string json, string? omitTopLevel = null)
    {
        using var doc = JsonDocument.Parse(json);
        return Canonicalize(doc.RootElement, omitTopLevel);
    }

    private static void Write(StringBuilder sb, JsonElement e, string path, string? omit)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var props = new List<(byte[] Utf8, string Name, JsonElement Value)>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var p in e.EnumerateObject())
                {
                    if (!seen.Add(p.Name))
                    {
                        throw new CanonicalJsonException(Join(path, p.Name), "duplicate key");
                    }

                    if (omit is not null && p.NameEquals(omit))
                    {
                        continue;
                    }

                    props.Add((Encoding.UTF8.GetBytes(p.Name), p.Name, p.Value));
                }

                // UTF-8 byte order is Unicode code-point order (Python sorts str by code point; UTF-16 order differs above U+FFFF).
                props.Sort(static (a, b) => a.Utf8.AsSpan().SequenceCompareTo(b.Utf8));
                sb.Append('{');
                for (var i = 0; i < props.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    WriteString(sb, props[i].Name, path);
                    sb.Append(':');
                    Write(sb, props[i].Value, Join(path, props[i].Name), null);
                }

                sb.Append('}');
                return;
            case JsonValueKind.Array:
                sb.Append('[');
                var n = 0;
                foreach (var item in e.EnumerateArray())
                {
                    if (n > 0) sb.Append(',');
                    Write(sb, item, $"{path}[{n}]", null);
                    n++;
                }

                sb.Append(']');
                return;
            case JsonValueKind.String:
                WriteString(sb, e.GetString()!, path);
                return;
            case JsonValueKind.Number:
                if (!e.TryGetInt64(out var l))
                {
                    throw new CanonicalJsonException(path, "numbers must be integers within 64 bits; send decimals as strings");
                }

                sb.Append(l.ToString(CultureInfo.InvariantCulture));
                return;
            case JsonValueKind.True:
                sb.Append("true");
                return;
            case JsonValueKind.False:
                sb.Append("false");
                return;
            case JsonValueKind.Null:
                sb.Append("null");
                return;
            default:
                throw new CanonicalJsonException(path, "unsupported JSON value");
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static void WriteString(StringBuilder sb, string s, string path)
    {
        sb.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else if (char.IsSurrogate(c))
                    {
                        if (!char.IsHighSurrogate(c) || i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1]))
                        {
                            throw new CanonicalJsonException(path, "lone surrogate in string");
                        }

                        sb.Append(c).Append(s[++i]);
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }
}

/// <summary>A value the canonical form refuses; <see cref="Path"/> names where (e.g. <c>payload.max_age</c>).</summary>
public sealed class CanonicalJsonException(string path, string problem) : Exception($"{(path.Length == 0 ? "$" : path)}: {problem}")
{
    public string Path { get; } = path;
}
