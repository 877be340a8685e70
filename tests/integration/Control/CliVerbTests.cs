using Cloudwall.Rx.Control.Bus;
using Cloudwall.Rx.Hosting.Cli;
using static Cloudwall.Rx.Tests.Integration.Control.ControlTestKit;

namespace Cloudwall.Rx.Tests.Integration.Control;

public sealed class CliVerbTests
{
    [Fact]
    public async Task Command_verb_signs_and_sends_and_state_verb_prints_desired_and_applied()
    {
        Environment.SetEnvironmentVariable("CW_CLI_TEST_KEY", KeyText);
        await using var redis = await RedisServer.StartAsync();
        var target = new RecordingTarget();
        await using var bus = await RedisControlBus.CreateAsync(ControlTestKit.Redis(redis, "cloudwall:control"), target, Keys, Options("ingest-1"));
        await bus.StartAsync();

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CommandLine.RunAsync(
        [
            "command", "subscribe", "--venue", "coinbase", "--instruments", "BTC-USD.SPOT,ETH-USD.SPOT", "--data-classes", "trade",
            "--key-id", "k1", "--key-env", "CW_CLI_TEST_KEY", "--redis", redis.Endpoint, "--wait", "1s", .. GrantK1,
        ], stdout, stderr);
        Assert.True(code == 0, stdout + stderr.ToString());
        var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("\"stage\":\"submit\"", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("\"instance\":\"ingest-1\"", StringComparison.Ordinal) && l.Contains("\"status\":\"applied\"", StringComparison.Ordinal));
        Assert.Equal(1, bus.Snapshots.AppliedVersion);

        stdout = new StringWriter();
        code = await CommandLine.RunAsync(
        [
            "command", "subscribe", "--venue", "coinbase", "--instruments", "btc", "--key-id", "k1", "--key-env", "CW_CLI_TEST_KEY", "--redis", redis.Endpoint, .. GrantK1,
        ], stdout, stderr);
        Assert.Equal(1, code);
        Assert.Contains("payload.instruments[0]: not a canonical instrument key", stdout.ToString(), StringComparison.Ordinal);

        stdout = new StringWriter();
        code = await CommandLine.RunAsync(["state", "--redis", redis.Endpoint, "--key-id", "k1", "--key-env", "CW_CLI_TEST_KEY"], stdout, stderr);
        Assert.Equal(0, code);
        var text = stdout.ToString();
        Assert.Contains("desired: version 1", text, StringComparison.Ordinal);
        Assert.Contains("(signature valid)", text, StringComparison.Ordinal);
        Assert.Contains("  coinbase BTC-USD.SPOT trade", text, StringComparison.Ordinal);
        Assert.Contains("  ingest-1 1", text, StringComparison.Ordinal);
    }
}

public sealed class RedisAclTests
{
    /// <summary>The ACL from docs/control-plane.md, kept in one place with the test that proves it is enough.</summary>
    public const string InstanceAcl =
        "on >{0} resetkeys ~cloudwall:* resetchannels &cloudwall:* -@all +@connection +info +get +set +setex +psetex +mget +publish +subscribe +unsubscribe " +
        "+eval +evalsha +script|load +lpush +ltrim +lrange +scan +hgetall +multi +exec +discard +watch +unwatch +del";

    [Fact]
    public async Task The_documented_least_privilege_acl_is_enough_for_an_instance_and_a_submitter()
    {
        await using var redis = await RedisServer.StartAsync();
        await using (var admin = await redis.ConnectAsync())
        {
            var rules = string.Format(System.Globalization.CultureInfo.InvariantCulture, InstanceAcl, "cw-acl-password").Split(' ');
            await admin.GetDatabase().ExecuteAsync("ACL", ["SETUSER", "cloudwall", .. rules]);
        }

        var options = ControlTestKit.Redis(redis, "cloudwall:control");
        options.User = "cloudwall";
        options.Password = "cw-acl-password";
        var target = new RecordingTarget();
        await using var bus = await RedisControlBus.CreateAsync(options, target, Keys, Options("acl-1"));
        await bus.StartAsync();
        var r = await bus.SubmitAsync(Subscribe(1, "coinbase", ["BTC-USD.SPOT"]));
        Assert.Equal(Cloudwall.Rx.Control.State.CommandResult.Applied, r.Status);
        await Eventually(() => bus.Snapshots.AppliedVersion == 1, "applied under the ACL user");
        await Eventually(async () => (await bus.Store.ReadAppliedAsync(CancellationToken.None)).GetValueOrDefault("acl-1") == 1, "applied version reported", 5000);
        Assert.NotEmpty(await bus.Store.ReadAuditAsync(10, CancellationToken.None));

        var loader = new Cloudwall.Rx.Control.Reference.RedisReferenceData(bus.Redis.Connection.GetDatabase(), new Cloudwall.Rx.Core.ReferenceData(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Assert.Equal(0, await loader.LoadAsync());

        // Outside the namespace: refused.
        await Assert.ThrowsAsync<StackExchange.Redis.RedisServerException>(() => bus.Redis.Connection.GetDatabase().StringGetAsync("other:key"));
    }
}
