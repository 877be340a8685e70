using Cloudwall.Rx.Control;
using Cloudwall.Rx.Control.Agent;
using Cloudwall.Rx.Control.Bus;
using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Control.State;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Unit.Control;

/// <summary>Issue 16, point 8: the in-process bus forgets its nonces on a restart, so it refuses envelopes signed before it started.</summary>
public sealed class ReplayAfterRestartTests
{
    private sealed class Target : IControlTarget
    {
        public int Applies { get; private set; }

        public Task ApplySubscriptionsAsync(SubscriptionDiff diff, CancellationToken ct)
        {
            Applies++;
            return Task.CompletedTask;
        }

        public Task PauseProviderAsync(string provider, CancellationToken ct) => Task.CompletedTask;
        public Task ResumeProviderAsync(string provider, CancellationToken ct) => Task.CompletedTask;
        public void SetPricing(ControlSnapshot snapshot) { }
        public void SetDetectors(ControlSnapshot snapshot) { }
        public Task ReloadReferenceDataAsync(long version, CancellationToken ct) => Task.CompletedTask;
        public string SnapshotState() => "{}";
    }

    [Fact]
    public async Task A_replay_after_a_restart_is_rejected_within_the_skew_window()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, 123, TimeSpan.Zero));
        var target = new Target();
        var envelope = CommandBuilder.Build("subscribe", """{"venue":"coinbase","instruments":["BTC-USD.SPOT"],"data_classes":["trade"]}""", 1, "k1", SigningTests.Ring, time);

        await using (var before = new InProcessControlBus(target, SigningTests.Ring, SigningTests.Options("solo"), time))
        {
            await before.StartAsync();
            Assert.Equal(CommandResult.Applied, (await before.SubmitAsync(envelope)).Status);
            Assert.Equal(RejectReasons.Replay, (await before.SubmitAsync(envelope)).ReasonCode);
        }

        // The restart: a new process a second later, well inside the ±30 s window, with nothing remembered.
        time.Advance(TimeSpan.FromSeconds(1));
        await using var after = new InProcessControlBus(target, SigningTests.Ring, SigningTests.Options("solo"), time);
        await after.StartAsync();
        var replay = await after.SubmitAsync(envelope);
        Assert.Equal(RejectReasons.Replay, replay.ReasonCode);
        Assert.Contains("issued before this instance started", replay.Reason, StringComparison.Ordinal);
        Assert.Equal(1, target.Applies);

        // A command signed after the start is accepted.
        var fresh = CommandBuilder.Build("subscribe", """{"venue":"coinbase","instruments":["BTC-USD.SPOT"],"data_classes":["trade"]}""", 1, "k1", SigningTests.Ring, time);
        Assert.Equal(CommandResult.Applied, (await after.SubmitAsync(fresh)).Status);
        Assert.Equal(2, target.Applies);
    }
}
