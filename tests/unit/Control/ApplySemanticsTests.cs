using System.Collections.Immutable;
using Cloudwall.Rx.Control;
using Cloudwall.Rx.Control.Agent;
using Cloudwall.Rx.Control.Bus;
using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Control.State;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Pricing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Unit.Control;

/// <summary>Issue 16, point 1: a set-pricing the engine refuses is refused at submit, and an apply is all or nothing.</summary>
public sealed class ApplySemanticsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Checks with the platform's own pricing mapping; records calls; can be told to fail in SetPricing.</summary>
    private sealed class Target : IControlTarget
    {
        public List<string> Calls { get; } = [];
        public bool FailPricing { get; set; }

        public IEnumerable<string> Errors(ControlSnapshot next)
        {
            ControlPricing.TryBuild(PricingParameters.Default, next, 2, out var errors);
            return errors;
        }

        public Task ApplySubscriptionsAsync(SubscriptionDiff diff, CancellationToken ct)
        {
            Calls.Add($"subs +{diff.Added.Length} -{diff.Removed.Length}");
            return Task.CompletedTask;
        }

        public Task PauseProviderAsync(string provider, CancellationToken ct) => Task.CompletedTask;
        public Task ResumeProviderAsync(string provider, CancellationToken ct) => Task.CompletedTask;

        public void SetPricing(ControlSnapshot snapshot)
        {
            Calls.Add("pricing " + snapshot.Version);
            if (FailPricing) throw new InvalidOperationException("engine said no");
        }

        public void SetDetectors(ControlSnapshot snapshot) => Calls.Add("detectors");
        public Task ReloadReferenceDataAsync(long version, CancellationToken ct) => Task.CompletedTask;
        public string SnapshotState() => "{}";
    }

    private static ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, decimal>> Scope(string scope, string name, decimal value) =>
        ImmutableSortedDictionary.Create<string, ImmutableSortedDictionary<string, decimal>>(StringComparer.Ordinal)
            .Add(scope, ImmutableSortedDictionary.Create<string, decimal>(StringComparer.Ordinal).Add(name, value));

    [Fact]
    public void The_mapping_applies_the_engines_rules_and_honours_instrument_scopes()
    {
        var ok = ControlSnapshot.Empty with
        {
            PricingByClass = new ScopedParameters(Scope("spot", "outlier_ratio", 0.05m)),
            PricingByInstrument = new ScopedParameters(Scope("DOGE-USD.SPOT", "min_sources", 2m)),
        };
        var built = ControlPricing.TryBuild(PricingParameters.Default, ok, 7, out var none);
        Assert.Empty(none);
        Assert.Equal(0.05m, built!.Spot.OutlierThreshold);
        Assert.Equal(2, built.For(Cloudwall.Rx.Core.MarketType.Spot, "DOGE-USD.SPOT").MinSources);
        Assert.Equal(3, built.For(Cloudwall.Rx.Core.MarketType.Spot, "BTC-USD.SPOT").MinSources);

        ControlPricing.TryBuild(PricingParameters.Default, ok with { PricingByClass = new ScopedParameters(Scope("spot", "outlier_ratio", 5m)) }, 7, out var range);
        Assert.Contains("Pricing:Spot:OutlierThreshold must be in (0, 1] (was 5)", range); // and DOGE-USD.SPOT's override, built on spot
        ControlPricing.TryBuild(PricingParameters.Default, ok with { PricingByInstrument = new ScopedParameters(Scope("DOGE-USD.SPOT", "min_sources", 2.5m)) }, 7, out var whole);
        Assert.Equal(["set-pricing instruments.DOGE-USD.SPOT.min_sources: must be a whole number (was 2.5)"], whole);
        ControlPricing.TryBuild(PricingParameters.Default, ok with { PricingByClass = new ScopedParameters(Scope("perp", "max_age_ms", 10m)) }, 7, out var unknown);
        Assert.Equal(["set-pricing classes.perp.max_age_ms: the pricing engine has no such parameter"], unknown);
    }

    [Fact]
    public async Task A_set_pricing_the_engine_refuses_is_rejected_at_submit_and_nothing_is_stored()
    {
        var time = new FakeTimeProvider(T0);
        var target = new Target();
        await using var bus = new InProcessControlBus(target, SigningTests.Ring, SigningTests.Options("solo"), time);
        await bus.StartAsync();

        var bad = await bus.SubmitAsync(CommandBuilder.Build("set-pricing", """{"instruments":{"BTC-USD.SPOT":{"outlier_ratio":"5"}}}""", 1, "k1", SigningTests.Ring, time));
        Assert.Equal(RejectReasons.InvalidPayload, bad.ReasonCode);
        Assert.Contains("Pricing:Overrides:BTC-USD.SPOT:OutlierThreshold must be in (0, 1] (was 5)", bad.Reason, StringComparison.Ordinal);
        Assert.Null(await bus.Store.ReadStateAsync(CancellationToken.None));
        Assert.Empty(target.Calls);

        var good = await bus.SubmitAsync(CommandBuilder.Build("set-pricing", """{"instruments":{"BTC-USD.SPOT":{"outlier_ratio":"0.5"}}}""", 1, "k1", SigningTests.Ring, time));
        Assert.Equal(CommandResult.Applied, good.Status);
        Assert.Equal(["pricing 1"], target.Calls);
    }

    [Fact]
    public async Task A_failed_apply_is_undone_recorded_with_its_reason_and_not_retried_on_every_read()
    {
        var time = new FakeTimeProvider(T0);
        var store = new InMemoryControlStateStore(time: time);
        var target = new Target { FailPricing = true };
        var counters = new ControlCounters();
        var agent = new ControlAgent(target, SigningTests.Ring, store, SigningTests.Options("solo"), time, counters, NullLogger.Instance);

        var subs = ImmutableSortedDictionary.Create<string, ImmutableSortedDictionary<string, DataClasses>>(StringComparer.Ordinal)
            .Add("coinbase", ImmutableSortedDictionary.Create<string, DataClasses>(StringComparer.Ordinal).Add("BTC-USD.SPOT", DataClasses.Trade));
        var v2 = ControlSnapshot.Empty with
        {
            Version = 2, CommandId = "cmd-2", Subscriptions = subs, PricingByClass = new ScopedParameters(Scope("spot", "outlier_ratio", 0.05m)),
        };
        await store.TryWriteStateAsync(0, StateDocument.Serialize(v2, "set-pricing", SigningTests.Ring, "k1"), new ControlSignal { Version = 2 }, CancellationToken.None);

        var first = await agent.ReconcileAsync(reportNoOp: false);
        Assert.Equal(RejectReasons.ApplyFailed, first!.ReasonCode);
        Assert.Equal("apply-failed: InvalidOperationException: engine said no", first.Reason);
        Assert.Equal(["subs +1 -0", "pricing 2", "subs +0 -1"], target.Calls); // the subscription was undone
        Assert.Empty(agent.Served);
        Assert.Equal(0, agent.AppliedVersion);
        Assert.Same(first, agent.Failed);
        // Recorded in the shared state the `state` verb reads: this instance still runs version 0 and refused version 2.
        Assert.Equal(0, (await store.ReadAppliedAsync(CancellationToken.None))["solo"]);
        Assert.Equal("version 2: apply-failed: InvalidOperationException: engine said no", (await store.ReadFailedAsync(CancellationToken.None))["solo"]);

        // Resyncs and signals skip the failed version: no call, no new failure.
        Assert.Null(await agent.ReconcileAsync(reportNoOp: false));
        Assert.Same(first, await agent.ReconcileAsync(reportNoOp: true));
        Assert.Equal(3, target.Calls.Count);
        Assert.Equal(1, counters.ApplyFailures);

        // A newer version is tried, and clears the record.
        target.FailPricing = false;
        var v3 = v2 with { Version = 3, CommandId = "cmd-3" };
        await store.TryWriteStateAsync(2, StateDocument.Serialize(v3, "set-pricing", SigningTests.Ring, "k1"), new ControlSignal { Version = 3 }, CancellationToken.None);
        Assert.Equal(CommandResult.Applied, (await agent.ReconcileAsync(reportNoOp: false))!.Status);
        Assert.Equal(3, agent.AppliedVersion);
        Assert.Null(agent.Failed);
        Assert.Empty(await store.ReadFailedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task An_instance_that_refuses_the_state_changes_nothing()
    {
        var time = new FakeTimeProvider(T0);
        var store = new InMemoryControlStateStore(time: time);
        var target = new Target();
        var agent = new ControlAgent(target, SigningTests.Ring, store, SigningTests.Options("solo"), time, new ControlCounters(), NullLogger.Instance);
        var subs = ImmutableSortedDictionary.Create<string, ImmutableSortedDictionary<string, DataClasses>>(StringComparer.Ordinal)
            .Add("coinbase", ImmutableSortedDictionary.Create<string, DataClasses>(StringComparer.Ordinal).Add("BTC-USD.SPOT", DataClasses.Trade));
        // Written by an older submitter that did not check: subscriptions and an impossible parameter in one version.
        var v1 = ControlSnapshot.Empty with { Version = 1, CommandId = "cmd-1", Subscriptions = subs, PricingByClass = new ScopedParameters(Scope("spot", "weight", 2m)) };
        await store.TryWriteStateAsync(0, StateDocument.Serialize(v1, "set-pricing", SigningTests.Ring, "k1"), new ControlSignal { Version = 1 }, CancellationToken.None);

        var r = await agent.ReconcileAsync(reportNoOp: false);
        Assert.Equal("apply-failed: Pricing:Spot:MaxWeightShare must be in (0, 1] (was 2)", r!.Reason);
        Assert.Empty(target.Calls);
        Assert.Empty(agent.Served);
    }
}
