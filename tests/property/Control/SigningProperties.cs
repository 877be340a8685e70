using System.Text;
using System.Text.Json.Nodes;
using Cloudwall.Rx.Control.Commands;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Cloudwall.Rx.Tests.Property.Control;

[Properties(MaxTest = 500)]
public sealed class SigningProperties
{
    private static readonly SigningKeyRing Ring = new(new Dictionary<string, byte[]> { ["k1"] = Encoding.UTF8.GetBytes("property-key-0123456789abcdef0123456789") });
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Gen<string> Text = Gen.Elements("a", "b", "é", "\"", "\\", "\n", "\u0001", "😀", "x y", "Z").ArrayOf().Select(a => string.Concat(a));

    private static readonly Gen<(string Key, JsonNode Value)[]> Members =
        Gen.Zip(Text, Gen.OneOf(Text.Select(s => (JsonNode)JsonValue.Create(s)!), ArbMap.Default.GeneratorFor<long>().Select(l => (JsonNode)JsonValue.Create(l)!)),
            (k, v) => (k, v)).ArrayOf();

    [Property]
    public FsCheck.Property Canonical_form_does_not_depend_on_member_order()
    {
        return Prop.ForAll(Members.ToArbitrary(), members =>
        {
            var distinct = members.DistinctBy(m => m.Key).ToArray();
            var forward = new JsonObject(distinct.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value.DeepClone())));
            var backward = new JsonObject(distinct.Reverse().Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value.DeepClone())));
            var nested = new JsonObject { ["outer"] = backward, ["z"] = 1 };
            var nested2 = new JsonObject { ["z"] = 1, ["outer"] = forward.DeepClone() };
            return CanonicalJson.Canonicalize(forward.ToJsonString()).AsSpan().SequenceEqual(CanonicalJson.Canonicalize(backward.ToJsonString())) &&
                   CanonicalJson.Canonicalize(nested.ToJsonString()).AsSpan().SequenceEqual(CanonicalJson.Canonicalize(nested2.ToJsonString()));
        });
    }

    [Property]
    public FsCheck.Property Any_change_to_a_signed_envelope_fails_verification()
    {
        var gen = Gen.Zip(Gen.Zip(Text, ArbMap.Default.GeneratorFor<long>(), (t, l) => (Note: t, Number: l)),
            Gen.Zip(Gen.Choose(0, 5), ArbMap.Default.GeneratorFor<NonEmptyString>(), (f, c) => (Field: f, Change: c)),
            (a, b) => (a.Note, a.Number, b.Field, b.Change));
        return Prop.ForAll(gen.ToArbitrary(), input =>
        {
            var (note, number, field, change) = input;
            var json = CommandBuilder.Build(CommandTypes.SnapshotState, "{}", 3, "k1", Ring, TimeProvider.System, issuedAt: T0);
            var env = JsonNode.Parse(json)!.AsObject();
            // Payload contents are covered by the signature even when the type ignores them.
            env["payload"] = new JsonObject { ["note"] = note, ["n"] = number };
            var signed = CommandBuilder.Sign(env, "k1", Ring);
            var tampered = JsonNode.Parse(signed)!.AsObject();
            switch (field)
            {
                case 0: tampered["payload"]!["note"] = note + change.Get; break;
                case 1: tampered["payload"]!["n"] = number == long.MaxValue ? 0 : number + 1; break;
                case 2: tampered["version"] = 4; break;
                case 3: tampered["nonce"] = tampered["nonce"]!.GetValue<string>() + "0"; break;
                case 4: tampered["payload"]!["extra"] = change.Get; break;
                default: tampered["target"] = change.Get; break;
            }

            return Verify(signed) == SignatureCheck.Valid && Verify(tampered.ToJsonString()) == SignatureCheck.BadSignature;
        });
    }

    private static SignatureCheck Verify(string json)
    {
        Assert.True(CommandEnvelope.TryParse(json, out var env, out var error), error);
        return Ring.Verify(env!.KeyId, env.Signature, env.Canonical);
    }
}
