using System.Text.Json.Nodes;
using Cloudwall.Rx.Control;
using Cloudwall.Rx.Control.Agent;
using Cloudwall.Rx.Control.Bus;
using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Control.State;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using static Cloudwall.Rx.Tests.Integration.Control.ControlTestKit;

namespace Cloudwall.Rx.Tests.Integration.Control;

public sealed class RedisControlBusTests
{
    private static Task<RedisControlBus> Bus(RedisServer redis, RecordingTarget target, string instance, Action<ConfigurationOptions>? configure = null) =>
        RedisControlBus.CreateAsync(ControlTestKit.Redis(redis, "cw"), target, Keys, Options(instance), configure: configure);

    [Fact]
    public async Task Signed_subscribe_and_unsubscribe_change_the_snapshot_and_call_the_target_with_only_the_diff()
    {
        await using var redis = await RedisServer.StartAsync();
        var target = new RecordingTarget();
        await using var bus = await Bus(redis, target, "i1");
        await bus.StartAsync();
        var changes = new List<ControlSnapshotChanged>();
        bus.Snapshots.Changed += (_, e) => changes.Add(e);

        var r1 = await bus.SubmitAsync(Subscribe(1, "coinbase", ["BTC-USD.SPOT", "ETH-USD.SPOT"], "\"trade\",\"quote\""));
        Assert.Equal((CommandResult.Applied, 1L, "submit"), (r1.Status, r1.Version, r1.Stage));
        await Eventually(() => bus.Snapshots.AppliedVersion == 1, "version 1 applied");
        var d1 = Assert.Single(target.Diffs);
        Assert.Equal(["BTC-USD.SPOT", "ETH-USD.SPOT"], d1.Added.Select(a => a.Instrument));
        Assert.All(d1.Added, a => Assert.Equal(DataClasses.Trade | DataClasses.Quote, a.After));

        await bus.SubmitAsync(Subscribe(2, "coinbase", ["ETH-USD.SPOT"], "\"trade\"", on: false));
        await Eventually(() => bus.Snapshots.AppliedVersion == 2, "version 2 applied");
        var d2 = target.Diffs.Last();
        Assert.Empty(d2.Added);
        Assert.Empty(d2.Removed);
        var changed = Assert.Single(d2.Changed); // BTC is untouched
        Assert.Equal(("ETH-USD.SPOT", DataClasses.Trade | DataClasses.Quote, DataClasses.Quote), (changed.Instrument, changed.Before, changed.After));

        await bus.SubmitAsync(Subscribe(3, "coinbase", ["BTC-USD.SPOT"], "\"trade\",\"quote\"", on: false));
        await Eventually(() => bus.Snapshots.AppliedVersion == 3, "version 3 applied");
        Assert.Equal("BTC-USD.SPOT", Assert.Single(target.Diffs.Last().Removed).Instrument);
        Assert.Equal(DataClasses.Quote, bus.Snapshots.Current.Subscriptions["coinbase"]["ETH-USD.SPOT"]);
        Assert.Equal(3, changes.Count);
        Assert.Equal(3, bus.Counters.Applied);
    }

    [Fact]
    public async Task A_command_written_while_the_instance_is_disconnected_is_applied_when_Redis_returns()
    {
        await using var redis = await RedisServer.StartAsync();
        var target = new RecordingTarget();
        // Reconnect attempts wait 3 s, so the submission below lands while this instance is certainly away.
        await using var bus = await Bus(redis, target, "i1", c => c.ReconnectRetryPolicy = new LinearRetry(3000));
        await bus.StartAsync();
        await bus.SubmitAsync(Subscribe(1, "coinbase", ["BTC-USD.SPOT"]));
        await Eventually(() => bus.Snapshots.AppliedVersion == 1, "version 1 applied");

        await redis.StopAsync(keepData: true);
        await Eventually(() => !bus.Redis.Connection.IsConnected, "the instance notices Redis is gone");
        Assert.Equal(1, bus.Snapshots.AppliedVersion); // keeps its last snapshot
        Assert.True(bus.Snapshots.Current.Subscriptions.ContainsKey("coinbase"));

        await redis.StartAsync(CancellationToken.None);
        await using var submitter = await RedisControlStore.ConnectAsync(ControlTestKit.Redis(redis, "cw"), "cli", 100, NullLogger.Instance);
        var processor = new ControlCommandProcessor(Keys, submitter, Options("cli"), TimeProvider.System, new ControlCounters(), NullLogger.Instance);
        Assert.False(bus.Redis.Connection.IsConnected, "the instance reconnected before the test could write the state");
        var r = await processor.SubmitAsync(Subscribe(2, "kraken", ["ETH-USD.SPOT"]));
        Assert.Equal(CommandResult.Applied, r.Status); // state written and signal published; the instance missed the signal

        await Eventually(() => bus.Snapshots.AppliedVersion == 2, "version 2 applied after the reconnect", 30_000);
        Assert.True(target.Live.ContainsKey(("kraken", "ETH-USD.SPOT")));
        Assert.True(target.Live.ContainsKey(("coinbase", "BTC-USD.SPOT")));
        Assert.True(bus.Counters.Reconnects >= 1);
    }

    [Fact]
    public async Task Rejections_carry_their_reason_and_apply_nothing()
    {
        await using var redis = await RedisServer.StartAsync();
        var target = new RecordingTarget();
        await using var bus = await Bus(redis, target, "i1");
        await bus.StartAsync();
        var good = Subscribe(1, "coinbase", ["BTC-USD.SPOT"]);
        Assert.Equal(CommandResult.Applied, (await bus.SubmitAsync(good)).Status);
        await Eventually(() => bus.Snapshots.AppliedVersion == 1, "version 1 applied");

        var forged = JsonNode.Parse(Subscribe(2, "coinbase", ["ETH-USD.SPOT"]))!.AsObject();
        var sig = forged["signature"]!.GetValue<string>();
        forged["signature"] = (sig[0] == 'a' ? "b" : "a") + sig[1..];
        var unsigned = JsonNode.Parse(Subscribe(2, "coinbase", ["ETH-USD.SPOT"]))!.AsObject();
        unsigned.Remove("signature");
        var otherRing = new SigningKeyRing(new Dictionary<string, byte[]> { ["k9"] = "another-key-0123456789abcdef0123456789"u8.ToArray() });

        var cases = new (string Json, string Reason)[]
        {
            (forged.ToJsonString(), "bad-signature: "),
            (unsigned.ToJsonString(), "unsigned: "),
            (CommandBuilder.Build(CommandTypes.Subscribe, """{"provider":"coinbase","instruments":["ETH-USD.SPOT"],"data_classes":["trade"]}""", 2, "k9", otherRing, TimeProvider.System), "unknown-key: "),
            (CommandBuilder.Build(CommandTypes.Subscribe, """{"provider":"coinbase","instruments":["ETH-USD.SPOT"],"data_classes":["trade"]}""", 2, "k1", Keys, TimeProvider.System,
                issuedAt: DateTimeOffset.UtcNow.AddMinutes(-5)), "skew: "),
            (good, "replay: "),
            (CommandBuilder.Build("drop-tables", "{}", 2, "k1", Keys, TimeProvider.System), "unknown-type: type 'drop-tables' is not allowed"),
            (Subscribe(2, "coinbase", ["ETH-USD.SPOT", "nope"]), "invalid-payload: payload.instruments[1]: not a canonical instrument key"),
            (Subscribe(1, "coinbase", ["ETH-USD.SPOT"]), "stale-version: version 1 is not above the current version 1"),
            ("{\"id\":", "invalid-envelope: "),
        };

        foreach (var (json, reason) in cases)
        {
            var r = await bus.SubmitAsync(json);
            Assert.Equal(CommandResult.Rejected, r.Status);
            Assert.StartsWith(reason, r.Reason, StringComparison.Ordinal);
        }

        await using var mux = await redis.ConnectAsync();
        Assert.Equal(1, StateDocument.PeekVersion(await mux.GetDatabase().StringGetAsync("cw:state")));
        Assert.Equal(1, bus.Snapshots.AppliedVersion);
        Assert.Single(target.Diffs);
        Assert.Equal(cases.Length, bus.Counters.Rejected);
        Assert.Equal(1, bus.Counters.RejectedByReason["replay"]);

        // A state written by someone without a key is refused too.
        var stored = (string)(await mux.GetDatabase().StringGetAsync("cw:state"))!;
        await mux.GetDatabase().StringSetAsync("cw:state", stored.Replace("\"version\":1", "\"version\":7", StringComparison.Ordinal));
        await mux.GetSubscriber().PublishAsync(RedisChannel.Literal("cw:commands"), "{\"kind\":\"state\",\"version\":7}");
        await Eventually(() => bus.Counters.RejectedByReason.ContainsKey(RejectReasons.BadState), "forged state refused");
        Assert.Equal(1, bus.Snapshots.AppliedVersion);
    }

    [Fact]
    public async Task Results_are_published_audited_and_a_repeated_version_is_a_no_op()
    {
        await using var redis = await RedisServer.StartAsync();
        var target = new RecordingTarget();
        await using var bus = await Bus(redis, target, "i1");
        await bus.StartAsync();
        await using var mux = await redis.ConnectAsync();
        var results = await ListenAsync(mux, bus.Redis.Keys);

        var cmd = Subscribe(1, "coinbase", ["BTC-USD.SPOT"]);
        var id = JsonNode.Parse(cmd)!["id"]!.GetValue<string>();
        await bus.SubmitAsync(cmd);
        await Eventually(() => results.Count >= 2, "submit and apply results");
        var submit = Assert.Single(results, r => r.Stage == "submit");
        var apply = Assert.Single(results, r => r.Stage == "apply");
        Assert.Equal((CommandResult.Applied, id, "subscribe", "k1", 1L), (submit.Status, submit.CommandId, submit.Type, submit.KeyId, submit.Version));
        Assert.Equal((CommandResult.Applied, id, "i1", 1L), (apply.Status, apply.CommandId, apply.Instance, apply.Version));

        await bus.SubmitAsync(CommandBuilder.Build("drop-tables", "{}", 2, "k1", Keys, TimeProvider.System));
        await mux.GetSubscriber().PublishAsync(RedisChannel.Literal(bus.Redis.Keys.CommandsChannel), new ControlSignal { Version = 1 }.ToJson());
        await Eventually(() => results.Any(r => r.Status == CommandResult.NoOp), "no-op for a version applied twice");
        Assert.Single(target.Diffs);
        Assert.Contains(results, r => r.Status == CommandResult.Rejected && r.ReasonCode == RejectReasons.UnknownType);

        var audit = await bus.Store.ReadAuditAsync(10, CancellationToken.None);
        var entries = audit.Select(a => CommandResult.FromJson(a)!).ToList();
        Assert.Equal(4, entries.Count);
        Assert.Equal(CommandResult.NoOp, entries[0].Status); // newest first
        Assert.Equal(RejectReasons.UnknownType, entries[1].ReasonCode);
        Assert.Equal(["apply", "submit"], entries.Skip(2).Select(e => e.Stage).Order());

        var applied = await bus.Store.ReadAppliedAsync(CancellationToken.None);
        Assert.Equal(1, applied["i1"]);
        Assert.True(await mux.GetDatabase().KeyTimeToLiveAsync(bus.Redis.Keys.Applied("i1")) > TimeSpan.Zero);
        Assert.Empty(await bus.Store.ReadFailedAsync(CancellationToken.None));

        // A refused version is kept next to the applied one (with its TTL) until the instance reports none failed.
        await bus.Store.ReportAppliedAsync("i9", 3, TimeSpan.FromMinutes(1), "version 4: apply-failed: engine said no");
        Assert.Equal("version 4: apply-failed: engine said no", (await bus.Store.ReadFailedAsync(CancellationToken.None))["i9"]);
        Assert.True(await mux.GetDatabase().KeyTimeToLiveAsync(bus.Redis.Keys.Failed("i9")) > TimeSpan.Zero);
        await bus.Store.ReportAppliedAsync("i9", 4, TimeSpan.FromMinutes(1));
        Assert.False((await bus.Store.ReadFailedAsync(CancellationToken.None)).ContainsKey("i9"));
    }

    [Fact]
    public async Task Two_instances_converge_on_the_same_version()
    {
        await using var redis = await RedisServer.StartAsync();
        var t1 = new RecordingTarget();
        var t2 = new RecordingTarget();
        await using var b1 = await Bus(redis, t1, "i1");
        await using var b2 = await Bus(redis, t2, "i2");
        await b1.StartAsync();
        await b2.StartAsync();

        await b1.SubmitAsync(Subscribe(1, "coinbase", ["BTC-USD.SPOT", "ETH-USD.SPOT"]));
        await b2.SubmitAsync(Subscribe(2, "kraken", ["BTC-USD.SPOT"], "\"quote\""));
        await b1.SubmitAsync(CommandBuilder.Build(CommandTypes.PauseProvider, """{"provider":"kraken"}""", 3, "k1", Keys, TimeProvider.System));
        await b2.SubmitAsync(CommandBuilder.Build(CommandTypes.SetPricing, """{"classes":{"spot":{"outlier_ratio":"0.05"}}}""", 4, "k1", Keys, TimeProvider.System));

        await Eventually(() => b1.Snapshots.AppliedVersion == 4 && b2.Snapshots.AppliedVersion == 4, "both at version 4");
        Assert.True(b1.Snapshots.Current.SameConfiguration(b2.Snapshots.Current));
        Assert.Equal(t1.Live.OrderBy(k => k.Key).ToList(), t2.Live.OrderBy(k => k.Key).ToList());
        Assert.Contains("pause kraken", t1.Calls);
        Assert.Contains("pricing 4", t2.Calls);
        await Eventually(async () => (await b1.Store.ReadAppliedAsync(CancellationToken.None)) is { } a && a.GetValueOrDefault("i1") == 4 && a.GetValueOrDefault("i2") == 4,
            "both report version 4");
    }
}

public sealed class ControlLatencyTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Measures_submit_to_applied_latency_on_two_instances()
    {
        await using var redis = await RedisServer.StartAsync();
        var t1 = new RecordingTarget();
        var t2 = new RecordingTarget();
        await using var b1 = await RedisControlBus.CreateAsync(ControlTestKit.Redis(redis, "cw"), t1, Keys, Options("i1"));
        await using var b2 = await RedisControlBus.CreateAsync(ControlTestKit.Redis(redis, "cw"), t2, Keys, Options("i2"));
        await b1.StartAsync();
        await b2.StartAsync();

        const int n = 200;
        var submit = new double[n];
        var applied = new double[n];
        for (var i = 0; i < n; i++)
        {
            var json = Subscribe(i + 1, "coinbase", [$"C{i}-USD.SPOT"]);
            var version = i + 1;
            var seen1 = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var seen2 = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            EventHandler<ControlSnapshotChanged> h1 = (_, e) => { if (e.Current.Version == version) seen1.TrySetResult(); };
            EventHandler<ControlSnapshotChanged> h2 = (_, e) => { if (e.Current.Version == version) seen2.TrySetResult(); };
            b1.Snapshots.Changed += h1;
            b2.Snapshots.Changed += h2;
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            var r = await b1.SubmitAsync(json);
            submit[i] = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            Assert.Equal(CommandResult.Applied, r.Status);
            await Task.WhenAll(seen1.Task, seen2.Task).WaitAsync(TimeSpan.FromSeconds(5));
            applied[i] = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            b1.Snapshots.Changed -= h1;
            b2.Snapshots.Changed -= h2;
        }

        static string Stats(double[] xs)
        {
            var s = xs.Skip(10).Order().ToArray(); // the first ones warm up the connections and scripts
            return $"p50 {s[s.Length / 2]:0.00} ms, p99 {s[(int)(s.Length * 0.99)]:0.00} ms, max {s[^1]:0.00} ms";
        }

        output.WriteLine($"submit (verify + CAS + publish): {Stats(submit)}; until both instances applied: {Stats(applied)}");
        Assert.Equal(n, t2.Live.Count);
    }
}
