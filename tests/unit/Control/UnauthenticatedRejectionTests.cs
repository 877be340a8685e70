using System.Text.Json.Nodes;
using Cloudwall.Rx.Control;
using Cloudwall.Rx.Control.Agent;
using Cloudwall.Rx.Control.Bus;
using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Control.State;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Tests.Unit.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Unit.Control;

/// <summary>Only a command whose signature verified reaches the audit list; anything earlier is counted, and logged sparingly.</summary>
public sealed class UnauthenticatedRejectionTests
{
    private const string Subscribe = """{"venue":"coinbase","instruments":["BTC-USD.SPOT"],"data_classes":["trade"]}""";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly CapturingLogger _log = new();

    [Fact]
    public async Task A_flood_without_a_valid_signature_leaves_the_audit_list_alone_and_logs_one_line_per_reason_per_interval()
    {
        await using var bus = new InProcessControlBus(new NullTarget(), SigningTests.Ring, new ControlOptions { InstanceId = "solo" }, _time,
            new CapturingLoggerFactory(_log));
        var published = 0;
        bus.MemoryStore.ResultPublished += _ => published++;
        await bus.StartAsync();
        var forged = JsonNode.Parse(CommandBuilder.Build(CommandTypes.Subscribe, Subscribe, 1, "k1", SigningTests.Ring, _time))!.AsObject();
        forged["version"] = 2; // the signature no longer matches
        var unsigned = JsonNode.Parse(CommandBuilder.Build(CommandTypes.Subscribe, Subscribe, 1, "k1", SigningTests.Ring, _time))!.AsObject();
        unsigned.Remove("signature");
        var other = new SigningKeyRing(new Dictionary<string, byte[]> { ["k9"] = "another-key-0123456789abcdef0123456789"u8.ToArray() });
        string[] flood = [forged.ToJsonString(), unsigned.ToJsonString(), "{\"id\":", CommandBuilder.Build(CommandTypes.Subscribe, Subscribe, 1, "k9", other, _time)];
        _log.Lines.Clear();

        for (var i = 0; i < 500; i++)
        {
            foreach (var json in flood)
            {
                Assert.Equal(CommandResult.Rejected, (await bus.SubmitAsync(json)).Status); // the caller still gets its answer
            }
        }

        Assert.Equal(0, published);
        Assert.Empty(await bus.Store.ReadAuditAsync(10, CancellationToken.None));
        Assert.Equal(2000, bus.Counters.Rejected);
        foreach (var reason in RejectReasons.Unauthenticated)
        {
            Assert.Equal(500, bus.Counters.RejectedByReason[reason]);
        }

        Assert.Equal(4, _log.Lines.Count); // one per reason
        _time.Advance(LogRateLimiter.DefaultInterval);
        await bus.SubmitAsync(unsigned.ToJsonString());
        Assert.Equal(5, _log.Lines.Count);
        Assert.Contains("(unsigned)", _log.Lines[4]);
        Assert.Contains("(499 more since the last line)", _log.Lines[4]);

        // Signed but stale: authenticated, so it is audited as before.
        var stale = CommandBuilder.Build(CommandTypes.Subscribe, Subscribe, 1, "k1", SigningTests.Ring, _time, issuedAt: _time.GetUtcNow().AddMinutes(-5));
        Assert.Equal(RejectReasons.Skew, (await bus.SubmitAsync(stale)).ReasonCode);
        Assert.Equal(1, published);
        Assert.Equal(RejectReasons.Skew, CommandResult.FromJson(Assert.Single(await bus.Store.ReadAuditAsync(10, CancellationToken.None)))!.ReasonCode);
    }

    private sealed class NullTarget : IControlTarget
    {
        public Task ApplySubscriptionsAsync(Cloudwall.Rx.Control.State.SubscriptionDiff diff, CancellationToken ct) => Task.CompletedTask;
        public Task PauseProviderAsync(string provider, CancellationToken ct) => Task.CompletedTask;
        public Task ResumeProviderAsync(string provider, CancellationToken ct) => Task.CompletedTask;
        public void SetPricing(Cloudwall.Rx.Control.State.ControlSnapshot snapshot) { }
        public void SetDetectors(Cloudwall.Rx.Control.State.ControlSnapshot snapshot) { }
        public Task ReloadReferenceDataAsync(long version, CancellationToken ct) => Task.CompletedTask;
        public string SnapshotState() => "{}";
    }
}
