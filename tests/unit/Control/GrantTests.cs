using Cloudwall.Rx.Control;
using Cloudwall.Rx.Control.Bus;
using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Control.State;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Unit.Control;

/// <summary>Issue 16.4: each key signs only the command types (and scopes) it is granted; no grant, nothing.</summary>
public sealed class GrantTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private const string Subscribe = """{"venue":"coinbase","instruments":["BTC-USD.SPOT"],"data_classes":["trade"]}""";
    private const string Pricing = """{"classes":{"spot":{"outlier_ratio":"0.05"}}}""";

    private static ControlOptions Options(Dictionary<string, ControlGrant> grants) => new() { InstanceId = "solo", Grants = grants };

    [Fact]
    public async Task A_key_granted_only_subscribe_cannot_set_pricing_which_is_forbidden_counted_and_not_applied()
    {
        var time = new FakeTimeProvider(T0);
        var target = new InProcessBusTests.Target();
        var options = Options(new() { ["k1"] = new() { Commands = [CommandTypes.Subscribe] }, ["k2"] = new() { Commands = ["*"] } });
        await using var bus = new InProcessControlBus(target, SigningTests.Ring, options, time);
        await bus.StartAsync();

        Assert.Equal(CommandResult.Applied, (await bus.SubmitAsync(CommandBuilder.Build("subscribe", Subscribe, 1, "k1", SigningTests.Ring, time))).Status);
        var pricing = CommandBuilder.Build("set-pricing", Pricing, 2, "k1", SigningTests.Ring, time);
        var r = await bus.SubmitAsync(pricing);

        Assert.Equal(CommandResult.Rejected, r.Status);
        Assert.Equal("forbidden: key_id 'k1' may not sign 'set-pricing'", r.Reason);
        Assert.Equal(["subs +1 -0 ~0"], target.Calls);
        Assert.Equal(1, bus.Snapshots.AppliedVersion);
        Assert.Equal(1, bus.Counters.RejectedByReason[RejectReasons.Forbidden]);
        var audit = await bus.Store.ReadAuditAsync(100, CancellationToken.None);
        Assert.DoesNotContain(audit, a => a.Contains($"\"command_id\":\"{r.CommandId}\"", StringComparison.Ordinal) && a.Contains("\"status\":\"applied\"", StringComparison.Ordinal));

        // k2 holds "*": every type.
        Assert.Equal(CommandResult.Applied, (await bus.SubmitAsync(CommandBuilder.Build("set-pricing", Pricing, 2, "k2", SigningTests.Ring, time))).Status);
        Assert.Equal(["subs +1 -0 ~0", "pricing"], target.Calls);
    }

    [Fact]
    public void Without_grants_every_command_is_forbidden()
    {
        var time = new FakeTimeProvider(T0);
        var auth = new CommandAuthenticator(SigningTests.Ring, new ControlOptions().ResolvedGrants(), TimeSpan.FromSeconds(30), 100, time);
        foreach (var (type, payload) in new[] { ("subscribe", Subscribe), ("set-pricing", Pricing), ("snapshot-state", "{}"), ("pause-provider", """{"provider":"kraken"}""") })
        {
            var json = CommandBuilder.Build(type, payload, 1, "k1", SigningTests.Ring, time);
            Assert.False(auth.TryAuthenticate(json, out var env, out var command, out var reason));
            Assert.Equal($"forbidden: key_id 'k1' may not sign '{type}'", reason);
            Assert.Null(command);
            Assert.True(auth.TryClaimNonce(env!, out _)); // checked before the nonce: not burnt
        }
    }

    [Fact]
    public void A_scoped_grant_refuses_other_scopes_and_the_commands_that_apply_to_every_scope()
    {
        var time = new FakeTimeProvider(T0);
        var grants = new CommandGrants(new Dictionary<string, ControlGrant>
        {
            ["k1"] = new() { Commands = ["*"], Scopes = ["coinbase", "spot", "BTC-USD.SPOT", "price_ratio"] },
        });
        var auth = new CommandAuthenticator(SigningTests.Ring, grants, TimeSpan.FromSeconds(30), 100, time);
        string? Check(string type, string payload) =>
            auth.TryAuthenticate(CommandBuilder.Build(type, payload, 1, "k1", SigningTests.Ring, time), out _, out _, out var reason) ? null : reason;

        Assert.Null(Check("subscribe", Subscribe));
        Assert.Null(Check("pause-provider", """{"provider":"coinbase"}"""));
        Assert.Null(Check("set-pricing", """{"classes":{"spot":{"outlier_ratio":"0.05"}},"instruments":{"BTC-USD.SPOT":{"weight":"2"}}}"""));
        Assert.Null(Check("set-detector", """{"detectors":{"price_ratio":{"warn":"0.01"}}}"""));

        Assert.Equal("forbidden: key_id 'k1' may not sign 'subscribe' for scope 'kraken'",
            Check("subscribe", """{"venue":"kraken","instruments":["BTC-USD.SPOT"],"data_classes":["trade"]}"""));
        Assert.Equal("forbidden: key_id 'k1' may not sign 'pause-provider' for scope 'kraken'", Check("pause-provider", """{"provider":"kraken"}"""));
        Assert.Equal("forbidden: key_id 'k1' may not sign 'set-pricing' for scope 'perp'", Check("set-pricing", """{"classes":{"spot":{"weight":"1"},"perp":{"weight":"1"}}}"""));
        Assert.Equal("forbidden: key_id 'k1' may not sign 'set-pricing' for scope 'ETH-USD.SPOT'", Check("set-pricing", """{"instruments":{"ETH-USD.SPOT":{"weight":"2"}}}"""));
        Assert.Equal("forbidden: key_id 'k1' may not sign 'set-detector' for scope 'spread'", Check("set-detector", """{"detectors":{"spread":{"warn":"0.01"}}}"""));
        Assert.StartsWith("forbidden: key_id 'k1' is limited to scopes", Check("reload-reference-data", """{"version":3}"""), StringComparison.Ordinal);
        Assert.StartsWith("forbidden: key_id 'k1' is limited to scopes", Check("snapshot-state", "{}"), StringComparison.Ordinal);

        // Another key has no grant at all.
        Assert.False(auth.TryAuthenticate(CommandBuilder.Build("subscribe", Subscribe, 1, "k2", SigningTests.Ring, time), out _, out _, out var other));
        Assert.Equal("forbidden: key_id 'k2' may not sign 'subscribe'", other);
    }

    [Fact]
    public void A_bad_signature_is_reported_as_such_before_the_grant()
    {
        var time = new FakeTimeProvider(T0);
        var auth = new CommandAuthenticator(SigningTests.Ring, CommandGrants.None, TimeSpan.FromSeconds(30), 100, time);
        var json = CommandBuilder.Build("subscribe", Subscribe, 1, "k1", SigningTests.Ring, time).Replace("\"version\":1", "\"version\":2", StringComparison.Ordinal);
        Assert.False(auth.TryAuthenticate(json, out _, out _, out var reason));
        Assert.StartsWith(RejectReasons.BadSignature, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Grant_errors_name_the_key()
    {
        var options = new ControlOptions
        {
            Keys = new() { ["ops"] = "CW_OPS", ["ro"] = "CW_RO" },
            Grants = new()
            {
                ["ops"] = new() { Commands = ["subscribe", "drop-tables"] },
                ["ro"] = new() { Commands = [] },
                ["gone"] = new() { Commands = ["*"], Scopes = ["*"] },
            },
        };
        var errors = options.Errors().ToList();
        Assert.Contains(errors, e => e.StartsWith("Control:Grants:ops:Commands: 'drop-tables' is not a command type", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Control:Grants:ro:Commands must list command types", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Control:Grants:gone:Scopes: '*' is not a scope", StringComparison.Ordinal));
        Assert.Contains("Control:Grants:gone names no key under Control:Keys", errors);
        Assert.Equal(4, errors.Count);

        options.Grants = new() { ["ops"] = new() { Commands = ["*"] }, ["ro"] = new() { Commands = ["snapshot-state"], Scopes = ["coinbase"] } };
        Assert.Empty(options.Errors());
    }
}
