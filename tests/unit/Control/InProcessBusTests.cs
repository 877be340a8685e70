using Cloudwall.Rx.Control;
using Cloudwall.Rx.Control.Agent;
using Cloudwall.Rx.Control.Bus;
using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Control.State;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Unit.Control;

public sealed class InProcessBusTests
{
    /// <summary>Records each call the agent makes, in order (shared with <see cref="GrantTests"/>).</summary>
    internal sealed class Target : IControlTarget
    {
        public List<string> Calls { get; } = [];
        public Task ApplySubscriptionsAsync(SubscriptionDiff diff, CancellationToken ct)
        {
            Calls.Add($"subs +{diff.Added.Length} -{diff.Removed.Length} ~{diff.Changed.Length}");
            return Task.CompletedTask;
        }

        public Task PauseProviderAsync(string provider, CancellationToken ct)
        {
            Calls.Add("pause " + provider);
            return Task.CompletedTask;
        }

        public Task ResumeProviderAsync(string provider, CancellationToken ct)
        {
            Calls.Add("resume " + provider);
            return Task.CompletedTask;
        }

        public void SetPricing(ControlSnapshot snapshot) => Calls.Add("pricing");
        public void SetDetectors(ControlSnapshot snapshot) => Calls.Add("detectors");
        public Task ReloadReferenceDataAsync(long version, CancellationToken ct)
        {
            Calls.Add("reload " + version);
            return Task.CompletedTask;
        }

        public string SnapshotState() => "{\"ok\":true}";
    }

    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Same_envelope_and_checks_without_Redis_and_submit_returns_after_the_apply()
    {
        var time = new FakeTimeProvider(T0);
        var target = new Target();
        await using var bus = new InProcessControlBus(target, SigningTests.Ring, SigningTests.Options("solo"), time);
        var results = new List<CommandResult>();
        bus.MemoryStore.ResultPublished += results.Add;
        await bus.StartAsync();

        string Cmd(string type, string payload, long v) => CommandBuilder.Build(type, payload, v, "k1", SigningTests.Ring, time);

        var r = await bus.SubmitAsync(Cmd("subscribe", """{"venue":"coinbase","instruments":["BTC-USD.SPOT"],"data_classes":["trade"]}""", 1));
        Assert.Equal(CommandResult.Applied, r.Status);
        Assert.Equal(1, bus.Snapshots.AppliedVersion); // already applied when SubmitAsync returns
        Assert.Equal(["subs +1 -0 ~0"], target.Calls);

        Assert.Equal(CommandResult.Applied, (await bus.SubmitAsync(Cmd("pause-provider", """{"provider":"coinbase"}""", 2))).Status);
        Assert.Equal(CommandResult.Applied, (await bus.SubmitAsync(Cmd("set-detector", """{"detectors":{"price_ratio":{"warn":"0.01"}}}""", 3))).Status);
        Assert.Equal(CommandResult.Applied, (await bus.SubmitAsync(Cmd("reload-reference-data", """{"version":5}""", 4))).Status);
        Assert.Equal(CommandResult.Applied, (await bus.SubmitAsync(Cmd("resume-provider", """{"provider":"coinbase"}""", 5))).Status);
        Assert.Equal(["subs +1 -0 ~0", "pause coinbase", "detectors", "reload 5", "resume coinbase"], target.Calls);

        // Same configuration again: a no-op that writes nothing. Older reference data: refused, naming the field.
        var again = await bus.SubmitAsync(Cmd("pause-provider", """{"provider":"kraken"}""", 6));
        Assert.Equal(CommandResult.Applied, again.Status);
        Assert.Equal(CommandResult.NoOp, (await bus.SubmitAsync(Cmd("pause-provider", """{"provider":"kraken"}""", 7))).Status);
        var old = await bus.SubmitAsync(Cmd("reload-reference-data", """{"version":5}""", 7));
        Assert.Equal("invalid-payload: payload.version: 5 is not newer than the current reference-data version 5", old.Reason);

        var snap = await bus.SubmitAsync(Cmd("snapshot-state", "{}", 0));
        Assert.Equal(CommandResult.Applied, snap.Status);
        Assert.Contains(results, x => x.Stage == "snapshot" && x.State == "{\"ok\":true}" && x.Instance == "solo");

        time.Advance(TimeSpan.FromMinutes(2));
        var late = await bus.SubmitAsync(CommandBuilder.Build("subscribe", """{"venue":"coinbase","instruments":["ETH-USD.SPOT"],"data_classes":["trade"]}""", 9, "k1",
            SigningTests.Ring, time, issuedAt: T0));
        Assert.Equal(RejectReasons.Skew, late.ReasonCode);
        Assert.Equal(6, bus.Snapshots.AppliedVersion);
        Assert.Equal(6, (await bus.Store.ReadAppliedAsync(CancellationToken.None))["solo"]);
    }
}
