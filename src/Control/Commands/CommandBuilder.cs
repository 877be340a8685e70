using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cloudwall.Rx.Control.Commands;

/// <summary>Builds and signs envelopes (the CLI, tests, tools). The output verifies on any instance holding the same key.</summary>
public static class CommandBuilder
{
    public static string Build(string type, string payloadJson, long version, string keyId, SigningKeyRing keys, TimeProvider time,
        string? target = null, string? id = null, string? nonce = null, DateTimeOffset? issuedAt = null)
    {
        var envelope = new JsonObject
        {
            ["id"] = id ?? NewToken("cmd-", 12),
            ["type"] = type,
            ["issued_at"] = CommandEnvelope.FormatTime(issuedAt ?? time.GetUtcNow()),
            ["nonce"] = nonce ?? NewToken("", 16),
            ["version"] = version,
            ["payload"] = JsonNode.Parse(payloadJson) ?? new JsonObject(),
            ["key_id"] = keyId,
        };
        if (target is not null)
        {
            envelope["target"] = target;
        }

        return Sign(envelope, keyId, keys);
    }

    /// <summary>Signs an envelope as given (any <c>signature</c> in it is replaced).</summary>
    public static string Sign(JsonObject envelope, string keyId, SigningKeyRing keys)
    {
        envelope.Remove("signature");
        envelope["key_id"] = keyId;
        using var doc = JsonDocument.Parse(envelope.ToJsonString());
        envelope["signature"] = keys.Sign(keyId, CanonicalJson.Canonicalize(doc.RootElement, "signature"));
        return envelope.ToJsonString();
    }

    private static string NewToken(string prefix, int bytes) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
}
