using Cloudwall.Rx.Control.Bus;
using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Control.State;
using Cloudwall.Rx.Hosting.Cli;
using Microsoft.Extensions.Logging.Abstractions;
using static Cloudwall.Rx.Tests.Integration.Control.ControlTestKit;

namespace Cloudwall.Rx.Tests.Integration.Control;

/// <summary>Issue 16.4 on the real Redis bus: a key signs only what it is granted, for submissions and snapshot requests.</summary>
public sealed class RedisGrantTests
{
    [Fact]
    public async Task A_key_granted_only_subscribe_is_forbidden_set_pricing_and_snapshot_requests_on_Redis()
    {
        await using var redis = await RedisServer.StartAsync();
        var target = new RecordingTarget();
        var options = Options("i1");
        options.Grants = new(StringComparer.Ordinal) { ["k1"] = new() { Commands = [CommandTypes.Subscribe] } };
        await using var bus = await RedisControlBus.CreateAsync(ControlTestKit.Redis(redis, "cw"), target, Keys, options);
        await bus.StartAsync();
        var results = await ListenAsync(bus.Redis.Connection, bus.Redis.Keys);

        Assert.Equal(CommandResult.Applied, (await bus.SubmitAsync(Subscribe(1, "coinbase", ["BTC-USD.SPOT"]))).Status);
        await Eventually(() => bus.Snapshots.AppliedVersion == 1, "version 1 applied");

        var pricing = CommandBuilder.Build(CommandTypes.SetPricing, """{"classes":{"spot":{"outlier_ratio":"0.05"}}}""", 2, "k1", Keys, TimeProvider.System);
        var r = await bus.SubmitAsync(pricing);
        Assert.Equal((CommandResult.Rejected, "forbidden: key_id 'k1' may not sign 'set-pricing'"), (r.Status, r.Reason));
        Assert.Equal(1, StateDocument.PeekVersion(await bus.Store.ReadStateAsync(CancellationToken.None))); // nothing stored
        Assert.Equal(1, bus.Counters.RejectedByReason[RejectReasons.Forbidden]);
        var audit = await bus.Store.ReadAuditAsync(100, CancellationToken.None);
        Assert.DoesNotContain(audit, a => CommandResult.FromJson(a) is { Status: CommandResult.Applied } x && x.CommandId == r.CommandId);

        // A snapshot-state request published straight on the commands channel: the instance checks the grant too.
        await using var direct = await RedisControlStore.ConnectAsync(ControlTestKit.Redis(redis, "cw"), "direct", 100, NullLogger.Instance);
        var snapshot = CommandBuilder.Build(CommandTypes.SnapshotState, "{}", 0, "k1", Keys, TimeProvider.System);
        await direct.PublishSignalAsync(new ControlSignal { Kind = ControlSignal.SnapshotKind, Envelope = snapshot });
        await Eventually(() => results.Any(x => x.Stage == "snapshot"), "the instance answers the snapshot request");
        var answer = results.Single(x => x.Stage == "snapshot");
        Assert.Equal((CommandResult.Rejected, "forbidden: key_id 'k1' may not sign 'snapshot-state'"), (answer.Status, answer.Reason));
        Assert.Null(answer.State);

        Assert.Equal(1, bus.Snapshots.AppliedVersion);
        Assert.DoesNotContain(target.Calls, c => c.StartsWith("pricing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_cli_writing_to_Redis_enforces_the_grants_of_its_configuration()
    {
        Environment.SetEnvironmentVariable("CW_GRANT_TEST_KEY", KeyText);
        await using var redis = await RedisServer.StartAsync();
        string[] subscribe = ["command", "subscribe", "--venue", "coinbase", "--instruments", "BTC-USD.SPOT", "--key-id", "k1", "--key-env", "CW_GRANT_TEST_KEY",
            "--redis", redis.Endpoint, "--prefix", "cw", "--wait", "0s"];

        var stdout = new StringWriter();
        Assert.Equal(1, await CommandLine.RunAsync(subscribe, stdout, new StringWriter())); // no grant: nothing
        Assert.Equal("forbidden: key_id 'k1' may not sign 'subscribe'", Submitted(stdout).Reason);
        await using var store = await RedisControlStore.ConnectAsync(ControlTestKit.Redis(redis, "cw"), "check", 100, NullLogger.Instance);
        Assert.Null(await store.ReadStateAsync(CancellationToken.None));

        stdout = new StringWriter();
        Assert.Equal(1, await CommandLine.RunAsync([.. subscribe, "--set", "Control:Grants:k1:Commands:0=subscribe", "--set", "Control:Grants:k1:Scopes:0=kraken"],
            stdout, new StringWriter()));
        Assert.Equal("forbidden: key_id 'k1' may not sign 'subscribe' for scope 'coinbase'", Submitted(stdout).Reason);

        stdout = new StringWriter();
        Assert.Equal(0, await CommandLine.RunAsync([.. subscribe, "--set", "Control:Grants:k1:Commands:0=subscribe"], stdout, new StringWriter()));
        Assert.Equal(1, StateDocument.PeekVersion(await store.ReadStateAsync(CancellationToken.None)));

        var stderr = new StringWriter();
        Assert.Equal(2, await CommandLine.RunAsync([.. subscribe, "--set", "Control:Grants:k1:Commands:0=drop-tables"], new StringWriter(), stderr));
        Assert.Contains("Control:Grants:k1:Commands: 'drop-tables' is not a command type", stderr.ToString(), StringComparison.Ordinal);
    }

    /// <summary>The submission result: the first line the CLI prints.</summary>
    private static CommandResult Submitted(StringWriter stdout) => CommandResult.FromJson(stdout.ToString().Split('\n')[0])!;
}
