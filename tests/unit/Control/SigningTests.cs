using System.Text;
using System.Text.Json.Nodes;
using Cloudwall.Rx.Control;
using Cloudwall.Rx.Control.Commands;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Unit.Control;

public sealed class SigningTests
{
    internal const string Key = "0123456789abcdef0123456789abcdef";
    internal static readonly SigningKeyRing Ring = new(new Dictionary<string, byte[]> { ["k1"] = Encoding.UTF8.GetBytes(Key), ["k2"] = Encoding.UTF8.GetBytes(Key + "-two") });

    /// <summary>Both test keys may sign every command type (the tests that are not about authorization).</summary>
    internal static readonly Dictionary<string, ControlGrant> GrantAll = new(StringComparer.Ordinal)
    {
        ["k1"] = new() { Commands = ["*"] },
        ["k2"] = new() { Commands = ["*"] },
    };

    internal static readonly CommandGrants All = new(GrantAll);

    /// <summary>Control options for one instance whose keys may sign everything.</summary>
    internal static ControlOptions Options(string instance) => new() { InstanceId = instance, Grants = new(GrantAll, StringComparer.Ordinal) };

    // Produced by Python: json.dumps(env, sort_keys=True, separators=(",", ":"), ensure_ascii=False) and hmac.new(key, canon, sha256).
    private const string Envelope = """
        { "version": 7, "type": "subscribe", "id": "cmd-1", "issued_at": "2026-01-01T00:00:00.000Z", "nonce": "nonce-0123456789abcdef",
          "target": null, "payload": { "provider": "coinbase", "instruments": ["BTC-USD.SPOT", "ETH-USD.SPOT"], "data_classes": ["trade", "quote"],
          "note": "é\n\"x\"\u0001" }, "key_id": "k1", "signature": "ignored" }
        """;

    private const string PythonCanonical =
        "{\"id\":\"cmd-1\",\"issued_at\":\"2026-01-01T00:00:00.000Z\",\"key_id\":\"k1\",\"nonce\":\"nonce-0123456789abcdef\",\"payload\":{\"data_classes\":[\"trade\",\"quote\"],\"instruments\":[\"BTC-USD.SPOT\",\"ETH-USD.SPOT\"],\"note\":\"é\\n\\\"x\\\"\\u0001\",\"provider\":\"coinbase\"},\"target\":null,\"type\":\"subscribe\",\"version\":7}";

    private const string PythonSignature = "a656fbef5c7cd77f5b4bd90093cda836f80fc03c6b5d57300fcb4cd03994f8dc";

    [Fact]
    public void Canonical_form_matches_python_json_dumps_byte_for_byte()
    {
        var canonical = CanonicalJson.Canonicalize(Envelope, omitTopLevel: "signature");
        Assert.Equal(PythonCanonical, Encoding.UTF8.GetString(canonical));
    }

    [Fact]
    public void Hmac_matches_the_python_vector_and_verifies()
    {
        var canonical = CanonicalJson.Canonicalize(Envelope, "signature");
        Assert.Equal(PythonSignature, Ring.Sign("k1", canonical));
        Assert.Equal(SignatureCheck.Valid, Ring.Verify("k1", PythonSignature, canonical));
        Assert.Equal(SignatureCheck.Valid, Ring.Verify("k1", PythonSignature.ToUpperInvariant(), canonical));
    }

    [Fact]
    public void Canonical_form_ignores_key_order_and_whitespace()
    {
        var a = CanonicalJson.Canonicalize("""{"b":1,"a":{"y":[1,2],"x":"s"}}""");
        var b = CanonicalJson.Canonicalize("{ \"a\" : { \"x\" : \"s\", \"y\" : [ 1 , 2 ] }, \"b\" : 1 }");
        Assert.Equal(a, b);
        Assert.Equal("""{"a":{"x":"s","y":[1,2]},"b":1}""", Encoding.UTF8.GetString(a));
    }

    [Theory]
    [InlineData("""{"a":1.5}""", "a: numbers must be integers")]
    [InlineData("""{"a":{"b":[1e3]}}""", "a.b[0]: numbers must be integers")]
    [InlineData("""{"a":1,"a":2}""", "a: duplicate key")]
    public void Canonical_form_refuses_what_languages_would_print_differently(string json, string message)
    {
        var ex = Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Canonicalize(json));
        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verification_reports_unsigned_unknown_key_and_bad_signature()
    {
        var canonical = CanonicalJson.Canonicalize(Envelope, "signature");
        Assert.Equal(SignatureCheck.Unsigned, Ring.Verify("k1", null, canonical));
        Assert.Equal(SignatureCheck.Unsigned, Ring.Verify(null, PythonSignature, canonical));
        Assert.Equal(SignatureCheck.UnknownKey, Ring.Verify("k9", PythonSignature, canonical));
        Assert.Equal(SignatureCheck.BadSignature, Ring.Verify("k2", PythonSignature, canonical)); // right bytes, other key
        Assert.Equal(SignatureCheck.BadSignature, Ring.Verify("k1", "zz" + PythonSignature[2..], canonical));
        Assert.Equal(SignatureCheck.BadSignature, Ring.Verify("k1", PythonSignature[..62], canonical));
        canonical[^2] ^= 1;
        Assert.Equal(SignatureCheck.BadSignature, Ring.Verify("k1", PythonSignature, canonical));
    }

    [Fact]
    public void Keys_load_from_environment_and_files_and_errors_name_the_key_not_the_secret()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, Key + "\n");
            var env = new Dictionary<string, string> { ["CW_K1"] = Key, ["CW_SHORT"] = "short-secret" };
            var ring = SigningKeyRing.Load(new Dictionary<string, string>
            {
                ["k1"] = "CW_K1", ["k2"] = "file:" + file, ["k3"] = "CW_SHORT", ["k4"] = "CW_MISSING",
            }, env.GetValueOrDefault, out var errors);

            Assert.True(ring.Contains("k1"));
            Assert.True(ring.Contains("k2"));
            Assert.Equal(ring.Sign("k1", "x"u8), ring.Sign("k2", "x"u8));
            Assert.Equal(2, errors.Count);
            Assert.Contains(errors, e => e.StartsWith("Control:Keys:k3:", StringComparison.Ordinal));
            Assert.Contains(errors, e => e.StartsWith("Control:Keys:k4:", StringComparison.Ordinal) && e.Contains("CW_MISSING", StringComparison.Ordinal));
            Assert.DoesNotContain(errors, e => e.Contains("short-secret", StringComparison.Ordinal));
            Assert.DoesNotContain(Key, ring.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Any_change_to_a_signed_envelope_fails_verification()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var json = CommandBuilder.Build(CommandTypes.Subscribe, """{"provider":"coinbase","instruments":["BTC-USD.SPOT"],"data_classes":["trade"]}""", 3, "k1", Ring, time);
        var auth = new CommandAuthenticator(Ring, All, TimeSpan.FromSeconds(30), 100, time);
        Assert.True(auth.TryAuthenticate(json, out _, out _, out var reason), reason);

        foreach (var (field, value) in new (string, JsonNode)[] { ("version", 4), ("type", "unsubscribe"), ("nonce", "nonce-other-0123456789"), ("key_id", "k2"), ("target", "x") })
        {
            var node = JsonNode.Parse(json)!.AsObject();
            node[field] = value;
            Assert.False(auth.TryAuthenticate(node.ToJsonString(), out _, out _, out reason));
            Assert.StartsWith(RejectReasons.BadSignature, reason, StringComparison.Ordinal);
        }

        var payload = JsonNode.Parse(json)!.AsObject();
        payload["payload"]!["instruments"]![0] = "ETH-USD.SPOT";
        Assert.False(auth.TryAuthenticate(payload.ToJsonString(), out _, out _, out reason));
        Assert.StartsWith(RejectReasons.BadSignature, reason, StringComparison.Ordinal);
    }
}

public sealed class AuthenticationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private const string Subscribe = """{"provider":"coinbase","instruments":["BTC-USD.SPOT"],"data_classes":["trade"]}""";

    [Theory]
    [InlineData(-31, false)]
    [InlineData(-30, true)]
    [InlineData(29, true)]
    [InlineData(31, false)]
    public void Skew_window_is_symmetric_and_inclusive(int seconds, bool accepted)
    {
        var time = new FakeTimeProvider(T0);
        var auth = new CommandAuthenticator(SigningTests.Ring, SigningTests.All, TimeSpan.FromSeconds(30), 100, time);
        var json = CommandBuilder.Build(CommandTypes.Subscribe, Subscribe, 1, "k1", SigningTests.Ring, time, issuedAt: T0.AddSeconds(seconds));
        Assert.Equal(accepted, auth.TryAuthenticate(json, out _, out _, out var reason));
        if (!accepted) Assert.StartsWith(RejectReasons.Skew, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsigned_and_unknown_type_are_named()
    {
        var time = new FakeTimeProvider(T0);
        var auth = new CommandAuthenticator(SigningTests.Ring, SigningTests.All, TimeSpan.FromSeconds(30), 100, time);
        var node = JsonNode.Parse(CommandBuilder.Build(CommandTypes.Subscribe, Subscribe, 1, "k1", SigningTests.Ring, time))!.AsObject();
        node.Remove("signature");
        Assert.False(auth.TryAuthenticate(node.ToJsonString(), out _, out _, out var reason));
        Assert.StartsWith(RejectReasons.Unsigned, reason, StringComparison.Ordinal);

        var drop = CommandBuilder.Build("drop-tables", "{}", 1, "k1", SigningTests.Ring, time);
        Assert.False(auth.TryAuthenticate(drop, out _, out _, out reason));
        Assert.Equal("unknown-type: type 'drop-tables' is not allowed", reason);

        node["extra"] = 1;
        Assert.False(auth.TryAuthenticate(node.ToJsonString(), out _, out _, out reason));
        Assert.Equal("invalid-envelope: extra: unknown envelope field", reason);
    }

    [Fact]
    public void Nonce_cache_refuses_replays_until_twice_the_skew_then_forgets()
    {
        var time = new FakeTimeProvider(T0);
        var cache = new NonceCache(capacity: 3, ttl: TimeSpan.FromSeconds(60), time);
        Assert.Equal(NonceOutcome.Added, cache.TryAdd("k1", "a"));
        Assert.Equal(NonceOutcome.Replayed, cache.TryAdd("k1", "a"));
        Assert.Equal(NonceOutcome.Added, cache.TryAdd("k2", "a")); // per key id
        Assert.Equal(NonceOutcome.Added, cache.TryAdd("k1", "b"));
        Assert.Equal(NonceOutcome.Full, cache.TryAdd("k1", "c")); // bounded: fail closed
        Assert.Equal(3, cache.Count);

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(NonceOutcome.Replayed, cache.TryAdd("k1", "a"));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, cache.Count);
        Assert.Equal(NonceOutcome.Added, cache.TryAdd("k1", "a"));
    }

    [Fact]
    public void Authenticator_nonce_ttl_is_twice_the_skew()
    {
        var auth = new CommandAuthenticator(SigningTests.Ring, SigningTests.All, TimeSpan.FromSeconds(45), 10, new FakeTimeProvider(T0));
        Assert.Equal(TimeSpan.FromSeconds(90), auth.Nonces.Ttl);
    }

    [Fact]
    public void Options_errors_name_the_key_and_never_the_password()
    {
        var redis = new RedisControlOptions { Endpoints = "localhost:6379,nohost", User = "cw", Password = "", ConnectTimeoutMs = 5 };
        var errors = redis.Errors();
        Assert.Contains(errors, e => e.StartsWith("Control:Redis:Endpoints entry 'nohost'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Control:Redis:Password is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Control:Redis:ConnectTimeoutMs", StringComparison.Ordinal));
        redis.Password = "hunter2-secret";
        Assert.DoesNotContain("hunter2", redis.ToString(), StringComparison.Ordinal);
        var control = new ControlOptions { ClockSkew = TimeSpan.Zero, SigningKeyId = "nope" };
        Assert.Contains(control.Errors(), e => e.StartsWith("Control:ClockSkew", StringComparison.Ordinal));
        Assert.Contains(control.Errors(), e => e.StartsWith("Control:SigningKeyId", StringComparison.Ordinal));
    }
}
