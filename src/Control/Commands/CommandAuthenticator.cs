namespace Cloudwall.Rx.Control.Commands;

/// <summary>
/// Turns envelope text into an authenticated, schema-checked command, or a rejection with its reason. Checks run in this
/// order: shape, signature present, key id known, signature, clock skew, type allow-listed, payload schema, key granted the
/// command (<see cref="CommandGrants"/>), nonce unused.
/// The nonce is claimed last so a command refused for another reason does not burn it.
/// </summary>
public sealed class CommandAuthenticator
{
    private readonly SigningKeyRing _keys;
    private readonly NonceCache _nonces;
    private readonly TimeProvider _time;
    private readonly CommandGrants _grants;

    public CommandAuthenticator(SigningKeyRing keys, CommandGrants grants, TimeSpan skew, int nonceCapacity, TimeProvider time)
    {
        _keys = keys;
        _grants = grants;
        _time = time;
        Skew = skew;
        _nonces = new NonceCache(nonceCapacity, skew * 2, time);
    }

    public TimeSpan Skew { get; }

    public NonceCache Nonces => _nonces;

    /// <summary>Checks everything but the nonce. <paramref name="reason"/> is <c>code: detail</c>.</summary>
    public bool TryAuthenticate(string json, out CommandEnvelope? envelope, out ControlCommand? command, out string? reason)
    {
        command = null;
        if (!CommandEnvelope.TryParse(json, out envelope, out var error))
        {
            reason = $"{RejectReasons.InvalidEnvelope}: {error}";
            return false;
        }

        var env = envelope!;
        switch (_keys.Verify(env.KeyId, env.Signature, env.Canonical))
        {
            case SignatureCheck.Unsigned:
                reason = $"{RejectReasons.Unsigned}: key_id and signature are required";
                return false;
            case SignatureCheck.UnknownKey:
                reason = $"{RejectReasons.UnknownKey}: key_id '{env.KeyId}' is not accepted";
                return false;
            case SignatureCheck.BadSignature:
                reason = $"{RejectReasons.BadSignature}: signature does not match the canonical envelope";
                return false;
        }

        var now = _time.GetUtcNow();
        var offset = env.IssuedAt - now;
        if (offset.Duration() > Skew)
        {
            reason = $"{RejectReasons.Skew}: issued_at is {offset.TotalSeconds:0.###}s from now, outside ±{Skew.TotalSeconds:0.###}s";
            return false;
        }

        if (!CommandTypes.All.Contains(env.Type))
        {
            reason = $"{RejectReasons.UnknownType}: type '{env.Type}' is not allowed";
            return false;
        }

        if (!PayloadValidator.TryValidate(env.Type, env.Payload, out command, out error))
        {
            reason = $"{RejectReasons.InvalidPayload}: {error}";
            return false;
        }

        if (!_grants.Permits(env.KeyId!, command!, out reason))
        {
            command = null;
            return false;
        }

        reason = null;
        return true;
    }

    /// <summary>Claims the envelope's nonce in the in-memory cache; a second claim is a replay.</summary>
    public bool TryClaimNonce(CommandEnvelope envelope, out string? reason)
    {
        switch (_nonces.TryAdd(envelope.KeyId!, envelope.Nonce))
        {
            case NonceOutcome.Replayed:
                reason = $"{RejectReasons.Replay}: nonce '{envelope.Nonce}' was already used";
                return false;
            case NonceOutcome.Full:
                reason = $"{RejectReasons.NonceCacheFull}: {_nonces.Capacity} live nonces remembered; retry later";
                return false;
            default:
                reason = null;
                return true;
        }
    }
}
