using System.Diagnostics;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Cli;
using Cloudwall.Rx.Tests.Integration.Control;

namespace Cloudwall.Rx.Tests.Integration.Scenarios;

/// <summary>
/// Reconfiguration of a running platform over a real redis-server: signed commands through the CLI, applied live by the
/// providers, with no reconnect and no gap on the instruments the command does not touch.
/// </summary>
[Collection(Hosting.EndToEnd.Name)]
public sealed class ControlPlaneScenarioTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string KeyEnv = "CW_SCENARIO_CONTROL_KEY";

    [Fact]
    public async Task Subscribe_and_unsubscribe_while_running_touch_only_the_named_instrument()
    {
        Environment.SetEnvironmentVariable(KeyEnv, ControlTestKit.KeyText);
        await using var redis = await RedisServer.StartAsync();
        await using var h = await PlatformHarness.StartAsync(["binance"],
            ("Providers:binance:Symbols:0", "BTCUSDT"),
            ("Providers:binance:Symbols:1", "ETHUSDT"),
            ("Providers:binance:Symbols:2", "ETHUSDT"), // the default list's SOLUSDT, replaced: SOL starts unsubscribed
            ("Control:Redis:Endpoints", redis.Endpoint),
            ("Control:InstanceId", "scenario-1"),
            ("Control:Keys:k1", KeyEnv),
            ("Control:Grants:k1:Commands:0", "subscribe"),
            ("Control:Grants:k1:Commands:1", "unsubscribe"));
        var events = new System.Collections.Concurrent.ConcurrentQueue<(long At, string Key, long NewestInput)>();
        var clock = Stopwatch.StartNew();
        h.Platform.FairPriceDetail += (in FairPrice p, ReadOnlySpan<Pricing.SourceDetail> _) =>
            events.Enqueue((clock.ElapsedMilliseconds, h.Platform.RefData.KeyOf(p.Instrument), p.NewestInputTimeNs));
        var binance = h.Platform.Providers[h.Platform.ProviderNames.IndexOf("binance")];
        await PlatformHarness.Eventually(() => binance.Counters.Events > 50, TimeSpan.FromSeconds(20), "binance flowing");
        Assert.DoesNotContain(events, e => e.Key == "SOL-USDT.SPOT");

        var sent = clock.ElapsedMilliseconds;
        Assert.Equal(0, await Send("subscribe", "SOL-USDT.SPOT", redis.Endpoint));
        await PlatformHarness.Eventually(() => events.Any(e => e.Key == "SOL-USDT.SPOT"), TimeSpan.FromSeconds(10), "SOL-USDT events");
        var first = events.First(e => e.Key == "SOL-USDT.SPOT").At;
        output.WriteLine($"command to first SOL-USDT fair price: {first - sent} ms (includes the CLI's signing and Redis round trip)");

        Assert.Equal(0, await Send("unsubscribe", "SOL-USDT.SPOT", redis.Endpoint));
        var ethBefore = events.Count(e => e.Key == "ETH-USDT.SPOT");
        await PlatformHarness.Eventually(() => events.Count(e => e.Key == "ETH-USDT.SPOT") > ethBefore + 10, TimeSpan.FromSeconds(20), "ETH carries on");
        // Fair prices keep coming as heartbeats, but no new SOL input arrives: its newest input time stands still.
        long SolNewest() => events.Where(e => e.Key == "SOL-USDT.SPOT").Max(e => e.NewestInput);
        var solAfter = SolNewest();
        var ethMark = events.Count(e => e.Key == "ETH-USDT.SPOT");
        await PlatformHarness.Eventually(() => events.Count(e => e.Key == "ETH-USDT.SPOT") > ethMark + 10, TimeSpan.FromSeconds(20), "ETH carries on");
        Assert.Equal(solAfter, SolNewest()); // SOL stopped

        Assert.Equal(0, binance.Counters.Reconnects);
        Assert.Equal(0, binance.Counters.SequenceGaps); // BTC and ETH lost nothing while SOL came and went

        // A forged command (signed with another key) is rejected and changes nothing.
        Environment.SetEnvironmentVariable(KeyEnv + "_WRONG", new string('7', 64));
        var err = new StringWriter();
        var stdout = new StringWriter();
        var code = await CommandLine.RunAsync(["command", "subscribe", "--provider", "binance", "--instruments", "SOL-USDT.SPOT",
            "--key-id", "k1", "--key-env", KeyEnv + "_WRONG", "--redis", redis.Endpoint], stdout, err);
        Assert.Equal(1, code);
        Assert.Contains("rejected", stdout.ToString());
    }

    private static async Task<int> Send(string type, string instrument, string redis)
    {
        var stdout = new StringWriter();
        var code = await CommandLine.RunAsync(["command", type, "--provider", "binance", "--instruments", instrument,
            "--key-id", "k1", "--key-env", KeyEnv, "--redis", redis, "--wait", "2s",
            "--set", "Control:Grants:k1:Commands:0=subscribe", "--set", "Control:Grants:k1:Commands:1=unsubscribe"], stdout, new StringWriter());
        Assert.True(code == 0, stdout.ToString());
        return code;
    }
}
