using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;

namespace Cloudwall.Rx.Control.Commands;

/// <summary>
/// The HMAC keys accepted, by key id, so keys can be rotated (add the new id, move signers over, remove the old one).
/// Key material never appears in <see cref="ToString"/>, exceptions or logs.
/// </summary>
public sealed partial class SigningKeyRing
{
    /// <summary>The shortest key accepted, in bytes (the HMAC-SHA256 block guidance: at least the output size).</summary>
    public const int MinKeyBytes = 32;

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial System.Text.RegularExpressions.Regex EnvironmentNamePattern();

    private readonly FrozenDictionary<string, byte[]> _keys;

    public SigningKeyRing(IReadOnlyDictionary<string, byte[]> keys)
    {
        foreach (var (id, key) in keys)
        {
            if (!CommandEnvelope.KeyIdPattern().IsMatch(id)) throw new ArgumentException($"key id '{id}' must be 1-64 characters of [A-Za-z0-9._-]");
            if (key.Length < MinKeyBytes) throw new ArgumentException($"key '{id}' is shorter than {MinKeyBytes} bytes");
        }

        _keys = keys.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);
    }

    public static SigningKeyRing Empty { get; } = new(new Dictionary<string, byte[]>());

    public IReadOnlyCollection<string> KeyIds => _keys.Keys;

    public bool Contains(string keyId) => _keys.ContainsKey(keyId);

    internal bool TryGet(string keyId, out byte[] key) => _keys.TryGetValue(keyId, out key!);

    /// <summary>
    /// Loads keys from <c>Control:Keys:&lt;id&gt;</c> entries. Each value names an environment variable holding the key, or is
    /// <c>file:/path</c> to a file holding it (surrounding whitespace trimmed). The key bytes are the UTF-8 bytes of that text.
    /// </summary>
    /// <returns>The ring, or the problems, each naming its configuration key (never the secret).</returns>
    public static SigningKeyRing Load(IReadOnlyDictionary<string, string> specs, Func<string, string?>? environment, out IReadOnlyList<string> errors)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var problems = new List<string>();
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (id, spec) in specs)
        {
            var name = $"{ControlOptions.SectionName}:Keys:{id}";
            if (!CommandEnvelope.KeyIdPattern().IsMatch(id))
            {
                problems.Add($"{name}: key id must be 1-64 characters of [A-Za-z0-9._-]");
                continue;
            }

            string? secret;
            if (string.IsNullOrWhiteSpace(spec))
            {
                problems.Add($"{name}: must name an environment variable or be file:/path");
                continue;
            }

            if (spec.StartsWith("file:", StringComparison.Ordinal))
            {
                var path = spec[5..];
                try
                {
                    secret = File.ReadAllText(path).Trim();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    problems.Add($"{name}: cannot read key file '{path}': {ex.GetType().Name}");
                    continue;
                }
            }
            else
            {
                secret = environment(spec);
                if (secret is null)
                {
                    // A key pasted where its variable's name belongs must not land in the log: the name is echoed only when it
                    // could not be a key (too short to be accepted as one).
                    problems.Add(EnvironmentNamePattern().IsMatch(spec) && Encoding.UTF8.GetByteCount(spec) < MinKeyBytes
                        ? $"{name}: environment variable '{spec}' is not set"
                        : $"{name}: the value of {name} is not an environment variable name or file: path (no such variable is set; the value is not shown)");
                    continue;
                }
            }

            var bytes = Encoding.UTF8.GetBytes(secret);
            if (bytes.Length < MinKeyBytes)
            {
                problems.Add($"{name}: key is shorter than {MinKeyBytes} bytes");
                continue;
            }

            keys[id] = bytes;
        }

        errors = problems;
        return new SigningKeyRing(keys);
    }

    /// <summary>HMAC-SHA256 of <paramref name="canonical"/> under key <paramref name="keyId"/>, as lowercase hex.</summary>
    public string Sign(string keyId, ReadOnlySpan<byte> canonical)
    {
        if (!_keys.TryGetValue(keyId, out var key))
        {
            throw new KeyNotFoundException($"no signing key '{keyId}'");
        }

        return Convert.ToHexStringLower(HMACSHA256.HashData(key, canonical));
    }

    /// <summary>Verifies a lowercase or uppercase hex signature in constant time.</summary>
    public SignatureCheck Verify(string? keyId, string? signature, ReadOnlySpan<byte> canonical)
    {
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(keyId))
        {
            return SignatureCheck.Unsigned;
        }

        if (!_keys.TryGetValue(keyId, out var key))
        {
            return SignatureCheck.UnknownKey;
        }

        Span<byte> given = stackalloc byte[32];
        if (signature.Length != 64 || Convert.FromHexString(signature, given, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
        {
            return SignatureCheck.BadSignature;
        }

        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(key, canonical, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given) ? SignatureCheck.Valid : SignatureCheck.BadSignature;
    }

    public override string ToString() => $"SigningKeyRing({string.Join(",", _keys.Keys)})";
}

public enum SignatureCheck
{
    Valid,
    Unsigned,
    UnknownKey,
    BadSignature,
}
