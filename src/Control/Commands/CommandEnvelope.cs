using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Cloudwall.Rx.Control.Commands;

/// <summary>
/// A parsed command: <c>{id, type, issued_at, nonce, version, target, payload, key_id, signature}</c>.
/// <see cref="Canonical"/> is the exact byte string the signature covers (the envelope without <c>signature</c>).
/// </summary>
public sealed partial record CommandEnvelope(
    string Id,
    string Type,
    DateTimeOffset IssuedAt,
    string Nonce,
    long Version,
    string? Target,
    JsonElement Payload,
    string? KeyId,
    string? Signature,
    byte[] Canonical)
{
    /// <summary>The largest envelope accepted, in UTF-8 bytes.</summary>
    public const int MaxBytes = 256 * 1024;

    private static readonly string[] Fields = ["id", "type", "issued_at", "nonce", "version", "target", "payload", "key_id", "signature"];

    /// <summary>Parses and checks the envelope's shape. Types and payloads are checked later, after the signature.</summary>
    public static bool TryParse(string json, out CommandEnvelope? envelope, out string? error)
    {
        envelope = null;
        if (System.Text.Encoding.UTF8.GetByteCount(json) > MaxBytes)
        {
            error = $"envelope larger than {MaxBytes} bytes";
            return false;
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            error = $"not JSON: {ex.Message}";
            return false;
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "envelope must be a JSON object";
                return false;
            }

            foreach (var p in root.EnumerateObject())
            {
                if (Array.IndexOf(Fields, p.Name) < 0)
                {
                    error = $"{p.Name}: unknown envelope field";
                    return false;
                }
            }

            if (!TryString(root, "id", required: true, out var id, out error) ||
                !TryString(root, "type", required: true, out var type, out error) ||
                !TryString(root, "issued_at", required: true, out var issued, out error) ||
                !TryString(root, "nonce", required: true, out var nonce, out error) ||
                !TryString(root, "target", required: false, out var target, out error) ||
                !TryString(root, "key_id", required: false, out var keyId, out error) ||
                !TryString(root, "signature", required: false, out var signature, out error))
            {
                return false;
            }

            if (!IdPattern().IsMatch(id!)) { error = "id: 1-128 characters of [A-Za-z0-9._:-]"; return false; }
            if (!IdPattern().IsMatch(nonce!) || nonce!.Length < 16) { error = "nonce: 16-128 characters of [A-Za-z0-9._:-]"; return false; }
            if (keyId is not null && !KeyIdPattern().IsMatch(keyId)) { error = "key_id: 1-64 characters of [A-Za-z0-9._-]"; return false; }
            if (!TryParseTime(issued!, out var issuedAt)) { error = "issued_at: not an RFC 3339 UTC time (e.g. 2026-01-01T00:00:00Z)"; return false; }

            if (!root.TryGetProperty("version", out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var version) || version < 0)
            {
                error = "version: required, a non-negative integer";
                return false;
            }

            if (!root.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object)
            {
                error = "payload: required, a JSON object";
                return false;
            }

            byte[] canonical;
            try
            {
                canonical = CanonicalJson.Canonicalize(root, omitTopLevel: "signature");
            }
            catch (CanonicalJsonException ex)
            {
                error = ex.Message;
                return false;
            }

            envelope = new CommandEnvelope(id!, type!, issuedAt, nonce!, version, target, payload.Clone(), keyId, signature, canonical);
            error = null;
            return true;
        }
    }

    /// <summary>The text form of <see cref="IssuedAt"/> used by builders: RFC 3339, UTC, milliseconds.</summary>
    public static string FormatTime(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static bool TryParseTime(string text, out DateTimeOffset time)
    {
        time = default;
        if (!text.EndsWith('Z') || text.Length < 20 || text[10] != 'T')
        {
            return false;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out time);
    }

    private static bool TryString(JsonElement root, string name, bool required, out string? value, out string? error)
    {
        value = null;
        error = null;
        if (!root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                error = $"{name}: required";
                return false;
            }

            return true;
        }

        if (e.ValueKind != JsonValueKind.String)
        {
            error = $"{name}: must be a string";
            return false;
        }

        value = e.GetString();
        return true;
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    internal static partial Regex KeyIdPattern();
}
