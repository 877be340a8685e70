using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Cloudwall.Rx.Quality.Alerts;

/// <summary>What a receiver's verification found; only <see cref="Valid"/> accepts the request.</summary>
public enum WebhookVerification : byte
{
    Valid,
    MissingHeaders,
    InvalidTimestamp,
    TooOld,
    TooNew,
    NoMatchingSignature,
}

/// <summary>
/// Standard Webhooks signatures (specification 1.0.0, "Signature scheme" and "Webhook headers",
/// github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md, checked 2026-12-06).
/// The signed content is <c>{webhook-id}.{webhook-timestamp}.{body}</c>; each key gives one
/// <c>v1,&lt;base64 HMAC-SHA256&gt;</c>, and the signatures of several keys (rotation) go space-delimited into one
/// <c>webhook-signature</c> header. A receiver accepts the request when any one of them matches any key it trusts.
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    /// <summary>The spec's serialization of a symmetric secret: <c>whsec_</c> + base64 of the key bytes.</summary>
    public const string SecretPrefix = "whsec_";

    /// <summary>The spec's bounds on a symmetric key: at least 24 bytes (192 bits), at most 64 (512 bits).</summary>
    public const int MinKeyBytes = 24;

    public const int MaxKeyBytes = 64;

    /// <summary>The spec's suggested replay window, either side of the receiver's clock.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    private const string Version = "v1";
    private const int MacBytes = 32;

    /// <summary>
    /// The HMAC key of a configured secret: <c>whsec_&lt;base64&gt;</c> decodes per the spec; any other string is the
    /// legacy form (before Standard Webhooks), whose UTF-8 bytes are the key.
    /// </summary>
    /// <exception cref="FormatException">A <c>whsec_</c> secret whose rest is not base64 (the secret is not in the message).</exception>
    public static byte[] DecodeSecret(string secret)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal)) return Encoding.UTF8.GetBytes(secret);
        var buffer = new byte[secret.Length];
        return Convert.TryFromBase64String(secret[SecretPrefix.Length..], buffer, out var n)
            ? buffer[..n]
            : throw new FormatException("a whsec_ secret must be followed by base64");
    }

    /// <summary>Null when <paramref name="secret"/> is usable as a Standard Webhooks secret, else why not (never the secret itself).</summary>
    public static string? Problem(string secret)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return secret.Length < 16 ? "must be at least 16 characters (or whsec_ + base64 of 24 to 64 bytes)" : null;
        }

        var buffer = new byte[secret.Length];
        return Convert.TryFromBase64String(secret[SecretPrefix.Length..], buffer, out var n) && n is >= MinKeyBytes and <= MaxKeyBytes
            ? null
            : $"must be {SecretPrefix} followed by the base64 of {MinKeyBytes} to {MaxKeyBytes} bytes";
    }

    /// <summary>
    /// The <c>webhook-id</c> of a record: derived from its bytes, so every retry of one notification (and a second
    /// replica sending the same record) carries the same id, while any two distinct notifications differ (their
    /// fingerprint, status or time differ). No <c>.</c>, as the spec requires of ids.
    /// </summary>
    public static string MessageId(ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(body, hash);
        return "msg_" + Convert.ToHexStringLower(hash[..16]);
    }

    /// <summary>One <c>v1,&lt;base64&gt;</c> signature.</summary>
    public static string Sign(ReadOnlySpan<byte> key, string id, long unixSeconds, ReadOnlySpan<byte> body)
    {
        Span<byte> mac = stackalloc byte[MacBytes];
        Mac(key, id, unixSeconds, body, mac);
        return Version + "," + Convert.ToBase64String(mac);
    }

    /// <summary>The <c>webhook-signature</c> header value: one signature per key, space-delimited, in key order.</summary>
    public static string Sign(IReadOnlyList<byte[]> keys, string id, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var parts = new string[keys.Count];
        for (var i = 0; i < parts.Length; i++) parts[i] = Sign(keys[i], id, unixSeconds, body);
        return string.Join(' ', parts);
    }

    /// <summary>
    /// Receiver side: the three headers as received, the raw body bytes, the keys the receiver trusts (several during a
    /// rotation). Rejects a timestamp more than <paramref name="tolerance"/> (default <see cref="DefaultTolerance"/>)
    /// from <paramref name="now"/> either way, then compares every <c>v1</c> entry of the header with every key's MAC in
    /// constant time: any match is valid, wherever it stands in the list. Other versions (<c>v1a</c>) are skipped.
    /// </summary>
    public static WebhookVerification Verify(string? id, string? timestamp, string? signatures, IReadOnlyList<byte[]> keys,
        ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatures)) return WebhookVerification.MissingHeaders;
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var stamp)) return WebhookVerification.InvalidTimestamp;
        var window = (long)(tolerance ?? DefaultTolerance).TotalSeconds;
        var nowSeconds = now.ToUnixTimeSeconds();
        if (stamp < nowSeconds - window) return WebhookVerification.TooOld;
        if (stamp > nowSeconds + window) return WebhookVerification.TooNew;

        Span<byte> expected = stackalloc byte[MacBytes];
        Span<byte> passed = stackalloc byte[MacBytes + 3]; // room to notice an over-long value
        var matched = false;
        foreach (var key in keys)
        {
            Mac(key, id, stamp, body, expected);
            foreach (var entry in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!entry.StartsWith(Version + ",", StringComparison.Ordinal)) continue;
                if (!Convert.TryFromBase64String(entry[(Version.Length + 1)..], passed, out var n) || n != MacBytes) continue;
                matched |= CryptographicOperations.FixedTimeEquals(expected, passed[..MacBytes]);
            }
        }

        return matched ? WebhookVerification.Valid : WebhookVerification.NoMatchingSignature;
    }

    private static void Mac(ReadOnlySpan<byte> key, string id, long unixSeconds, ReadOnlySpan<byte> body, Span<byte> mac)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.UTF8.GetBytes(id + "." + unixSeconds.ToString(CultureInfo.InvariantCulture) + "."));
        hmac.AppendData(body);
        hmac.GetHashAndReset(mac);
    }
}

/// <summary>
/// Deprecated: the Stripe-style header sent before Standard Webhooks, kept for one release (docs/quality.md,
/// "Deprecated: X-Cloudwall-Signature"). <c>X-Cloudwall-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</c> where
/// hex = lowercase HMAC-SHA256(secret as UTF-8, <c>"&lt;t&gt;." + body</c>).
/// </summary>
public static class LegacyWebhookSignature
{
    public const string Header = "X-Cloudwall-Signature";

    public static string Sign(ReadOnlySpan<byte> secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var t = unixSeconds.ToString(CultureInfo.InvariantCulture);
        return "t=" + t + ",v1=" + Convert.ToHexStringLower(Mac(secret, t, body));
    }

    /// <summary>Receiver side: bounds the clock skew, then accepts when any <c>v1</c> of the header matches (not only the last).</summary>
    public static bool Verify(string header, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> body, long nowUnixSeconds, long toleranceSeconds = 300)
    {
        string? t = null;
        var candidates = new List<string>(2);
        foreach (var part in header.Split(','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) continue;
            var name = part.AsSpan(0, eq).Trim();
            var value = part[(eq + 1)..].Trim();
            if (name.SequenceEqual("t")) t = value;
            else if (name.SequenceEqual("v1")) candidates.Add(value);
        }

        if (!long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var stamp) || Math.Abs(nowUnixSeconds - stamp) > toleranceSeconds) return false;
        var expected = Mac(secret, t, body);
        var matched = false;
        foreach (var v1 in candidates)
        {
            if (v1.Length != 2 * expected.Length || !v1.All(Uri.IsHexDigit)) continue;
            matched |= CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(v1));
        }

        return matched;
    }

    private static byte[] Mac(ReadOnlySpan<byte> secret, string t, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secret);
        hmac.AppendData(Encoding.UTF8.GetBytes(t + "."));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }
}
